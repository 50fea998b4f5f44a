"""The recurrence editor of a repeating event: the rule from a form (never typed RRULE), skipped
dates, one date moved, given another venue or cancelled, and a preview of the dates.

The shapes and their rules are agenda.repetition's; every save goes through
agenda.operations.update_event (one audit line, registrants told when dates change).
"""

import re
from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from webapp.admin import access
from webapp.admin.blueprint import bp
from webapp.admin.events.recurrence_forms import (
    OccurrenceForm,
    RepetitionForm,
    SkipForm,
    clock_text,
    initial_data,
)
from webapp.agenda import operations
from webapp.agenda.models import Event, Venue
from webapp.agenda.recurrence import rule_in_words
from webapp.agenda.repetition import (
    Repetition,
    RepetitionRefused,
    carried_over,
    plan,
    preview,
    repetition_of,
    rule_start_on,
    series_dates,
)
from webapp.auth import scopes
from webapp.extensions import db
from webapp.timezones import to_local, to_utc, utcnow
from webapp.unit_of_work import unit_of_work
from webapp.vocabulary import current_language

ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@bp.route("/events/<int:event_id>/recurrence", methods=["GET", "POST"])
@access.roles("admin", "bassin")
def event_recurrence(event_id):
    """The series' shape: preview its next dates, or save it."""
    event = access.find_or_404(Event, event_id)
    saved = repetition_of(event)
    form = RepetitionForm(data=None if request.method == "POST" else _initial(event, saved))
    previewed = None
    if form.validate_on_submit():
        try:
            series_plan = plan(form.repetition(), event.start_at, event.end_at)
        except RepetitionRefused as refused:
            form.refuse(refused)
        else:
            if form.save.data:
                _save_plan(event, series_plan)
                flash(_("La répétition est enregistrée."), "info")
                return redirect(url_for(".event_recurrence", event_id=event_id), 303)
            skipped = {
                date.fromisoformat(d) for d in carried_over(series_plan, event.exdates, [])[0]
            }
            previewed = preview(series_plan, skipped)
    status = 422 if request.method == "POST" and previewed is None else 200
    return _editor(event, form, saved, previewed, status)


@bp.post("/events/<int:event_id>/recurrence/skip")
@access.roles("admin", "bassin")
def event_recurrence_skip(event_id):
    """Leave one date of the series out (EXDATE)."""
    return _skip_or_restore(event_id, skip=True)


@bp.post("/events/<int:event_id>/recurrence/restore")
@access.roles("admin", "bassin")
def event_recurrence_restore(event_id):
    """Bring a skipped date back."""
    return _skip_or_restore(event_id, skip=False)


@bp.route("/events/<int:event_id>/recurrence/<day>", methods=["GET", "POST"])
@access.roles("admin", "bassin")
def event_occurrence(event_id, day):
    """One date of the series: moved (date, times), at another venue or room, cancelled;
    or back to what the series says."""
    event = access.find_or_404(Event, event_id)
    wanted = _day_or_none(day)
    rule_start = rule_start_on(event, wanted) if wanted else None
    if rule_start is None:
        abort(404)
    override = next((o for o in event.overrides if o.recurrence_start == rule_start), None)
    venues = db.session.scalars(
        scopes.venues_in(access.scope()).order_by(Venue.name, Venue.id)
    ).all()
    form = OccurrenceForm(
        venues, data=None if request.method == "POST" else _occurrence_data(event, rule_start)
    )
    if request.method == "POST" and form.undo.data:
        # (CSRF is checked for every POST by the app; the other fields do not matter here.)
        if override is not None:
            _save_overrides(event, [o for o in event.overrides if o is not override], [])
            flash(_("La date suit de nouveau la série."), "info")
        return redirect(url_for(".event_recurrence", event_id=event_id), 303)
    if form.validate_on_submit():
        venue = access.find_or_404(Venue, form.venue_id) if form.venue_id else None
        item = {
            "recurrence_start": rule_start,
            "start_at": to_utc(form.start_value),
            "end_at": to_utc(form.end_value),
            "venue": venue,
            "room": form.room.data or None,
            "cancelled": bool(form.cancelled.data),
            "note_fr": form.note_fr.data or None,
            "note_nl": form.note_nl.data or None,
        }
        others = [o for o in event.overrides if o is not override]
        _save_overrides(event, others, [item])
        flash(_("La date est enregistrée."), "info")
        return redirect(url_for(".event_recurrence", event_id=event_id), 303)
    status = 422 if request.method == "POST" else 200
    return render_template(
        "admin/events/recurrence_date.html",
        event=event,
        form=form,
        day=wanted,
        rule_start=to_local(rule_start),
        override=override,
    ), status


def _initial(event, saved):
    return initial_data(saved or Repetition(), event.local_start)


def _editor(event, form, saved, previewed, status=200, skip_error=None):
    language = current_language()
    words = None
    if event.rrule:
        words = rule_in_words(event.rrule, event.local_start, language)
    return render_template(
        "admin/events/recurrence.html",
        event=event,
        form=form,
        saved=saved,
        words=words,
        previewed=[to_local(start) for start in previewed] if previewed is not None else None,
        duration=event.end_at - event.start_at,
        dates=series_dates(event, utcnow()),
        skip_error=skip_error,
    ), status


def _save_plan(event, series_plan):
    """Save the series' new shape, keeping the skipped and changed dates it still gives."""
    exdates, kept_starts = carried_over(
        series_plan, event.exdates, [o.recurrence_start for o in event.overrides]
    )
    kept = [o for o in event.overrides if o.recurrence_start in kept_starts]
    data = {
        "start_at": series_plan.start_at,
        "end_at": series_plan.end_at,
        "rrule": series_plan.rrule,
        "rdates": series_plan.rdates,
        "exdates": exdates or None,
        "overrides": [_override_item(o) for o in kept],
    }
    with unit_of_work("recurrence"):
        operations.update_event(event.id, data, access.actor())


def _skip_or_restore(event_id, skip):
    event = access.find_or_404(Event, event_id)
    form = SkipForm()
    skipped = {str(d)[:10] for d in event.exdates or ()}
    error = None
    if not form.validate_on_submit():
        error = form.day.errors[0] if form.day.errors else _("Choisissez une date de la liste.")
    elif rule_start_on(event, form.day_value) is None:
        error = _("Cette date n'est pas une date de la série.")
    elif skip == (form.day_value.isoformat() in skipped):
        error = _("Cette date est déjà sautée.") if skip else _("Cette date n'est pas sautée.")
    if error:
        saved = repetition_of(event)
        return _editor(event, RepetitionForm(data=_initial(event, saved)), saved, None, 422, error)
    day = form.day_value.isoformat()
    exdates = sorted(skipped | {day}) if skip else sorted(skipped - {day})
    with unit_of_work("recurrence skip"):
        operations.update_event(event.id, {"exdates": exdates or None}, access.actor())
    message = _("La date du %(day)s est sautée.") if skip else _("La date du %(day)s est rétablie.")
    flash(message % {"day": form.day_value.strftime("%d/%m/%Y")}, "info")
    return redirect(url_for(".event_recurrence", event_id=event_id), 303)


def _save_overrides(event, kept, items):
    with unit_of_work("recurrence date"):
        operations.update_event(
            event.id,
            {"overrides": [_override_item(o) for o in kept] + items},
            access.actor(),
        )


def _override_item(override):
    """An existing override as update_event takes it (it stays as it is)."""
    return {
        "recurrence_start": override.recurrence_start,
        "start_at": override.start_at,
        "end_at": override.end_at,
        "venue": override.venue,
        "room": override.room,
        "cancelled": override.cancelled,
        "note_fr": override.note_fr,
        "note_nl": override.note_nl,
    }


def _occurrence_data(event, rule_start):
    override = next((o for o in event.overrides if o.recurrence_start == rule_start), None)
    start = to_local(override.start_at if override else rule_start)
    end = to_local(override.end_at if override else rule_start + (event.end_at - event.start_at))
    return {
        "day": start.date().isoformat(),
        "start": clock_text(start),
        "end": clock_text(end),
        "venue": str(override.venue_id) if override and override.venue_id else "",
        "room": override.room if override else "",
        "cancelled": bool(override and override.cancelled),
        "note_fr": override.note_fr if override else "",
        "note_nl": override.note_nl if override else "",
    }


def _day_or_none(text):
    if not ISO_DAY.match(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None
