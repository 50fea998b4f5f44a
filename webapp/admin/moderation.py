"""The moderation queue of partners' proposals (/propose): accept, ask for changes, refuse with a
reason.
"""

from webapp.admin.blueprint import bp  # noqa: F401
