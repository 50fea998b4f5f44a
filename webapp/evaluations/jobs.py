"""send-evaluations: the edge of the invitations (CLI and worker), one unit of work each."""

from webapp.evaluations import invitations, open_link, visits
from webapp.timezones import utcnow
from webapp.unit_of_work import unit_of_work


def send_evaluations(now=None):
    """Invite the recipients of events and of Grand Bain visit slots that ended before
    today, then remind those who have not answered after four days; returns how many mails
    were queued. Safe to run twice at once: every invitation and reminder is claimed before
    its mail is written. The claims of closed open links go."""
    now = now or utcnow()
    with unit_of_work("evaluation-open-claims"):
        open_link.forget_expired_claims(now)
    with unit_of_work("evaluation-templates"):
        invitations.ensure_templates()
    queued = 0
    for event in invitations.due_events(now):
        for registration in invitations.recipients(event):
            with unit_of_work("send-evaluations"):
                queued += invitations.invite(event.id, registration.id, now)
    for slot in visits.due_slots(now):
        for booking in visits.recipients(slot):
            with unit_of_work("send-evaluations"):
                queued += visits.invite(booking.id, now)
    for invitation_id in invitations.due_reminders(now):
        with unit_of_work("evaluation-reminders"):
            queued += invitations.remind(invitation_id, now)
    return queued
