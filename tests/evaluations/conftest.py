import pytest

from tests.admin.conftest import make_staff  # noqa: F401  (a fixture)
from tests.smtp import mail_config


@pytest.fixture
def app_config(smtp):
    return mail_config(smtp)


@pytest.fixture
def ended_event(make_event):
    """A concertation that ended two days ago, with a registration helper."""
    from datetime import timedelta

    from webapp.timezones import utcnow

    def make(**fields):
        fields.setdefault("start", (utcnow() - timedelta(days=2)).replace(microsecond=0))
        return make_event(**fields)

    return make


@pytest.fixture
def register():
    """register(event, n, status="confirmed", attended=None, language="fr") -> Registration."""
    from webapp.extensions import db
    from webapp.registrations.models import Registration

    def make(event, n, status="confirmed", attended=None, language="fr", sector="cpas"):
        registration = Registration(
            event_id=event.id,
            status=status,
            first_name="Anne",
            last_name=f"Peeters{n}",
            email=f"anne.{n}@example.org",
            sector=sector,
            language=language,
            attended=attended,
        )
        db.session.add(registration)
        db.session.commit()
        return registration

    return make
