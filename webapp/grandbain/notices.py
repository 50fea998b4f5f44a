"""The Grand Bain's messages, written to the outbox in the caller's transaction.

Visitors: their visits booked (all of them in one message, one .ics with one VEVENT per
visit), a place found on a waitlist, a cancellation, a reminder, a request refused because of
the visits booked earlier. Each carries the link to all her visits and the cancel link of
each visit: only the mailbox owner holds them, whoever typed her address. Hosts: each booking and
cancellation, and the answers to their offer. Each message is written inside a SAVEPOINT:
one that cannot be written is logged and skipped, and never undoes the person's action.
"""

import logging

from flask import render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from webapp.extensions import db
from webapp.feeds.ical import entries_text
from webapp.grandbain.calendar import visit_entries
from webapp.grandbain.models import Booking, Slot, Visitor
from webapp.grandbain.states import ACTIVE_BOOKINGS
from webapp.mail import deferred
from webapp.mail.failures import traceback_for_log
from webapp.mail.outbox import queue_message
from webapp.urls import absolute_url

logger = logging.getLogger(__name__)

# The names the worker writes a booking's notices by (mail.deferred).
VISITOR_WRITER = "grand-bain-visitor"
HOST_WRITER = "grand-bain-host"

# kind -> (subject, opening line)
VISITOR_MESSAGES = {
    "booked": (
        _l("Grand Bain : vos visites"),
        _l("Voici les visites que vous avez réservées."),
    ),
    "promoted": (
        _l("Grand Bain : une place s'est libérée"),
        _l("Bonne nouvelle : une place s'est libérée, votre visite est confirmée."),
    ),
    "cancelled": (
        _l("Grand Bain : visite annulée"),
        _l("Ces visites sont annulées, à votre demande."),
    ),
    "reminder": (
        _l("Grand Bain : rappel de votre visite"),
        _l("Petit rappel : votre visite a lieu dans deux jours."),
    ),
}
REFUSAL_SUBJECT = _l("Grand Bain : visites non réservées")
HOST_MESSAGES = {
    "booked": (
        _l("Grand Bain : nouvelle réservation"),
        _l("Une personne a réservé une visite chez vous."),
    ),
    "cancelled": (
        _l("Grand Bain : visite annulée"),
        _l("Une personne a annulé sa visite chez vous."),
    ),
}
OFFER_MESSAGES = {
    "received": (
        _l("Grand Bain : votre offre est reçue"),
        _l(
            "Merci ! Votre offre de visite est bien reçue. L'équipe du bassin la relira et vous "
            "répondra. Vous pouvez la modifier d'ici là grâce à votre lien personnel."
        ),
    ),
    "accepted": (
        _l("Grand Bain : votre offre est acceptée"),
        _l(
            "Votre offre est acceptée : elle paraîtra au programme. Votre lien personnel vous "
            "montrera les personnes inscrites à vos visites."
        ),
    ),
    "changes_requested": (
        _l("Grand Bain : une modification est demandée"),
        _l(
            "L'équipe du bassin vous demande de modifier votre offre, grâce à votre lien personnel."
        ),
    ),
    "refused": (
        _l("Grand Bain : votre offre n'est pas retenue"),
        _l("L'équipe du bassin ne peut pas retenir votre offre cette année."),
    ),
}


def visitor_reference(visitor_id):
    """What the outbox calls a visitor's messages (notices, her hosts' and evaluations' mail),
    so erasure and purge find them."""
    return f"grand-bain-visitor:{visitor_id}"


def offer_reference(offer_id):
    """What the outbox calls the messages to an offer's contact person, so the purge finds
    them."""
    return f"grand-bain-offer:{offer_id}"


def personal_url(visitor, language):
    """The page of every visit of the address: only ever sent by mail."""
    return absolute_url("grandbain.visits", token=visitor.token, lang=language)


def to_visitor(visitor, kind, bookings):
    """The visitor's message about these bookings, with their calendar entries and, for each
    visit still active, its cancel link (a visit someone else booked in her name is undone
    from the mail)."""
    return _safely(
        lambda: queue_message(**_visitor_message(visitor, kind, bookings)),
        "visitor",
        visitor.id,
        kind,
    )


def defer_to_visitor(visitor, kind, bookings):
    """to_visitor's message, recorded now and written by the worker (mail.deferred): what it
    says of each booking is its status as it stands now."""
    facts = {
        "visitor": visitor.id,
        "kind": kind,
        "bookings": [[booking.id, booking.status] for booking in bookings],
    }
    return _deferring(
        visitor.email, VISITOR_WRITER, facts, visitor_reference(visitor.id), "visitor", visitor.id
    )


@deferred.writer(VISITOR_WRITER)
def _write_to_visitor(facts):
    visitor = db.session.get(Visitor, facts["visitor"])
    statuses = dict(facts["bookings"])
    found = {
        booking.id: booking
        for booking in db.session.scalars(
            select(Booking)
            .where(Booking.id.in_(statuses))
            .options(joinedload(Booking.slot).joinedload(Slot.offer))
        )
    }
    if visitor is None or visitor.anonymised_at is not None or len(found) != len(statuses):
        return None  # erased or purged since: nobody to tell
    bookings = [
        _AsThen(found[booking_id], status=status) for booking_id, status in statuses.items()
    ]
    return _visitor_message(visitor, facts["kind"], bookings)


def _visitor_message(visitor, kind, bookings):
    """queue_message's arguments for to_visitor."""
    subject, lead = VISITOR_MESSAGES[kind]
    language = visitor.language or "fr"
    reply_to = _reply_address([booking.slot for booking in bookings])
    with force_locale(language):
        context = {
            "visitor": visitor,
            "bookings": bookings,
            "kind": kind,
            "lead": str(lead),
            "language": language,
            "personal_url": personal_url(visitor, language),
            "reply_to": reply_to,
            "cancel_urls": {
                booking.id: absolute_url(
                    "grandbain.cancel_visit",
                    token=visitor.token,
                    booking_id=booking.id,
                    lang=language,
                )
                for booking in bookings
                if booking.is_active and kind != "cancelled"
            },
        }
        text = render_template("mail/grand_bain_visitor.txt", **context)
        html = render_template("mail/grand_bain_visitor.html", **context)
        method = "CANCEL" if kind == "cancelled" else "REQUEST"
        attendee = (visitor.email, f"{visitor.first_name} {visitor.last_name}".strip())
        ics = entries_text(
            visit_entries(bookings, language), method=method, attendee=attendee
        ).decode()
        return {
            "recipient": visitor.email,
            "subject": str(subject),
            "body_text": text,
            "body_html": html,
            "ics": ics,
            "ics_method": method,
            "reference": visitor_reference(visitor.id),
            "reply_to": reply_to,
        }


def refusal_to_visitor(visitor, slots, reason, problems):
    """Why the visits asked for (`slots`) were not booked, when the reason lies in the visits
    the address booked earlier (rules.BookingRefused.private): the page that asked only says
    a mail was sent. `problems`: slot id -> rules.SlotProblem; `reason` "cap": the cap."""
    language = visitor.language or "fr"
    edition = visitor.edition

    def write():
        with force_locale(language):
            context = {
                "visitor": visitor,
                "slots": slots,
                "problems": problems,
                "cap": edition.max_visits_per_visitor if reason == "cap" else None,
                "year": edition.year,
                "language": language,
                "personal_url": personal_url(visitor, language),
                "reply_to": _reply_address(slots),
            }
            text = render_template("mail/grand_bain_refused.txt", **context)
            html = render_template("mail/grand_bain_refused.html", **context)
            return queue_message(
                visitor.email,
                str(REFUSAL_SUBJECT),
                text,
                html,
                reference=visitor_reference(visitor.id),
                reply_to=context["reply_to"],
            )

    return _safely(write, "visitor", visitor.id, "refused")


def _reply_address(slots):
    """The host's contact when the slots are one offer's, else the Grand Bain team."""
    offers = {slot.offer.id: slot.offer for slot in slots}
    if len(offers) == 1:
        return next(iter(offers.values())).reply_address
    return next((offer.team_address for offer in offers.values() if offer.team_address), None)


def to_host(booking, kind):
    """The host's notice of one booking or cancellation: who comes, with the question."""
    offer = booking.slot.offer
    if offer.contact_email is None:  # cleared by the purge: nobody to tell
        return None
    return _safely(lambda: queue_message(**_host_message(booking, kind)), "offer", offer.id, kind)


def defer_to_host(booking, kind):
    """to_host's notice, recorded now and written by the worker (mail.deferred): the places
    it counts are those booked as it is recorded."""
    offer = booking.slot.offer
    if offer.contact_email is None:
        return None
    facts = {"booking": booking.id, "kind": kind, "booked_count": booking.slot.booked_count}
    return _deferring(
        offer.contact_email, HOST_WRITER, facts, offer_reference(offer.id), "offer", offer.id
    )


@deferred.writer(HOST_WRITER)
def _write_to_host(facts):
    booking = db.session.get(
        Booking,
        facts["booking"],
        options=[joinedload(Booking.slot).joinedload(Slot.offer), joinedload(Booking.visitor)],
    )
    if booking is None or booking.slot.offer.contact_email is None:
        return None  # purged since: nobody to tell
    slot = _AsThen(booking.slot, booked_count=facts["booked_count"])
    return _host_message(_AsThen(booking, slot=slot), facts["kind"])


def _host_message(booking, kind):
    subject, lead = HOST_MESSAGES[kind]
    return _offer_contact_message(
        booking.slot.offer,
        kind,
        subject,
        lead,
        "grand_bain_host",
        booking=booking,
        visitor=booking.visitor,
    )


def about_offer(offer, kind):
    """The host's message about its offer: received, accepted, changes asked, refused."""
    subject, lead = OFFER_MESSAGES[kind]
    return _to_offer_contact(offer, kind, subject, lead, "grand_bain_offer")


def _to_offer_contact(offer, kind, subject, lead, template, **context):
    """Queue one mail to the offer's contact person (mail/<template>.txt and .html), in the
    offer's language, with the link to the host's page; none once the purge cleared her."""
    if offer.contact_email is None:  # cleared by the purge: nobody to tell
        return None
    return _safely(
        lambda: queue_message(
            **_offer_contact_message(offer, kind, subject, lead, template, **context)
        ),
        "offer",
        offer.id,
        kind,
    )


def _offer_contact_message(offer, kind, subject, lead, template, **context):
    """queue_message's arguments for a mail to the offer's contact person."""
    language = offer.language or "fr"
    with force_locale(language):
        values = {
            **context,
            "offer": offer,
            "kind": kind,
            "lead": str(lead),
            "language": language,
            "host_url": absolute_url("grandbain.host", token=offer.token, lang=language),
            "reply_to": offer.team_address,
        }
        text = render_template(f"mail/{template}.txt", **values)
        html = render_template(f"mail/{template}.html", **values)
        return {
            "recipient": offer.contact_email,
            "subject": str(subject),
            "body_text": text,
            "body_html": html,
            "reference": offer_reference(offer.id),
            "reply_to": offer.team_address,
        }


class _AsThen:
    """An object as it stood when its message was recorded: the attributes given as they
    were then, every other one as it is now."""

    def __init__(self, current, **then):
        self._current = current
        self.__dict__.update(then)

    def __getattr__(self, name):
        return getattr(self._current, name)

    @property
    def is_active(self):
        return self.status in ACTIVE_BOOKINGS


def _deferring(recipient, writer_name, facts, reference, subject_type, subject_id):
    """Record a message for the worker to write; an address that cannot be one is logged
    and skipped, as a message that cannot be queued is."""
    try:
        return deferred.defer(recipient, writer_name, facts, reference=reference)
    except ValueError as error:
        logger.error(
            "grand bain %s %s: the %s message could not be recorded (%s)",
            subject_type,
            subject_id,
            facts["kind"],
            type(error).__name__,
        )
        return None


def _safely(write, subject_type, subject_id, kind):
    db.session.flush()  # the caller's own changes fail loudly, outside the savepoint
    try:
        with db.session.begin_nested():
            message = write()
            db.session.flush()
        return message
    except Exception as error:
        logger.error(
            "grand bain %s %s: the %s message could not be queued (%s)",
            subject_type,
            subject_id,
            kind,
            type(error).__name__,
            exc_info=traceback_for_log(error),
        )
        return None
