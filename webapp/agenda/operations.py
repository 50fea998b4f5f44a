"""The agenda's writes: create, update, publish, cancel, postpone, move, duplicate an event.

Each operation takes ids and data and an actor (webapp.audit.Actor), checks, changes the
rows, writes one audit line with the values before and after, and flushes; it never commits
(the edge does: webapp.unit_of_work). It returns an `EventChange`, or raises `EventRefused`
with a stable reason code. SEQUENCE and the agenda index follow every flush by themselves
(agenda/changes.py).

When the time, the place or the status changed, the operation sends `signals.event_changed`
(unless `notify=False`, e.g. loading history): the registrations area queues the notices
to the event's registrants, in the same transaction.
"""

import logging
import re
from dataclasses import dataclass

from sqlalchemy import exists, select

from webapp import audit
from webapp.agenda import signals
from webapp.agenda.changes import SEQUENCE_FIELDS
from webapp.agenda.models import Event, OccurrenceOverride, Venue
from webapp.agenda.states import EventStatus, MeetingMode, PlaceMode, action_refusal
from webapp.audit_actions import AuditAction
from webapp.extensions import db
from webapp.timezones import utcnow
from webapp.vocabulary import EVENT_STATUSES

logger = logging.getLogger(__name__)

# Columns an operation's `data` may set as they are.
COLUMNS = (
    "external_id",
    "kind",
    "title_fr",
    "title_nl",
    "description_fr",
    "description_nl",
    "audience",
    "registration_mode",
    "capacity",
    "waitlist_enabled",
    "mode",
    "online_capacity",
    "online_url_public",
    "status",
    "status_reason_fr",
    "status_reason_nl",
    "start_at",
    "end_at",
    "venue_id",
    "room",
    "online_url",
    "series_id",
    "series_number",
    "organiser_id",
    "contact_email",
    "accreditation",
    "presentation_url",
    "report_url",
    "report_summary_fr",
    "report_summary_nl",
    "participants_count",
    "participant_sectors",
    "registration_opens_at",
    "registration_closes_at",
    "rrule",
    "exdates",
    "rdates",
    "languages",
    "free",
    "price_fr",
    "price_nl",
    "interpreting_fr",
    "interpreting_nl",
)
# Related rows `data` may set: venue, series, organiser (a row or None), bassins (rows),
# overrides (dicts: recurrence_start, start_at, end_at, venue, cancelled).
RELATIONS = ("venue", "series", "organiser", "bassins", "overrides")
# What an override item may also set (a room, a note in French and Dutch).
OVERRIDE_EXTRAS = ("room", "note_fr", "note_nl")
# What registrants must hear about is what calendars must see: when, where, and whether it
# takes place (the venue relation aside: its column says it).
NOTICE_FIELDS = frozenset(SEQUENCE_FIELDS) - {"venue"}
TIME_PLACE_FIELDS = NOTICE_FIELDS - {"status"}
# What a duplicate copies of the meeting before it.
COPIED = (
    "kind",
    "audience",
    "description_fr",
    "description_nl",
    "venue_id",
    "room",
    "mode",
    "online_url",
    "online_url_public",
    "series_id",
    "organiser_id",
    "contact_email",
    "registration_mode",
    "capacity",
    "online_capacity",
    "waitlist_enabled",
    "languages",
    "free",
    "price_fr",
    "price_nl",
    "interpreting_fr",
    "interpreting_nl",
)
# Copied shifted by as much as the start moves: the registration window.
SHIFTED = ("registration_opens_at", "registration_closes_at")
NUMBERED_TITLE = re.compile(r"#(\d+)$")
# The default of `move`'s place arguments: keep what the event has.
SAME = object()


class EventRefused(Exception):
    """The operation cannot be done on this event; `reason` is a stable code."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class EventChange:
    """What an operation did: the event, whether it was created, the fields that changed,
    the notice sent to its registrants (None, signals.CHANGED or signals.CANCELLED) and the
    number of messages queued for it."""

    event: Event
    created: bool
    changed_fields: tuple[str, ...]
    notice: str | None = None
    notices_queued: int = 0

    @property
    def changed(self):
        return self.created or bool(self.changed_fields)


def create_event(data, actor):
    """A new event from `data` (columns and relations); draft unless `data` says otherwise."""
    _check_fields(data)
    _check_times(data.get("start_at"), data.get("end_at"))
    _check_status(data.get("status", EventStatus.DRAFT))
    event = Event(status=EventStatus.DRAFT, sequence=0)
    _apply(event, data)
    db.session.add(event)
    return _created(event, AuditAction.EVENT_CREATED, actor)


def update_event(event_id, data, actor, reason=None, notify=True):
    """Change the event's fields to those of `data`; unchanged values change nothing.

    A change of time, place or status notifies its registrants (unless `notify` is False).
    """
    _check_fields(data)
    event = _load(event_id)
    _check_times(data.get("start_at", event.start_at), data.get("end_at", event.end_at))
    _check_status(data.get("status", event.status))
    _check_capacity(event, data)
    if is_past_record(event, data.get("end_at", event.end_at)):
        notify = False  # correcting the record of a meeting that took place tells no one
    return _change(event, data, actor, reason, notify)


def is_past_record(event, new_end=None, now=None):
    """Whether the event took place and stays in the past: an edit is then a correction of
    the record (a wrong time, a room), mailed to no one."""
    now = now or utcnow()
    return event.end_at <= now and (new_end or event.end_at) <= now


def publish(event_id, actor):
    """A draft becomes public."""
    event = _load(event_id)
    _check_action("publish", event)
    return _change(event, {"status": EventStatus.PUBLISHED}, actor, None, notify=True)


def unpublish(event_id, actor):
    """A published event goes back to draft: off the agenda and the feeds.

    Only a published event: a cancelled or postponed one stays listed so that calendars and
    registrants see what became of it. Whether people registered is the registrations'
    rule (registrations/event_rules.py), checked before this.
    """
    event = _load(event_id)
    _check_action("unpublish", event)
    return _change(event, {"status": EventStatus.DRAFT}, actor, None, notify=True)


def cancel(event_id, actor, reason=None, notify=True, reason_nl=None):
    """The event will not take place; it stays listed, marked cancelled. A reason given is
    shown on its page (and told to its registrants) in French and Dutch."""
    event = _load(event_id)
    _check_action("cancel", event)
    data = {"status": EventStatus.CANCELLED, **_status_reason(reason, reason_nl)}
    return _change(event, data, actor, reason, notify, reason_nl=reason_nl)


def postpone(event_id, actor, reason=None, notify=True, reason_nl=None):
    """The event will take place later, on dates not known yet (`move` sets them). A reason
    given is shown on its page."""
    event = _load(event_id)
    _check_action("postpone", event)
    data = {"status": EventStatus.POSTPONED, **_status_reason(reason, reason_nl)}
    return _change(event, data, actor, reason, notify, reason_nl=reason_nl)


def _check_action(action, event):
    """Refuse what the event's status does not allow (agenda.states.STATUS_ACTIONS). A draft
    is never cancelled nor postponed: both are listed, so it would become public that way."""
    refusal = action_refusal(action, event.status)
    if refusal:
        raise EventRefused(refusal)


def _status_reason(reason, reason_nl):
    """The reason shown beside the new status; none given clears an earlier one (a reason of
    a past postponement must not show beside a later cancellation)."""
    return {"status_reason_fr": reason or None, "status_reason_nl": reason_nl or None}


def move(
    event_id,
    start_at,
    end_at,
    actor,
    venue_id=SAME,
    room=SAME,
    online_url=SAME,
    reason=None,
    notify=True,
    reason_nl=None,
):
    """New time, and place if given; a postponed event moved to its new dates is public
    again. The reason (French, Dutch) is told to the registrants."""
    event = _load(event_id)
    _check_action("move", event)
    _check_times(start_at, end_at)
    if start_at <= utcnow():
        # A move tells the registrants "before -> after": a date already past is a mistake,
        # or a correction of the record, which is the (silent) edit of the event.
        raise EventRefused("in-the-past")
    data = {"start_at": start_at, "end_at": end_at}
    if venue_id is not SAME:
        if venue_id is not None and db.session.get(Venue, venue_id) is None:
            raise EventRefused("unknown-venue")
        data["venue_id"] = venue_id
    if room is not SAME:
        data["room"] = room
    if online_url is not SAME:
        data["online_url"] = online_url
    if event.status == EventStatus.POSTPONED:
        data["status"] = EventStatus.PUBLISHED
        data.update(_status_reason(None, None))  # public again: the postponement is over
    return _change(
        event, data, actor, reason, notify, action=AuditAction.EVENT_MOVED, reason_nl=reason_nl
    )


def duplicate_as_next(event_id, start_at, end_at, actor):
    """The next meeting of the event's series: the same fields, number and title '#N' one
    further, the registration window moved as the start moves, a draft without
    registrations (the registrations area copies its questions)."""
    source = _load(event_id)
    _check_times(start_at, end_at)
    event = Event(status=EventStatus.DRAFT, sequence=0, start_at=start_at, end_at=end_at)
    for name in COPIED:
        setattr(event, name, getattr(source, name))
    offset = start_at - source.start_at
    for name in SHIFTED:
        value = getattr(source, name)
        setattr(event, name, value + offset if value is not None else None)
    number = next_number(source)
    event.title_fr = numbered_title(source.title_fr, number)
    event.title_nl = numbered_title(source.title_nl, number)
    event.series_number = number if source.series_number else None
    event.bassins = list(source.bassins)
    db.session.add(event)
    return _created(event, AuditAction.EVENT_DUPLICATED, actor, source.id)


def delete_draft(event_id, actor):
    """Remove a draft that was never public (its audit line keeps what it was).

    An event that was ever published may be in calendars and mails: it is cancelled, never
    deleted. Whether people registered is the registrations' rule, checked before this.
    """
    event = _load(event_id)
    _check_action("delete", event)
    if was_ever_public(event.id):
        raise EventRefused("was-published")
    before = {name: value for name, value in _facts(event).items() if value not in (None, [])}
    audit.record(actor, AuditAction.EVENT_DELETED, "event", event.id, before, None)
    db.session.delete(event)
    db.session.flush()
    logger.info("event.deleted event %s by %s", event_id, actor.kind)
    return EventChange(event, created=False, changed_fields=("deleted",))


def was_ever_public(event_id):
    """Whether the event was public once: a draft that was public went back to draft
    through `unpublish` (or an update to draft), which the audit log keeps as
    event.unpublished."""
    return db.session.scalar(
        select(
            exists().where(
                audit.AuditEntry.subject_type == "event",
                audit.AuditEntry.subject_id == event_id,
                audit.AuditEntry.action == AuditAction.EVENT_UNPUBLISHED,
            )
        )
    )


def title_number(title):
    """The N of a title's '#N', or None."""
    found = NUMBERED_TITLE.search(title or "")
    return int(found.group(1)) if found else None


def numbered_title(title, number):
    """The title with its '#N' made '#number' (a title without one, or no number: as is)."""
    if not title or number is None:
        return title
    return NUMBERED_TITLE.sub(f"#{number}", title)


def next_number(source):
    """The number the meeting after `source` takes: one past the highest of its series
    (series numbers, or '#N' in titles, cancelled meetings too), so that preparing the next
    meeting from #4 while #5 exists makes #6, never a second #5. None: unnumbered."""
    own = source.series_number or title_number(source.title_fr)
    numbers = [own or 0]
    if source.series_id is not None:
        rows = db.session.execute(
            select(Event.series_number, Event.title_fr).where(Event.series_id == source.series_id)
        ).all()
        numbers += [number or title_number(title) or 0 for number, title in rows]
    top = max(numbers)
    return top + 1 if own and top else None


def _load(event_id):
    # Locked for the rest of the transaction (PostgreSQL; SQLite has one writer anyway), and
    # read again: the values recorded as "before" are those this change replaces.
    event = None
    if event_id is not None:
        event = db.session.get(Event, event_id, with_for_update=True, populate_existing=True)
    if event is None:
        raise EventRefused("not-found")
    return event


def _check_fields(data):
    unknown = set(data) - set(COLUMNS) - set(RELATIONS)
    if unknown:
        raise ValueError(f"not an event field: {', '.join(sorted(unknown))}")


def _check_times(start_at, end_at):
    if start_at is None or end_at is None:
        raise EventRefused("dates-required")
    if end_at <= start_at:
        raise EventRefused("ends-before-start")


CAPACITY_COLUMNS = {PlaceMode.ONSITE: "capacity", PlaceMode.ONLINE: "online_capacity"}


def _check_capacity(event, data):
    """Each way to attend keeps room for its confirmed places; a change of mode brings the
    places of a way it drops to the way it keeps (registrations.rules.follow_mode)."""
    # The row is locked and read again (_load): its counts are those the CHECKs will see.
    mode = data.get("mode", event.mode)
    if mode not in {m.value for m in MeetingMode}:
        raise EventRefused("unknown-mode")
    kept = MeetingMode(mode).place_modes
    taken = {m: event.taken_for(m) for m in PlaceMode}
    for dropped in PlaceMode:
        if dropped not in kept:
            taken[kept[0]] += taken.pop(dropped)
    for place_mode in kept:
        column = CAPACITY_COLUMNS[place_mode]
        limit = data.get(column, getattr(event, column))
        if limit is not None and limit < taken[place_mode]:
            if mode != event.mode:  # the places of the way dropped do not fit
                raise EventRefused("mode-places-short")
            raise EventRefused("capacity-below-taken")


def _check_status(status):
    if status not in EVENT_STATUSES:
        raise EventRefused("unknown-status")


def _created(event, action, actor, source_id=None):
    db.session.flush()
    after = {name: value for name, value in _facts(event).items() if value not in (None, [])}
    if source_id is not None:
        after["duplicated_from"] = source_id
    audit.record(actor, action, "event", event.id, None, after)
    db.session.flush()
    logger.info("%s event %s by %s", action, event.id, actor.kind)
    return EventChange(event, created=True, changed_fields=tuple(after))


def _change(event, data, actor, reason, notify, action=None, reason_nl=None):
    """Apply `data`, flush, and record, notify and log what changed (if anything did)."""
    before = _facts(event)
    _apply(event, data)
    db.session.flush()
    after = _facts(event)
    changed = tuple(name for name in after if after[name] != before[name])
    if not changed:
        logger.debug("event %s unchanged", event.id)
        return EventChange(event, created=False, changed_fields=())
    action = action or _action(changed, after["status"])
    audit.record(
        actor,
        action,
        "event",
        event.id,
        {name: before[name] for name in changed},
        {name: after[name] for name in changed},
        reason,
    )
    if "mode" in changed:
        signals.mode_changed.send(event)
    notice = _notice(changed, before["status"], after["status"]) if notify else None
    queued = 0
    if notice:
        replies = signals.event_changed.send(
            event,
            notice=notice,
            before={name: before[name] for name in changed},
            reason=reason,
            reason_nl=reason_nl,
        )
        queued = sum(reply for _, reply in replies if isinstance(reply, int))
    db.session.flush()
    logger.info(
        "%s event %s by %s: %s; %s notice(s) queued",
        action,
        event.id,
        actor.kind,
        ", ".join(changed),
        queued,
    )
    return EventChange(event, False, changed, notice, queued)


def _action(changed, status):
    """The audit line's action for an update: what a reader of the log wants to see first."""
    if "status" in changed:
        return {
            EventStatus.DRAFT: AuditAction.EVENT_UNPUBLISHED,
            EventStatus.PUBLISHED: AuditAction.EVENT_PUBLISHED,
            EventStatus.CANCELLED: AuditAction.EVENT_CANCELLED,
            EventStatus.POSTPONED: AuditAction.EVENT_POSTPONED,
        }[status]
    if TIME_PLACE_FIELDS.intersection(changed):
        return AuditAction.EVENT_MOVED
    return AuditAction.EVENT_UPDATED


def _notice(changed, status_before, status_after):
    """What the registrants are told of these changes, if anything."""
    if not NOTICE_FIELDS.intersection(changed):
        return None
    if status_after == EventStatus.CANCELLED:
        # Cancelled already: a later edit of its place is no news to its registrants.
        return signals.CANCELLED if status_before != EventStatus.CANCELLED else None
    return signals.CHANGED


def _apply(event, data):
    """Set what differs: an unchanged value leaves the row clean (no SEQUENCE, no change time)."""
    for name, value in data.items():
        if name == "bassins":
            if list(event.bassins) != list(value):
                event.bassins = list(value)
        elif name == "overrides":
            _apply_overrides(event, value)
        elif getattr(event, name) != value:
            setattr(event, name, value)


def _apply_overrides(event, wanted_items):
    """Make the event's changed dates those given (matched by their RECURRENCE-ID)."""
    wanted = {item["recurrence_start"]: item for item in wanted_items}
    current = {o.recurrence_start: o for o in event.overrides}
    for key, override in current.items():
        if key not in wanted:
            event.overrides.remove(override)
    for key, item in wanted.items():
        values = {name: item.get(name) for name in ("start_at", "end_at", "venue")}
        # The room and the notes only when given (the importer gives neither).
        values.update({name: item[name] for name in OVERRIDE_EXTRAS if name in item})
        values["cancelled"] = bool(item.get("cancelled"))
        override = current.get(key)
        if override is None:
            event.overrides.append(OccurrenceOverride(recurrence_start=key, **values))
            continue
        for name, value in values.items():
            if getattr(override, name) != value:
                setattr(override, name, value)


def _facts(event):
    """The event's fields as the audit log keeps them (related rows by id or slug)."""
    facts = {name: getattr(event, name) for name in COLUMNS}
    facts["bassins"] = [bassin.slug for bassin in event.bassins]
    facts["overrides"] = [
        {
            "recurrence_start": o.recurrence_start.isoformat(),
            "start_at": o.start_at.isoformat(),
            "end_at": o.end_at.isoformat(),
            "venue_id": o.venue_id,
            "room": o.room,
            "cancelled": bool(o.cancelled),
        }
        for o in event.overrides
    ]
    return facts
