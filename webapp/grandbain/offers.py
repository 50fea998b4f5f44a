"""A service answers the call with its offer and slots; the bassin team decides.

Operations with no HTTP inside: they check, write, queue the host's mail and an audit line,
and flush; the caller's unit of work commits. OfferRefused (a stable code, with the problems
of each slot by its position) is raised before anything is written.
"""

from dataclasses import dataclass
from datetime import datetime

from webapp import audit
from webapp.audit_actions import AuditAction
from webapp.extensions import db
from webapp.grandbain import notices
from webapp.grandbain.models import MAX_SLOT_CAPACITY, OFFER_LANGUAGES, Edition, Offer, Slot
from webapp.grandbain.states import OfferStatus
from webapp.timezones import to_local, to_utc, utcnow

OFFER_FIELDS = (
    "name",
    "sector",
    "address",
    "commune_id",
    "access_notes_fr",
    "access_notes_nl",
    "discover_fr",
    "discover_nl",
    "languages",
    "contact_name",
    "contact_email",
    "contact_phone",
)
# The audit action of each decision of the bassin team.
DECIDED = {
    OfferStatus.ACCEPTED: AuditAction.GRAND_BAIN_OFFER_ACCEPTED,
    OfferStatus.CHANGES_REQUESTED: AuditAction.GRAND_BAIN_OFFER_CHANGES_REQUESTED,
    OfferStatus.REFUSED: AuditAction.GRAND_BAIN_OFFER_REFUSED,
}


@dataclass(frozen=True)
class SlotRequest:
    """A slot as the host typed it: local start and end (naive), places."""

    start: datetime
    end: datetime
    capacity: int


class OfferRefused(Exception):
    """`reason`: call-closed, not-editable, no-slot, too-many-slots, or slots (then
    `problems` maps a slot's position in the list to its code: outside-week, end-before-start,
    capacity)."""

    def __init__(self, reason, problems=None):
        super().__init__(reason)
        self.reason = reason
        self.problems = problems or {}


def slot_problems(edition, requests):
    """position -> code for each slot request the edition does not take."""
    problems = {}
    for position, request in enumerate(requests):
        if not edition.week_start <= request.start.date() <= edition.week_end:
            problems[position] = "outside-week"
        elif request.end <= request.start or request.end.date() != request.start.date():
            problems[position] = "end-before-start"
        elif not 1 <= request.capacity <= MAX_SLOT_CAPACITY:
            problems[position] = "capacity"
    return problems


def _check_slots(edition, requests):
    if not requests:
        raise OfferRefused("no-slot")
    if len(requests) > edition.max_slots_per_offer:
        raise OfferRefused("too-many-slots")
    problems = slot_problems(edition, requests)
    if problems:
        raise OfferRefused("slots", problems)


def _fill(offer, data, requests):
    for name in OFFER_FIELDS:
        if name in data:
            setattr(offer, name, data[name] or None)
    codes = [c for c in (data.get("languages") or "fr").split(",") if c in OFFER_LANGUAGES]
    offer.languages = ",".join(codes) or "fr"
    offer.slots = [
        Slot(start_at=to_utc(r.start), end_at=to_utc(r.end), capacity=r.capacity) for r in requests
    ]


def submit(edition_id, data, requests, language="fr", now=None):
    """A service's answer to the call: its offer and slots, submitted; the host is mailed
    its personal link."""
    now = now or utcnow()
    edition = db.session.get(Edition, edition_id)
    if edition is None or not edition.is_call_open(now):
        raise OfferRefused("call-closed")
    _check_slots(edition, requests)
    offer = Offer(edition=edition, status=OfferStatus.SUBMITTED, language=language)
    _fill(offer, data, requests)
    db.session.add(offer)
    db.session.flush()
    audit.record(
        audit.Actor(audit.Actor.PERSONAL_LINK, None),
        AuditAction.GRAND_BAIN_OFFER_SUBMITTED,
        "grand_bain_offer",
        offer.id,
        after={"status": offer.status, "slots": len(requests)},
    )
    notices.about_offer(offer, "received")
    db.session.flush()
    return offer


def update(offer_id, data, requests):
    """The host changes its offer (and its slots) through its link, while not yet decided;
    an offer sent back for changes is submitted again."""
    offer = db.session.get(Offer, offer_id)
    if not OfferStatus(offer.status).is_editable:
        raise OfferRefused("not-editable")
    _check_slots(offer.edition, requests)
    before = offer.status
    _fill(offer, data, requests)
    offer.status = OfferStatus.SUBMITTED
    db.session.flush()
    audit.record(
        audit.Actor(audit.Actor.PERSONAL_LINK, None),
        AuditAction.GRAND_BAIN_OFFER_UPDATED,
        "grand_bain_offer",
        offer.id,
        before={"status": before},
        after={"status": offer.status, "slots": len(requests)},
    )
    return offer


def slot_requests(offer):
    """The offer's slots as the host would type them again (local times)."""
    return [
        SlotRequest(
            to_local(s.start_at).replace(tzinfo=None),
            to_local(s.end_at).replace(tzinfo=None),
            s.capacity,
        )
        for s in offer.slots
    ]


def decide(offer_id, status, actor, reason=None, now=None):
    """The bassin team accepts an offer, asks for changes or refuses it (with a reason);
    the host is told. Deciding the same again changes nothing."""
    status = OfferStatus(status)
    if status == OfferStatus.SUBMITTED:
        raise ValueError("an offer is submitted by its host, not decided so")
    offer = db.session.get(Offer, offer_id)
    if offer.status == status:
        return offer
    before = offer.status
    offer.status = status
    offer.reason = reason or None
    offer.decided_at = now or utcnow()
    audit.record(
        actor,
        DECIDED[status],
        "grand_bain_offer",
        offer.id,
        before={"status": before},
        after={"status": status},
        reason=reason,
    )
    notices.about_offer(offer, status.value)
    db.session.flush()
    return offer
