"""Saved visits are never shown as an error: the database dropping right after the booking's
commit still sends the visitor to the page of her visits."""

from sqlalchemy import func, select

from tests.conftest import make_config, postgresql_only
from tests.faults import DatabaseRelay, right_after_the_commit
from webapp import create_app
from webapp.extensions import db
from webapp.grandbain.models import Booking


@postgresql_only
def test_the_database_dropping_after_the_commit_still_gives_her_page(
    database_url, edition, make_offer, person
):
    offer = make_offer()
    relay = DatabaseRelay(database_url)
    app = create_app(make_config(relay.url, PROPAGATE_EXCEPTIONS=False))
    try:
        with right_after_the_commit(relay.cut) as fault:
            response = app.test_client().post(
                f"/grand-bain/slots/{offer.slots[0].id}/book", data=person() | {"consent": "y"}
            )
        assert fault.done
        assert response.status_code == 303, response.get_data(as_text=True)[:300]
        assert response.headers["Location"].startswith("/grand-bain/visits/")
        assert db.session.scalar(select(func.count()).select_from(Booking)) == 1
    finally:
        relay.close()
        with app.app_context():
            db.engine.dispose()
