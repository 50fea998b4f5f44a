import pytest

from tests.smtp import SMTPServer


@pytest.fixture
def smtp():
    server = SMTPServer().start()
    yield server
    server.stop()


@pytest.fixture
def app_config(smtp):
    return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp.port}


@pytest.fixture
def person():
    def make(n=1, **fields):
        data = {
            "first_name": "Anne",
            "last_name": f"Peeters{n}",
            "email": f"anne.{n}@example.org",
            "organisation": "CPAS d'Etterbeek",
            "sector": "cpas",
            "job_title": "Assistante sociale",
            "commune": "Etterbeek",
        }
        data.update(fields)
        return data

    return make
