"""Series, venues and organisations: list, create, edit, and merge two duplicates."""

from webapp.admin.blueprint import bp  # noqa: F401
