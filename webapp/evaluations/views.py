"""/evaluations/<token> (a personal link, after an event or a Grand Bain visit) and
/evaluations/open/<token> (an event's walk-ins, one answer per client until 14 days after
the meeting): the form, then a thank-you that cannot be sent again."""

from flask import Blueprint, abort, current_app, make_response, render_template, request
from itsdangerous import BadSignature, URLSafeSerializer

from webapp import limits
from webapp.evaluations import about, answers, open_link, retention  # noqa: F401  listens
from webapp.evaluations.forms import evaluation_form, values_from
from webapp.evaluations.letters import last_day
from webapp.evaluations.models import EvaluationForm, Invitation
from webapp.extensions import limiter
from webapp.tokens import find_by_token, find_by_token_or_404
from webapp.unit_of_work import unit_of_work
from webapp.vocabulary import current_language

bp = Blueprint("evaluations", __name__)

OPEN_COOKIE = "evaluated"
OPEN_COOKIE_AGE = 60 * 60 * 24 * 60  # longer than a form stays open


@bp.after_request
def _private(response):
    # A token in the URL: no cache keeps the page, no link passes it on as a Referer.
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.route("/evaluations/<token>", methods=["GET", "POST"])
@limiter.limit(limits.EVALUATION, methods=["POST"])
def answer(token):
    invitation = find_by_token_or_404(Invitation.token, token)
    form_row = invitation.form
    subject = about.of_invitation(invitation, current_language())
    if invitation.answered:
        return _thanks(subject, 409 if request.method == "POST" else 200)
    if not form_row.is_open():
        return _closed(subject)
    form = evaluation_form(form_row.questions, current_language())
    if form.validate_on_submit():
        try:
            with unit_of_work("evaluation-answer"):
                answers.answer_invitation(
                    invitation.id, form_row, values_from(form, form_row.questions)
                )
        except answers.AlreadyAnswered:
            return _thanks(subject, 409)
        return _thanks(subject, 200)
    return _form(form_row, subject, form)


def _open_form_or_404(token):
    """An event's form by its open link (a Grand Bain offer's has none: visitors all have
    their own link)."""
    form_row = find_by_token(EvaluationForm.open_token, token)
    if form_row is None or form_row.event_id is None:
        abort(404)
    return form_row


def _serializer():
    return URLSafeSerializer(current_app.secret_key, salt="evaluations-open-link")


def _answered_here(form_row):
    """Whether this browser already answered this form (its signed cookie says so)."""
    try:
        done = _serializer().loads(request.cookies.get(OPEN_COOKIE, ""))
    except BadSignature:
        return False
    return isinstance(done, list) and form_row.id in done


@bp.route("/evaluations/open/<token>", methods=["GET", "POST"], endpoint="open_link")
@limiter.limit(limits.OPEN_EVALUATION, methods=["POST"])
def open_link_page(token):
    form_row = _open_form_or_404(token)
    subject = about.of_event(form_row.event, current_language())
    if _answered_here(form_row):
        return _thanks(subject, 409 if request.method == "POST" else 200)
    closes = open_link.closes_at(form_row)
    if not open_link.is_open(form_row):
        return _closed(subject, last_day(form_row, closes))
    client = open_link.client_key(form_row.id, limits.client_address(), current_app.secret_key)
    if open_link.has_claimed(form_row.id, client):
        return _answered_from_here(subject)
    form = evaluation_form(form_row.questions, current_language())
    if form.validate_on_submit():
        try:
            with unit_of_work("evaluation-open-answer"):
                answers.answer_open_link(form_row, values_from(form, form_row.questions), client)
        except answers.AlreadyAnswered:
            return _answered_from_here(subject)
        response = _thanks(subject, 200)
        response.set_cookie(
            OPEN_COOKIE,
            _serializer().dumps(_done_list(form_row)),
            max_age=OPEN_COOKIE_AGE,
            secure=request.is_secure,
            httponly=True,
            samesite="Lax",
            path="/evaluations/",
        )
        return response
    return _form(form_row, subject, form, closes)


def _done_list(form_row):
    try:
        done = _serializer().loads(request.cookies.get(OPEN_COOKIE, ""))
    except BadSignature:
        done = []
    done = [i for i in done if isinstance(i, int)][-19:] if isinstance(done, list) else []
    return done + [form_row.id]


def _form(form_row, subject, form, closes_at=None):
    status = 422 if request.method == "POST" else 200
    page = render_template(
        "evaluations/form.html",
        about=subject,
        questions=form_row.questions,
        form=form,
        last_day=last_day(form_row, closes_at),
    )
    return make_response(page, status)


def _thanks(subject, status):
    page = render_template("evaluations/thanks.html", about=subject)
    return make_response(page, status)


def _answered_from_here(subject):
    """This client's answer by the open link is in (another browser, a cleared cookie)."""
    page = render_template("evaluations/thanks.html", about=subject, from_here=True)
    return make_response(page, 409 if request.method == "POST" else 200)


def _closed(subject, until=None):
    """The form takes no more answers; `until`: the open link's last day, said on the page."""
    page = render_template("evaluations/closed.html", about=subject, until=until)
    return make_response(page, 410 if request.method == "POST" else 200)


# The host's own results register their route on `bp` when imported.
from webapp.evaluations import host_views  # noqa: E402, F401
