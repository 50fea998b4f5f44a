"""The participants of an event (/admin/events/<id>/participants): the list with its filters,
what organisers do to a registration (add, approve, refuse, promote, cancel, move), a message
to a group, and the list's CSV and XLSX exports.

Every registration id posted must be one of THIS event's, within the account's scope:
anything else is a 404 and nothing changes. Changes go through registrations.staff (the
event's row lock keeps the places exact).
"""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import func, select

from webapp import audit
from webapp.admin import exports
from webapp.admin.access import actor, find_all_or_404, find_or_404, roles, scope
from webapp.admin.blueprint import bp
from webapp.admin.participants.forms import (
    GROUPS,
    REGISTRATION_STATUSES,
    DecisionForm,
    MessageForm,
    RefuseForm,
    add_person_form,
)
from webapp.admin.participants.undelivered import undelivered_registrations
from webapp.agenda.models import Event
from webapp.agenda.search import fold
from webapp.audit_actions import AuditAction
from webapp.auth.scopes import event_filter
from webapp.extensions import db
from webapp.formfields import database_id
from webapp.registrations import accommodations, staff
from webapp.registrations.inami import printed_inami
from webapp.registrations.models import Registration
from webapp.registrations.questions import event_questions
from webapp.registrations.rules import RegistrationRefused
from webapp.registrations.states import QuestionKind, RegistrationStatus
from webapp.spreadsheets import yes_no
from webapp.timezones import utcnow
from webapp.unit_of_work import unit_of_work
from webapp.vocabulary import PLACE_MODES, sector_label

REFUSALS = {
    "full": _l("Plus aucune place libre : augmentez d'abord la capacité de l'activité."),
    "not-waitlisted": _l("Cette personne n'est plus sur la liste d'attente."),
    "not-same-series": _l("Choisissez une autre rencontre à venir de la même série."),
    "not-active": _l("Cette inscription est annulée."),
    "already-registered": _l("Cette personne est déjà inscrite à cette rencontre."),
    "not-published": _l("Cette activité n'accepte pas d'inscription."),
    "cancelled": _l("Cette activité est annulée."),
    "postponed": _l("Cette activité est reportée."),
    "no-registration": _l("Cette activité est sans inscription."),
    "past": _l("Cette activité a déjà eu lieu."),
}
# The filter that shows every registration, the cancelled ones included.
EVERY_STATUS = "all"
# Status order on the page: requests to decide first, then the places, the queue, the rest.
STATUS_ORDER = {"pending": 0, "confirmed": 1, "waitlisted": 2, "cancelled": 3}


def _event(event_id):
    return find_or_404(Event, event_id)


def _registration_of(event, registration_id):
    """A registration of this event within the scope, or a 404."""
    registration = find_or_404(Registration, registration_id)
    if registration.event_id != event.id:
        abort(404)
    return registration


def _posted_ids():
    """The registration ids a bulk form posted: every one a number, or a 404."""
    ids = [database_id(value) for value in request.form.getlist("registration")]
    if None in ids:
        abort(404)
    return ids


def listed(event_id, status=None, query=None):
    """The event's registrations (cancelled ones only when asked), in page order, with the
    waitlist positions: [(registration, position or None)]."""
    rows = db.session.scalars(
        select(Registration).where(Registration.event_id == event_id).order_by(Registration.id)
    ).all()
    positions, waiting = {}, 0
    for row in rows:
        if row.status == RegistrationStatus.WAITLISTED:
            waiting += 1
            positions[row.id] = waiting
    if status == EVERY_STATUS:
        pass
    elif status in REGISTRATION_STATUSES:
        rows = [r for r in rows if r.status == status]
    else:
        rows = [r for r in rows if r.is_active]
    rows = matching(rows, query)
    rows.sort(key=lambda r: (STATUS_ORDER[r.status], positions.get(r.id, 0), _name_key(r)))
    return [(r, positions.get(r.id)) for r in rows]


def matching(registrations, query):
    """Those whose name or organisation holds every word of the query (accents and case
    aside)."""
    words = fold(query or "").split()
    if not words:
        return list(registrations)
    return [r for r in registrations if all(w in _searched(r) for w in words)]


def _searched(registration):
    parts = (registration.first_name, registration.last_name, registration.organisation)
    return fold(" ".join(filter(None, parts)))


def _name_key(registration):
    return (fold(registration.last_name or ""), fold(registration.first_name or ""))


def by_name(registrations):
    """Sorted by last name, then first name, as a reader expects (É with E)."""
    return sorted(registrations, key=lambda r: (*_name_key(r), r.id))


def answer_text(question, value):
    """An answer as a person reads it (the option's label, Oui/Non)."""
    if value in (None, "", []):
        return ""
    if question.kind == QuestionKind.YES_NO:
        return _("Oui") if value == "yes" else _("Non")
    if isinstance(value, list):
        return ", ".join(question.option_label(v) for v in value)
    if question.kind == QuestionKind.CHOICE:
        return question.option_label(value)
    return str(value)


def columns(questions, accredited=False):
    """What a list can show: (key, header, value of a (registration, position) row); the
    INAMI number for an accredited training."""
    fixed = [
        ("last_name", _("Nom"), lambda r, p: r.last_name),
        ("first_name", _("Prénom"), lambda r, p: r.first_name),
        ("email", _("Adresse e-mail"), lambda r, p: r.email),
        ("organisation", _("Organisation"), lambda r, p: r.organisation),
        ("sector", _("Secteur"), lambda r, p: sector_label(r.sector) if r.sector else ""),
        ("job_title", _("Fonction"), lambda r, p: r.job_title),
        ("commune", _("Commune"), lambda r, p: r.commune),
        ("status", _("Statut"), lambda r, p: _status_text(r)),
        ("mode", _("Participation"), lambda r, p: str(PLACE_MODES.get(r.mode, r.mode))),
        ("position", _("Place en liste d'attente"), lambda r, p: p),
        ("registered_at", _("Inscrit·e le"), lambda r, p: r.created_at),
        ("attended", _("Présent·e"), lambda r, p: yes_no(r.attended)),
    ]
    if accredited:
        fixed.append(
            ("inami_number", _("Numéro INAMI"), lambda r, p: printed_inami(r.inami_number))
        )
    asked = [
        (
            f"question_{q.id}",
            q.label_fr,
            lambda r, p, q=q: answer_text(q, (r.answers or {}).get(str(q.id))),
        )
        for q in questions
    ]
    return fixed + asked


@bp.app_template_global("registration_status_text")
def _status_text(registration):
    """A registration's status as lists and exports say it (a declined request: Refusé·e)."""
    if registration.walk_in:
        return _("Sur place, sans inscription")
    if registration.was_refused:
        return _("Refusé·e")
    return str(REGISTRATION_STATUSES[registration.status])


@bp.route("/events/<int:event_id>/participants")
@roles("admin", "bassin", "service")
def participants(event_id):
    return _page(_event(event_id))


def _page(event, status=200, **forms):
    """The participants page; `forms` carry what a refused post typed, with its errors."""
    questions = event_questions(event.id)
    chosen_status = request.args.get("status", "")
    query = request.args.get("q", "").strip()[:100]
    return render_template(
        "admin/participants/list.html",
        event=event,
        rows=listed(event.id, chosen_status, query),
        counts=_counts(event.id),
        questions=questions,
        answer_text=answer_text,
        columns=columns(questions, bool(event.accreditation)),
        statuses=REGISTRATION_STATUSES,
        chosen_status=chosen_status,
        query=query,
        add_form=forms.get("add_form") or add_person_form(event),
        message_form=forms.get("message_form") or MessageForm(prefix="message"),
        decision_form=forms.get("decision_form") or DecisionForm(prefix="bulk"),
        meetings=staff.meetings_to_move_to(event, event_filter(scope())),
        sector_label=sector_label,
        undelivered=undelivered_registrations(scope(), event.id),
        has_begun=event.start_at <= utcnow(),
        accommodations_open=accommodations.waiting_count(event.id),
    ), status


def _counts(event_id):
    counts = dict.fromkeys(REGISTRATION_STATUSES, 0)
    counts.update(
        db.session.execute(
            select(Registration.status, func.count())
            .where(Registration.event_id == event_id)
            .group_by(Registration.status)
        ).all()
    )
    return counts


def _back(event):
    return redirect(url_for("admin.participants", event_id=event.id, **_kept_filters()), 303)


def _kept_filters():
    return {k: request.args[k] for k in ("status", "q") if request.args.get(k)}


def _refused(event, refusal):
    flash(str(REFUSALS.get(refusal.reason, refusal.reason)), "error")
    return _back(event)


@bp.post("/events/<int:event_id>/participants/add")
@roles("admin", "bassin", "service")
def participant_add(event_id):
    event = _event(event_id)
    form = add_person_form(event)
    if not form.validate():
        return _page(event, status=422, add_form=form)
    try:
        with unit_of_work("participant-add"):
            mode = form.mode.data if event.mode == "hybrid" else None
            outcome = staff.add_by_hand(event.id, form.person(), {}, actor(), mode=mode)
    except RegistrationRefused as refused:
        return _refused(event, refused)
    if outcome.created:
        flash(
            _(
                "%(name)s est inscrit·e : %(status)s.",
                name=outcome.registration.full_name,
                status=REGISTRATION_STATUSES[outcome.registration.status],
            ),
            "info",
        )
    else:
        flash(_("Cette adresse est déjà inscrite à cette activité."), "error")
    return _back(event)


@bp.post("/events/<int:event_id>/participants/decide")
@roles("admin", "bassin", "service")
def participants_decide(event_id):
    """Approve or refuse pending requests, one or several at once."""
    event = _event(event_id)
    ids = _posted_ids()
    found = find_all_or_404(Registration, ids)
    if any(r.event_id != event.id for r in found):
        abort(404)
    form = DecisionForm(prefix="bulk")
    if not form.validate():
        return _page(event, status=422, decision_form=form)
    if not found:
        flash(_("Cochez au moins une demande."), "error")
        return _back(event)
    with unit_of_work("participants-decide"):
        for registration in found:
            if form.decision.data == "approve":
                staff.approve(event.id, registration.id, actor())
            else:
                staff.refuse(event.id, registration.id, actor(), form.reason.data)
    flash(ngettext("%(num)d demande traitée.", "%(num)d demandes traitées.", len(found)), "info")
    return _back(event)


@bp.route(
    "/events/<int:event_id>/participants/<int:registration_id>/refuse", methods=["GET", "POST"]
)
@roles("admin", "bassin", "service")
def participant_refuse(event_id, registration_id):
    """Refuse one request: a page that asks the reason."""
    event = _event(event_id)
    registration = _registration_of(event, registration_id)
    form = RefuseForm()
    if form.validate_on_submit():
        with unit_of_work("participant-refuse"):
            staff.refuse(event.id, registration.id, actor(), form.reason.data)
        flash(_("Demande refusée."), "info")
        return _back(event)
    return render_template(
        "admin/participants/refuse.html", event=event, registration=registration, form=form
    ), (422 if request.method == "POST" else 200)


@bp.post("/events/<int:event_id>/participants/<int:registration_id>/<any(promote, cancel):action>")
@roles("admin", "bassin", "service")
def participant_action(event_id, registration_id, action):
    event = _event(event_id)
    registration = _registration_of(event, registration_id)
    if action == "cancel" and request.form.get("confirm") != "yes":
        # One click in a long list must not cancel someone (and hand the place to the
        # waitlist): the row's button leads here, the page's own button confirms.
        return render_template(
            "admin/participants/cancel.html", event=event, registration=registration
        )
    operation = staff.promote if action == "promote" else staff.cancel
    try:
        with unit_of_work(f"participant-{action}"):
            operation(event.id, registration.id, actor())
    except RegistrationRefused as refused:
        return _refused(event, refused)
    done = _("Inscription confirmée.") if action == "promote" else _("Inscription annulée.")
    flash(done, "info")
    return _back(event)


@bp.post("/events/<int:event_id>/participants/<int:registration_id>/move")
@roles("admin", "bassin", "service")
def participant_move(event_id, registration_id):
    event = _event(event_id)
    registration = _registration_of(event, registration_id)
    target_id = database_id(request.form.get("target"))
    if target_id is None:
        abort(404)
    target = find_or_404(Event, target_id)
    try:
        with unit_of_work("participant-move"):
            staff.move(event.id, registration.id, target.id, actor())
    except RegistrationRefused as refused:
        return _refused(event, refused)
    flash(_("Inscription déplacée vers « %(title)s ».", title=target.title), "info")
    return _back(event)


@bp.post("/events/<int:event_id>/participants/message")
@roles("admin", "bassin", "service")
def participants_message(event_id):
    event = _event(event_id)
    form = MessageForm(prefix="message")
    if not form.validate():
        return _page(event, status=422, message_form=form)
    _label, statuses = GROUPS[form.group.data]
    with unit_of_work("participants-message"):
        sent = staff.write_to(event.id, statuses, form.subject.data, form.body.data, actor())
    flash(
        ngettext(
            "Message mis en file d'envoi pour %(num)d personne.",
            "Message mis en file d'envoi pour %(num)d personnes.",
            sent,
        ),
        "info",
    )
    return _back(event)


@bp.get("/events/<int:event_id>/participants.<any(csv, xlsx):extension>")
@roles("admin", "bassin", "service")
def participants_export(event_id, extension):
    """The list with the columns chosen on the page (`column`, repeated), as CSV or XLSX."""
    event = _event(event_id)
    available = columns(event_questions(event.id), bool(event.accreditation))
    wanted = set(request.args.getlist("column"))
    chosen = [c for c in available if c[0] in wanted]
    if not chosen:
        flash(_("Choisissez au moins une colonne à exporter."), "error")
        return _back(event)
    rows = listed(event.id, request.args.get("status", ""), request.args.get("q", "")[:100])
    headers = [header for _key, header, _value in chosen]
    values = [[value(r, p) for _key, _header, value in chosen] for r, p in rows]
    with unit_of_work("participants-export"):
        audit.record(
            actor(),
            AuditAction.EVENT_PARTICIPANTS_EXPORTED,
            "event",
            event.id,
            None,
            {"format": extension, "columns": [key for key, _h, _v in chosen], "rows": len(rows)},
        )
    name = exports.download_name(f"participants-{event.id}", event.title_fr, extension)
    return exports.download(extension, event.title_fr, headers, values, name)
