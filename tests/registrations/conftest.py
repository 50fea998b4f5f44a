import pytest

from tests.smtp import mail_config


@pytest.fixture
def app_config(smtp):
    return mail_config(smtp)


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
