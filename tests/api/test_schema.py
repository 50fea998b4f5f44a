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
    return schemathesis.from_dict(openapi_document("http://agenda.test"), app=app)


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
    assert checked == 3


def test_openapi_document_is_served(client, app):
    data = client.get("/api/v1/openapi.json").get_json()
    assert data["openapi"].startswith("3.")
    assert set(data["paths"]) == {"/api/v1/events", "/api/v1/events/{event_id}", "/api/v1/bassins"}
