"""Staff accounts for the back office's tests: one per role, signed in on a client."""

import pytest

from webapp.auth import accounts
from webapp.extensions import db
from webapp.unit_of_work import unit_of_work

STAFF_PASSWORD = "concertation-bassin-2027"


@pytest.fixture
def make_staff(territory):
    """make_staff(role, bassins=(), organisation=None, email=None) -> Account (committed)."""

    def make(role, bassins=(), organisation=None, email=None):
        email = email or f"{role}-{'-'.join(bassins) or 'all'}@bassins-bruxelles.be"
        with unit_of_work("test staff"):
            account = accounts.save_account(
                email, STAFF_PASSWORD, role, bassins=bassins, organisation=organisation
            )
        db.session.expire_all()
        return account

    return make


def sign_in(client, account, password=STAFF_PASSWORD):
    response = client.post("/login", data={"email": account.email, "password": password})
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    return client


@pytest.fixture
def admin_client(app, client, make_staff):
    """A client signed in as a regional admin (another client than `client`)."""
    return sign_in(app.test_client(), make_staff("admin"))


@pytest.fixture
def sud_client(app, client, make_staff):
    """A client signed in as a coordinator of Bassin Sud."""
    return sign_in(client, make_staff("bassin", bassins=("sud",)))
