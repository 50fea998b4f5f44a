"""import-events, the agenda's side: a JSON list of events validated whole, then each entry
saved through the agenda's operations (create or update by external_id).

The registrations an entry may carry belong to the area above; the command that composes both
is webapp/loading/events.py, which passes their checker in `extras`.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from dateutil.rrule import rrulestr
from sqlalchemy import select

from webapp.addresses import AddressRefused, mail_address
from webapp.agenda import operations
from webapp.agenda.catalogue import organisation_named
from webapp.agenda.models import Bassin, Commune, Event, Series, Venue
from webapp.agenda.occurrences import rule_starts
from webapp.agenda.states import EventStatus, MeetingMode, RegistrationMode
from webapp.audit import IMPORT
from webapp.extensions import db
from webapp.formfields import one_line_text
from webapp.timezones import local_day_start, to_local, to_utc
from webapp.vocabulary import (
    AUDIENCES,
    EVENT_STATUSES,
    KINDS,
    REGISTRATION_MODES,
    SECTOR_GROUP_SLUGS,
)

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
URL_RE = re.compile(r"^https?://\S+$")
# An agenda event repeats at most daily: finer rules flood the agenda index (and give the
# same UTC start twice on the night the clocks go forward).
RULE_FREQUENCIES = {"DAILY", "WEEKLY", "MONTHLY", "YEARLY"}
FINER_RULE_PARTS = ("BYHOUR", "BYMINUTE", "BYSECOND")
# The largest value the databases' INTEGER columns hold.
MAX_INTEGER = 2**31 - 1

KNOWN_KEYS = {
    "external_id",
    "kind",
    "title",
    "title_nl",
    "description",
    "description_nl",
    "bassins",
    "series",
    "series_title",
    "series_title_nl",
    "series_theme",
    "series_number",
    "audience",
    "start",
    "end",
    "venue",
    "room",
    "online_url",
    "online_url_public",
    "mode",
    "online_capacity",
    "registration",
    "capacity",
    "waitlist",
    "registration_opens",
    "registration_closes",
    "status",
    "status_reason",
    "status_reason_nl",
    "rrule",
    "exdates",
    "overrides",
    "organiser",
    "contact_email",
    "accreditation",
    "presentation_url",
    "report_url",
    "report_summary",
    "report_summary_nl",
    "participants_count",
    "participant_sectors",
    "languages",
    "free",
    "price",
    "price_nl",
    "interpreting",
    "interpreting_nl",
}
# The languages a meeting may be held in (`languages`: a list of these codes).
MEETING_LANGUAGES = ("fr", "nl", "en")


# Spec keys copied as they are onto the event: the operations' columns the file can give
# (external_id is the key the event is found by, not a value to change).
EVENT_COLUMNS = tuple(
    name for name in operations.COLUMNS if name != "external_id" and not name.endswith("_id")
)


class ImportProblem(Exception):
    """A bad entry: which one, which field, what is wrong. Nothing has been written."""

    def __init__(self, index, field, message):
        super().__init__(f"entry {index}, field '{field}': {message}")
        self.index, self.field, self.message = index, field, message


@dataclass
class Checker:
    """Reads one entry's fields, raising ImportProblem with the entry's index."""

    index: int
    entry: dict

    def fail(self, field, message):
        raise ImportProblem(self.index, field, message)

    def text(self, field, required=False, max_length=250, multiline=False):
        value = self.entry.get(field)
        if value is None or value == "":
            if required:
                self.fail(field, "is required")
            return None
        value = self.string(field, value, max_length, multiline)
        if required and not value:
            self.fail(field, "is required")
        return value or None

    def string(self, field, value, max_length=250, multiline=False):
        """A text value, trimmed: one line unless `multiline` (then without the characters
        that change how it reads unseen, formfields.INVISIBLE), no other control character."""
        if not isinstance(value, str):
            self.fail(field, "must be a string")
        value = value.strip() if multiline else one_line_text(value)
        allowed = "\n\r\t" if multiline else ""
        if any((ord(c) < 32 or ord(c) == 127) and c not in allowed for c in value):
            self.fail(field, "must be one line" if not multiline else "holds a control character")
        if len(value) > max_length:
            self.fail(field, f"is longer than {max_length} characters")
        return value

    def email(self, field):
        value = self.text(field, max_length=254)
        if value is None:
            return None
        try:
            return mail_address(value)
        except AddressRefused as refused:
            if refused.reason == "needs-smtputf8":
                self.fail(field, "needs letters that mail servers may refuse before the @")
            self.fail(field, "is not a valid email address")

    def choice(self, field, known, default=None):
        value = self.entry.get(field, default)
        if value not in known:
            self.fail(field, f"must be one of {', '.join(known)}")
        return value

    def integer(self, field, minimum=0):
        value = self.entry.get(field)
        if value is None:
            return None
        if (
            isinstance(value, bool)
            or not isinstance(value, int)
            or not minimum <= value <= MAX_INTEGER
        ):
            self.fail(field, f"must be a whole number of at least {minimum}")
        return value

    def boolean(self, field, default):
        value = self.entry.get(field, default)
        if not isinstance(value, bool):
            self.fail(field, "must be true or false")
        return value

    def url(self, field):
        value = self.text(field, max_length=500)
        if value and not URL_RE.match(value):
            self.fail(field, "must be an http(s) URL")
        return value

    def moment(self, field, value=None, required=False):
        value = self.entry.get(field) if value is None else value
        if value is None:
            if required:
                self.fail(field, "is required")
            return None
        try:
            return to_utc(datetime.fromisoformat(str(value)))
        except (TypeError, ValueError, OverflowError):
            self.fail(field, "must be an ISO 8601 date-time such as 2027-03-23T13:00:00+01:00")

    def day(self, field, value):
        try:
            return date.fromisoformat(str(value)[:10])
        except ValueError:
            self.fail(field, f"'{value}' is not a date (YYYY-MM-DD)")


def _check_entry(index, entry, bassins, communes, extras):
    """One entry as the keyword arguments of the import, or ImportProblem."""
    if not isinstance(entry, dict):
        raise ImportProblem(index, "-", "each entry must be a JSON object")
    check = Checker(index, entry)
    unknown = sorted(set(entry) - KNOWN_KEYS - set(extras))
    if unknown:
        check.fail(unknown[0], "is not a known field")

    spec = {
        "external_id": check.text("external_id", max_length=120),
        "kind": check.choice("kind", KINDS),
        "title_fr": check.text("title", required=True),
        "title_nl": check.text("title_nl"),
        "description_fr": check.text("description", max_length=20000, multiline=True),
        "description_nl": check.text("description_nl", max_length=20000, multiline=True),
        "audience": check.choice("audience", AUDIENCES),
        "registration_mode": check.choice("registration", REGISTRATION_MODES),
        "capacity": check.integer("capacity"),
        "waitlist_enabled": check.boolean("waitlist", True),
        "status": check.choice("status", EVENT_STATUSES, default=EventStatus.PUBLISHED),
        "status_reason_fr": check.text("status_reason", max_length=2000, multiline=True),
        "status_reason_nl": check.text("status_reason_nl", max_length=2000, multiline=True),
        "room": check.text("room", max_length=120),
        "online_url": check.url("online_url"),
        "contact_email": check.email("contact_email"),
        "accreditation": check.text("accreditation", max_length=60),
        "presentation_url": check.url("presentation_url"),
        "report_url": check.url("report_url"),
        "report_summary_fr": check.text("report_summary", max_length=20000, multiline=True),
        "report_summary_nl": check.text("report_summary_nl", max_length=20000, multiline=True),
        "participants_count": check.integer("participants_count"),
        "series_number": check.integer("series_number", minimum=1),
        "start_at": check.moment("start", required=True),
        "end_at": check.moment("end", required=True),
        "registration_opens_at": check.moment("registration_opens"),
        "registration_closes_at": check.moment("registration_closes"),
    }
    if spec["end_at"] <= spec["start_at"]:
        check.fail("end", "must be after start")
    opens, closes = spec["registration_opens_at"], spec["registration_closes_at"]
    if opens and closes and closes <= opens:
        check.fail("registration_closes", "must be after registration_opens")

    slugs = entry.get("bassins")
    if not isinstance(slugs, list) or not slugs:
        check.fail("bassins", "must be a non-empty list of bassin slugs")
    for slug in slugs:
        if not isinstance(slug, str) or slug not in bassins:
            check.fail("bassins", f"unknown bassin '{slug}'")
    spec["bassin_slugs"] = list(dict.fromkeys(slugs))

    sectors = entry.get("participant_sectors")
    if sectors is not None and (
        not isinstance(sectors, dict)
        or any(
            k not in SECTOR_GROUP_SLUGS or not isinstance(v, int) or v < 0
            for k, v in sectors.items()
        )
    ):
        check.fail("participant_sectors", "must map sector group slugs to counts")
    spec["participant_sectors"] = sectors

    spec.update(_check_facts(check))
    spec.update(_check_mode(check, spec))
    spec["series"] = _check_series(check)
    spec["venue"] = _check_venue(check, communes, spec["bassin_slugs"])
    spec["organiser"] = check.text("organiser", max_length=200)
    spec["rrule"], spec["exdates"] = _check_recurrence(check, spec["start_at"])
    # The file says every date there is: chosen dates (RDATE, the back office's) are not in it.
    spec["rdates"] = None
    spec["overrides"] = _check_overrides(check, communes, spec)
    for key, read in extras.items():
        spec[key] = read(check, spec)
    return spec


def _check_mode(check, spec):
    """On site, online or hybrid; the online places; whether an open webinar's link is
    public (never for an event with registration: only its online participants get it)."""
    mode = check.choice("mode", tuple(m.value for m in MeetingMode), default=MeetingMode.ONSITE)
    online_capacity = check.integer("online_capacity")
    if mode == MeetingMode.ONSITE and online_capacity is not None:
        check.fail("online_capacity", "is for an online or hybrid event (mode)")
    if mode == MeetingMode.ONLINE and spec["capacity"] is not None:
        check.fail("capacity", "counts places on site: an online event's are online_capacity")
    public = check.boolean("online_url_public", False)
    if public and spec["registration_mode"] != RegistrationMode.NONE:
        check.fail(
            "online_url_public",
            "only an event without registration may show its link to everyone",
        )
    if public and mode == MeetingMode.ONSITE:
        check.fail("online_url_public", "is for an online or hybrid event (mode)")
    return {"mode": mode, "online_capacity": online_capacity, "online_url_public": public}


def _check_facts(check):
    """The practical facts: languages, free or price, interpreting."""
    languages = check.entry.get("languages")
    if languages is not None and (
        not isinstance(languages, list)
        or not languages
        or any(code not in MEETING_LANGUAGES for code in languages)
    ):
        check.fail("languages", f"must be a list of {', '.join(MEETING_LANGUAGES)}")
    free = check.entry.get("free")
    if free is not None and not isinstance(free, bool):
        check.fail("free", "must be true or false")
    return {
        "languages": ",".join(dict.fromkeys(languages)) if languages else None,
        "free": free,
        "price_fr": check.text("price", max_length=200),
        "price_nl": check.text("price_nl", max_length=200),
        "interpreting_fr": check.text("interpreting", max_length=200),
        "interpreting_nl": check.text("interpreting_nl", max_length=200),
    }


def _venue_flag(check, venue, field, name):
    value = venue.get(name)
    if value is not None and not isinstance(value, bool):
        check.fail(f"{field}.{name}", "must be true or false")
    return value


def _check_series(check):
    slug = check.text("series", max_length=120)
    if slug is None:
        for field in ("series_title", "series_number"):
            if check.entry.get(field) is not None:
                check.fail(field, "needs 'series'")
        return None
    if not SLUG_RE.match(slug):
        check.fail("series", "must be a slug (lowercase letters, digits and hyphens)")
    theme = check.text("series_theme", max_length=120)
    if theme and not SLUG_RE.match(theme):
        check.fail("series_theme", "must be a slug")
    return {
        "slug": slug,
        "title_fr": check.text("series_title", max_length=200),
        "title_nl": check.text("series_title_nl", max_length=200),
        "theme": theme,
    }


def _check_venue(check, communes, bassin_slugs, value=None, field="venue"):
    venue = check.entry.get("venue") if value is None else value
    if venue is None:
        return None
    if not isinstance(venue, dict):
        check.fail(field, "must be an object with name, address and commune")
    name = check.string(f"{field}.name", venue.get("name"), max_length=200)
    if not name:
        check.fail(f"{field}.name", "is required")
    address = check.string(f"{field}.address", venue.get("address") or "", max_length=300)
    postal_code = venue.get("postal_code")
    if postal_code is not None and (
        not isinstance(postal_code, (str, int)) or len(str(postal_code)) > 10
    ):
        check.fail(f"{field}.postal_code", "must be a postal code of at most 10 characters")
    postal_code = check.string(f"{field}.postal_code", str(postal_code or ""), max_length=10)
    access_notes = venue.get("access_notes")
    if access_notes is not None:
        access_notes = check.string(f"{field}.access_notes", access_notes, 2000, multiline=True)
    commune = None
    if venue.get("commune"):
        commune = resolve_commune(communes, str(venue["commune"]), bassin_slugs)
        if commune is None:
            check.fail(f"{field}.commune", f"unknown commune '{venue['commune']}'")
    return {
        "name": name,
        "address": address,
        "postal_code": postal_code or None,
        "commune_id": commune.id if commune else None,
        "access_notes_fr": access_notes or None,
        "step_free": _venue_flag(check, venue, field, "step_free"),
        "lift": _venue_flag(check, venue, field, "lift"),
    }


def _check_recurrence(check, start_at):
    rule = check.text("rrule", max_length=300)
    if rule:
        try:
            rrulestr(rule, dtstart=start_at.replace(tzinfo=None), ignoretz=True)
        except (ValueError, TypeError) as error:
            check.fail("rrule", f"is not a valid RRULE ({error})")
        body = rule.upper().removeprefix("RRULE:")
        if ":" in body or "\n" in body:
            check.fail("rrule", "must be one RRULE line (the start is the event's start)")
        parts = dict(part.split("=", 1) for part in body.split(";") if "=" in part)
        if parts.get("FREQ") not in RULE_FREQUENCIES or any(p in parts for p in FINER_RULE_PARTS):
            check.fail("rrule", "must repeat at most daily (FREQ=DAILY, WEEKLY, MONTHLY or YEARLY)")
    exdates = check.entry.get("exdates") or []
    if not isinstance(exdates, list):
        check.fail("exdates", "must be a list of dates")
    if exdates and not rule:
        check.fail("exdates", "needs 'rrule'")
    return rule, sorted({check.day("exdates", d).isoformat() for d in exdates}) or None


def _check_overrides(check, communes, spec):
    """Changed or cancelled dates of a repeating event, keyed by the start the rule gives."""
    overrides = check.entry.get("overrides") or []
    if not isinstance(overrides, list):
        check.fail("overrides", "must be a list")
    if overrides and not spec["rrule"]:
        check.fail("overrides", "needs 'rrule'")
    result = []
    duration = spec["end_at"] - spec["start_at"]
    for position, item in enumerate(overrides):
        field = f"overrides[{position}]"
        if not isinstance(item, dict) or "date" not in item:
            check.fail(field, "must be an object with 'date'")
        day = check.day(f"{field}.date", item["date"])
        rule_start = _rule_start_on(spec["rrule"], spec["start_at"], day)
        if rule_start is None:
            check.fail(f"{field}.date", f"{day} is not a date of the rule")
        start = check.moment(f"{field}.start", item["start"]) if item.get("start") else rule_start
        end = check.moment(f"{field}.end", item["end"]) if item.get("end") else start + duration
        if end <= start:
            check.fail(f"{field}.end", "must be after start")
        venue = item.get("venue")
        result.append(
            {
                "recurrence_start": rule_start,
                "start_at": start,
                "end_at": end,
                "venue": _check_venue(
                    check, communes, spec["bassin_slugs"], venue, f"{field}.venue"
                )
                if venue
                else None,
                "cancelled": bool(item.get("cancelled", False)),
            }
        )
    return result


def _rule_start_on(rule, first_start, day):
    """The start that the rule gives on a local date, or None."""
    until = local_day_start(day + timedelta(days=1))
    for start in rule_starts(rule, first_start, until):
        if to_local(start).date() == day:
            return start
    return None


def resolve_commune(communes, text, bassin_slugs=()):
    """The commune named by a slug or a French or Dutch name; a municipality split between
    bassins (Bruxelles-Ville) resolves to its district in the event's bassin."""
    wanted = text.strip().lower()
    exact = [c for c in communes if wanted in (c.slug, c.name_fr.lower(), c.name_nl.lower())]
    if exact:
        return exact[0]
    by_municipality = [
        c
        for c in communes
        if wanted in (c.municipality_slug, c.municipality_fr.lower(), c.municipality_nl.lower())
    ]
    in_bassin = [c for c in by_municipality if c.bassin.slug in bassin_slugs]
    return (in_bassin or by_municipality or [None])[0]


def validate_entries(data, extras=None):
    """Every entry checked before anything is written; returns their specifications.

    `extras` maps the keys another area reads (e.g. "registrations") to `read(check, spec)`,
    run after the agenda's fields; its result is kept under that key of the spec.
    """
    extras = extras or {}
    if not isinstance(data, list):
        raise ImportProblem(-1, "-", "the file must hold a JSON list of events")
    bassins = {b.slug: b for b in db.session.scalars(select(Bassin))}
    communes = db.session.scalars(select(Commune)).all()
    specs = [
        _check_entry(index, entry, bassins, communes, extras) for index, entry in enumerate(data)
    ]
    seen = {}
    for index, spec in enumerate(specs):
        key = spec["external_id"]
        if key and key in seen:
            raise ImportProblem(index, "external_id", f"repeats entry {seen[key]}")
        seen[key] = index
    return specs


def save_entry(spec, actor=IMPORT, notify=True):
    """Create the entry's event, or update the one with its external_id, through the agenda's
    operations (an update of time, place or status notifies its registrants unless `notify`
    is False). Returns the operations.EventChange; never commits."""
    data = {name: spec[name] for name in EVENT_COLUMNS}
    data["bassins"] = db.session.scalars(
        select(Bassin).where(Bassin.slug.in_(spec["bassin_slugs"])).order_by(Bassin.slug)
    ).all()
    data["series"] = (
        _series(spec["series"], data["bassins"], spec["kind"]) if spec["series"] else None
    )
    data["venue"] = _venue(spec["venue"]) if spec["venue"] else None
    data["organiser"] = organisation_named(spec["organiser"]) if spec["organiser"] else None
    data["overrides"] = [
        {**item, "venue": _venue(item["venue"]) if item["venue"] else None}
        for item in spec["overrides"]
    ]
    existing = None
    if spec["external_id"]:
        existing = db.session.scalar(
            select(Event.id).where(Event.external_id == spec["external_id"])
        )
    if existing is None:
        return operations.create_event({"external_id": spec["external_id"], **data}, actor)
    return operations.update_event(existing, data, actor, notify=notify)


def _series(spec, bassins, kind):
    series = db.session.scalar(select(Series).where(Series.slug == spec["slug"]))
    if series is None:
        series = Series(slug=spec["slug"], kind=kind, title_fr=spec["title_fr"] or spec["slug"])
        db.session.add(series)
    for name in ("title_fr", "title_nl", "theme"):
        if spec[name]:
            setattr(series, name, spec[name])
    series.bassins = sorted(set(series.bassins) | set(bassins), key=lambda b: b.slug)
    return series


def _venue(spec):
    venue = db.session.scalar(
        select(Venue).where(Venue.name == spec["name"], Venue.address == spec["address"])
    )
    if venue is None:
        venue = Venue(name=spec["name"], address=spec["address"])
        db.session.add(venue)
    for name in ("postal_code", "commune_id", "access_notes_fr", "step_free", "lift"):
        if spec.get(name) is not None:
            setattr(venue, name, spec[name])
    return venue
