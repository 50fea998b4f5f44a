"""The API fuzzed from its own OpenAPI document: no server error, every answer in the schema."""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from webapp.api.openapi import openapi_document

FUZZ = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
)


@pytest.fixture
def schema(app, make_event):
    make_event(rrule="FREQ=MONTHLY;BYDAY=3MO", series_slug="sud-liaison")
    make_event(status="cancelled", bassins=("nord", "sud"), commune="schaerbeek")
    make_event(title="Atelier, « santé »; été\nnuit", kind="formation", online_url="https://x.be")
    _grand_bain_edition()
    return schemathesis.from_dict(openapi_document("http://agenda.test"), app=app)


def _grand_bain_edition():
    """An edition with one published offer and its slot: the Grand Bain path answers 200."""
    from datetime import UTC, date, datetime

    from sqlalchemy import select

    from webapp.agenda.models import Commune
    from webapp.extensions import db
    from webapp.grandbain.models import Edition, Offer, Slot

    edition = Edition(year=2027, week_start=date(2027, 10, 4), week_end=date(2027, 10, 8))
    start = datetime(2027, 10, 4, 8, tzinfo=UTC)
    db.session.add(
        Offer(
            edition=edition,
            name="Maison médicale « Le Gué »",
            sector="maison-medicale",
            address="Rue du Gué 3",
            commune=db.session.scalar(select(Commune).where(Commune.slug == "forest")),
            discover_fr="L'accueil",
            contact_name="Sophie",
            contact_email="sophie@le-gue.be",
            status="accepted",
            slots=[Slot(start_at=start, end_at=start.replace(hour=9), capacity=6)],
        )
    )
    db.session.commit()


def test_api_answers_match_the_openapi_document_under_fuzzing(schema, app):
    checked = 0
    for result in schema.get_all_operations():
        operation = result.ok()

        @FUZZ
        @given(case=operation.as_strategy())
        def run(case):
            response = case.call_wsgi()
            assert response.status_code < 500, response.data
            case.validate_response(response)

        run()
        checked += 1
    assert checked == 4


def test_openapi_document_is_served(client, app):
    data = client.get("/api/v1/openapi.json").get_json()
    assert data["openapi"].startswith("3.")
    assert set(data["paths"]) == {
        "/api/v1/events",
        "/api/v1/events/{event_id}",
        "/api/v1/bassins",
        "/api/v1/grand-bain/{year}/offers",
    }
