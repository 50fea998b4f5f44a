"""The messages a registrant receives, written to the outbox in their own language."""

import logging

from flask import render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from webapp.extensions import db
from webapp.feeds.ical import calendar_text
from webapp.mail.failures import traceback_for_log
from webapp.mail.outbox import queue_message
from webapp.registrations.calendars import registrations_calendar
from webapp.registrations.meeting_links import link_for
from webapp.urls import absolute_url
from webapp.vocabulary import ACCOMMODATION_NEEDS

logger = logging.getLogger(__name__)

# kind -> (subject, opening line). The subject is followed by the event's title.
MESSAGES = {
    "registered-confirmed": (_l("Inscription confirmée"), _l("Votre inscription est confirmée.")),
    "registered-waitlisted": (
        _l("Liste d'attente"),
        _l(
            "L'activité est complète : vous êtes sur la liste d'attente. Si une place se libère, "
            "elle vous sera attribuée automatiquement et vous recevrez un e-mail."
        ),
    ),
    "registered-pending": (
        _l("Demande d'inscription reçue"),
        _l("Votre demande a bien été reçue. L'équipe organisatrice vous répondra après examen."),
    ),
    "already-registered": (
        _l("Votre lien personnel"),
        _l("Vous êtes déjà inscrit·e à cette activité. Voici à nouveau votre lien personnel."),
    ),
    "promoted": (
        _l("Une place s'est libérée : inscription confirmée"),
        _l(
            "Bonne nouvelle : une place s'est libérée et votre inscription est maintenant confirmée."  # noqa: E501
        ),
    ),
    "cancelled": (_l("Désinscription confirmée"), _l("Votre inscription est annulée.")),
    "approved-confirmed": (
        _l("Inscription acceptée"),
        _l("Votre demande a été acceptée : votre inscription est confirmée."),
    ),
    "approved-waitlisted": (
        _l("Inscription acceptée, liste d'attente"),
        _l(
            "Votre demande a été acceptée, mais l'activité est complète : vous êtes sur la liste "
            "d'attente."
        ),
    ),
    "refused": (
        _l("Demande d'inscription non retenue"),
        _l(
            "Votre demande d'inscription n'a pas pu être retenue. N'hésitez pas à contacter "
            "l'équipe organisatrice."
        ),
    ),
    "moved": (
        _l("Inscription déplacée"),
        _l(
            "L'équipe organisatrice a déplacé votre inscription vers une autre rencontre de la "
            "même série : voici la nouvelle date. L'ancienne est annulée."
        ),
    ),
    "reminder": (
        _l("Rappel"),
        _l("Petit rappel : l'activité à laquelle vous êtes inscrit·e a lieu bientôt."),
    ),
    "event-changed": (
        _l("Changement"),
        _l(
            "L'activité à laquelle vous êtes inscrit·e a changé (date, heure ou lieu). Voici les "
            "nouvelles informations ; l'entrée de votre agenda est mise à jour."
        ),
    ),
    "event-postponed": (
        _l("Activité reportée"),
        _l(
            "L'activité à laquelle vous êtes inscrit·e est reportée : sa nouvelle date n'est "
            "pas encore connue. Votre inscription est gardée et vous recevrez un e-mail dès "
            "qu'elle sera fixée."
        ),
    ),
    "event-cancelled": (
        _l("Activité annulée"),
        _l("L'activité à laquelle vous étiez inscrit·e est annulée."),
    ),
    "accommodation-arranged": (
        _l("Votre demande est organisée"),
        _l("Bonne nouvelle : l'équipe organisatrice a prévu ce que vous avez demandé."),
    ),
    "accommodation-not-possible": (
        _l("Votre demande"),
        _l(
            "L'équipe organisatrice n'a malheureusement pas pu organiser ce que vous avez "
            "demandé. N'hésitez pas à lui répondre pour en parler."
        ),
    ),
}
CANCELLING_KINDS = {"cancelled", "refused", "event-cancelled"}


def personal_url(registration):
    """The registrant's own page: status, changes, cancellation."""
    return absolute_url(
        "registrations.manage", token=registration.token, lang=registration.language
    )


def calendar_url(registration):
    """The feed of everything this address is registered for: for the mailbox only."""
    return absolute_url(
        "registrations.personal_feed", token=registration.mailbox_token, lang=registration.language
    )


def _attachment(registration, kind):
    """(ics text, METHOD) for the message: a new or updated entry, or its cancellation.

    A waitlisted or pending person gets a TENTATIVE entry that says why in its title; the
    mail that confirms them (promoted, approved) sends the same UID and SEQUENCE with a later
    DTSTAMP, which replaces it (RFC 5546 2.1.5). The SEQUENCE stays the event's own, so the
    event's later changes still reach the entry.
    """
    language = registration.language or "fr"
    attendee = (registration.email, _full_name(registration))
    if kind in CANCELLING_KINDS:
        # Cancelled here whatever the row says: an event's cancellation leaves it active.
        ics = calendar_text(
            [registration.event],
            method="CANCEL",
            language=language,
            cancelled_ids={registration.event_id},
            attendee=attendee,
        )
        return ics.decode("utf-8"), "CANCEL"
    if not registration.is_active:
        return None, None
    ics = registrations_calendar(
        [registration], language=language, method="REQUEST", attendee=attendee
    )
    return ics.decode("utf-8"), "REQUEST"


def _full_name(registration):
    return " ".join(n for n in (registration.first_name, registration.last_name) if n) or None


def reference(registration_id):
    """What the outbox calls a registration's messages, so erasure and purge find them."""
    return f"registration:{registration_id}"


def queue(registration, kind, change=None, about=None):
    """Write the message of that kind for this registration to the outbox (no commit).

    `change` (event_notices.ChangeNotice): what a moved or cancelled event was, and why.
    `about`: what the message answers (the accommodation asked for), named in its text.

    The message is written inside a SAVEPOINT: one that cannot be written (a template error,
    a value the database refuses) is logged and skipped, and never undoes the person's action.
    """
    if not registration.email:
        return None
    db.session.flush()  # the caller's own changes fail loudly, outside the savepoint
    try:
        with db.session.begin_nested():
            message = _write(registration, kind, change, about)
            db.session.flush()
        return message
    except Exception as error:
        logger.error(
            "registration %s: the %s message could not be queued (%s)",
            registration.id,
            kind,
            type(error).__name__,
            exc_info=traceback_for_log(error),
        )
        return None


def _write(registration, kind, change=None, about=None):
    """Render the message in the registrant's language and add it to the outbox."""
    subject, lead = MESSAGES[kind]
    with force_locale(registration.language or "fr"):
        context = {
            "registration": registration,
            "event": registration.event,
            "lead": str(lead),
            "kind": kind,
            "personal_url": personal_url(registration),
            "calendar_url": calendar_url(registration),
            "event_url": absolute_url(
                "agenda.event", event_id=registration.event_id, lang=registration.language
            ),
            "language": registration.language or "fr",
            "previous": change.previous if change else None,
            "reason": change.reason(registration.language or "fr") if change else None,
            "reply_to": registration.event.reply_address,
            # Confirmed online participants only: never a waitlisted or on-site person.
            "meeting_link": link_for(registration),
            "about": str(about) if about else None,
            "needs": [str(ACCOMMODATION_NEEDS[a.need]) for a in registration.accommodations],
        }
        title = registration.event.localized("title", registration.language)
        full_subject = (
            f"{subject} : {title}" if registration.language == "fr" else f"{subject}: {title}"
        )
        context["subject"] = full_subject
        text = render_template("mail/registration.txt", **context)
        html = render_template("mail/registration.html", **context)
    ics, method = _attachment(registration, kind)
    return queue_message(
        registration.email,
        full_subject,
        text,
        html,
        ics,
        method,
        reference=reference(registration.id),
        reply_to=registration.event.reply_address,
    )
