"""After the meeting: reports, and the figures of the year (stats)."""
