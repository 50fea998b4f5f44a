"""Bassins, communes, venues, organisations, series and events; the public agenda."""

from webapp.agenda import changes  # noqa: F401  (registers the save listeners)
