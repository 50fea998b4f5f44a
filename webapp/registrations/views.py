"""Registering, the personal page behind a token, cancelling, erasing, the personal feed."""

import re

from flask import Blueprint, abort, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from webapp.agenda.models import Event
from webapp.extensions import db, limiter
from webapp.feeds.http import calendar_response, validator_for
from webapp.feeds.ical import build_calendar, calendar_bytes
from webapp.registrations import rules
from webapp.registrations.forms import answers_from, fill_answers, registration_form_class
from webapp.registrations.models import Question, Registration
from webapp.vocabulary import current_language

bp = Blueprint("registrations", __name__)

TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{43}$")

REFUSALS = {
    "not-published": lambda: _("Cette activité n'accepte pas d'inscription."),
    "no-registration": lambda: _("Cette activité est libre d'accès, sans inscription."),
    "past": lambda: _("Cette activité a déjà eu lieu : les inscriptions sont closes."),
    "not-yet-open": lambda: _("Les inscriptions ne sont pas encore ouvertes."),
    "closed": lambda: _("Les inscriptions sont closes."),
    "full": lambda: _("L'activité est complète et n'a pas de liste d'attente."),
}


def _email_key():
    return (request.form.get("email") or "").strip().lower() or request.remote_addr


def _event_or_404(event_id):
    event = db.session.scalar(
        select(Event)
        .where(Event.id == event_id, Event.status.in_(("published", "cancelled", "postponed")))
        .options(selectinload(Event.venue), selectinload(Event.bassins))
    )
    if event is None:
        abort(404)
    return event


def _questions(event_id):
    return db.session.scalars(
        select(Question)
        .where(Question.event_id == event_id)
        .order_by(Question.position, Question.id)
    ).all()


def _registration_or_404(token):
    if not TOKEN_RE.match(token or ""):
        abort(404)
    registration = db.session.scalar(select(Registration).where(Registration.token == token))
    if registration is None:
        abort(404)
    return registration


@bp.route("/events/<int:event_id>/register", methods=["GET", "POST"])
@limiter.limit("20/minute;200/hour", methods=["POST"])
@limiter.limit("5/hour", methods=["POST"], key_func=_email_key)
def register(event_id):
    event = _event_or_404(event_id)
    questions = _questions(event_id)
    form = registration_form_class(questions)()
    refusal = rules.refusal_reason(event)
    if refusal:
        status = 200 if request.method == "GET" else 409
        return render_template(
            "registrations/register.html", event=event, form=None, refusal=REFUSALS[refusal]()
        ), status
    if form.validate_on_submit():
        try:
            outcome = rules.register(
                event_id, form.person(), answers_from(form, questions), current_language()
            )
        except rules.RegistrationRefused as refused:
            return render_template(
                "registrations/register.html",
                event=event,
                form=None,
                refusal=REFUSALS[refused.reason](),
            ), 409
        if not outcome.created:
            return render_template(
                "registrations/already.html", event=event, email=outcome.registration.email
            )
        return redirect(url_for(".manage", token=outcome.registration.token), 303)
    status = 422 if request.method == "POST" else 200
    return render_template(
        "registrations/register.html", event=event, form=form, questions=questions
    ), status


@bp.route("/registrations/<token>", methods=["GET", "POST"])
def manage(token):
    registration = _registration_or_404(token)
    questions = _questions(registration.event_id)
    form_class = registration_form_class(questions, edit=True)
    form = form_class(obj=registration) if request.method == "GET" else form_class()
    if request.method == "GET":
        fill_answers(form, questions, registration.answers)
    saved = False
    if registration.is_active and form.validate_on_submit():
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
        saved=saved,
    ), (422 if request.method == "POST" and not saved else 200)


@bp.post("/registrations/<token>/cancel")
def cancel(token):
    registration = _registration_or_404(token)
    rules.cancel(registration.id)
    return redirect(url_for(".manage", token=token, done="cancelled"), 303)


@bp.post("/registrations/<token>/erase")
def erase(token):
    registration = _registration_or_404(token)
    rules.erase(registration.id)
    return render_template("registrations/erased.html")


@bp.get("/calendar/<token>.ics")
def personal_feed(token):
    """Everything the person behind this calendar link is registered for."""
    g.cookieless = True
    if not TOKEN_RE.match(token or ""):
        abort(404)
    owner = db.session.scalar(select(Registration).where(Registration.calendar_token == token))
    if owner is None or not owner.email:
        abort(404)
    registrations = db.session.scalars(
        select(Registration)
        .where(
            Registration.email == owner.email,
            Registration.status.in_(("confirmed", "waitlisted", "pending")),
        )
        .options(selectinload(Registration.event))
    ).all()
    event_ids = sorted(r.event_id for r in registrations)
    states = sorted((r.id, r.status, str(r.updated_at)) for r in registrations)
    language = owner.language or "fr"
    validator = validator_for(
        "personal", token, language, states, where=Event.id.in_(event_ids or [0])
    )

    def build():
        name = _("Mes inscriptions – bassins d'aide et de soins")
        events = [r.event for r in registrations]
        return calendar_bytes(build_calendar(events, name=name, language=language))

    return calendar_response(validator, build, filename="mes-inscriptions.ics")


@bp.get("/privacy")
def privacy():
    return render_template("registrations/privacy.html")
