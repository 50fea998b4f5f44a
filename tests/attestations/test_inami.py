"""The INAMI/RIZIV number: asked on an accredited event's form only, its shape checked (FR
and NL message, nothing written), kept as 11 digits, erased with the person, never public."""

import pytest
from sqlalchemy import func, select

from tests.edge import personal_data
from tests.registrations.test_views import form_data
from webapp.extensions import db
from webapp.registrations.inami import normalise_inami, printed_inami
from webapp.registrations.models import Registration


@pytest.mark.parametrize(
    "typed, stored",
    [
        ("1-23456-78-901", "12345678901"),
        ("12345678901", "12345678901"),
        (" 1 23456 78 901 ", "12345678901"),
        ("1.23456.78.901", "12345678901"),
        ("1-2345678-901", None),  # groups misplaced
        ("1-23456-78901", None),  # separators mixed
        ("1234567890", None),  # 10 digits
        ("123456789012", None),  # 12 digits
        ("1-23456-78-90a", None),
        ("١٢٣٤٥٦٧٨٩٠١", None),  # digits of another script
        ("", None),
        ("1" * 500, None),
    ],
)
def test_an_inami_number_is_eleven_digits_plain_or_grouped(typed, stored):
    assert normalise_inami(typed) == stored


def test_printed_as_inami_prints_it():
    assert printed_inami("12345678901") == "1-23456-78-901"
    assert printed_inami(None) == ""


def test_only_an_accredited_event_asks_for_it(client, make_event):
    plain = make_event(capacity=5)
    accredited = make_event(capacity=5, accreditation="A-2027-0042")
    assert 'name="inami_number"' not in client.get(f"/events/{plain.id}/register").text
    assert 'name="inami_number"' in client.get(f"/events/{accredited.id}/register").text


def test_a_malformed_number_is_refused_beside_the_field_and_writes_nothing(client, make_event):
    event = make_event(capacity=5, accreditation="A-2027-0042")
    response = client.post(
        f"/events/{event.id}/register", data=form_data(1, inami_number="1-2345-678")
    )
    assert response.status_code == 422
    assert 'id="inami_number-error"' in response.text
    assert "11 chiffres" in response.text
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 0
    dutch = client.post(
        f"/events/{event.id}/register?lang=nl", data=form_data(1, inami_number="abc")
    )
    assert "11 cijfers" in dutch.text


def test_a_good_number_is_kept_as_its_digits_and_shown_back_on_the_personal_page(
    client, make_event
):
    event = make_event(capacity=5, accreditation="A-2027-0042")
    response = client.post(
        f"/events/{event.id}/register", data=form_data(1, inami_number="1-23456-78-901")
    )
    assert response.status_code == 303
    registration = db.session.scalar(select(Registration))
    assert registration.inami_number == "12345678901"
    page = client.get(f"/registrations/{registration.token}").text
    assert 'value="1-23456-78-901"' in page
    # Left empty: a social worker has none.
    assert client.post(f"/events/{event.id}/register", data=form_data(2)).status_code == 303
    assert (
        db.session.scalar(
            select(Registration.inami_number).where(Registration.email == "anne.2@example.org")
        )
        is None
    )


def test_a_number_posted_to_an_event_that_is_not_accredited_is_not_kept(client, make_event):
    event = make_event(capacity=5)
    client.post(f"/events/{event.id}/register", data=form_data(1, inami_number="12345678901"))
    assert db.session.scalar(select(Registration.inami_number)) is None


def test_the_number_goes_with_the_persons_data_and_is_never_public(client, make_event):
    event = make_event(capacity=5, accreditation="A-2027-0042")
    client.post(f"/events/{event.id}/register", data=form_data(1, inami_number="12345678901"))
    registration = db.session.scalar(select(Registration))
    for public in (f"/events/{event.id}", "/", f"/api/v1/events/{event.id}", "/agenda.ics"):
        body = client.get(public).text
        assert "12345678901" not in body and "1-23456-78-901" not in body
    personal_data.erase(registration.id)
    assert db.session.get(Registration, registration.id).inami_number is None
