"""A saved registration is never shown as an error: whatever fails after the commit (the
limits' Redis, the database connection), the person is sent to the page of what was saved."""

import pytest
from sqlalchemy import func, select

from tests.conftest import make_config, postgresql_only
from tests.faults import DatabaseRelay, redis_server, right_after_the_commit  # noqa: F401
from tests.registrations.test_views import form_data
from webapp import create_app
from webapp.extensions import db
from webapp.registrations.models import Registration


def registrations():
    return db.session.scalar(select(func.count()).select_from(Registration))


class TestRedisStoppingAfterTheCommit:
    @pytest.fixture
    def app_config(self, redis_server):  # noqa: F811
        return {
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_URI": redis_server.url,
            "PROPAGATE_EXCEPTIONS": False,
        }

    def test_the_person_gets_her_page(self, client, make_event, redis_server):  # noqa: F811
        event = make_event(capacity=5)
        with right_after_the_commit(redis_server.stop) as fault:
            response = client.post(f"/events/{event.id}/register", data=form_data(1))
        assert fault.done
        assert response.status_code == 303, response.get_data(as_text=True)[:300]
        assert response.headers["Location"].startswith("/registrations/")
        assert registrations() == 1


@postgresql_only
def test_the_database_dropping_after_the_commit_still_gives_her_page(
    database_url, make_event, client
):
    event = make_event(capacity=5)
    relay = DatabaseRelay(database_url)
    app = create_app(make_config(relay.url, PROPAGATE_EXCEPTIONS=False))
    try:
        with right_after_the_commit(relay.cut) as fault:
            response = app.test_client().post(f"/events/{event.id}/register", data=form_data(1))
        assert fault.done
        assert response.status_code == 303, response.get_data(as_text=True)[:300]
        assert registrations() == 1  # through the test's own connection, not the relay
    finally:
        relay.close()
        with app.app_context():
            db.engine.dispose()
