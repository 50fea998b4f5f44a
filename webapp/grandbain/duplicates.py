"""Offers sent twice: within one edition, an offer whose service (its name), address and
slots are those of another (names and addresses compared without case, accents,
punctuation or extra spaces; slots as the same set of start and end times). The moderation
queue flags each with a link to the other, so a team accepts one, not both."""

import re

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from webapp.agenda.search import fold
from webapp.extensions import db
from webapp.grandbain.models import Offer

_NOT_WORD = re.compile(r"[\W_]+")


def _key(text):
    return " ".join(_NOT_WORD.sub(" ", fold(text)).split())


def signature(offer):
    """What makes two offers the same: service, address, commune and slots."""
    slots = frozenset((slot.start_at, slot.end_at) for slot in offer.slots)
    return (_key(offer.name), _key(offer.address), offer.commune_id, slots)


def of_edition(edition_id):
    """{offer id: [the other offers of the edition it duplicates, by id]}; offers without
    a twin are left out (refused ones count: a refusal sent twice is one too)."""
    offers = db.session.scalars(
        select(Offer)
        .where(Offer.edition_id == edition_id)
        .options(selectinload(Offer.slots))
        .order_by(Offer.id)
    ).all()
    groups = {}
    for offer in offers:
        if offer.slots:
            groups.setdefault(signature(offer), []).append(offer)
    twins = {}
    for group in groups.values():
        for offer in group if len(group) > 1 else ():
            twins[offer.id] = [other for other in group if other.id != offer.id]
    return twins
