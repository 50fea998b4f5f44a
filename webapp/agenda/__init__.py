"""Bassins, communes, venues, organisations, series and events; the public agenda."""

from webapp.agenda import changes, removals, reports  # noqa: F401  (save listeners; tables)
