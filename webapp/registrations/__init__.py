"""Registrations, custom questions, waitlist and personal links."""

from webapp.registrations import event_notices  # noqa: F401  (hears the agenda's changes)
