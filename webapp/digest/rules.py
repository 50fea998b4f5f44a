"""Subscribing to the digest, confirming, changing the choices, unsubscribing; the purge.

An address is personal data: a subscription is deleted (with its messages in the outbox)
when its owner unsubscribes, and a pending one when its confirmation link was not followed
within CONFIRMATION_DAYS. Nothing here tells a visitor whether an address is subscribed: a
subscription always starts pending and only its mailbox learns more (the confirmation).
"""

import logging
from dataclasses import dataclass
from datetime import timedelta

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from webapp.digest.models import DigestSubscription
from webapp.digest.periods import period_key
from webapp.digest.states import DigestLanguage, Frequency
from webapp.extensions import db
from webapp.mail.outbox import forget, queue_message
from webapp.timezones import utcnow
from webapp.tokens import new_token
from webapp.urls import absolute_url

logger = logging.getLogger(__name__)

# A subscription whose confirmation link was not followed within this is deleted.
CONFIRMATION_DAYS = 7


@dataclass(frozen=True)
class Choices:
    """What a subscriber wants: slugs (empty: all), how often, in which language."""

    bassins: tuple = ()
    kinds: tuple = ()
    themes: tuple = ()
    frequency: str = Frequency.WEEKLY
    language: str = DigestLanguage.FR


def _apply(subscription, choices):
    subscription.bassins = sorted(set(choices.bassins))
    subscription.kinds = sorted(set(choices.kinds))
    subscription.themes = sorted(set(choices.themes))
    subscription.frequency = Frequency(choices.frequency)
    subscription.language = DigestLanguage(choices.language)


def subscribe(email, choices, now=None):
    """A pending subscription and its confirmation mail (queued in the caller's unit of work)."""
    subscription = DigestSubscription(
        email=email, token=new_token(), confirm_token=new_token(), created_at=now or utcnow()
    )
    _apply(subscription, choices)
    db.session.add(subscription)
    db.session.flush()
    language = subscription.language
    with force_locale(language):
        context = {
            "confirm_url": absolute_url(
                "digest.confirm", token=subscription.confirm_token, lang=language
            ),
            "days": CONFIRMATION_DAYS,
            "language": language,
        }
        text = render_template("mail/digest_confirm.txt", **context)
        html = render_template("mail/digest_confirm.html", **context)
        subject = _("Confirmez votre abonnement à l'agenda par e-mail")
    queue_message(email, subject, text, html, reference=subscription.reference)
    logger.info("digest subscription %s pending", subscription.id)
    return subscription


def confirm(subscription, now=None):
    """The address is its owner's: the subscription starts (its first digest in the next
    period) and replaces any other of the same address."""
    now = now or utcnow()
    others = db.session.scalars(
        select(DigestSubscription).where(
            DigestSubscription.email == subscription.email,
            DigestSubscription.id != subscription.id,
        )
    ).all()
    for other in others:
        _delete(other)
    subscription.confirmed_at = now
    subscription.confirm_token = None
    subscription.last_period = period_key(subscription.frequency, now)
    logger.info("digest subscription %s confirmed (%d replaced)", subscription.id, len(others))
    return subscription


def change(subscription, choices, now=None):
    """New choices; a new frequency starts with the next period of that frequency."""
    frequency_before = subscription.frequency
    _apply(subscription, choices)
    if subscription.frequency != frequency_before and subscription.confirmed_at:
        subscription.last_period = period_key(subscription.frequency, now or utcnow())
    return subscription


def unsubscribe(subscription):
    """Forget the subscriber: the row and its messages in the outbox."""
    logger.info("digest subscription %s ended by its owner", subscription.id)
    _delete(subscription)


def _delete(subscription):
    forget(subscription.reference)
    db.session.delete(subscription)


def purge_unconfirmed(now=None):
    """Delete the subscriptions never confirmed within CONFIRMATION_DAYS; returns how many."""
    cutoff = (now or utcnow()) - timedelta(days=CONFIRMATION_DAYS)
    stale = db.session.scalars(
        select(DigestSubscription).where(
            DigestSubscription.confirmed_at.is_(None), DigestSubscription.created_at < cutoff
        )
    ).all()
    for subscription in stale:
        _delete(subscription)
    db.session.flush()
    return len(stale)


def subscriber_counts():
    """(confirmed, pending): all the team is ever shown of the subscribers."""
    rows = db.session.execute(
        select(DigestSubscription.confirmed_at.is_not(None), db.func.count()).group_by(
            DigestSubscription.confirmed_at.is_not(None)
        )
    ).all()
    counts = {bool(confirmed): count for confirmed, count in rows}
    return counts.get(True, 0), counts.get(False, 0)
