"""The proposals' operations called directly: the waiting count per scope, what acceptance
makes of the typed place, and refusals of an operation out of turn."""

import pytest
from sqlalchemy import func, select

from tests.factories import venue as existing_venue
from tests.proposals.factory import details, submitted
from webapp import audit
from webapp.agenda.models import Venue
from webapp.auth.scopes import Scope
from webapp.extensions import db
from webapp.proposals import rules
from webapp.unit_of_work import unit_of_work

MODERATOR = audit.Actor.account(1)


def run(operation, *args, **kwargs):
    with unit_of_work(operation.__name__):
        result = operation(*args, **kwargs)
    db.session.expire_all()
    return result


def test_waiting_count_counts_the_proposals_waiting_in_a_scope(territory):
    submitted(bassins=("sud",))
    submitted(bassins=("sud", "nord"))
    refused = submitted(bassins=("sud",))
    run(rules.refuse, refused.id, "Hors sujet.", MODERATOR)
    asked = submitted(bassins=("nord",))
    run(rules.ask_changes, asked.id, "L'adresse ?", MODERATOR)
    assert rules.waiting_count(Scope.of_bassins("sud")) == 2
    assert rules.waiting_count(Scope.of_bassins("nord")) == 1
    assert rules.waiting_count(Scope.of_bassins("centre-ouest")) == 0
    assert rules.waiting_count(Scope.all()) == 2
    assert rules.waiting_count(Scope()) == 0


def test_a_submitted_event_is_a_draft_without_registration(territory):
    proposal = submitted()
    assert proposal.event.status == "draft"
    assert proposal.event.registration_mode == "none"
    assert [b.slug for b in proposal.event.bassins] == ["sud"]
    assert proposal.event.venue_id is None  # the place stays text until accepted


def test_accepting_reuses_the_venue_of_the_same_name_and_address(territory):
    known = existing_venue(name="Maison des jeunes de Forest", address="Rue du Curé 35")
    db.session.commit()
    venues = db.session.scalar(select(func.count(Venue.id)))
    proposal = submitted()
    run(rules.accept, proposal.id, MODERATOR)
    proposal = db.session.get(type(proposal), proposal.id)
    assert proposal.event.venue_id == known.id
    assert db.session.scalar(select(func.count(Venue.id))) == venues


def test_an_online_proposal_gets_no_venue(territory):
    proposal = submitted(
        venue_name=None,
        venue_address=None,
        venue_postal_code=None,
        venue_commune=None,
        online_url="https://meet.example.org/x",
    )
    run(rules.accept, proposal.id, MODERATOR)
    proposal = db.session.get(type(proposal), proposal.id)
    assert proposal.event.status == "published" and proposal.event.venue_id is None
    # A link and no place: an online meeting, its link kept from the public.
    assert (proposal.event.mode, proposal.event.online_url_public) == ("online", False)


@pytest.mark.parametrize(
    "operation, args",
    [
        (rules.accept, ()),
        (rules.ask_changes, ("Encore ?",)),
        (rules.refuse, ("Non.",)),
    ],
)
def test_a_decided_proposal_cannot_be_decided_again(territory, operation, args):
    proposal = submitted()
    run(rules.refuse, proposal.id, "Hors sujet.", MODERATOR)
    with pytest.raises(rules.ProposalRefused):
        run(operation, proposal.id, *args, actor=MODERATOR)


def test_resubmitting_without_changes_asked_is_refused(territory):
    proposal = submitted()
    with pytest.raises(rules.ProposalRefused) as refused:
        run(rules.resubmit, proposal.id, rules.Submission(details(), ("sud",)))
    assert refused.value.reason == "no-changes-requested"


def test_a_message_is_required_to_ask_for_changes_or_refuse(territory):
    proposal = submitted()
    for operation in (rules.ask_changes, rules.refuse):
        with pytest.raises(rules.ProposalRefused) as refused:
            run(operation, proposal.id, "   ", MODERATOR)
        assert refused.value.reason == "message-required"


def test_an_unknown_bassin_refuses_the_whole_submission(territory):
    with pytest.raises(rules.ProposalRefused) as refused:
        submitted(bassins=("sud", "atlantide"))
    assert refused.value.reason == "unknown-bassin"
