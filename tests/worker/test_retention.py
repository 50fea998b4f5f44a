"""The retention purge of every area, as the nightly job and the command run it: one unit of
work over registrations, Grand Bain visitors and hosts' contacts, and proposals, all or
nothing."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.edge import rules
from tests.proposals.factory import submitted
from webapp import audit
from webapp.agenda.models import Commune
from webapp.extensions import db
from webapp.grandbain.models import Edition, Offer, Visitor
from webapp.proposals import rules as proposal_rules
from webapp.proposals.models import Proposal
from webapp.registrations.models import Registration
from webapp.timezones import utcnow
from webapp.unit_of_work import unit_of_work
from webapp.worker import retention, schedule
from webapp.worker.models import JobRun


@pytest.fixture
def one_of_each(make_event, person):
    """A registration, a Grand Bain visitor and host, and a decided proposal, all three years
    old."""
    event = make_event(capacity=5)
    rules.register(event.id, person(1))
    with unit_of_work("old"):
        event.start_at = utcnow() - timedelta(days=1100)
        event.end_at = event.start_at + timedelta(hours=2)
        db.session.add(event)
        start = date.today().replace(year=date.today().year - 3, month=3, day=1)
        edition = Edition(year=start.year, week_start=start, week_end=start + timedelta(days=4))
        db.session.add(edition)
        db.session.flush()
        db.session.add(Visitor(edition_id=edition.id, email="anne.1@example.org", sector="hopital"))
        db.session.add(
            Offer(
                edition_id=edition.id,
                name="Maison médicale du Midi",
                sector="maison-medicale",
                address="Rue du Midi 12",
                commune=db.session.scalar(select(Commune).where(Commune.slug == "forest")),
                discover_fr="L'accueil.",
                contact_name="Sophie Janssens",
                contact_email="accueil@mm-midi.be",
            )
        )
    proposal = submitted()
    with unit_of_work("refuse"):
        proposal_rules.refuse(proposal.id, "Hors sujet.", audit.Actor.account(1))
    with unit_of_work("long ago"):
        db.session.get(Proposal, proposal.id).decided_at = utcnow() - timedelta(days=1100)


def personal_left():
    db.session.expire_all()
    return (
        db.session.scalars(select(Registration.email)).all(),
        db.session.scalars(select(Visitor.email)).all(),
        db.session.scalars(select(Proposal.submitter_email)).all(),
        db.session.scalars(select(Offer.contact_email)).all(),
    )


def test_the_nightly_job_purges_every_area_and_counts_them(app, one_of_each):
    (job,) = [job for job in schedule.JOBS if job.name == "purge-personal-data"]
    assert schedule.run_if_due(job) is True
    assert personal_left() == ([None], [None], [None], [None])
    assert db.session.scalar(select(JobRun.items).where(JobRun.job == job.name)) == 4


def test_one_area_failing_leaves_every_area_as_it_was(app, one_of_each, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the proposals' purge failed")

    monkeypatch.setattr(retention, "purge_proposals", broken)
    with pytest.raises(RuntimeError):
        retention.purge(12)
    assert personal_left() == (
        ["anne.1@example.org"],
        ["anne.1@example.org"],
        ["sarah@amo-forest.be"],
        ["accueil@mm-midi.be"],
    )


def test_the_command_reports_each_area(app, one_of_each):
    output = app.test_cli_runner().invoke(args=["purge-personal-data"]).output
    assert "1 registration(s) anonymised" in output
    assert "1 Grand Bain visitor(s) anonymised" in output
    assert "1 Grand Bain offer contact(s) cleared" in output
    assert "1 proposal(s) cleared" in output
    assert personal_left() == ([None], [None], [None], [None])
