"""demo-data's Grand Bain held last October: eight services opened their doors, professionals
booked visits, and the hosts noted who came. The coming edition is in grandbain/demo.py; the
visitors' evaluations of these visits in evaluations/demo.py."""

import random
from datetime import datetime, time, timedelta

from sqlalchemy import select

from webapp.agenda.catalogue import organisation_named
from webapp.agenda.models import Bassin, Commune
from webapp.extensions import db
from webapp.grandbain.demo import FIRST, LAST, SECTORS, SERVICES, _week, coming_year
from webapp.grandbain.models import Booking, Edition, Offer, Slot, Visitor
from webapp.grandbain.states import BookingStatus, OfferStatus
from webapp.timezones import app_zone, utcnow

# The hosts of the held edition (indexes in SERVICES), the Bassin Sud's first.
HOSTS = (0, 1, 2, 8, 12, 3, 7, 9)
# The service that has its own account in demos (agenda/demo.py PARTNER).
PARTNER = SERVICES[0][0]
VISITORS = 36
VISITS_EACH = 3
CAPACITY = 8


def held_year(today):
    """The edition before the coming one."""
    return coming_year(today) - 1


def load_held_grand_bain(today, now=None):
    """Last year's edition with its offers, slots, bookings and attendance, once (an
    edition of that year already there is left alone). Never commits."""
    now = now or utcnow()
    year = held_year(today)
    if db.session.scalar(select(Edition.id).where(Edition.year == year)):
        return None
    start, end = _week(year)
    opens = datetime.combine(start, time(9), tzinfo=app_zone())
    edition = Edition(
        year=year,
        week_start=start,
        week_end=end,
        call_opens_at=opens - timedelta(days=180),
        call_closes_at=opens - timedelta(days=60),
        booking_opens_at=opens - timedelta(days=45),
        booking_closes_at=opens - timedelta(days=1),
        max_slots_per_offer=4,
        max_visits_per_visitor=4,
        margin_minutes=30,
        bassins=db.session.scalars(select(Bassin).order_by(Bassin.slug)).all(),
    )
    db.session.add(edition)
    slots = [slot for n, index in enumerate(HOSTS) for slot in _offer(edition, n, SERVICES[index])]
    db.session.flush()
    _visits(edition, slots, random.Random(year), now)
    db.session.flush()
    return edition


def link_partner_offers():
    """The partner's offers belong to its organisation, so its account finds them (an
    offer sent through the public call is linked at moderation; the demo's are linked
    here, also on a database loaded before)."""
    organisation = organisation_named(PARTNER)
    for offer in db.session.scalars(
        select(Offer).where(Offer.name == PARTNER, Offer.organisation_id.is_(None))
    ):
        offer.organisation = organisation


def _offer(edition, n, service):
    name, sector, commune_slug, street, discover = service
    commune = db.session.scalar(
        select(Commune).where(Commune.slug.in_([commune_slug, f"bruxelles-ville-{commune_slug}"]))
    )
    offer = Offer(
        edition=edition,
        organisation=organisation_named(PARTNER) if name == PARTNER else None,
        name=name,
        sector=sector,
        address=street,
        commune=commune,
        discover_fr=discover,
        languages="fr,nl" if n % 2 else "fr",
        contact_name=f"{FIRST[(n + 3) % len(FIRST)]} {LAST[(n + 5) % len(LAST)]}",
        contact_email=f"grand-bain-{edition.year}-{n + 1}@example.org",
        status=OfferStatus.ACCEPTED,
        decided_at=datetime.combine(edition.week_start, time(9), tzinfo=app_zone())
        - timedelta(days=50),
    )
    for day, (begin, finish) in ((n % 5, (10, 11)), ((n + 2) % 5, (14, 15))):
        when = edition.week_start + timedelta(days=day)
        offer.slots.append(
            Slot(
                start_at=datetime.combine(when, time(begin), tzinfo=app_zone()),
                end_at=datetime.combine(when, time(finish, 30), tzinfo=app_zone()),
                capacity=CAPACITY,
            )
        )
    db.session.add(offer)
    return offer.slots


def _visits(edition, slots, rng, now):
    """Each visitor books three visits on three different days; after a visit, most came."""
    for n in range(VISITORS):
        visitor = Visitor(
            edition=edition,
            email=f"visite-{edition.year}-{n + 1}@example.org",
            first_name=FIRST[(n * 7) % len(FIRST)],
            last_name=LAST[(n * 5 + 1) % len(LAST)],
            organisation="Service social",
            sector=SECTORS[n % len(SECTORS)],
            job_title="Assistant·e social·e" if n % 3 else "Infirmier·e",
            consent_at=slots[0].start_at - timedelta(days=20),
        )
        db.session.add(visitor)
        days = set()
        for slot in rng.sample(slots, len(slots)):
            if len(days) == VISITS_EACH:
                break
            day = slot.start_at.date()
            if day in days or slot.booked_count >= slot.capacity:
                continue
            days.add(day)
            slot.booked_count += 1
            db.session.add(
                Booking(
                    slot=slot,
                    visitor=visitor,
                    status=BookingStatus.CONFIRMED,
                    confirmed_at=visitor.consent_at,
                    attended=(rng.random() < 0.85) if slot.end_at <= now else None,
                )
            )
