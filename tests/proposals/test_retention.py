"""Partners' proposals: the retention purge clears the submitter's contact once the proposal
was decided long enough ago; the event, the organisation and the decision stay."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.admin.conftest import sign_in
from tests.proposals.factory import submitted
from webapp import audit
from webapp.agenda.models import Event
from webapp.audit import AuditEntry
from webapp.extensions import db
from webapp.mail.models import OutboxMessage
from webapp.proposals import notices, rules
from webapp.proposals.models import Proposal
from webapp.timezones import utcnow
from webapp.unit_of_work import unit_of_work
from webapp.worker import retention

MODERATOR = audit.Actor.account(1)
CONTACT = ("submitter_name", "submitter_email", "phone")


def run(operation, *args):
    with unit_of_work(operation.__name__):
        operation(*args)
    db.session.expire_all()


def decided_days_ago(proposal_id, days):
    with unit_of_work("backdate"):
        db.session.get(Proposal, proposal_id).decided_at = utcnow() - timedelta(days=days)
    db.session.expire_all()


def row(proposal_id):
    db.session.expire_all()
    proposal = db.session.get(Proposal, proposal_id)
    return {c.name: getattr(proposal, c.name) for c in Proposal.__table__.columns}


def event_row(event_id):
    event = db.session.get(Event, event_id)
    return {c.name: getattr(event, c.name) for c in Event.__table__.columns}


@pytest.fixture
def decided(territory):
    """An accepted and a refused proposal decided two years ago, each with a phone."""
    accepted = submitted(phone="+32 2 345 67 89")
    run(rules.accept, accepted.id, MODERATOR)
    refused = submitted(phone="+32 2 345 67 00", submitter_email="jan@amo.be")
    run(rules.refuse, refused.id, "Hors sujet.", MODERATOR)
    for proposal in (accepted, refused):
        decided_days_ago(proposal.id, 800)
    return accepted.id, refused.id


def purge(months=12):
    return retention.purge(months).proposals


def test_purge_clears_the_contact_of_old_decided_proposals_and_keeps_the_rest(decided):
    before = {pid: row(pid) for pid in decided}
    events = {pid: event_row(before[pid]["event_id"]) for pid in decided}
    assert purge() == 2
    for pid in decided:
        after = row(pid)
        assert [after[name] for name in CONTACT] == [None, None, None]
        assert after["anonymised_at"] is not None
        unchanged = set(after) - set(CONTACT) - {"anonymised_at", "updated_at"}
        assert {k: after[k] for k in unchanged} == {k: before[pid][k] for k in unchanged}
        assert after["organisation_name"] == "AMO de Forest"
        assert event_row(after["event_id"]) == events[pid]


def test_purge_leaves_recent_and_open_proposals_alone(decided):
    recent = submitted(submitter_email="recent@amo.be")
    run(rules.accept, recent.id, MODERATOR)
    decided_days_ago(recent.id, 300)
    waiting = submitted(submitter_email="waiting@amo.be")
    asked = submitted(submitter_email="asked@amo.be")
    run(rules.ask_changes, asked.id, "Précisez l'horaire.", MODERATOR)
    decided_days_ago(asked.id, 800)  # changes asked long ago: still open, still needs a contact
    untouched = {pid: row(pid) for pid in (recent.id, waiting.id, asked.id)}
    assert purge() == 2
    assert {pid: row(pid) for pid in untouched} == untouched


def test_purge_forgets_the_proposals_messages(decided):
    accepted, _refused = decided
    recent = submitted(submitter_email="recent@amo.be")
    assert db.session.scalar(
        select(func.count()).where(OutboxMessage.reference == notices.reference(accepted))
    )
    purge()
    references = set(db.session.scalars(select(OutboxMessage.reference)))
    assert notices.reference(accepted) not in references
    assert notices.reference(recent.id) in references


def test_purge_run_twice_is_idempotent_with_one_audit_line_each(decided):
    assert purge() == 2
    once = {pid: row(pid) for pid in decided}
    assert purge() == 0
    assert {pid: row(pid) for pid in decided} == once
    lines = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "proposal.purged")
    ).all()
    assert sorted(line.subject_id for line in lines) == sorted(decided)
    assert {line.actor_kind for line in lines} == {"system"}


def test_the_command_says_how_many_proposals_were_cleared(app, decided):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["purge-personal-data", "--older-than-months", "24"])
    assert result.exit_code == 0
    assert "2 proposal(s) cleared of their submitter's contact" in result.output
    again = runner.invoke(args=["purge-personal-data", "--older-than-months", "24"])
    assert "0 proposal(s) cleared" in again.output


def test_the_moderators_page_says_the_contact_was_cleared(client, decided, make_staff):
    accepted, _refused = decided
    purge()
    staff = sign_in(client, make_staff("admin"))
    page = staff.get(f"/admin/proposals/{accepted}").get_data(as_text=True)
    assert "Coordonnées effacées (durée de conservation)" in page
    assert "AMO de Forest" in page
    assert "None" not in page and "sarah@amo-forest.be" not in page
    dutch = staff.get(f"/admin/proposals/{accepted}?lang=nl").get_data(as_text=True)
    assert "Contactgegevens gewist (bewaartermijn)" in dutch
