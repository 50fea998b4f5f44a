"""/admin/mail: the messages that did not reach people (failed, or waiting for another try),
overall and per event, with the reason in words and "send again" (the rule of
`send-mail --retry-failed`: failed messages within the retention, never one whose person
was erased). Bassin teams see their events' registrations; admins every message. No body is
ever shown; an erased person's messages are gone or blanked."""

from datetime import timedelta

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import ngettext

from webapp.admin import access
from webapp.admin.blueprint import bp
from webapp.admin.participants.undelivered import undelivered
from webapp.agenda.models import Event
from webapp.auth.states import AccountRole
from webapp.mail.models import OutboxStatus
from webapp.mail.queries import failure_alarm, reason
from webapp.mail.requeue import requeue_failed
from webapp.timezones import utcnow
from webapp.unit_of_work import unit_of_work

TEAMS = (AccountRole.ADMIN, AccountRole.BASSIN)


@bp.get("/mail")
@access.roles(*TEAMS)
def mail_failures():
    return _page(None)


@bp.get("/events/<int:event_id>/mail")
@access.roles(*TEAMS)
def event_mail_failures(event_id):
    return _page(access.find_or_404(Event, event_id))


def _page(event):
    items = undelivered(access.scope(), event.id if event else None)
    return render_template(
        "admin/mail_failures.html",
        event=event,
        items=items,
        reason=reason,
        failed=sum(item.message.status == OutboxStatus.FAILED for item in items),
        alarm=failure_alarm() if access.is_admin() and event is None else None,
    )


@bp.post("/mail/send-again")
@access.roles(*TEAMS)
def mail_send_again():
    """Put failed messages back in the queue: the ones ticked, else all those the page shows."""
    event_id = request.form.get("event_id", type=int)
    event = access.find_or_404(Event, event_id) if event_id else None
    wanted = set(request.form.getlist("message", type=int))
    shown = {
        item.message.id
        for item in undelivered(access.scope(), event.id if event else None)
        if item.message.status == OutboxStatus.FAILED
    }
    chosen = shown & wanted if wanted else shown
    retention = timedelta(days=current_app.config["OUTBOX_RETENTION_DAYS"])
    now = utcnow()
    with unit_of_work("mail-send-again"):
        result = requeue_failed(
            now - retention, retention=retention, now=now, ids=chosen, actor=access.actor()
        )
    flash(
        ngettext(
            "%(num)d message remis dans la file : il part au prochain passage de l'envoi.",
            "%(num)d messages remis dans la file : ils partent au prochain passage de l'envoi.",
            result.count,
        ),
        "info",
    )
    if event:
        return redirect(url_for("admin.event_mail_failures", event_id=event.id), 303)
    return redirect(url_for("admin.mail_failures"), 303)
