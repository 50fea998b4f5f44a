"""How often one client, or one address, can post the booking forms: the two forms (one
slot, a set) share one budget per client and one per edition and address."""

import pytest

from tests.conftest import FreshContextClient
from tests.smtp import mail_config
from webapp.extensions import limiter


@pytest.fixture
def app_config(smtp):
    return mail_config(smtp) | {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://"}


@pytest.fixture
def fresh_limits(app):
    limiter.reset()
    yield
    limiter.reset()


def new_client(app, address):
    app.test_client_class = FreshContextClient
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_one_client_has_one_budget_for_both_booking_forms(
    app, edition, make_offer, person, fresh_limits
):
    slot = make_offer().slots[0]
    client = new_client(app, "127.0.0.2")
    # Forms with errors (no consent): nothing booked, but each post counts for the client.
    codes = [
        client.post(f"/grand-bain/slots/{slot.id}/book", data=person(n)).status_code
        for n in range(20)
    ]
    assert codes == [422] * 20
    other_form = client.post(
        f"/grand-bain/{edition.year}/book", data=person(99) | {"slot": [slot.id]}
    )
    assert other_form.status_code == 429
    elsewhere = new_client(app, "127.0.0.3")
    assert elsewhere.post(f"/grand-bain/slots/{slot.id}/book", data=person()).status_code == 422


def test_an_address_gets_at_most_five_mails_an_hour_whichever_form_and_slot(
    app, edition, make_offer, person, fresh_limits
):
    offer = make_offer(
        "CPAS de Forest",
        [(0, "09:00", "10:00", 5), (1, "09:00", "10:00", 5), (2, "09:00", "10:00", 5)],
    )
    other = make_offer(
        "SISD Bruxelles",
        [(3, "09:00", "10:00", 5), (4, "09:00", "10:00", 5), (4, "14:00", "15:00", 5)],
        email="sisd@example.be",
    )
    slots = offer.slots + other.slots
    codes = []
    for n, slot in enumerate(slots):
        # Each from another client: the address's own budget is what stops the sixth.
        client = new_client(app, f"127.0.1.{n + 1}")
        data = person(email="x@example.org") | {"consent": "y"}
        if n % 2:
            response = client.post(f"/grand-bain/slots/{slot.id}/book", data=data)
        else:
            response = client.post(
                f"/grand-bain/{edition.year}/book", data=data | {"slot": [slot.id]}
            )
        codes.append(response.status_code)
    # Four visits booked (the edition's cap), the fifth refused by mail, the sixth stopped.
    assert codes == [303, 303, 303, 303, 409, 429]
