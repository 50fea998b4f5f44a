"""What a person asks for, at registration, to take part (interpreting FR↔NL, sign language
LSFB or VGT, step-free access), and the team's answer: arranged or not possible, the person
told by mail. Operations as in rules.py: they flush, never commit.
"""

from sqlalchemy import func, select

from webapp import audit
from webapp.audit_actions import AuditAction
from webapp.extensions import db
from webapp.registrations import notifications
from webapp.registrations.models import ACTIVE_STATUSES, AccommodationRequest, Registration
from webapp.registrations.states import AccommodationStatus
from webapp.timezones import utcnow
from webapp.vocabulary import ACCOMMODATION_NEEDS as NEEDS

# The answers the team gives, and the message each sends.
ANSWERS = {
    AccommodationStatus.ARRANGED: "accommodation-arranged",
    AccommodationStatus.NOT_POSSIBLE: "accommodation-not-possible",
}


class AccommodationRefused(Exception):
    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def requests_of(event_id):
    """The event's requests with their registrations: those waiting for an answer first."""
    waiting_first = AccommodationRequest.status != AccommodationStatus.REQUESTED
    return db.session.scalars(
        select(AccommodationRequest)
        .join(Registration, AccommodationRequest.registration_id == Registration.id)
        .where(Registration.event_id == event_id)
        .order_by(waiting_first, AccommodationRequest.id)
    ).all()


def waiting_count(event_id):
    """How many requests of active registrations wait for the team's answer."""
    return db.session.scalar(
        select(func.count())
        .select_from(AccommodationRequest)
        .join(Registration, AccommodationRequest.registration_id == Registration.id)
        .where(
            Registration.event_id == event_id,
            Registration.status.in_(ACTIVE_STATUSES),
            AccommodationRequest.status == AccommodationStatus.REQUESTED,
        )
    )


def answer(event_id, request_id, status, actor, now=None):
    """The team's answer to one request (arranged, not possible); the person is told by
    mail. The same answer twice changes nothing and sends nothing."""
    if status not in ANSWERS:
        raise AccommodationRefused("unknown-answer")
    request = db.session.get(AccommodationRequest, request_id)
    if request is None or request.registration.event_id != event_id:
        raise AccommodationRefused("not-found")
    registration = request.registration
    if not registration.is_active:
        raise AccommodationRefused("not-active")
    if request.status == status:
        return request
    before = request.status
    request.status = status
    request.answered_at = now or utcnow()
    audit.record(
        actor,
        AuditAction.REGISTRATION_ACCOMMODATION_ANSWERED,
        "registration",
        registration.id,
        {"need": request.need, "status": before},
        {"need": request.need, "status": str(status), "event_id": event_id},
    )
    notifications.queue(registration, ANSWERS[status], about=NEEDS[request.need])
    db.session.flush()
    return request
