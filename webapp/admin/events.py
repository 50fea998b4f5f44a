"""Events in the back office: the list within the account's scope, /admin/events/new and
/admin/events/<id>/edit (every field in French and Dutch, custom questions).
"""

from webapp.admin.blueprint import bp  # noqa: F401
