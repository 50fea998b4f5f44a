"""Who has an attestation of participation, and what it says. No HTTP inside, no writes.

An attestation is read from attendance each time it is asked for, never stored: a
registration marked present at a date of its event (a check-in saying present; or, for
attendance imported without check-ins, `Registration.attended`), a Grand Bain visit whose
host ticked the visitor as present. So a late correction of attendance adds or withdraws it
at once, and an erased or purged person has none. A date counts from the day after it
(local time): the attestation of a repeating event names the dates attended so far.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from webapp.agenda.models import Event
from webapp.agenda.occurrences import occurrences
from webapp.extensions import db
from webapp.grandbain.models import Booking, Offer, Slot
from webapp.grandbain.states import BookingStatus
from webapp.registrations.models import CheckIn, Registration
from webapp.registrations.states import RegistrationStatus
from webapp.timezones import local_today, to_local, utcnow
from webapp.tokens import printed_attestation_code


@dataclass(frozen=True)
class Meeting:
    """One date attended: its local start and end."""

    start: datetime
    end: datetime

    @property
    def duration(self) -> timedelta:
        return max(self.end - self.start, timedelta(0))


@dataclass(frozen=True)
class Attestation:
    """What one attestation says, in the person's language."""

    code: str
    language: str
    name: str
    organisation: str | None
    title: str
    meetings: tuple[Meeting, ...]
    place: str | None
    bassins: tuple[str, ...]
    organiser: str | None
    accreditation: str | None = None
    grand_bain_year: int | None = None

    @property
    def printed_code(self):
        return printed_attestation_code(self.code)

    @property
    def duration(self) -> timedelta:
        return sum((m.duration for m in self.meetings), timedelta(0))

    @property
    def sort_key(self):
        return (self.name.casefold(), self.code)


def _meetings_by_date(event):
    """Local date -> Meeting of each date of the event that was not cancelled."""
    found = {}
    for occurrence in occurrences(event, end=utcnow() + timedelta(days=1)):
        if not occurrence.cancelled:
            start = to_local(occurrence.start)
            found.setdefault(start.date(), Meeting(start, to_local(occurrence.end)))
    return found


def _meeting_on(day, meetings, event):
    """The meeting of that date; a date checked in that the rule no longer gives (moved
    since) keeps the event's hours."""
    if day in meetings:
        return meetings[day]
    start, end = to_local(event.start_at), to_local(event.end_at)
    return Meeting(
        datetime.combine(day, start.timetz()), datetime.combine(day, start.timetz()) + (end - start)
    )


def _present_dates(registration_ids):
    """registration id -> the local dates at which a check-in says present; ids with check-in
    rows only (present or not) are keys."""
    dates = {}
    rows = db.session.execute(
        select(CheckIn.registration_id, CheckIn.on_date, CheckIn.present).where(
            CheckIn.registration_id.in_(list(registration_ids) or [0])
        )
    )
    for registration_id, on_date, present in rows:
        dates.setdefault(registration_id, set())
        if present:
            dates[registration_id].add(on_date)
    return dates


def _is_candidate(registration):
    return (
        registration.status == RegistrationStatus.CONFIRMED
        and registration.anonymised_at is None
        and registration.attended is True
    )


def _dates_attended(registration, checked, meetings, today):
    """The past dates this registration attended: its check-ins saying present, or, with no
    check-in at all (attendance imported), every past date of the event."""
    days = checked.get(registration.id, set(meetings))
    return sorted(day for day in days if day < today)


def _of_registration(registration, event, meetings, checked, today):
    if not _is_candidate(registration):
        return None
    days = _dates_attended(registration, checked, meetings, today)
    if not days:
        return None
    language = registration.language or "fr"
    with force_locale(language):
        venue = event.venue
        return Attestation(
            code=registration.attestation_code,
            language=language,
            name=registration.full_name,
            organisation=registration.organisation,
            title=event.localized("title", language),
            meetings=tuple(_meeting_on(day, meetings, event) for day in days),
            place=venue.full_address if venue is not None else None,
            bassins=tuple(b.localized("name", language) for b in event.bassins),
            organiser=event.organiser.name if event.organiser is not None else None,
            accreditation=event.accreditation,
        )


def for_registration(registration, today: date | None = None):
    """The attestation of one registration, or None (not marked present, not yet the day
    after, cancelled, erased)."""
    if not _is_candidate(registration):
        return None
    event = registration.event
    return _of_registration(
        registration,
        event,
        _meetings_by_date(event),
        _present_dates([registration.id]),
        today or local_today(),
    )


def attended_registrations(event, today: date | None = None):
    """(registration, attestation) of everyone of the event who has one, by name."""
    registrations = db.session.scalars(
        select(Registration).where(
            Registration.event_id == event.id,
            Registration.status == RegistrationStatus.CONFIRMED,
            Registration.attended.is_(True),
            Registration.anonymised_at.is_(None),
        )
    ).all()
    meetings = _meetings_by_date(event)
    checked = _present_dates([r.id for r in registrations])
    today = today or local_today()
    found = [(r, _of_registration(r, event, meetings, checked, today)) for r in registrations]
    return sorted(((r, a) for r, a in found if a is not None), key=lambda pair: pair[1].sort_key)


def for_event(event, today: date | None = None):
    """Every attestation of an event, by name: for the team to print them all at once."""
    return [attestation for _registration, attestation in attended_registrations(event, today)]


def for_booking(booking, today: date | None = None):
    """The attestation of one Grand Bain visit: confirmed, ticked present by the host, from
    the day after the visit; None otherwise (or once the visitor is erased)."""
    visitor, slot = booking.visitor, booking.slot
    if (
        booking.status != BookingStatus.CONFIRMED
        or booking.attended is not True
        or visitor.anonymised_at is not None
        or to_local(slot.start_at).date() >= (today or local_today())
    ):
        return None
    offer = slot.offer
    language = visitor.language or "fr"
    with force_locale(language):
        bassin = offer.commune.bassin if offer.commune is not None else None
        return Attestation(
            code=booking.attestation_code,
            language=language,
            name=visitor.full_name,
            organisation=visitor.organisation,
            title=offer.name,
            meetings=(Meeting(to_local(slot.start_at), to_local(slot.end_at)),),
            place=offer.full_address,
            bassins=(bassin.localized("name", language),) if bassin is not None else (),
            organiser=_("Les bassins d'aide et de soins de Bruxelles"),
            grand_bain_year=offer.edition.year,
        )


@dataclass(frozen=True)
class Verdict:
    """What a code says: `valid` (with its attestation), `gone` (it was a code of ours, whose
    attestation was withdrawn or erased) or `unknown`."""

    status: str
    attestation: Attestation | None = None


def check(code, today: date | None = None):
    """The verdict on a normalised attestation code (webapp.tokens.normalise_attestation_code)."""
    registration = db.session.scalar(
        select(Registration)
        .where(Registration.attestation_code == code)
        .options(selectinload(Registration.event).selectinload(Event.bassins))
    )
    if registration is not None:
        attestation = for_registration(registration, today)
        return Verdict("valid", attestation) if attestation else Verdict("gone")
    booking = db.session.scalar(
        select(Booking)
        .where(Booking.attestation_code == code)
        .options(selectinload(Booking.slot).selectinload(Slot.offer).selectinload(Offer.commune))
    )
    if booking is not None:
        attestation = for_booking(booking, today)
        return Verdict("valid", attestation) if attestation else Verdict("gone")
    return Verdict("unknown")
