"""The programme of an edition: accepted offers' slots, filtered, grouped by day then commune.
One query for the programme page, the offer page and the API."""

from contextlib import suppress
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import groupby

from sqlalchemy import select
from sqlalchemy.orm import contains_eager, joinedload

from webapp.agenda.models import Bassin, Commune
from webapp.extensions import db
from webapp.grandbain.models import OFFER_LANGUAGES, Edition, Offer, Slot
from webapp.grandbain.states import OfferStatus
from webapp.timezones import local_day_start, local_today, to_local
from webapp.vocabulary import sectors


@dataclass(frozen=True)
class Filters:
    """The programme's filters as the page reads them; unknown values are dropped."""

    bassin: str | None = None
    commune: str | None = None
    sector: str | None = None
    language: str | None = None
    day: date | None = None
    places: bool = False

    def as_args(self):
        args = {
            "bassin": self.bassin,
            "commune": self.commune,
            "sector": self.sector,
            "language": self.language,
            "date": self.day.isoformat() if self.day else None,
            "places": "1" if self.places else None,
        }
        return {k: v for k, v in args.items() if v}


def parse_filters(args, edition):
    """Filters from a query string: a value the edition cannot have is no filter."""
    bassins = {b.slug for b in edition.bassins}
    day = None
    with suppress(ValueError):
        day = date.fromisoformat(args.get("date") or "")
    if day and not edition.week_start <= day <= edition.week_end:
        day = None
    commune = args.get("commune")
    return Filters(
        bassin=args.get("bassin") if args.get("bassin") in bassins else None,
        commune=commune if commune and len(commune) <= 80 else None,
        sector=args.get("sector") if args.get("sector") in {s["slug"] for s in sectors()} else None,
        language=args.get("language") if args.get("language") in OFFER_LANGUAGES else None,
        day=day,
        places=args.get("places") in ("1", "on", "true"),
    )


def current_edition(today=None):
    """The edition whose week is coming or under way, else the latest one; None if none."""
    today = today or local_today()
    coming = db.session.scalar(
        select(Edition).where(Edition.week_end >= today).order_by(Edition.week_start).limit(1)
    )
    return coming or db.session.scalar(select(Edition).order_by(Edition.year.desc()).limit(1))


def edition_of_year(year):
    return db.session.scalar(select(Edition).where(Edition.year == year))


def programme_slots(edition, filters=Filters()):
    """The published slots of the edition (accepted offers), in time then commune order."""
    query = (
        select(Slot)
        .join(Slot.offer)
        .join(Offer.commune)
        .join(Commune.bassin)
        .where(Offer.edition_id == edition.id, Offer.status == OfferStatus.ACCEPTED)
        .options(
            contains_eager(Slot.offer).contains_eager(Offer.commune).contains_eager(Commune.bassin)
        )
        .order_by(Slot.start_at, Commune.name_fr, Offer.name, Slot.id)
    )
    if filters.bassin:
        query = query.where(Bassin.slug == filters.bassin)
    if filters.commune:
        query = query.where(Commune.slug == filters.commune)
    if filters.sector:
        query = query.where(Offer.sector == filters.sector)
    if filters.language:
        # Codes are two letters in a comma-separated list: a whole-code match.
        query = query.where(("," + Offer.languages + ",").contains(f",{filters.language},"))
    if filters.day:
        start = local_day_start(filters.day)
        query = query.where(
            Slot.start_at >= start, Slot.start_at < local_day_start(filters.day + timedelta(days=1))
        )
    if filters.places:
        query = query.where(Slot.booked_count < Slot.capacity, Slot.closed.is_(False))
    return db.session.scalars(query).unique().all()


def by_day_and_commune(slots, language):
    """[(day, [(commune name, [slot, ...]), ...]), ...] in the slots' order."""
    days = []
    for day, of_day in groupby(slots, key=lambda s: to_local(s.start_at).date()):
        of_day = sorted(
            of_day, key=lambda s: (s.offer.commune.localized("name", language), s.start_at)
        )
        communes = [
            (name, list(group))
            for name, group in groupby(
                of_day, key=lambda s: s.offer.commune.localized("name", language)
            )
        ]
        days.append((day, communes))
    return days


@dataclass(frozen=True)
class Day:
    """One day of the edition's week in the programme's day list: its visits under the
    filters, and how many of them still take a booking."""

    day: date
    visits: int
    open_visits: int


def week_days(edition, slots):
    """Every day of the week with its counts among `slots` (the filtered programme)."""
    counts = {}
    for slot in slots:
        visits, open_visits = counts.get(to_local(slot.start_at).date(), (0, 0))
        bookable = not slot.closed and slot.places_left > 0
        counts[to_local(slot.start_at).date()] = (visits + 1, open_visits + bookable)
    days, day = [], edition.week_start
    while day <= edition.week_end:
        days.append(Day(day, *counts.get(day, (0, 0))))
        day += timedelta(days=1)
    return days


def default_day(days, today=None):
    """The day a programme opens on: today's during the week, else the first day with a
    visit still open, else the first with a visit, else the first of the week."""
    today = today or local_today()
    for wanted in (
        lambda d: d.day == today and d.visits,
        lambda d: d.open_visits and d.day >= today,
        lambda d: d.open_visits,
        lambda d: d.visits,
    ):
        found = next((d for d in days if wanted(d)), None)
        if found:
            return found.day
    return days[0].day if days else None


def of_day(slots, day):
    """The slots starting on that local day."""
    return [slot for slot in slots if to_local(slot.start_at).date() == day]


def edition_slots(edition, slot_ids):
    """The slots among `slot_ids` of this edition's accepted offers, in time order (others
    are left out: the booking page says so)."""
    if not slot_ids:
        return []
    return db.session.scalars(
        select(Slot)
        .join(Slot.offer)
        .where(
            Slot.id.in_(set(slot_ids)),
            Offer.edition_id == edition.id,
            Offer.status == OfferStatus.ACCEPTED,
        )
        .options(joinedload(Slot.offer).joinedload(Offer.commune))
        .order_by(Slot.start_at, Slot.id)
    ).all()


def accepted_offer(edition, offer_id):
    """An accepted offer of this edition with its slots, or None."""
    return db.session.scalar(
        select(Offer)
        .where(
            Offer.id == offer_id,
            Offer.edition_id == edition.id,
            Offer.status == OfferStatus.ACCEPTED,
        )
        .options(joinedload(Offer.slots), joinedload(Offer.commune))
    )


def accepted_offers(edition):
    """Every accepted offer of the edition with its slots, by name (the API)."""
    return (
        db.session.scalars(
            select(Offer)
            .where(Offer.edition_id == edition.id, Offer.status == OfferStatus.ACCEPTED)
            .options(joinedload(Offer.slots), joinedload(Offer.commune))
            .order_by(Offer.name, Offer.id)
        )
        .unique()
        .all()
    )


def filter_choices(edition):
    """The communes and sectors of the edition's accepted offers, for the filter form."""
    rows = db.session.execute(
        select(Commune, Offer.sector)
        .join(Offer, Offer.commune_id == Commune.id)
        .where(Offer.edition_id == edition.id, Offer.status == OfferStatus.ACCEPTED)
        .distinct()
    ).all()
    communes = sorted({c for c, _ in rows}, key=lambda c: c.name_fr)
    sector_slugs = {s for _, s in rows}
    return communes, [s for s in sectors() if s["slug"] in sector_slugs]


def edition_communes(edition):
    """The communes of the bassins taking part (where a host can be)."""
    ids = [b.id for b in edition.bassins]
    return db.session.scalars(
        select(Commune).where(Commune.bassin_id.in_(ids or [0])).order_by(Commune.name_fr)
    ).all()
