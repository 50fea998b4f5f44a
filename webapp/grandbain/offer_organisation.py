"""An offer sent through the public call belongs to an organisation once the team links it
at moderation: an organisation chosen (those that look like the same service are found by
name and by address) or created from the offer. The organisation's service account then
finds the offer (auth.scopes.offer_filter).
"""

from sqlalchemy import select

from webapp import audit
from webapp.agenda.catalogue import compare_key as _name_key
from webapp.agenda.models import Organisation
from webapp.agenda.search import fold
from webapp.audit_actions import AuditAction
from webapp.extensions import db
from webapp.grandbain.models import Offer


class LinkRefused(Exception):
    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def candidates(offer, within=None, limit=8):
    """[(organisation, reasons)]: organisations that may be the offer's service, the likeliest
    first. Reasons: "name" (the same name, accents, case and punctuation aside, or one name
    holding the other), "address" (an offer of that organisation, another year, at the same
    address and commune)."""
    wanted = _name_key(offer.name)
    found = {}
    if wanted:
        for organisation in db.session.scalars(select(Organisation).where(*_within(within))):
            key = _name_key(organisation.name)
            if key and (key == wanted or (len(key) > 5 and (key in wanted or wanted in key))):
                found.setdefault(organisation.id, (organisation, set()))[1].add("name")
    address = _name_key(offer.address)
    if address:
        rows = db.session.execute(
            select(Offer.address, Organisation)
            .join(Organisation, Offer.organisation_id == Organisation.id)
            .where(Offer.id != offer.id, Offer.commune_id == offer.commune_id, *_within(within))
        ).all()
        for other_address, organisation in rows:
            if _name_key(other_address) == address:
                found.setdefault(organisation.id, (organisation, set()))[1].add("address")
    ranked = sorted(found.values(), key=lambda item: (-len(item[1]), fold(item[0].name)))
    return [(organisation, sorted(reasons)) for organisation, reasons in ranked[:limit]]


def _within(within):
    return () if within is None else (within,)


def link(offer_id, actor, organisation_id=None, new_name=None):
    """Link the offer to an organisation: `organisation_id` (one the caller's scope reaches),
    or a new one named `new_name` (an organisation of that name, spelled alike, is used
    instead of a second one). Returns the organisation. Refusals: "no-choice"."""
    offer = db.session.get(Offer, offer_id)
    if organisation_id is not None:
        organisation = db.session.get(Organisation, organisation_id)
    elif new_name:
        organisation = _same_name(new_name) or _created(new_name, offer)
    else:
        raise LinkRefused("no-choice")
    if organisation is None:
        raise LinkRefused("no-choice")
    before = offer.organisation_id
    if before == organisation.id:
        return organisation
    offer.organisation_id = organisation.id
    audit.record(
        actor,
        AuditAction.GRAND_BAIN_OFFER_LINKED,
        "grand_bain_offer",
        offer.id,
        before={"organisation_id": before},
        after={"organisation_id": organisation.id},
    )
    db.session.flush()
    return organisation


def _same_name(name):
    key = _name_key(name)
    for organisation in db.session.scalars(select(Organisation)):
        if _name_key(organisation.name) == key:
            return organisation
    return None


def _created(name, offer):
    organisation = Organisation(name=name, sector=offer.sector, commune_id=offer.commune_id)
    db.session.add(organisation)
    db.session.flush()
    return organisation
