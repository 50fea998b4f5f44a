"""The invitation and reminder mails of an evaluation, for an event's registration or a
Grand Bain booking: in the person's language, written to the outbox in the caller's
transaction."""

import logging
from datetime import timedelta

from flask import render_template
from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from webapp.attestations import issue
from webapp.evaluations import about
from webapp.extensions import db
from webapp.grandbain.notices import visitor_reference
from webapp.mail.failures import traceback_for_log
from webapp.mail.outbox import queue_message
from webapp.registrations.notifications import reference
from webapp.timezones import to_local
from webapp.urls import absolute_url

logger = logging.getLogger(__name__)

# How the subject names the event: « Votre avis sur la concertation du 23 avril ».
WHAT = {
    "concertation": _l("la concertation"),
    "atelier-du-changement": _l("l'atelier du changement"),
    "formation": _l("la formation"),
    "grand-bain": _l("la visite du Grand Bain"),
    "rdv-prevention": _l("le rendez-vous de la prévention santé"),
}


def last_day(form, closes_at=None):
    """The last local day the form takes answers (or the open link, closing at `closes_at`),
    in the current language ('mardi 7 mai')."""
    closes_at = closes_at or form.closes_at
    return format_date(to_local(closes_at - timedelta(seconds=1)).date(), "full")


def _day(moment):
    return format_date(to_local(moment).date(), "d MMMM")


def subject(event, language):
    """« Votre avis sur la concertation du 23 avril » in the registrant's language."""
    with force_locale(language):
        what = WHAT.get(event.kind) or _("l'activité")
        return _("Votre avis sur %(what)s du %(day)s", what=what, day=_day(event.start_at))


def visit_subject(offer, start_at, language):
    """« Votre avis sur votre visite chez <host> du 14 octobre » in the visitor's language."""
    with force_locale(language):
        return _(
            "Votre avis sur votre visite chez %(host)s du %(day)s",
            host=offer.name,
            day=_day(start_at),
        )


def _addressee(invitation, language):
    """(address, subject, outbox reference, reply-to) of the invitation's person."""
    if invitation.booking_id is not None:
        booking = invitation.booking
        return (
            booking.visitor.email,
            visit_subject(booking.slot.offer, booking.slot.start_at, language),
            visitor_reference(booking.visitor_id),
            booking.slot.offer.reply_address,
        )
    registration = invitation.registration
    event = registration.event
    return (
        registration.email,
        subject(event, language),
        reference(registration.id),
        event.reply_address,
    )


def attestation_url(invitation):
    """The link to the person's attestation of participation, when she has one (marked
    present, the day after): the mail that invites her to evaluate carries it."""
    if invitation.booking_id is not None:
        booking = invitation.booking
        if issue.for_booking(booking) is None:
            return None
        return absolute_url(
            "attestations.visit_pdf", token=booking.visitor.token, booking_id=booking.id
        )
    registration = invitation.registration
    if issue.for_registration(registration) is None:
        return None
    return absolute_url("attestations.registration_pdf", token=registration.token)


def queue(invitation, kind):
    """Write the invitation or reminder in the invitation's language, in a SAVEPOINT: a
    message that cannot be written is logged and skipped (the claim stays)."""
    language = invitation.language or "fr"
    db.session.flush()
    email, title, outbox_reference, reply_to = _addressee(invitation, language)
    try:
        with db.session.begin_nested():
            with force_locale(language):
                context = {
                    "about": about.of_invitation(invitation, language),
                    "kind": kind,
                    "language": language,
                    "form_url": absolute_url(
                        "evaluations.answer", token=invitation.token, lang=language
                    ),
                    "last_day": last_day(invitation.form),
                    "reply_to": reply_to,
                    "attestation_url": attestation_url(invitation),
                }
                text = render_template("mail/evaluation_invitation.txt", **context)
                html = render_template("mail/evaluation_invitation.html", **context)
            queue_message(email, title, text, html, reference=outbox_reference, reply_to=reply_to)
            db.session.flush()
    except Exception as error:
        logger.error(
            "%s %s: the evaluation %s could not be queued (%s)",
            *invitation.person,
            kind,
            type(error).__name__,
            exc_info=traceback_for_log(error),
        )
