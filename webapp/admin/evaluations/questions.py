"""Editing evaluation questions: the form template of each kind of event (admins,
/admin/evaluations/templates) and one event's copy (admins and bassin teams, while no answer
exists, /admin/events/<id>/evaluation/questions). One editor and one template for both."""

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _

from webapp.admin import access
from webapp.admin.blueprint import bp
from webapp.agenda.models import Event
from webapp.auth.states import AccountRole
from webapp.evaluations import editing
from webapp.evaluations.question_editor import TYPE_LABELS, editor_form, questions_from
from webapp.unit_of_work import unit_of_work
from webapp.vocabulary import KINDS

STAFF = (AccountRole.ADMIN, AccountRole.BASSIN)


@bp.get("/evaluations/templates")
@access.roles(AccountRole.ADMIN)
def evaluation_templates():
    kinds = [(kind, label, editing.template_of(kind)) for kind, label in KINDS.items()]
    return render_template("admin/evaluation_templates.html", kinds=kinds)


@bp.route("/evaluations/templates/<kind>", methods=["GET", "POST"])
@access.roles(AccountRole.ADMIN)
def evaluation_template(kind):
    if kind not in KINDS:
        abort(404)
    template = editing.template_of(kind)
    original = template.questions if template else []
    form = editor_form(original)
    if request.method == "POST":
        questions = questions_from(form, original, editing.answered_keys(kind))
        if questions is not None:
            with unit_of_work("evaluation-template"):
                editing.save_template(kind, questions, access.actor())
            flash(_("Questions enregistrées."), "info")
            return redirect(url_for("admin.evaluation_template", kind=kind), 303)
    return _editor(
        form,
        heading=_("Questions après : %(kind)s", kind=KINDS[kind]),
        intro=_(
            "Chaque activité de ce type reçoit une copie de ces questions quand son évaluation "
            "s'ouvre : les évaluations déjà ouvertes gardent leurs questions."
        ),
        back=url_for("admin.evaluation_templates"),
    )


@bp.route("/events/<int:event_id>/evaluation/questions", methods=["GET", "POST"])
@access.roles(*STAFF)
def evaluation_questions(event_id):
    event = access.find_or_404(Event, event_id)
    original = editing.event_questions(event)
    if original is None:
        abort(404)
    answered = editing.has_answers(event.id)
    form = editor_form(original)
    if request.method == "POST" and not answered:
        questions = questions_from(form, original)
        if questions is not None:
            try:
                with unit_of_work("evaluation-questions"):
                    editing.save_event_questions(event, questions, access.actor())
            except editing.Refused:
                answered = True
            else:
                flash(_("Questions enregistrées."), "info")
                return redirect(url_for("admin.evaluation_questions", event_id=event.id), 303)
    return _editor(
        form,
        heading=_("Questions de l'évaluation : %(title)s", title=event.title),
        intro=_(
            "Ces questions sont une copie de celles du type d'activité : ce que vous ajoutez "
            "ici ne vaut que pour cette activité."
        ),
        back=url_for("admin.evaluation", event_id=event.id),
        locked=answered,
        refused=answered and request.method == "POST",
    )


def _editor(form, heading, intro, back, locked=False, refused=False):
    refused = refused or (request.method == "POST" and not locked)
    page = render_template(
        "admin/evaluation_questions.html",
        form=form,
        heading=heading,
        intro=intro,
        back=back,
        locked=locked,
        types=TYPE_LABELS,
    )
    return make_response(page, 422 if refused else 200)
