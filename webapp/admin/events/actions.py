"""What staff do to an event beside editing it: preview, publish, unpublish, cancel, postpone or
move, delete a draft, prepare the next meeting of its series.

Each view loads the event within the account's scope (a foreign event is a 404, nothing
changed), runs one operation in a unit of work, and answers a POST with a 303 and a message
saying what happened and how many registrants were told. A refusal of the operation (its
`reason`) is said in words and writes nothing; a form with errors answers 422, what was
typed kept beside the messages.
"""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy.orm import selectinload

from webapp.admin import access
from webapp.admin.blueprint import bp
from webapp.admin.events.action_forms import (
    NO_VENUE,
    CancelForm,
    ConfirmForm,
    MoveForm,
    NextMeetingForm,
    PostponeForm,
    same_weekday_next_month,
)
from webapp.agenda import operations
from webapp.agenda.models import Event, Venue
from webapp.agenda.operations import EventRefused
from webapp.agenda.states import action_refusal, allowed_actions
from webapp.agenda.views import event_page
from webapp.auth import scopes
from webapp.extensions import db
from webapp.registrations import event_rules
from webapp.registrations.questions import copy_questions
from webapp.timezones import to_local
from webapp.unit_of_work import unit_of_work

STAFF = ("admin", "bassin")

# An operation's refusal (EventRefused.reason) in words.
REFUSALS = {
    "already-published": _l("Cette activité est déjà publiée."),
    "already-draft": _l("Cette activité est déjà un brouillon."),
    "already-cancelled": _l("Cette activité est déjà annulée."),
    "already-postponed": _l("Cette activité est déjà reportée."),
    "event-cancelled": _l(
        "Cette activité est annulée : elle ne peut plus être publiée, reportée ni déplacée."
    ),
    "event-postponed": _l(
        "Cette activité est reportée : donnez-lui sa nouvelle date avec « Déplacer »."
    ),
    "event-draft": _l(
        "Cette activité est un brouillon, que le public ne voit pas : supprimez-la ou "
        "modifiez-la plutôt."
    ),
    "has-registrants": _l(
        "Des personnes sont inscrites à cette activité : elle ne peut plus être retirée de "
        "l'agenda. Annulez-la plutôt, les personnes inscrites en seront prévenues."
    ),
    "has-registrations": _l(
        "Des personnes se sont inscrites à cette activité : elle ne peut pas être supprimée. "
        "Annulez-la plutôt."
    ),
    "not-draft": _l("Seul un brouillon peut être supprimé. Annulez plutôt cette activité."),
    "was-published": _l(
        "Cette activité a déjà été publiée (elle peut être dans des agendas) : elle ne peut "
        "pas être supprimée. Annulez-la plutôt."
    ),
    "ends-before-start": _l("La fin doit être après le début."),
    "dates-required": _l("Indiquez la date, le début et la fin."),
    "unknown-venue": _l("Choisissez un lieu de la liste."),
    "in-the-past": _l(
        "Cette date est déjà passée : une activité ne peut être déplacée que vers une date à "
        "venir. Pour corriger la date d'une rencontre qui a eu lieu, modifiez l'activité : "
        "la correction n'est envoyée à personne."
    ),
    "not-found": _l("Cette activité n'existe plus."),
}


@bp.app_template_global("event_actions_possible")
def possible_actions(event):
    """The actions the event's status allows (agenda.states.STATUS_ACTIONS, which the
    operations refuse by too), and preview and next meeting always: the partial shows these,
    the pages refuse the others."""
    return allowed_actions(event.status) | {"preview", "next"}


def refusal_message(reason):
    return str(REFUSALS.get(reason, _l("Cette action n'est pas possible pour cette activité.")))


def event_home(event_id):
    """Where staff go back to after an action: the event's page."""
    return url_for("admin.event", event_id=event_id)


def _told(change, tells):
    """The flash's second half: how many registrants the change was mailed to (for the
    actions that tell them: cancel, postpone, move)."""
    if not tells or not change.notice:
        return ""
    if not change.notices_queued:
        return " " + _("Personne n'est inscrit·e : aucun e-mail envoyé.")
    return " " + ngettext(
        "%(num)d personne inscrite a été prévenue par e-mail.",
        "%(num)d personnes inscrites ont été prévenues par e-mail.",
        change.notices_queued,
    )


def _done(message, change, event_id, tells=True):
    if change.changed:
        flash(message + _told(change, tells), "info")
    else:
        flash(_("Rien n'a changé."), "info")
    return redirect(event_home(event_id), 303)


@bp.get("/events/<int:event_id>/preview")
@access.roles(*STAFF)
def event_preview(event_id):
    """The public page of the event as the public would see it, drafts too."""
    event = access.find_or_404(Event, event_id)
    return event_page(
        event, template="admin/events/actions/preview.html", home=event_home(event.id)
    )


@bp.post("/events/<int:event_id>/publish")
@access.roles(*STAFF)
def event_publish(event_id):
    event = access.find_or_404(Event, event_id)
    return _button(event.id, "publish", operations.publish, _l("Activité publiée."))


@bp.post("/events/<int:event_id>/unpublish")
@access.roles(*STAFF)
def event_unpublish(event_id):
    event = access.find_or_404(Event, event_id)
    return _button(
        event.id,
        "unpublish",
        event_rules.unpublish,
        _l("Activité retirée de l'agenda : c'est de nouveau un brouillon."),
    )


def _button(event_id, name, operation, done):
    """A one-click action (a button's POST): done, or refused with a message; back home."""
    try:
        with unit_of_work(f"event {name}"):
            change = operation(event_id, access.actor())
    except EventRefused as refused:
        flash(refusal_message(refused.reason), "error")
        return redirect(event_home(event_id), 303)
    return _done(str(done), change, event_id, tells=False)


@bp.route("/events/<int:event_id>/cancel", methods=["GET", "POST"])
@access.roles(*STAFF)
def event_cancel(event_id):
    event = access.find_or_404(Event, event_id)
    return _with_reason(event, "cancel", CancelForm(), operations.cancel, _l("Activité annulée."))


@bp.route("/events/<int:event_id>/postpone", methods=["GET", "POST"])
@access.roles(*STAFF)
def event_postpone(event_id):
    event = access.find_or_404(Event, event_id)
    return _with_reason(
        event,
        "postpone",
        PostponeForm(),
        operations.postpone,
        _l("Activité reportée : déplacez-la dès que sa nouvelle date est connue."),
    )


def _with_reason(event, name, form, operation, done):
    """Cancel or postpone: a page asking the reason, then the operation."""
    template = f"admin/events/actions/{name}.html"
    if form.validate_on_submit():
        try:
            with unit_of_work(f"event {name}"):
                change = operation(
                    event.id,
                    access.actor(),
                    reason=form.reason_fr.data,
                    reason_nl=form.reason_nl.data or None,
                )
        except EventRefused as refused:
            return _page(template, event, form, refusal_message(refused.reason), 409)
        return _done(str(done), change, event.id)
    return _page(template, event, form, status=422 if request.method == "POST" else 200)


def _page(template, event, form, refusal=None, status=200, **context):
    """An action's page: the form, or why the action is not possible for this event."""
    name = template.rsplit("/", 1)[-1].removesuffix(".html")
    if refusal is None and name not in possible_actions(event):
        refusal = refusal_message(action_refusal(name, event.status))
    return render_template(
        template, event=event, form=form, refusal=refusal, home=event_home(event.id), **context
    ), status


@bp.route("/events/<int:event_id>/move", methods=["GET", "POST"])
@access.roles(*STAFF)
def event_move(event_id):
    """New date, times and place in one form; the registrants are told old → new."""
    event = access.find_or_404(Event, event_id)
    form = MoveForm()
    form.set_venues(_venues_within_scope())
    if request.method == "GET":
        form.fill_from(event.start_at, event.end_at)
        form.venue.data = event.venue_id or NO_VENUE
        form.room.data, form.online_url.data = event.room, event.online_url
    if form.validate_on_submit():
        start_at, end_at = form.times()
        try:
            with unit_of_work("event move"):
                change = operations.move(
                    event.id,
                    start_at,
                    end_at,
                    access.actor(),
                    venue_id=form.venue_id,
                    room=form.room.data or None,
                    online_url=form.online_url.data or None,
                    reason=form.reason_fr.data or None,
                    reason_nl=form.reason_nl.data or None,
                )
        except EventRefused as refused:
            return _page(
                "admin/events/actions/move.html", event, form, refusal_message(refused.reason), 409
            )
        return _done(_("Activité déplacée."), change, event.id)
    status = 422 if request.method == "POST" else 200
    return _page("admin/events/actions/move.html", event, form, status=status)


def _venues_within_scope():
    query = (
        scopes.venues_in(access.scope())
        .options(selectinload(Venue.commune))
        .order_by(Venue.name, Venue.id)
    )
    return db.session.scalars(query).all()


@bp.route("/events/<int:event_id>/delete", methods=["GET", "POST"])
@access.roles(*STAFF)
def event_delete(event_id):
    """Delete a draft, after a confirmation page."""
    event = access.find_or_404(Event, event_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        return _page("admin/events/actions/delete.html", event, form)
    title = event.title
    try:
        with unit_of_work("event delete"):
            event_rules.delete_draft(event.id, access.actor())
    except EventRefused as refused:
        return _page(
            "admin/events/actions/delete.html", event, form, refusal_message(refused.reason), 409
        )
    flash(_("Brouillon supprimé : %(title)s.", title=title), "info")
    for endpoint in ("admin.events", "admin.dashboard"):
        if endpoint in current_app.view_functions:
            return redirect(url_for(endpoint), 303)
    return redirect(url_for("admin.dashboard"), 303)


@bp.route("/events/<int:event_id>/next", methods=["GET", "POST"])
@access.roles(*STAFF)
def event_next(event_id):
    """Préparer la prochaine rencontre: a draft of the series' next meeting, its questions
    copied, no registrations."""
    source = access.find_or_404(Event, event_id)
    form = NextMeetingForm()
    if request.method == "GET":
        start, end = to_local(source.start_at), to_local(source.end_at)
        form.day.data = same_weekday_next_month(start.date())
        form.start.data, form.end.data = start.time(), end.time()
    if form.validate_on_submit():
        start_at, end_at = form.times()
        try:
            with unit_of_work("event next"):
                change = operations.duplicate_as_next(source.id, start_at, end_at, access.actor())
                copy_questions(source.id, change.event.id)
                new_id, title = change.event.id, change.event.title
        except EventRefused as refused:
            return _page(
                "admin/events/actions/next.html", source, form, refusal_message(refused.reason), 409
            )
        flash(_("Brouillon de la rencontre suivante créé : %(title)s.", title=title), "info")
        return redirect(event_home(new_id), 303)
    status = 422 if request.method == "POST" else 200
    number = operations.next_number(source)
    return _page(
        "admin/events/actions/next.html",
        source,
        form,
        status=status,
        number=number,
        next_title=operations.numbered_title(source.title, number),
    )
