"""Proposals as operations: submit, ask for changes, resubmit, accept, refuse.

Each takes ids and data and an actor, checks, changes the rows (the event through
agenda.operations, which writes the event's own audit lines), writes one audit line for the
proposal, queues the submitter's mail in the outbox, and flushes; it never commits (the edge
does: webapp.unit_of_work). A refusal raises `ProposalRefused` with a stable reason.
"""

import logging
from dataclasses import dataclass

from sqlalchemy import case, func, select

from webapp import audit
from webapp.agenda import operations
from webapp.agenda.catalogue import organisation_named
from webapp.agenda.models import Bassin, Commune, Venue
from webapp.agenda.search import fold
from webapp.agenda.states import EventStatus, MeetingMode, RegistrationMode
from webapp.audit_actions import AuditAction
from webapp.auth.scopes import Scope, through_event
from webapp.extensions import db
from webapp.proposals import notices
from webapp.proposals.models import Proposal
from webapp.proposals.states import ProposalStatus
from webapp.timezones import utcnow
from webapp.tokens import new_token

logger = logging.getLogger(__name__)

# What the submitter says about themselves (kept on the proposal, never on the event).
PERSON_FIELDS = ("submitter_name", "submitter_email", "organisation_name", "phone")
# The place as typed, and the partner's own registration page: text until acceptance.
PLACE_FIELDS = (
    "venue_name",
    "venue_address",
    "venue_postal_code",
    "venue_commune",
    "registration_url",
)
# The event's own columns a submitter sets (agenda.operations' names).
EVENT_FIELDS = (
    "kind",
    "audience",
    "title_fr",
    "title_nl",
    "description_fr",
    "start_at",
    "end_at",
    "online_url",
    "free",
    "price_fr",
    "contact_email",
)
# A proposal's audit lines and mails say who acted through the personal link this way.
SUBMITTER = "proposal-link"


class ProposalRefused(Exception):
    """The operation cannot be done on this proposal; `reason` is a stable code."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Submission:
    """What a submitter typed: the fields above (one dict) and the bassins' slugs."""

    details: dict
    bassins: tuple[str, ...]


def submitter(proposal_id=None):
    """The audit log's actor for the person behind a proposal's link."""
    return audit.Actor(SUBMITTER, proposal_id)


def submit(submission, language="fr", actor=None, account_id=None, organiser_id=None, notify=True):
    """A new proposal: its event as a draft in the bassins named, and the "received" mail
    with the personal link (`notify=False`: none, for demo data's made-up submitters). A
    service's account passes its id and organisation."""
    actor = actor or submitter()
    event_data = _event_data(submission)
    event_data["status"] = EventStatus.DRAFT
    event_data["registration_mode"] = RegistrationMode.NONE
    event_data["organiser_id"] = organiser_id
    change = _event_operation(operations.create_event, event_data, actor)
    proposal = Proposal(
        event_id=change.event.id,
        status=ProposalStatus.SUBMITTED,
        token=new_token(),
        language=language if language in ("fr", "nl") else "fr",
        account_id=account_id,
        submitted_at=utcnow(),
        **{name: submission.details.get(name) or None for name in PERSON_FIELDS + PLACE_FIELDS},
    )
    db.session.add(proposal)
    db.session.flush()
    audit.record(
        actor,
        AuditAction.PROPOSAL_SUBMITTED,
        "proposal",
        proposal.id,
        after={"event_id": proposal.event_id, "bassins": list(submission.bassins)},
    )
    if notify:
        notices.queue(proposal, "received")
    db.session.flush()
    logger.info("proposal %s submitted (event %s)", proposal.id, proposal.event_id)
    return proposal


def resubmit(proposal_id, submission, actor=None):
    """The submitter's edit after changes were asked: the event and the place change, the
    proposal waits again in the queue."""
    proposal = _load(proposal_id)
    if proposal.state is not ProposalStatus.CHANGES_REQUESTED:
        raise ProposalRefused("no-changes-requested")
    actor = actor or submitter(proposal.id)
    _event_operation(
        operations.update_event, proposal.event_id, _event_data(submission), actor, notify=False
    )
    for name in PERSON_FIELDS + PLACE_FIELDS:
        if name in submission.details:
            setattr(proposal, name, submission.details[name] or None)
    return _decide(
        proposal, ProposalStatus.SUBMITTED, actor, AuditAction.PROPOSAL_RESUBMITTED, None
    )


def ask_changes(proposal_id, message, actor):
    """Back to the submitter with the moderator's message; the mail carries the link to edit."""
    proposal = _load(proposal_id)
    if proposal.state is not ProposalStatus.SUBMITTED:
        raise ProposalRefused("not-waiting")
    _require(message)
    return _decide(
        proposal,
        ProposalStatus.CHANGES_REQUESTED,
        actor,
        AuditAction.PROPOSAL_CHANGES_REQUESTED,
        message,
    )


def accept(proposal_id, actor):
    """The event is published, at the typed place (now a Venue) and with the organisation
    named; the submitter gets the public link."""
    proposal = _load(proposal_id)
    if proposal.state is not ProposalStatus.SUBMITTED:
        raise ProposalRefused("not-waiting")
    event = proposal.event
    data = {"description_fr": public_description(proposal)}
    if proposal.has_place:
        data["venue"] = _venue(proposal)
    if event.organiser_id is None and proposal.organisation_name:
        data["organiser"] = organisation_named(proposal.organisation_name)
    _event_operation(operations.update_event, event.id, data, actor, notify=False)
    _event_operation(operations.publish, event.id, actor)
    return _decide(proposal, ProposalStatus.ACCEPTED, actor, AuditAction.PROPOSAL_ACCEPTED, None)


def refuse(proposal_id, reason, actor):
    """Not for the agenda: the event stays a draft for good; the submitter gets the reason."""
    proposal = _load(proposal_id)
    if not proposal.state.is_open:
        raise ProposalRefused("not-open")
    _require(reason)
    return _decide(proposal, ProposalStatus.REFUSED, actor, AuditAction.PROPOSAL_REFUSED, reason)


def waiting_query(scope: Scope):
    """SELECT of how many proposals wait for a moderator's decision within this scope."""
    return select(func.count(Proposal.id)).where(
        Proposal.status == ProposalStatus.SUBMITTED, through_event(Proposal, scope)
    )


def waiting_count(scope: Scope):
    """How many proposals wait for a moderator's decision within this scope."""
    return db.session.scalar(waiting_query(scope))


def queue_for(scope: Scope):
    """SELECT of the proposals this scope reaches: waiting first, then with the submitter,
    then decided; the oldest first within each."""
    order = case(
        (Proposal.status == ProposalStatus.SUBMITTED, 0),
        (Proposal.status == ProposalStatus.CHANGES_REQUESTED, 1),
        else_=2,
    )
    return (
        select(Proposal)
        .where(through_event(Proposal, scope))
        .order_by(order, Proposal.submitted_at, Proposal.id)
    )


def public_description(proposal):
    """The event's description as the public page will show it: the partner's registration
    page (the agenda takes no registration for partners' events) said at the end."""
    description = (proposal.event.description_fr or "").strip()
    if proposal.registration_url:
        line = f"Inscription : {proposal.registration_url}"
        description = f"{description}\n\n{line}" if description else line
    return description or None


def _decide(proposal, status, actor, action, message):
    before = {"status": proposal.status}
    proposal.status = status
    proposal.message = message
    if status is ProposalStatus.SUBMITTED:
        proposal.submitted_at = utcnow()
        proposal.decided_at = None
    else:
        proposal.decided_at = utcnow()
    db.session.flush()
    audit.record(
        actor,
        action,
        "proposal",
        proposal.id,
        before,
        {"status": proposal.status, "event_id": proposal.event_id},
        message,
    )
    notices.queue(proposal, {ProposalStatus.SUBMITTED: "resubmitted"}.get(status, status.value))
    db.session.flush()
    logger.info("%s proposal %s by %s", action, proposal.id, actor.kind)
    return proposal


def _load(proposal_id):
    # Locked for the rest of the transaction: two moderators acting at once decide in turn.
    proposal = None
    if proposal_id is not None:
        proposal = db.session.get(
            Proposal, proposal_id, with_for_update=True, populate_existing=True
        )
    if proposal is None:
        raise ProposalRefused("not-found")
    return proposal


def _require(text):
    if not (text or "").strip():
        raise ProposalRefused("message-required")


def _event_data(submission):
    data = {name: submission.details[name] for name in EVENT_FIELDS if name in submission.details}
    for name in ("title_nl", "description_fr", "online_url", "price_fr", "contact_email"):
        if name in data:
            data[name] = data[name] or None
    if "online_url" in data:
        # A link makes the meeting online, or hybrid beside a typed place; the link stays
        # for the confirmed online participants (the moderators may publish an open one's).
        details = submission.details
        placed = details.get("venue_name") or details.get("venue_address")
        online = MeetingMode.HYBRID if placed else MeetingMode.ONLINE
        data["mode"] = online if data["online_url"] else MeetingMode.ONSITE
    slugs = tuple(dict.fromkeys(submission.bassins))
    if not slugs:
        raise ProposalRefused("bassin-needed")
    bassins = db.session.scalars(
        select(Bassin).where(Bassin.slug.in_(slugs)).order_by(Bassin.slug)
    ).all()
    if len(bassins) != len(slugs):
        raise ProposalRefused("unknown-bassin")
    data["bassins"] = bassins
    return data


def _event_operation(operation, *args, **kwargs):
    """Run an agenda operation; its refusal becomes the proposal's (same reason)."""
    try:
        return operation(*args, **kwargs)
    except operations.EventRefused as refused:
        raise ProposalRefused(refused.reason) from None


def _venue(proposal):
    """The typed place as a Venue: the one of the same name and address if it exists."""
    name = proposal.venue_name or proposal.venue_address
    address = proposal.venue_address or ""
    found = db.session.scalar(select(Venue).where(Venue.name == name, Venue.address == address))
    if found is not None:
        return found
    venue = Venue(
        name=name,
        address=address,
        postal_code=proposal.venue_postal_code,
        commune=_commune(proposal.venue_postal_code, proposal.venue_commune),
    )
    db.session.add(venue)
    return venue


def _commune(postal_code, name):
    """The commune of a postal code or a name as typed (French or Dutch), or None."""
    communes = db.session.scalars(select(Commune).order_by(Commune.id)).all()
    if name:
        typed = fold(name)
        for commune in communes:
            names = (commune.name_fr, commune.name_nl, commune.municipality_fr)
            if typed in {fold(n) for n in names + (commune.municipality_nl,) if n}:
                return commune
    if postal_code:
        for commune in communes:
            if postal_code in (commune.postal_codes or "").split(","):
                return commune
    return None
