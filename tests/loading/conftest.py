"""The registration tests' fixtures: a real SMTP server (aiosmtpd), people."""

from tests.registrations.conftest import app_config, person  # noqa: F401
