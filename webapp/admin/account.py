"""The signed-in account's own page: change the password."""

from webapp.admin.blueprint import bp  # noqa: F401
