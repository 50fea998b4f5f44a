"""Who may see an online meeting's link: the one rule every public surface asks.

The link of an event with registration is never public: not on its page, the API, the embed
nor any public feed; only its confirmed online participants get it (registrations/
meeting_links.py). An event without registration (an open webinar) shows it to everyone when
its team chose to (`Event.online_url_public`).
"""

from webapp.agenda.states import MeetingMode, RegistrationMode


def public_link(event):
    """The link anyone may see, or None (the feeds' rows carry the same fields)."""
    if not event.online_url or not getattr(event, "online_url_public", False):
        return None
    if (event.mode or MeetingMode.ONSITE) == MeetingMode.ONSITE:
        return None
    if RegistrationMode(event.registration_mode).takes_registrations:
        return None
    return event.online_url


def is_online(event):
    """Whether people may attend from afar (online or hybrid)."""
    return (event.mode or MeetingMode.ONSITE) != MeetingMode.ONSITE
