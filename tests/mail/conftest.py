"""The same fixtures as the registration tests: a real SMTP server, people."""

from tests.registrations.conftest import app_config, person  # noqa: F401
