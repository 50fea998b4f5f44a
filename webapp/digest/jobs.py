"""The digest job (nightly in `flask worker`): one mail per confirmed subscriber and period,
with the events that match, none when nothing does.

At most once per subscriber and period, however many workers run it at once: a batch of
subscribers is claimed by one conditional UPDATE (`last_period` not yet this period) in the
unit of work that queues their mails, so the rows one worker claimed are not due for another
(on PostgreSQL the second UPDATE waits for the first's rows, then finds them claimed), and
the claim and the mails stand or fall together.
"""

import logging

from flask_babel import force_locale, ngettext
from markupsafe import escape
from sqlalchemy import or_, select, update

from webapp.digest.content import DigestContent, render_mail
from webapp.digest.models import DigestSubscription
from webapp.digest.periods import period_key
from webapp.digest.states import Frequency
from webapp.extensions import db
from webapp.mail.outbox import queue_message
from webapp.unit_of_work import unit_of_work
from webapp.urls import absolute_url

logger = logging.getLogger(__name__)

BATCH = 500


def _due(frequency, key):
    return (
        DigestSubscription.frequency == frequency,
        DigestSubscription.confirmed_at.is_not(None),
        or_(DigestSubscription.last_period.is_(None), DigestSubscription.last_period != key),
    )


def send_digests(now):
    """Queue this period's digests of every frequency; returns the number of mails queued."""
    queued = 0
    for frequency in Frequency:
        key = period_key(frequency, now)
        content = None
        after = 0
        while True:
            with unit_of_work("send-digests"):
                batch = db.session.scalars(
                    select(DigestSubscription)
                    .where(*_due(frequency, key), DigestSubscription.id > after)
                    .order_by(DigestSubscription.id)
                    .limit(BATCH)
                ).all()
                if not batch:
                    break
                after = batch[-1].id
                # What each had before the claim: the last digest's time, for "new since".
                since = {s.id: s.last_sent_at or s.confirmed_at for s in batch}
                claimed = set(
                    db.session.scalars(
                        update(DigestSubscription)
                        .where(DigestSubscription.id.in_(since), *_due(frequency, key))
                        .values(last_period=key, last_sent_at=now)
                        .returning(DigestSubscription.id)
                        .execution_options(synchronize_session=False)
                    )
                )
                if content is None and claimed:
                    content = DigestContent(frequency, now)
                for subscription in batch:
                    if subscription.id in claimed:
                        queued += queue_digest(subscription, content, since[subscription.id])
    logger.info("digest: %d mail(s) queued", queued)
    return queued


def queue_digest(subscription, content, since):
    """Queue one subscriber's digest; 0 when nothing matches (no mail), else 1."""
    digest = content.digest_for(
        subscription.bassins, subscription.kinds, subscription.themes, since
    )
    if digest.empty:
        return 0
    text, html, subject = render_digest(subscription, digest, content)
    queue_message(
        subscription.email,
        subject,
        text,
        html,
        reference=subscription.reference,
        list_unsubscribe=absolute_url("digest.unsubscribe", token=subscription.token),
    )
    return 1


# Stand-ins for a subscriber's own links in a body shared by every subscriber who gets the
# same digest (same choices, same last digest): written once, then each copy gets its links.
_MANAGE, _UNSUBSCRIBE = "\x00manage\x00", "\x00unsubscribe\x00"


def render_digest(subscription, digest, content, preview=False):
    """(text, html, subject) of a digest in its subscriber's language."""
    language = subscription.language
    key = (
        language,
        subscription.frequency,
        preview,
        tuple(i.event_id for i in digest.new),
        tuple(i.event_id for i in digest.coming),
        tuple(i.event_id for i in digest.save_the_date),
        digest.more,
    )
    shared = content.bodies.get(key)
    if shared is None:
        shared = content.bodies[key] = _render(
            language, subscription.frequency, digest, content, preview
        )
    text, html, subject = shared
    if not preview:
        manage = absolute_url("digest.manage", token=subscription.token, lang=language)
        unsubscribe = absolute_url("digest.unsubscribe", token=subscription.token, lang=language)
        text = text.replace(_MANAGE, manage).replace(_UNSUBSCRIBE, unsubscribe)
        html = html.replace(_MANAGE, str(escape(manage))).replace(
            _UNSUBSCRIBE, str(escape(unsubscribe))
        )
    return text, html, subject


def _render(language, frequency, digest, content, preview):
    with force_locale(language):
        context = {
            "language": language,
            "frequency": frequency,
            "new": [i.texts[language] for i in digest.new],
            "coming": [i.texts[language] for i in digest.coming],
            "save_the_date": [i.texts[language] for i in digest.save_the_date],
            "more": digest.more,
            "until": content.until,
            "manage_url": None if preview else _MANAGE,
            "unsubscribe_url": None if preview else _UNSUBSCRIBE,
            "agenda_url": absolute_url("agenda.index", lang=language),
        }
        subject = ngettext(
            "L'agenda des bassins : %(num)d activité à venir",
            "L'agenda des bassins : %(num)d activités à venir",
            digest.count,
        )
        if digest.count == 0:
            subject = ngettext(
                "L'agenda des bassins : %(num)d date à retenir",
                "L'agenda des bassins : %(num)d dates à retenir",
                len(digest.save_the_date),
            )
        text = render_mail("mail/digest.txt", **context)
        html = render_mail("mail/digest.html", **context, subject=subject)
    return text, html, subject
