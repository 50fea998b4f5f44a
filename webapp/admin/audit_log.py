"""/admin/audit: the audit log, for admins, filtered by event, person and account."""

from webapp.admin.blueprint import bp  # noqa: F401
