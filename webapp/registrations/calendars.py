"""A person's registrations as calendar entries: the personal feeds and the mails' .ics.

One place decides how a registration looks in a calendar, so the feed a person subscribed
to and the entry their mail added say the same thing: a place not (yet) theirs is
STATUS:TENTATIVE and says why in its title; a cancelled registration is STATUS:CANCELLED.
"""

from flask_babel import lazy_gettext as _l

from webapp.feeds.ical import calendar_text
from webapp.registrations.meeting_links import links_of
from webapp.registrations.states import RegistrationStatus

# Said after the title, in brackets: most calendars show TENTATIVE faintly, or not at all.
TENTATIVE_NOTES = {
    RegistrationStatus.WAITLISTED: _l("liste d'attente"),
    RegistrationStatus.PENDING: _l("demande en attente"),
}


def registrations_calendar(registrations, *, language, name=None, method=None, attendee=None):
    """The bytes of a VCALENDAR with the events of these registrations, as each stands
    (`attendee`: the person a mail's REQUEST or CANCEL is sent to, see `entries_text`); a
    confirmed online participant's entry carries the meeting link."""
    statuses = {r.event_id: RegistrationStatus(r.status) for r in registrations}
    return calendar_text(
        [r.event for r in registrations],
        name=name,
        method=method,
        language=language,
        cancelled_ids={i for i, s in statuses.items() if not s.is_active},
        tentative_ids={i for i, s in statuses.items() if s.is_tentative},
        notes={i: TENTATIVE_NOTES[s] for i, s in statuses.items() if s in TENTATIVE_NOTES},
        attendee=attendee,
        links=links_of(registrations),
    )
