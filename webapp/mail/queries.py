"""What the team sees of mail that did not go (read only): messages failed or waiting for
another try, the reason in words, and the share of a day's messages that failed.

Never a body: the pages show the subject (an event's title), the time, the reason. An erased
person's messages are gone (`outbox.forget`) or blanked, so no address of hers is shown.
"""

from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select

from webapp.extensions import db
from webapp.mail.models import OutboxMessage, OutboxStatus
from webapp.timezones import utcnow

# A message the team should hear about: given up, or retried after a failed attempt.
UNDELIVERED = or_(
    OutboxMessage.status == OutboxStatus.FAILED,
    and_(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.attempts > 0),
)
# More than this share of a day's messages failed: the worker warns, check-config reports.
ALARM_SHARE = 0.02
DAY = timedelta(hours=24)

# (what last_error starts with, the reason in words), first match wins.
_REASONS = (
    (
        "SMTPRecipientsRefused: 5",
        _l("Adresse refusée par le serveur du destinataire (inconnue, ou boîte pleine)"),
    ),
    ("SMTPRecipientsRefused: 4", _l("Destinataire refusé pour le moment par son serveur")),
    ("SMTPAuthenticationError", _l("Le serveur d'envoi refuse nos identifiants (configuration)")),
    (
        "SMTPSenderRefused",
        _l("Le serveur d'envoi refuse notre adresse d'expéditeur (configuration)"),
    ),
    ("SMTPServerDisconnected", _l("Le serveur d'envoi ne répond pas ou a coupé la connexion")),
    ("SMTPConnectError", _l("Le serveur d'envoi ne répond pas ou a coupé la connexion")),
    ("ConnectionRefusedError", _l("Le serveur d'envoi ne répond pas ou a coupé la connexion")),
    ("TimeoutError", _l("Le serveur d'envoi ne répond pas ou a coupé la connexion")),
    ("OSError", _l("Le serveur d'envoi ne répond pas ou a coupé la connexion")),
    ("WorkerLost", _l("L'envoi a été interrompu (le programme d'envoi s'est arrêté)")),
    ("ValueError: no recipient", _l("Plus d'adresse (données effacées)")),
    ("AddressRefused", _l("Adresse impossible à utiliser (mal écrite ou avec des accents)")),
    ("SMTPNotSupportedError", _l("Adresse impossible à utiliser (mal écrite ou avec des accents)")),
    ("UnicodeEncodeError", _l("Adresse impossible à utiliser (mal écrite ou avec des accents)")),
    ("SMTPDataError", _l("Message refusé par le serveur d'envoi")),
    ("SMTPResponseException", _l("Message refusé par le serveur d'envoi")),
)


def reason(message):
    """Why the message did not go, in the reader's language."""
    error = message.last_error or ""
    for start, words in _REASONS:
        if error.startswith(start):
            return words
    return _l("Erreur inattendue lors de l'envoi")


def failure_share(now=None, window=DAY):
    """(failed, all) messages written in the last `window` (a day by default)."""
    since = (now or utcnow()) - window
    failed, total = db.session.execute(
        select(
            func.count().filter(OutboxMessage.status == OutboxStatus.FAILED),
            func.count(),
        ).where(OutboxMessage.created_at >= since)
    ).one()
    return failed or 0, total or 0


def failure_alarm(now=None):
    """(failed, all) when more than ALARM_SHARE of the last day's messages failed, else None."""
    failed, total = failure_share(now)
    return (failed, total) if total and failed / total > ALARM_SHARE else None
