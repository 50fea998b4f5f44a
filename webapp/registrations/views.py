"""Registering, the personal page behind a token, cancelling, erasing, the personal feed."""

from flask import Blueprint, abort, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from webapp import limits
from webapp.addresses import typed_address_key
from webapp.agenda.models import Event
from webapp.agenda.queries import public_event
from webapp.audit import Actor
from webapp.extensions import db, limiter
from webapp.feeds.http import calendar_response, validator_for
from webapp.pagecache import never_stored
from webapp.registrations import personal_data, prefill, rules
from webapp.registrations.calendars import TENTATIVE_NOTES, registrations_calendar
from webapp.registrations.forms import answers_from, fill_answers, registration_form_class
from webapp.registrations.meeting_links import page_link
from webapp.registrations.models import ACTIVE_STATUSES, Registration
from webapp.registrations.questions import event_questions
from webapp.tokens import find_by_token, find_by_token_or_404, is_token
from webapp.unit_of_work import unit_of_work
from webapp.vocabulary import current_language

bp = Blueprint("registrations", __name__)


@bp.app_template_global("registration_refusal")
def registration_refusal(event):
    """Why the event's page offers no registration form now, or None."""
    return rules.refusal_reason(event)


REFUSALS = {
    "not-published": lambda: _("Cette activité n'accepte pas d'inscription."),
    "cancelled": lambda: _("Cette activité est annulée : elle ne prend plus d'inscription."),
    "postponed": lambda: _(
        "Cette activité est reportée : les inscriptions reprendront quand sa nouvelle date "
        "sera connue."
    ),
    "no-registration": lambda: _("Cette activité est libre d'accès, sans inscription."),
    "past": lambda: _("Cette activité a déjà eu lieu : les inscriptions sont closes."),
    "not-yet-open": lambda: _("Les inscriptions ne sont pas encore ouvertes."),
    "closed": lambda: _("Les inscriptions sont closes."),
    "full": lambda: _("L'activité est complète et n'a pas de liste d'attente."),
    "mode-required": lambda: _("Choisissez sur place ou en ligne."),
}


def _event_and_address_key():
    """One bucket per event and address: a busy professional registers for many events."""
    address = (request.form.get("email") or "").strip() or limits.client_address()
    return f"{request.view_args.get('event_id')}:{typed_address_key(address)}"


def _mail_was_sent(response):
    """Only what sends a mail counts against an address: a new registration (303) or the
    personal link sent again; a form with errors never locks its address out."""
    return response.status_code == 303 or g.get("personal_link_resent", False)


def _event_or_404(event_id):
    event = public_event(event_id, selectinload(Event.venue), selectinload(Event.bassins))
    if event is None:
        abort(404)
    return event


def _registration_or_404(token):
    registration = find_by_token_or_404(Registration.token, token)
    return registration


@bp.route("/events/<int:event_id>/register", methods=["GET", "POST"])
@limiter.limit(limits.PUBLIC_FORM, methods=["POST"])
@limiter.limit(
    limits.MAILS_TO_ONE_ADDRESS,
    methods=["POST"],
    key_func=_event_and_address_key,
    deduct_when=_mail_was_sent,
)
def register(event_id):
    event = _event_or_404(event_id)
    questions = event_questions(event_id)
    reused = prefill.source()
    form_class = registration_form_class(
        questions, accredited=bool(event.accreditation), event=event
    )
    if request.method == "GET" and reused is not None:
        form = form_class(data=prefill.details(reused))
    else:
        form = form_class()
    refusal = rules.refusal_reason(event)
    if refusal:
        status = 200 if request.method == "GET" else 409
        return render_template(
            "registrations/register.html", event=event, form=None, refusal=REFUSALS[refusal]()
        ), status
    if form.validate_on_submit():
        try:
            with unit_of_work("register"):
                outcome = rules.register(
                    event_id,
                    form.person(),
                    answers_from(form, questions),
                    current_language(),
                    mode=form.mode.data if "mode" in form else None,
                    needs=frozenset(form.needs.data or ()),
                )
                # The answer is made before the commit: nothing after it (a database or a
                # Redis that stops answering) can turn a saved registration into an error.
                answer = _registered(event, outcome)
        except rules.RegistrationRefused as refused:
            return render_template(
                "registrations/register.html",
                event=event,
                form=None,
                refusal=REFUSALS[refused.reason](),
            ), 409
        g.personal_link_resent = not outcome.created  # saved: counts against the address
        return answer
    status = 422 if request.method == "POST" else 200
    return render_template(
        "registrations/register.html",
        event=event,
        form=form,
        questions=questions,
        reused=reused,
    ), status


def _registered(event, outcome):
    """The answer to a registration: the new registration's page, or the page saying that its
    personal link was sent again."""
    if not outcome.created:
        return render_template(
            "registrations/already.html", event=event, email=outcome.registration.email
        )
    return redirect(url_for(".manage", token=outcome.registration.token), 303)


# The personal pages show a person's data: no shared or browser cache may keep them.
PERSONAL_ENDPOINTS = frozenset(
    {
        "registrations.manage",
        "registrations.cancel",
        "registrations.erase",
        "registrations.register",
    }
)


never_stored(bp, PERSONAL_ENDPOINTS)


@bp.route("/registrations/<token>", methods=["GET", "POST"])
@limiter.limit(limits.PERSONAL_PAGE, methods=["POST"])
def manage(token):
    registration = _registration_or_404(token)
    questions = event_questions(registration.event_id)
    form_class = registration_form_class(
        questions, edit=True, accredited=bool(registration.event.accreditation)
    )
    form = form_class(obj=registration) if request.method == "GET" else form_class()
    if request.method == "GET":
        fill_answers(form, questions, registration.answers)
    saved = False
    if registration.is_active and form.validate_on_submit():
        with unit_of_work("update-details"):
            rules.update_details(registration.id, form.person(), answers_from(form, questions))
        saved = True
    elif request.method == "POST" and not registration.is_active:
        abort(409)
    return render_template(
        "registrations/manage.html",
        registration=registration,
        event=registration.event,
        form=form,
        questions=questions,
        position=rules.waitlist_position(registration),
        calendar_note=TENTATIVE_NOTES.get(registration.status),
        saved=saved,
        meeting=page_link(registration),
    ), (422 if request.method == "POST" and not saved else 200)


@bp.post("/registrations/<token>/reuse")
@limiter.limit(limits.PERSONAL_PAGE)
def reuse(token):
    """Register to another activity with the same details: marked in this browser's
    session (registrations/prefill.py), then on to the agenda."""
    registration = _registration_or_404(token)
    if registration.anonymised_at is not None or not registration.email:
        abort(404)
    prefill.remember(registration)
    return redirect(url_for("agenda.index"), 303)


@bp.post("/registrations/prefill/forget")
def forget_prefill():
    """Forms start empty again in this browser."""
    prefill.forget()
    target = request.form.get("event_id", "")
    if target.isascii() and target.isdigit() and 0 < int(target) < 2**31:
        return redirect(url_for(".register", event_id=int(target)), 303)
    return redirect(url_for("agenda.index"), 303)


@bp.route("/registrations/<token>/cancel", methods=["GET", "POST"])
def cancel(token):
    """GET asks for confirmation (a second step that needs no JavaScript); POST cancels."""
    registration = _registration_or_404(token)
    if request.method == "GET":
        if not registration.is_active:
            return redirect(url_for(".manage", token=token), 303)
        return _confirmation(registration, "cancel")
    with unit_of_work("cancel"):
        rules.cancel(registration.id, actor=Actor.personal_link(registration.id))
    return redirect(url_for(".manage", token=token, done="cancelled"), 303)


@bp.route("/registrations/<token>/erase", methods=["GET", "POST"])
def erase(token):
    """GET asks for confirmation; POST erases the person's data, for good."""
    registration = _registration_or_404(token)
    if request.method == "GET":
        if registration.anonymised_at is not None:
            return redirect(url_for(".manage", token=token), 303)
        return _confirmation(registration, "erase")
    with unit_of_work("erase"):
        personal_data.erase(registration.id)
    return render_template("registrations/erased.html")


def _confirmation(registration, action):
    return render_template(
        "registrations/confirm.html",
        registration=registration,
        event=registration.event,
        action=action,
    )


@bp.get("/calendar/<token>.ics")
def personal_feed(token):
    """A person's own feed: one registration, or everything that address is registered for.

    The link on the personal page (`calendar_token`) covers that registration alone: whoever
    typed an address into the form sees that page, and must not learn the address's other
    registrations. The link that lists them all (`mailbox_token`) is only ever sent by mail.
    """
    g.cookieless = True
    if not is_token(token):
        abort(404)
    owner = find_by_token(Registration.calendar_token, token)
    if owner is not None:
        # Cancelled, it lists nothing: the entry leaves the calendar, the link keeps
        # answering (a registration made again inherits it: rules.register).
        registrations = [owner] if owner.is_active else []
    else:
        owner = find_by_token(Registration.mailbox_token, token)
        registrations = _active_registrations_of(owner.email) if owner is not None else []
    if owner is None or owner.anonymised_at is not None or not owner.email:
        abort(404)
    language = owner.language or "fr"
    states = sorted((r.id, r.status, str(r.updated_at)) for r in registrations)
    event_ids = sorted(r.event_id for r in registrations)
    validator = validator_for(
        "personal", token, language, states, where=Event.id.in_(event_ids or [0])
    )

    def build():
        name = _("Mes inscriptions – bassins d'aide et de soins")
        return registrations_calendar(registrations, name=name, language=language)

    response = calendar_response(validator, build, filename="mes-inscriptions.ics")
    # Personal: no shared cache (proxy, CDN) may keep it.
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


def _active_registrations_of(email):
    if not email:
        return []
    return db.session.scalars(
        select(Registration)
        .where(Registration.email == email, Registration.status.in_(ACTIVE_STATUSES))
        .order_by(Registration.id)
        .options(selectinload(Registration.event))
    ).all()


@bp.get("/privacy")
def privacy():
    return render_template("registrations/privacy.html")
