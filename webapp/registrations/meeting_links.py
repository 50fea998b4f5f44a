"""The online link of a registrant: confirmed, with a place online, the event online or
hybrid. It reaches her in her mails (confirmation, promotion, reminder), her calendar entry
(DESCRIPTION and CONFERENCE) and, from an hour before the start, her personal page.

The page waits for the hour before because a personal page may be open on a shared screen
or forwarded; the mail and the calendar entry are hers alone.
"""

from datetime import timedelta

from webapp.agenda.meeting_links import is_online
from webapp.agenda.occurrences import occurrences
from webapp.agenda.states import PlaceMode
from webapp.registrations.states import RegistrationStatus
from webapp.timezones import utcnow

# How long before the start the personal page shows the link.
PAGE_LEAD = timedelta(hours=1)


def link_for(registration):
    """The meeting link this registration may see, or None."""
    event = registration.event
    if (
        registration.status != RegistrationStatus.CONFIRMED
        or registration.mode != PlaceMode.ONLINE
        or registration.anonymised_at is not None
        or not event.online_url
        or not is_online(event)
    ):
        return None
    return event.online_url


def links_of(registrations):
    """{event id: link} of the registrations that have one (their calendar entries)."""
    links = {}
    for registration in registrations:
        link = link_for(registration)
        if link:
            links[registration.event_id] = link
    return links


def page_link(registration, now=None):
    """(link, opens_at): the link when the page may show it (from an hour before a date of
    the event until its end), else None with the moment it will."""
    link = link_for(registration)
    if link is None:
        return None, None
    now = now or utcnow()
    date = _current_or_next_date(registration.event, now)
    if date is None:
        return None, None
    opens_at = date.start - PAGE_LEAD
    return (link if opens_at <= now else None), opens_at


def _current_or_next_date(event, now):
    """The date (start, end) of the event that has not ended yet, the first such one."""
    for date in occurrences(event, now - (event.end_at - event.start_at)):
        if not date.cancelled and date.end > now:
            return date
    return None
