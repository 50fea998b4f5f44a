"""The recurrence editor of a repeating event: the rule from a form (never typed RRULE), skipped
dates, one date moved, given another venue or cancelled, and a preview of the dates.
"""

from webapp.admin.blueprint import bp  # noqa: F401
