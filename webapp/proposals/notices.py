"""The mails a submitter receives at each step, written to the outbox in their language."""

from flask import render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from webapp.mail.outbox import queue_message
from webapp.urls import absolute_url

# kind -> (subject, opening line). The subject is followed by the event's title.
MESSAGES = {
    "received": (
        _l("Proposition reçue"),
        _l(
            "Merci : votre proposition est bien arrivée. L'équipe du bassin la relira avant de "
            "la publier dans l'agenda ; vous recevrez un e-mail à chaque étape."
        ),
    ),
    "resubmitted": (
        _l("Proposition modifiée reçue"),
        _l("Merci : votre proposition modifiée est bien arrivée. L'équipe du bassin va la relire."),
    ),
    "changes-requested": (
        _l("Modifications demandées"),
        _l(
            "L'équipe du bassin demande des modifications avant de publier votre proposition. "
            "Son message :"
        ),
    ),
    "accepted": (
        _l("Proposition acceptée"),
        _l("Bonne nouvelle : votre proposition est acceptée et publiée dans l'agenda."),
    ),
    "refused": (
        _l("Proposition non retenue"),
        _l(
            "Votre proposition n'a pas été retenue pour l'agenda. La raison donnée par l'équipe "
            "du bassin :"
        ),
    ),
}


def personal_url(proposal):
    """The submitter's own page: the state, and the form to edit when changes are asked."""
    return absolute_url("proposals.follow", token=proposal.token, lang=proposal.language)


def reference(proposal_id):
    """What the outbox calls a proposal's messages."""
    return f"proposal:{proposal_id}"


def queue(proposal, kind):
    """Write the message of that kind for this proposal to the outbox (no commit)."""
    subject, lead = MESSAGES[kind]
    language = proposal.language or "fr"
    event = proposal.event
    with force_locale(language):
        context = {
            "proposal": proposal,
            "event": event,
            "kind": kind,
            "lead": str(lead),
            "personal_url": personal_url(proposal),
            "event_url": absolute_url("agenda.event", event_id=event.id, lang=language)
            if kind == "accepted"
            else None,
            "language": language,
            "reply_to": event.team_address,
        }
        text = render_template("mail/proposal_notice.txt", **context)
        html = render_template("mail/proposal_notice.html", **context)
        title = event.localized("title", language)
        separator = " : " if language == "fr" else ": "
        full_subject = f"{subject}{separator}{title}"
    return queue_message(
        proposal.submitter_email,
        full_subject,
        text,
        html,
        reference=reference(proposal.id),
        reply_to=event.team_address,
    )
