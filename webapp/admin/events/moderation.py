"""The moderation queue of partners' proposals (/propose): accept, ask for changes, refuse with a
reason. A service's account proposes from here too, and follows its own proposals.
"""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.orm import selectinload
from wtforms import TextAreaField
from wtforms.validators import Length

from webapp.admin.access import actor, find_or_404, roles, scope
from webapp.admin.blueprint import bp
from webapp.extensions import db
from webapp.formfields import text
from webapp.proposals import rules
from webapp.proposals.forms import EventFieldsForm
from webapp.proposals.models import Proposal
from webapp.unit_of_work import unit_of_work
from webapp.vocabulary import current_language


class ChangesForm(FlaskForm):
    message = text(_l("Ce qui doit changer"), Length(max=2000), multiline=True, field=TextAreaField)


class RefusalForm(FlaskForm):
    reason = text(_l("Raison du refus"), Length(max=2000), multiline=True, field=TextAreaField)


REFUSALS = {
    "not-waiting": _l("Cette proposition n'attend plus de décision."),
    "not-open": _l("Cette proposition est déjà décidée."),
    "already-published": _l("Cette activité est déjà publiée."),
}


@bp.get("/proposals")
@roles("admin", "bassin")
def moderation():
    """The proposals naming one of the account's bassins (admins: all), waiting first."""
    proposals = db.session.scalars(
        rules.queue_for(scope()).options(selectinload(Proposal.event)).limit(200)
    ).all()
    return render_template("admin/moderation/queue.html", proposals=proposals)


@bp.get("/proposals/<int:proposal_id>")
@roles("admin", "bassin")
def moderation_proposal(proposal_id):
    proposal = find_or_404(Proposal, proposal_id)
    return _detail(proposal, ChangesForm(), RefusalForm())


def _detail(proposal, changes_form, refusal_form, status=200):
    return render_template(
        "admin/moderation/proposal.html",
        proposal=proposal,
        event=proposal.event,
        changes_form=changes_form,
        refusal_form=refusal_form,
        public_description=rules.public_description(proposal),
    ), status


@bp.post("/proposals/<int:proposal_id>/accept")
@roles("admin", "bassin")
def moderation_accept(proposal_id):
    proposal = find_or_404(Proposal, proposal_id)
    if _decide(rules.accept, proposal.id):
        flash(_("Proposition acceptée : l'activité est publiée."), "info")
    return redirect(url_for(".moderation_proposal", proposal_id=proposal.id), 303)


@bp.post("/proposals/<int:proposal_id>/changes")
@roles("admin", "bassin")
def moderation_changes(proposal_id):
    proposal = find_or_404(Proposal, proposal_id)
    form = ChangesForm()
    if not form.validate_on_submit():
        return _detail(proposal, form, RefusalForm(formdata=None), 422)
    if _decide(rules.ask_changes, proposal.id, form.message.data):
        flash(_("Demande de modifications envoyée."), "info")
    return redirect(url_for(".moderation_proposal", proposal_id=proposal.id), 303)


@bp.post("/proposals/<int:proposal_id>/refuse")
@roles("admin", "bassin")
def moderation_refuse(proposal_id):
    proposal = find_or_404(Proposal, proposal_id)
    form = RefusalForm()
    if not form.validate_on_submit():
        return _detail(proposal, ChangesForm(formdata=None), form, 422)
    if _decide(rules.refuse, proposal.id, form.reason.data):
        flash(_("Proposition refusée : l'activité reste un brouillon."), "info")
    return redirect(url_for(".moderation_proposal", proposal_id=proposal.id), 303)


def _decide(operation, proposal_id, *args):
    """Run a moderation operation in its unit of work; a refusal is flashed, not raised."""
    try:
        with unit_of_work(operation.__name__):
            operation(proposal_id, *args, actor=actor())
    except rules.ProposalRefused as refused:
        flash(str(REFUSALS.get(refused.reason, REFUSALS["not-open"])), "error")
        return False
    return True


@bp.route("/proposals/new", methods=["GET", "POST"])
@roles("service")
def propose_as_service():
    """A service proposes an event: its organisation and address are known, not typed."""
    organisation = current_user.organisation
    if organisation is None:
        abort(403)
    form = EventFieldsForm()
    if form.validate_on_submit():
        details = form.details()
        details.update(
            submitter_name=organisation.name,
            submitter_email=current_user.email,
            organisation_name=organisation.name,
        )
        try:
            with unit_of_work("propose-as-service"):
                rules.submit(
                    rules.Submission(details, tuple(form.bassins.data)),
                    current_language(),
                    actor=actor(),
                    account_id=current_user.id,
                    organiser_id=organisation.id,
                )
        except rules.ProposalRefused:
            flash(_("La proposition n'a pas pu être enregistrée : vérifiez les dates."), "error")
        else:
            flash(
                _("Proposition envoyée : elle attend la relecture de l'équipe du bassin."), "info"
            )
            return redirect(url_for(".my_proposals"), 303)
    status = 422 if request.method == "POST" else 200
    return render_template(
        "admin/moderation/new.html", form=form, organisation=organisation
    ), status


@bp.get("/proposals/mine")
@roles("service")
def my_proposals():
    """The service's own proposals and where each stands."""
    proposals = db.session.scalars(
        rules.queue_for(scope()).options(selectinload(Proposal.event)).limit(200)
    ).all()
    return render_template("admin/moderation/mine.html", proposals=proposals)
