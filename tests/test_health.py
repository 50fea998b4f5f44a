from tests.conftest import make_config
from webapp import create_app


def test_healthz_answers_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_healthz_answers_503_when_the_database_does_not(tmp_path):
    # Nothing listens on port 1: the connection is refused, as with a stopped server.
    app = create_app(make_config("postgresql+psycopg://postgres@127.0.0.1:1/agenda"))
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["status"] != "ok"
