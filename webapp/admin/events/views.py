"""Events in the back office: the list within the account's scope, /admin/events/new and
/admin/events/<id>/edit (every field in French and Dutch, custom questions).

Saving an event and its questions is one unit of work: agenda.operations (which audits and
tells the registrants of a new time or place) and registrations.questions, all or nothing.
"""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from webapp.admin import access
from webapp.admin.blueprint import bp
from webapp.admin.events.forms import EventForm
from webapp.admin.listing import PER_PAGE, page_of, search_query
from webapp.agenda import operations
from webapp.agenda.models import Bassin, Event, Organisation, Series, Venue
from webapp.agenda.search import matches, words
from webapp.agenda.states import EventStatus
from webapp.auth import scopes
from webapp.auth.states import AccountRole
from webapp.extensions import db
from webapp.registrations import questions
from webapp.unit_of_work import unit_of_work
from webapp.vocabulary import EVENT_STATUSES

# What the operations may still refuse after the form's own checks (a registration or another
# edit in between): the field the message goes beside, and the message.
EVENT_REFUSALS = {
    "capacity-below-taken": (
        "capacity",
        lambda: _(
            "Des personnes se sont inscrites entre-temps : le nombre de places est trop petit."
        ),
    ),
    "mode-places-short": (
        "mode",
        lambda: _(
            "Les personnes inscrites gardent leur place dans le nouveau mode : prévoyez "
            "assez de places pour elles toutes."
        ),
    ),
    "ends-before-start": ("end_time", lambda: _("La fin doit venir après le début.")),
    "dates-required": ("start_day", lambda: _("Ce champ est obligatoire.")),
}
QUESTION_REFUSALS = {
    "options-required": lambda: _("Indiquez au moins une option, une par ligne."),
    "answered-option-removed": lambda: _(
        "Des personnes inscrites ont déjà choisi une option retirée : gardez-la (avec son "
        "code entre crochets)."
    ),
    "bad-option-value": lambda: _(
        "Le code entre crochets ne contient que des lettres minuscules, des chiffres et des tirets."
    ),
    "duplicate-option-value": lambda: _("Deux options ont le même code entre crochets."),
}


@bp.get("/events")
def events():
    """The events the account reaches, newest first, filtered by status, bassin and title."""
    statement = scopes.events_in(access.scope())
    status = request.args.get("status", "")
    if status in EVENT_STATUSES:
        statement = statement.where(Event.status == status)
    bassins = _filter_bassins()
    bassin = request.args.get("bassin", "")
    if bassin in {b.slug for b in bassins}:
        statement = statement.where(Event.bassins.any(Bassin.slug == bassin))
    query = search_query()
    if words(query):
        statement = statement.where(matches(query))
    page = page_of(db.session.scalar(select(func.count()).select_from(statement.subquery())))
    rows = db.session.scalars(
        statement.order_by(Event.start_at.desc(), Event.id.desc())
        .offset(page.offset)
        .limit(PER_PAGE)
        .options(selectinload(Event.bassins))
    ).all()
    return render_template(
        "admin/events/list.html",
        events=rows,
        page=page,
        filters={"status": status, "bassin": bassin, "q": query},
        bassins=bassins,
        statuses=EVENT_STATUSES,
        may_edit=_may_edit(),
    )


@bp.route("/events/new", methods=["GET", "POST"])
@access.roles("admin", "bassin")
def event_new():
    return _event_form_page(None)


@bp.route("/events/<int:event_id>/edit", methods=["GET", "POST"])
@access.roles("admin", "bassin")
def event_edit(event_id):
    return _event_form_page(access.find_or_404(Event, event_id))


def _event_form_page(event):
    own = _own_bassins()
    form = EventForm(
        places_taken=(event.confirmed_count or 0) if event else 0,
        online_taken=(event.online_confirmed_count or 0) if event else 0,
        own_bassins=[b.slug for b in own],
    )
    _offer_choices(form, own, event)
    if request.method == "GET":
        if event is not None:
            form.fill_from(event)
        else:
            _new_event_defaults(form, own)
        form.add_blank_questions()
        return _render(form, event)
    if event is not None and form.stale(event):
        problem = _(
            "Quelqu'un a modifié cette activité pendant que vous l'éditiez : ouvrez-la à "
            "nouveau pour voir ses valeurs actuelles, puis refaites vos changements."
        )
        return _render(form, event, problem), 409
    if form.validate():
        saved = _save(form, event, own)
        if saved is not None:
            flash(_("Activité enregistrée."), "info")
            return redirect(url_for(".event_edit", event_id=saved), 303)
    return _render(form, event), 422


def _save(form, event, own):
    """Save the event and its questions in one unit of work; the event's id, or None with
    the refusal shown beside its field."""
    rows = [row for row in form.questions if not (row.form.remove.data or row.form.is_blank)]
    items = form.question_items()
    known = {question.id for question in event.questions} if event is not None else set()
    if any(item["id"] is not None and item["id"] not in known for item in items):
        abort(404)  # another event's question, posted in a hidden field
    data = form.event_data(_chosen_bassins(form, event, own), event)
    actor = access.actor()
    try:
        with unit_of_work("event-form"):
            if event is None:
                change = operations.create_event(data, actor)
            else:
                change = operations.update_event(event.id, data, actor)
            questions.set_questions(change.event.id, items, actor)
            return change.event.id
    except operations.EventRefused as refused:
        if refused.reason not in EVENT_REFUSALS:
            abort(404)  # not-found: the event went away meanwhile
        name, message = EVENT_REFUSALS[refused.reason]
        form[name].errors.append(message())
    except questions.QuestionsRefused as refused:
        if refused.reason not in QUESTION_REFUSALS:
            abort(404)
        rows[refused.position].form.options.errors.append(QUESTION_REFUSALS[refused.reason]())
    return None


def _render(form, event, problem=None):
    foreign = [b for b in event.bassins if b.slug not in form.own_bassins] if event else []
    return render_template(
        "admin/events/form.html",
        form=form,
        event=event,
        problem=problem,
        kept_bassins=foreign,
        statuses=EVENT_STATUSES,
        is_public=event is not None and EventStatus(event.status).is_public,
        past_record=event is not None and operations.is_past_record(event),
    )


def _offer_choices(form, own, event):
    """The choices of the account's scope (bassins, venues, series, organisers), and those the
    event already has: an edit never drops a shared event's series for lack of a choice."""
    scope = access.scope()
    form.bassins.choices = [(b.slug, b.name) for b in own]
    venues = _rows(scopes.venues_in(scope), Venue, event and event.venue_id)
    form.venue_id.choices = _none() + [
        (str(v.id), f"{v.name} — {v.address}" if v.address else v.name)
        for v in sorted(venues, key=lambda v: (v.name, v.id))
    ]
    series = _rows(scopes.series_in(scope), Series, event and event.series_id)
    form.series_id.choices = _none() + [
        (str(s.id), s.title) for s in sorted(series, key=lambda s: (s.title_fr, s.id))
    ]
    organisations = _rows(
        scopes.organisations_in(scope), Organisation, event and event.organiser_id
    )
    form.organiser_id.choices = _none() + [
        (str(o.id), o.name) for o in sorted(organisations, key=lambda o: (o.name, o.id))
    ]


def _rows(statement, model, current_id):
    """The rows of a scoped SELECT, plus the event's current one (by id) if it is not there."""
    rows = list(db.session.scalars(statement))
    if current_id and current_id not in {row.id for row in rows}:
        current = db.session.get(model, current_id)
        rows += [current] if current is not None else []
    return rows


def _none():
    return [("", _("— aucun —"))]


def _new_event_defaults(form, own):
    form.kind.data = form.kind.data or "concertation"
    form.waitlist_enabled.data = True
    form.languages.data = ["fr"]
    if len(own) == 1:
        form.bassins.data = [own[0].slug]


def _chosen_bassins(form, event, own):
    """The bassins ticked among the account's own, plus those of a shared event that are not
    its own (shown read-only: a bassin never takes an event away from another)."""
    chosen = {b.slug for b in own if b.slug in form.bassins.data}
    kept = {b.slug for b in event.bassins if b.slug not in form.own_bassins} if event else set()
    return db.session.scalars(
        select(Bassin).where(Bassin.slug.in_(chosen | kept)).order_by(Bassin.slug)
    ).all()


def _own_bassins():
    """The bassins the account may put an event in: all for admins, its own for a team."""
    if access.is_admin():
        return db.session.scalars(select(Bassin).order_by(Bassin.slug)).all()
    return list(current_user.bassins)


def _filter_bassins():
    if access.role() is AccountRole.BASSIN:
        return _own_bassins()
    return db.session.scalars(select(Bassin).order_by(Bassin.slug)).all()


def _may_edit():
    return access.role() in (AccountRole.ADMIN, AccountRole.BASSIN)
