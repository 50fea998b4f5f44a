"""Attendance: the printable sheet (/admin/events/<id>/attendance-sheet) and the check-in view
at the door (/admin/events/<id>/attendance), per date for a repeating event.

Without JavaScript each tap is a form post; with static/js/checkin.js (loaded on the check-in
page alone) taps are sent at once, or kept in the browser while offline and sent later with
the time they were made. A tap says "present (or not) at time T": sent twice, it counts once.
"""

from datetime import date, datetime

from flask import abort, jsonify, redirect, render_template, request, url_for
from flask_babel import format_date

from webapp.admin.access import actor, find_or_404, roles
from webapp.admin.blueprint import bp
from webapp.admin.participants.forms import WalkInForm
from webapp.admin.participants.views import by_name, matching
from webapp.agenda.models import Event
from webapp.formfields import database_id
from webapp.hygiene import runs_own_scripts
from webapp.registrations import attendance
from webapp.registrations.models import Registration
from webapp.registrations.rules import RegistrationRefused
from webapp.timezones import to_local, utcnow
from webapp.unit_of_work import unit_of_work

# Empty rows at the end of the printed sheet, for people who come without registering.
WALK_IN_ROWS = 12
# How many dates of a repeating event the date picker offers around the chosen one.
DATES_AROUND = 8


def _meeting_date(event, dates, wanted):
    """The date checked in: the one asked for if the event meets then, else today's
    meeting, else the next one, else the last one."""
    if wanted in dates:
        return wanted
    today = to_local(utcnow()).date()
    coming = [d for d in dates if d >= today]
    if coming:
        return coming[0]
    return dates[-1] if dates else to_local(event.start_at).date()


def _asked_date(value):
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _dates_near(dates, chosen):
    index = dates.index(chosen) if chosen in dates else 0
    return dates[max(0, index - DATES_AROUND) : index + DATES_AROUND + 1]


def _day(day):
    return format_date(day, "full")


@bp.get("/events/<int:event_id>/attendance-sheet")
@roles("admin", "bassin", "service")
def attendance_sheet(event_id):
    """The sheet passed around the room: confirmed people by last name, a signature column,
    then empty rows for walk-ins."""
    event = find_or_404(Event, event_id)
    dates = attendance.event_dates(event)
    on_date = _meeting_date(event, dates, _asked_date(request.args.get("date")))
    door = attendance.door(event.id, on_date)
    return render_template(
        "admin/attendance/sheet.html",
        event=event,
        on_date=on_date,
        people=by_name(door.expected),
        empty_rows=range(WALK_IN_ROWS),
        format_day=_day,
    )


@bp.get("/events/<int:event_id>/attendance", endpoint="attendance")
@roles("admin", "bassin", "service")
@runs_own_scripts
def check_in(event_id):
    event = find_or_404(Event, event_id)
    dates = attendance.event_dates(event)
    return _check_in_page(event, _meeting_date(event, dates, _asked_date(request.args.get("date"))))


def _check_in_page(event, on_date, walk_in_form=None, status=200):
    dates = attendance.event_dates(event)
    door = attendance.door(event.id, on_date)
    query = request.args.get("q", "").strip()[:100]
    people = matching(by_name(door.expected), query)
    return render_template(
        "admin/attendance/check_in.html",
        event=event,
        on_date=on_date,
        dates=_dates_near(dates, on_date) if event.is_recurring else [],
        people=people,
        walk_ins=by_name(door.walk_ins),
        present=door.present,
        counts=door.counts,
        query=query,
        walk_in_form=walk_in_form or WalkInForm(prefix="walk-in"),
        format_day=_day,
        taps_open=attendance.check_in_open(on_date),
        meeting_over=attendance.meeting_over(event, on_date),
        check_in_days=attendance.CHECK_IN_DAYS,
    ), status


def _posted_date(event):
    """The meeting date a post names: one of the event's dates, or a 404."""
    on_date = _asked_date(request.form.get("date", ""))
    if on_date is None or on_date not in attendance.event_dates(event):
        abort(404)
    return on_date


def _posted_tap_time():
    """The time the phone says the tap was made (JavaScript sends it), else now; a time in
    the future or too old is refused (422), never moved to now."""
    sent = request.form.get("tapped_at", "").strip()
    if not sent:
        return attendance.tap_time(None)
    try:
        moment = datetime.fromisoformat(sent.replace("Z", "+00:00"))
    except ValueError:
        abort(422)
    tapped = attendance.tap_time(moment)
    if tapped is None:
        abort(422)
    return tapped


def _wants_json():
    return request.accept_mimetypes.best == "application/json"


@bp.post("/events/<int:event_id>/attendance/tap")
@roles("admin", "bassin", "service")
def attendance_tap(event_id):
    event = find_or_404(Event, event_id)
    registration_id = database_id(request.form.get("registration"))
    if registration_id is None:
        abort(404)
    registration = find_or_404(Registration, registration_id)
    if registration.event_id != event.id:
        abort(404)
    on_date = _posted_date(event)
    present = request.form.get("present")
    if present not in ("1", "0"):
        abort(422)
    tapped_at = _posted_tap_time()
    try:
        with unit_of_work("attendance-tap"):
            changed = attendance.set_presence(
                event.id, registration.id, on_date, present == "1", tapped_at, actor()
            )
    except RegistrationRefused:
        abort(409)
    if _wants_json():
        door = attendance.door(event.id, on_date)
        check_in = door.present.get(registration.id)
        return jsonify(
            changed=changed,
            present=check_in is not None,
            tapped_at=check_in.tapped_at.isoformat() if check_in else None,
            counts=door.counts,
        )
    return _back_to_door(event, on_date, f"r-{registration.id}")


def _back_to_door(event, on_date, anchor=None):
    args = {"date": on_date.isoformat()}
    if request.args.get("q"):
        args["q"] = request.args["q"][:100]
    return redirect(url_for("admin.attendance", event_id=event.id, **args, _anchor=anchor), 303)


@bp.post("/events/<int:event_id>/attendance/walk-in")
@roles("admin", "bassin", "service")
@runs_own_scripts
def attendance_walk_in(event_id):
    event = find_or_404(Event, event_id)
    on_date = _posted_date(event)
    form = WalkInForm(prefix="walk-in")
    if not form.validate():
        return _check_in_page(event, on_date, walk_in_form=form, status=422)
    person = {
        "first_name": form.first_name.data,
        "last_name": form.last_name.data,
        "organisation": form.organisation.data,
        "sector": form.sector.data,
    }
    try:
        with unit_of_work("attendance-walk-in"):
            attendance.add_walk_in(event.id, on_date, person, _posted_tap_time(), actor())
    except RegistrationRefused:
        abort(409)
    return _back_to_door(event, on_date, "walk-ins")
