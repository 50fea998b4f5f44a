"""Staff accounts for the auth tests too (the back office's fixtures)."""

from tests.admin.conftest import make_staff  # noqa: F401  (a fixture)
