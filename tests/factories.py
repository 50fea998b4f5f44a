"""Events and venues in one line, for tests."""

from datetime import datetime, timedelta
from itertools import count

from sqlalchemy import select

from webapp.agenda.models import Bassin, Commune, Event, Series, Venue
from webapp.extensions import db
from webapp.timezones import app_zone, utcnow

_numbers = count(1)

# One professional's person fields, for tests that need a registration.
PERSON = {
    "first_name": "Anne",
    "last_name": "Peeters",
    "email": "anne@example.org",
    "organisation": "CPAS d'Etterbeek",
    "sector": "cpas",
    "job_title": "Assistante sociale",
    "commune": "Etterbeek",
}


def local(year, month, day, hour=0, minute=0):
    """An aware Brussels time."""
    return datetime(year, month, day, hour, minute, tzinfo=app_zone())


def venue(name="Maison de Quartier Chambéry", commune="etterbeek", address="Rue de Chambéry 24"):
    found = db.session.scalar(select(Venue).where(Venue.name == name, Venue.address == address))
    if found:
        return found
    found = Venue(
        name=name,
        address=address,
        commune=db.session.scalar(select(Commune).where(Commune.slug == commune)),
    )
    db.session.add(found)
    return found


def series(slug, title=None, bassins=("sud",), theme=None):
    found = db.session.scalar(select(Series).where(Series.slug == slug))
    if found:
        return found
    found = Series(
        slug=slug,
        title_fr=title or slug.replace("-", " ").capitalize(),
        theme=theme,
        bassins=db.session.scalars(select(Bassin).where(Bassin.slug.in_(bassins))).all(),
    )
    db.session.add(found)
    return found


def morning_in(days=10):
    """08:00 UTC (09:00 or 10:00 in Brussels) `days` from today: a meeting that stays within
    its day, and an hour later too, whatever the hour a test runs (the default start, now in
    ten days, ends after midnight when a test runs in the evening)."""
    return (utcnow() + timedelta(days=days)).replace(hour=8, minute=0, second=0, microsecond=0)


def event_factory(
    title=None,
    start=None,
    hours=3,
    bassins=("sud",),
    venue_name=None,
    commune="forest",
    series_slug=None,
    commit=True,
    **fields,
):
    """An event (published, open registration, in Bassin Sud, in ten days unless told)."""
    number = next(_numbers)
    start = start or (utcnow() + timedelta(days=10)).replace(microsecond=0)
    fields.setdefault("kind", "concertation")
    fields.setdefault("audience", "professionals")
    event = Event(
        title_fr=title or f"Concertation de test #{number}",
        start_at=start,
        end_at=fields.pop("end_at", None) or start + timedelta(hours=hours),
        bassins=db.session.scalars(select(Bassin).where(Bassin.slug.in_(bassins))).all(),
        **fields,
    )
    if venue_name or commune:
        event.venue = venue(venue_name or f"Salle {commune}", commune, f"Rue du Test {number}")
    if series_slug:
        event.series = series(series_slug, bassins=bassins)
    db.session.add(event)
    if commit:
        db.session.commit()
    return event
