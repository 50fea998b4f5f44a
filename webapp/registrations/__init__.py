"""Registrations, custom questions, waitlist and personal links."""
