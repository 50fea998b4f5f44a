"""Grand Bain visits: the attestation of a visit the host ticked, from the visitor's pages,
the day after; none for a visit not ticked; gone with the visitor's data."""

from datetime import date, timedelta

import pytest
import time_machine
from sqlalchemy import select

from tests.attestations.conftest import pdf_text
from webapp import audit
from webapp.agenda.models import Commune
from webapp.extensions import db
from webapp.grandbain import attendance, personal_data
from webapp.grandbain.models import Booking, Edition, Offer, Slot, Visitor
from webapp.grandbain.states import BookingStatus, OfferStatus
from webapp.timezones import app_zone
from webapp.tokens import new_token, printed_attestation_code
from webapp.unit_of_work import unit_of_work

VISIT = date(2027, 10, 12)


def at(day, hour):
    from datetime import datetime

    return datetime(day.year, day.month, day.day, hour, tzinfo=app_zone())


@pytest.fixture
def visits(territory):
    """A visitor with two confirmed visits on 12 October 2027 (10:00-11:30 and 14:00-15:00),
    booked by one request, at two hosts in Forest (Bassin Sud)."""
    edition = Edition(year=2027, week_start=date(2027, 10, 11), week_end=date(2027, 10, 15))
    forest = db.session.scalar(select(Commune).where(Commune.slug == "forest"))
    visitor = Visitor(
        edition=edition,
        email="zenobie@example.org",
        first_name="Zénobie",
        last_name="Vandersmissen",
        organisation="Maison médicale du Midi",
        language="fr",
    )
    request_token = new_token()
    bookings = []
    for name, start, minutes in (("Le Méridien", 10, 90), ("Entr'Aide", 14, 60)):
        slot = Slot(
            start_at=at(VISIT, start),
            end_at=at(VISIT, start) + timedelta(minutes=minutes),
            capacity=5,
            booked_count=1,
        )
        Offer(
            edition=edition,
            name=name,
            sector="maison-medicale",
            address="Rue de Mérode 1",
            commune=forest,
            discover_fr="x",
            status=OfferStatus.ACCEPTED,
            slots=[slot],
        )
        bookings.append(
            Booking(
                slot=slot,
                visitor=visitor,
                status=BookingStatus.CONFIRMED,
                request_token=request_token,
            )
        )
    db.session.add_all([visitor, *bookings])
    db.session.commit()
    return visitor, bookings


def tick(booking, came):
    with time_machine.travel(booking.slot.end_at, tick=False), unit_of_work("tick"):
        attendance.record(
            booking.slot.offer_id, booking.slot_id, [booking.id] if came else [], audit.SYSTEM
        )


def test_the_visit_the_host_ticked_gets_its_attestation(client, visits):
    visitor, (ticked, not_ticked) = visits
    tick(ticked, True)
    tick(not_ticked, False)
    with time_machine.travel(at(VISIT + timedelta(days=1), 9), tick=False):
        page = client.get(f"/grand-bain/visits/{visitor.token}").text
        good = client.get(f"/grand-bain/visits/{visitor.token}/{ticked.id}/attestation.pdf")
        refused = client.get(f"/grand-bain/visits/{visitor.token}/{not_ticked.id}/attestation.pdf")
        from_request = client.get(
            f"/grand-bain/visits/{ticked.request_token}/{ticked.id}/attestation.pdf"
        )
    assert f"/grand-bain/visits/{visitor.token}/{ticked.id}/attestation.pdf" in page
    assert f"{not_ticked.id}/attestation.pdf" not in page
    assert good.status_code == 200 and from_request.status_code == 200
    assert refused.status_code == 404
    text, pages = pdf_text(good.data)
    assert pages == 1
    assert "Zénobie Vandersmissen" in text
    assert "Le Méridien" in text and "Grand Bain 2027" in text
    assert "mardi 12 octobre 2027, de 10:00 à 11:30 (1 h 30)" in text
    assert printed_attestation_code(ticked.attestation_code) in text


def test_not_before_the_day_after_nor_through_another_visitors_link(client, visits):
    visitor, (ticked, _other) = visits
    tick(ticked, True)
    url = f"/grand-bain/visits/{visitor.token}/{ticked.id}/attestation.pdf"
    with time_machine.travel(at(VISIT, 20), tick=False):
        assert client.get(url).status_code == 404
    stranger = Visitor(edition=visitor.edition, email="x@example.org", first_name="X")
    db.session.add(stranger)
    db.session.commit()
    with time_machine.travel(at(VISIT + timedelta(days=1), 9), tick=False):
        assert client.get(url).status_code == 200
        foreign = f"/grand-bain/visits/{stranger.token}/{ticked.id}/attestation.pdf"
        assert client.get(foreign).status_code == 404


def test_an_erased_visitors_attestation_is_gone_and_its_code_says_so(client, visits):
    visitor, (ticked, _other) = visits
    tick(ticked, True)
    code = ticked.attestation_code
    with time_machine.travel(at(VISIT + timedelta(days=1), 9), tick=False):
        assert client.get(f"/attestations/{code}").status_code == 200
        with unit_of_work("erase"):
            personal_data.erase(visitor.id)
        answer = client.get(f"/attestations/{code}")
    assert answer.status_code == 410
    assert "Zénobie" not in answer.text
    assert db.session.get(Visitor, visitor.id).anonymised_at is not None


def test_the_visits_evaluation_mail_carries_the_attestation_link(app, visits, smtp):
    from webapp.evaluations import visits as visit_evaluations

    visitor, (ticked, _other) = visits
    tick(ticked, True)
    with time_machine.travel(at(VISIT + timedelta(days=1), 9), tick=False):
        with unit_of_work("invite"):
            assert visit_evaluations.invite(ticked.id)
        app.test_cli_runner().invoke(args=["send-mail"])
    (message,) = smtp.inbox.to("zenobie@example.org")
    text = message.get_body(("plain",)).get_content()
    assert f"/grand-bain/visits/{visitor.token}/{ticked.id}/attestation.pdf" in text
