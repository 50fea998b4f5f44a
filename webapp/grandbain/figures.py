"""An edition's figures: services, slots, places, visitors, visits, per bassin, commune and
sector of the host, cancellations and no-shows, beside the previous editions.

Definitions (the tests count the same things on their own):
- services: accepted offers; slots and places: their slots and the slots' capacities;
- visits: confirmed bookings of those slots; visitors: people with at least one visit;
- cancellations: cancelled bookings; cancellation rate: cancelled / (visits + cancelled);
- no-shows: over the slots whose attendance was taken (attendance.tally: then a visit not
  marked as attended is a no-show), the visits that did not come; no-show rate: no-shows /
  the visits of those slots (the recorded visits), and "not recorded" (None) while no slot
  of the edition had its attendance taken.
"""

from dataclasses import dataclass, field

from sqlalchemy import select

from webapp.agenda.models import Bassin, Commune
from webapp.extensions import db
from webapp.grandbain.attendance import tally
from webapp.grandbain.models import Booking, Edition, Offer, Slot
from webapp.grandbain.states import BookingStatus, OfferStatus
from webapp.timezones import local_today
from webapp.vocabulary import sector_label


@dataclass
class Line:
    """One row of a breakdown: a bassin, a commune or a sector."""

    key: str
    label: str = ""
    services: int = 0
    slots: int = 0
    places: int = 0
    visits: int = 0
    _offers: set = field(default_factory=set, repr=False)


@dataclass
class Figures:
    year: int
    services: int = 0
    slots: int = 0
    places: int = 0
    visitors: int = 0
    visits: int = 0
    cancelled: int = 0
    no_shows: int = 0
    recorded_visits: int = 0  # visits of the slots whose attendance was taken
    by_bassin: list[Line] = field(default_factory=list)
    by_commune: list[Line] = field(default_factory=list)
    by_sector: list[Line] = field(default_factory=list)
    # Totals entered by hand (an edition held before this service): no breakdown.
    reported: bool = False

    @property
    def cancellation_rate(self):
        total = self.visits + self.cancelled
        return self.cancelled / total if total else None

    @property
    def no_shows_recorded(self):
        return self.recorded_visits > 0

    @property
    def no_show_rate(self):
        """No-shows over the recorded visits only (a slot nobody ticked says nothing)."""
        return self.no_shows / self.recorded_visits if self.recorded_visits else None


def is_public(edition, today=None):
    """The figures show on the edition's public page once its week is over."""
    return (today or local_today()) > edition.week_end


def edition_figures(edition, offer_id=None):
    """The figures of one edition, counted from its offers, slots and bookings (of one of
    its offers alone when `offer_id` is given: a host's own figures)."""
    figures = Figures(year=edition.year)
    query = (
        select(Slot.id, Slot.capacity, Offer.id, Offer.sector, Commune.slug, Bassin.slug)
        .join(Slot.offer)
        .join(Offer.commune)
        .join(Commune.bassin)
        .where(Offer.edition_id == edition.id, Offer.status == OfferStatus.ACCEPTED)
    )
    if offer_id is not None:
        query = query.where(Offer.id == offer_id)
    slots = db.session.execute(query).all()
    breakdowns = {"bassin": {}, "commune": {}, "sector": {}}
    slot_keys = {}
    offers = set()
    for slot_id, capacity, offer_id, sector, commune, bassin in slots:
        offers.add(offer_id)
        figures.slots += 1
        figures.places += capacity
        keys = {"bassin": bassin, "commune": commune, "sector": sector}
        slot_keys[slot_id] = keys
        for name, key in keys.items():
            line = breakdowns[name].setdefault(key, Line(key))
            line._offers.add(offer_id)
            line.slots += 1
            line.places += capacity
    figures.services = len(offers)
    bookings = db.session.execute(
        select(Booking.slot_id, Booking.visitor_id, Booking.status, Booking.attended).where(
            Booking.slot_id.in_(list(slot_keys) or [0])
        )
    ).all()
    visitors, marks = set(), {}
    for slot_id, visitor_id, status, attended in bookings:
        if status == BookingStatus.CANCELLED:
            figures.cancelled += 1
        elif status == BookingStatus.CONFIRMED:
            figures.visits += 1
            visitors.add(visitor_id)
            marks.setdefault(slot_id, []).append(attended)
            for name, key in slot_keys[slot_id].items():
                breakdowns[name][key].visits += 1
    figures.visitors = len(visitors)
    for slot_marks in marks.values():
        counted = tally(slot_marks)
        if counted.taken:
            figures.recorded_visits += counted.visits
            figures.no_shows += counted.no_shows
    _label(breakdowns)
    for name, lines in breakdowns.items():
        for line in lines.values():
            line.services = len(line._offers)
        ordered = sorted(lines.values(), key=lambda line: (-line.visits, line.key))
        setattr(figures, f"by_{name}", ordered)
    return figures


def _label(breakdowns):
    """Each line's name in the reader's language."""
    names = {
        "bassin": {b.slug: b.name for b in db.session.scalars(select(Bassin))},
        "commune": {
            c.slug: c.name
            for c in db.session.scalars(
                select(Commune).where(Commune.slug.in_(list(breakdowns["commune"]) or [""]))
            )
        },
    }
    for name, lines in breakdowns.items():
        for key, line in lines.items():
            line.label = sector_label(key) if name == "sector" else names[name].get(key, key)


def reported_figures(edition):
    """An earlier edition's totals as entered by hand."""
    return Figures(
        year=edition.year,
        services=edition.reported_services or 0,
        visitors=edition.reported_visitors or 0,
        visits=edition.reported_visits or 0,
        reported=True,
    )


def of_edition(edition):
    """The figures an edition is shown with, on its own page as in a later edition's
    history: its own counts, or the totals entered by hand when it has no offers here."""
    counted = edition_figures(edition)
    has_hand_totals = any(
        v is not None
        for v in (edition.reported_services, edition.reported_visitors, edition.reported_visits)
    )
    return reported_figures(edition) if has_hand_totals and not counted.services else counted


def history(edition):
    """The editions before this one, latest first, each as of_edition shows it."""
    earlier = db.session.scalars(
        select(Edition).where(Edition.year < edition.year).order_by(Edition.year.desc())
    ).all()
    return [of_edition(other) for other in earlier]
