"""The `registrations` of an import-events entry (e.g. a past sign-up sheet): checked, then saved.

Imported registrations send no mail: they record what already happened or was agreed.
"""

from sqlalchemy import func, select

from webapp.addresses import AddressRefused, mail_address
from webapp.agenda.states import MeetingMode, PlaceMode
from webapp.extensions import db
from webapp.registrations.models import STATUSES, Registration
from webapp.registrations.states import RegistrationStatus
from webapp.tokens import new_token
from webapp.vocabulary import SECTOR_SLUGS

TEXT_LIMITS = {
    "first_name": 100,
    "last_name": 100,
    "organisation": 200,
    "job_title": 150,
    "commune": 100,
}


def check_registrations(check, spec):
    """The entry's registrations as dicts; ImportProblem (through `check`) names the bad one.

    Each takes a place of a way the event offers (`mode`, needed on a hybrid event), within
    that way's places."""
    place_modes = MeetingMode(spec.get("mode") or MeetingMode.ONSITE).place_modes
    items = check.entry.get("registrations") or []
    if not isinstance(items, list):
        check.fail("registrations", "must be a list")
    result, seen = [], set()
    for position, item in enumerate(items):
        field = f"registrations[{position}]"
        if not isinstance(item, dict):
            check.fail(field, "must be an object")
        person = {}
        for name, limit in TEXT_LIMITS.items():
            value = item.get(name)
            if value is not None:
                value = check.string(f"{field}.{name}", value, limit)
            person[name] = value or None
        try:
            person["email"] = mail_address(item.get("email"))
        except AddressRefused:
            check.fail(f"{field}.email", "is not a valid email address (ASCII before the @)")
        if person["email"] in seen:
            check.fail(f"{field}.email", "appears twice for this event")
        seen.add(person["email"])
        sector = item.get("sector")
        if sector is not None and sector not in SECTOR_SLUGS:
            check.fail(f"{field}.sector", f"unknown sector '{sector}'")
        person["sector"] = sector
        person["status"] = item.get("status", RegistrationStatus.CONFIRMED)
        if person["status"] not in STATUSES:
            check.fail(f"{field}.status", f"must be one of {', '.join(STATUSES)}")
        attended = item.get("attended")
        if attended not in (True, False, None):
            check.fail(f"{field}.attended", "must be true, false or null")
        person["attended"] = attended
        mode = item.get("mode", place_modes[0] if len(place_modes) == 1 else None)
        if mode not in place_modes:
            check.fail(f"{field}.mode", f"must be one of {', '.join(place_modes)}")
        person["mode"] = mode
        result.append(person)
    for mode in place_modes:
        capacity = spec["online_capacity" if mode == PlaceMode.ONLINE else "capacity"]
        confirmed = sum(
            p["status"] == RegistrationStatus.CONFIRMED and p["mode"] == mode for p in result
        )
        if capacity is not None and confirmed > capacity:
            check.fail(
                "registrations", f"{confirmed} confirmed registrations for {capacity} places"
            )
    return result


def save_registrations(event, people):
    """Create or update the event's registrations by email, then recount its places."""
    if not people:
        return
    existing = {
        r.email: r
        for r in db.session.scalars(select(Registration).where(Registration.event_id == event.id))
    }
    for person in people:
        registration = existing.get(person["email"])
        if registration is None:
            registration = Registration(event_id=event.id, token=new_token(), language="fr")
            db.session.add(registration)
        for name, value in person.items():
            if getattr(registration, name) != value:
                setattr(registration, name, value)
    db.session.flush()
    for mode, column in (("onsite", "confirmed_count"), ("online", "online_confirmed_count")):
        count = db.session.scalar(
            select(func.count())
            .select_from(Registration)
            .where(
                Registration.event_id == event.id,
                Registration.mode == mode,
                Registration.status == RegistrationStatus.CONFIRMED,
                Registration.walk_in.is_(False),
            )
        )
        setattr(event, column, count)
