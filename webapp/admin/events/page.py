"""One event's page in the back office (/admin/events/<id>): its title, date, venue, status,
places and public link, then its life as steps (admin/events/steps.py) with the way to every
page about it. Every list that names an event links here; every page about one event links
back (templates/admin/events/_back.html).
"""

from datetime import timedelta

from flask import render_template, url_for
from flask_login import current_user
from sqlalchemy import func, select

from webapp.admin import access
from webapp.admin.blueprint import bp
from webapp.admin.events.steps import EventFacts, steps_of
from webapp.admin.participants.undelivered import undelivered_count
from webapp.agenda.models import Event
from webapp.agenda.occurrences import occurrences
from webapp.agenda.reports import Report
from webapp.agenda.states import EventStatus
from webapp.auth.scopes import reaches_event
from webapp.evaluations.models import Answer, EvaluationForm
from webapp.extensions import db
from webapp.registrations.models import Question, Registration
from webapp.timezones import to_local, utcnow


def facts(event, scope, now):
    """What the steps of that event's page say (a handful of queries, whatever its size)."""
    rows = db.session.execute(
        select(Registration.status, Registration.walk_in, func.count())
        .where(Registration.event_id == event.id)
        .group_by(Registration.status, Registration.walk_in)
    ).all()
    counts, walk_ins = {}, 0
    for status, walk_in, count in rows:
        if walk_in:
            walk_ins += count
        else:
            counts[str(status)] = counts.get(str(status), 0) + count
    present = db.session.scalar(
        select(func.count())
        .select_from(Registration)
        .where(Registration.event_id == event.id, Registration.attended.is_(True))
    )
    report = db.session.execute(
        select(Report.status, Report.presentation_file).where(Report.event_id == event.id)
    ).first()
    return EventFacts(
        counts=counts,
        walk_ins=walk_ins,
        present=present or 0,
        questions=db.session.scalar(
            select(func.count()).select_from(Question).where(Question.event_id == event.id)
        )
        or 0,
        report_status=report.status if report else None,
        report_slides=bool(report and report.presentation_file),
        evaluation_open=db.session.scalar(
            select(EvaluationForm.id).where(EvaluationForm.event_id == event.id)
        )
        is not None,
        answers=db.session.scalar(
            select(func.count()).select_from(Answer).where(Answer.event_id == event.id)
        )
        or 0,
        undelivered=undelivered_count(scope, event.id),
        is_past=event.end_at <= now,
        started=event.start_at <= now,
        starts_today=to_local(event.start_at).date() == to_local(now).date(),
        next_days=next_days(event, now) if event.is_recurring else [],
    )


# A repeating event's page names its next few dates (the rest are on its repetition page).
NEXT_DATES = 3
NEXT_DATES_HORIZON = timedelta(days=400)


def next_days(event, now):
    """The local days of a repeating event's next dates, as its rule gives them (the key of
    each date's own page, even once moved), cancelled ones included: one may be restored."""
    found = []
    for occurrence in occurrences(event, now, now + NEXT_DATES_HORIZON):
        found.append(to_local(occurrence.recurrence_start).date())
        if len(found) == NEXT_DATES:
            break
    return found


bp.app_template_global("may_open")(access.may_open)


@bp.app_template_global("manage_url")
def manage_url(event):
    """The back-office page of an event the signed-in reader manages, else None: public
    pages (never cached for a signed-in visitor) add "Gérer" beside such an event."""
    if not current_user.is_authenticated:
        return None
    if not reaches_event(access.scope(), event):
        return None
    return url_for("admin.event", event_id=event.id)


@bp.get("/events/<int:event_id>")
def event(event_id):
    """The event's page: its state and one click to each task."""
    found = access.find_or_404(Event, event_id)
    known = facts(found, access.scope(), utcnow())
    return render_template(
        "admin/events/page.html",
        event=found,
        facts=known,
        steps=steps_of(found, known),
        is_public=EventStatus(found.status).is_public,
    )
