"""/propose: a partner proposes an event (no account); /propose/<token>: the submitter's own
page, where they follow the moderation and, when changes are asked, edit and resubmit."""

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _

from webapp import limits
from webapp.addresses import typed_address_key
from webapp.extensions import limiter
from webapp.pagecache import never_stored
from webapp.proposals import rules
from webapp.proposals.forms import EventFieldsForm, ProposalForm
from webapp.proposals.models import Proposal
from webapp.proposals.states import ProposalStatus, state_labels
from webapp.tokens import find_by_token_or_404
from webapp.unit_of_work import unit_of_work
from webapp.vocabulary import current_language

bp = Blueprint("proposals", __name__)

# The submitter's page shows their proposal and their address: no cache may keep it.
PERSONAL_ENDPOINTS = frozenset({"proposals.follow"})

REFUSALS = {
    "ends-before-start": lambda: _("La fin doit suivre le début."),
    "dates-required": lambda: _("Ce champ est obligatoire."),
    "bassin-needed": lambda: _("Choisissez au moins un bassin."),
    "unknown-bassin": lambda: _("Choisissez des bassins de la liste."),
    "no-changes-requested": lambda: _(
        "Cette proposition n'attend pas de modification : elle ne peut plus être changée ici."
    ),
}


@bp.app_context_processor
def _state_labels():
    return {"PROPOSAL_STATES": state_labels()}


never_stored(bp, PERSONAL_ENDPOINTS)


def _address_key():
    """One bucket per typed address (hashed: no address in the limiter's store)."""
    return "propose:" + typed_address_key(
        request.form.get("submitter_email") or limits.client_address()
    )


def _sent(response):
    """Only what sends a mail counts against an address: a form with errors locks no one out."""
    return response.status_code == 303


@bp.route("/propose", methods=["GET", "POST"])
@limiter.limit(limits.SUBMISSION, methods=["POST"])
@limiter.limit(
    limits.MAILS_TO_ONE_ADDRESS, methods=["POST"], key_func=_address_key, deduct_when=_sent
)
def propose():
    form = ProposalForm()
    refusal = None
    if form.validate_on_submit():
        details = form.details()
        try:
            with unit_of_work("propose"):
                rules.submit(
                    rules.Submission(details, tuple(form.bassins.data)), current_language()
                )
        except rules.ProposalRefused as refused:
            refusal = REFUSALS.get(refused.reason, REFUSALS["dates-required"])()
        else:
            return redirect(url_for(".thanks"), 303)
    status = 422 if request.method == "POST" else 200
    return render_template("proposals/propose.html", form=form, refusal=refusal), status


@bp.get("/propose/thanks")
def thanks():
    return render_template("proposals/thanks.html")


@bp.route("/propose/<token>", methods=["GET", "POST"])
@limiter.limit(limits.PERSONAL_PAGE, methods=["POST"])
def follow(token):
    """The proposal's state; when changes are asked, the form to edit and resubmit it."""
    proposal = find_by_token_or_404(Proposal.token, token)
    editable = proposal.state is ProposalStatus.CHANGES_REQUESTED
    form = None
    refusal = None
    if editable:
        form = EventFieldsForm()
        if request.method == "GET":
            form.fill_from(proposal)
        elif form.validate_on_submit():
            try:
                with unit_of_work("resubmit"):
                    rules.resubmit(
                        proposal.id, rules.Submission(form.details(), tuple(form.bassins.data))
                    )
            except rules.ProposalRefused as refused:
                refusal = REFUSALS.get(refused.reason, REFUSALS["dates-required"])()
            else:
                return redirect(url_for(".follow", token=token, done="resubmitted"), 303)
    elif request.method == "POST":
        abort(409)
    status = 422 if request.method == "POST" else 200
    return render_template(
        "proposals/follow.html",
        proposal=proposal,
        event=proposal.event,
        form=form,
        refusal=refusal,
        done=request.args.get("done"),
    ), status
