"""JSON API, read-only."""
