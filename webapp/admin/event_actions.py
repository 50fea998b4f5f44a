"""What staff do to an event beside editing it: preview, publish, unpublish, cancel, postpone or
move, delete a draft, prepare the next meeting of its series.
"""

from webapp.admin.blueprint import bp  # noqa: F401
