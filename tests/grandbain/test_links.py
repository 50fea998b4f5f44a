"""Who reaches a visitor's visits: the page a booking request lands on covers that request's
visits alone; the page of every visit of an address (cancel all, erase, the full feed) is
reached only by the link mailed to it. Two clients book with one address, as a stranger
and the mailbox owner would; the mail goes through a real SMTP server."""

import re

import pytest
from sqlalchemy import select

from tests.conftest import FreshContextClient
from webapp.extensions import db
from webapp.grandbain.models import Booking
from webapp.mail.outbox import deliver_all

ADDRESS = "x@example.org"
VISITS_LINK = re.compile(r"https?://[^\s\"<>]*/grand-bain/visits/([A-Za-z0-9_-]{43})(?=[\s\"<?])")
CANCEL_LINK = re.compile(r"https?://[^\s\"<>]*/grand-bain/visits/([A-Za-z0-9_-]{43})/(\d+)/cancel")


def new_client(app, address):
    """A browser of its own (cookies, session) on its own loopback address."""
    app.test_client_class = FreshContextClient
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def book(client, slot, person, **fields):
    return client.post(
        f"/grand-bain/slots/{slot.id}/book", data=person(email=ADDRESS, **fields) | {"consent": "y"}
    )


def request_token(response):
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    return response.headers["Location"].rsplit("/", 1)[1]


def mails_to(smtp, address=ADDRESS):
    sent, failed = deliver_all()
    assert failed == 0
    return [m.get_body(("plain",)).get_content() for m in smtp.inbox.to(address)]


@pytest.fixture
def two_offers(make_offer):
    """Slot A (Monday) and slot B (Wednesday), far apart."""
    a = make_offer("Maison médicale du Midi", [(0, "09:00", "10:00", 5)])
    b = make_offer("CPAS de Forest", [(2, "14:00", "15:00", 5)], email="cpas@forest.be")
    return a.slots[0], b.slots[0]


@pytest.fixture
def stranger_then_owner(app, edition, two_offers, person):
    """A stranger books slot A with the address and keeps the link the page gave; then the
    mailbox owner books slot B with the same address from another client."""
    a, b = two_offers
    stranger, owner = new_client(app, "127.0.0.2"), new_client(app, "127.0.0.3")
    first = request_token(book(stranger, a, person, first_name="Mallory"))
    second = book(owner, b, person, first_name="Xavière")  # the later request's answer
    booking_b = db.session.scalar(select(Booking).where(Booking.slot_id == b.id))
    return {
        "stranger": stranger,
        "owner": owner,
        "first": first,
        "second": second,
        "booking_b": booking_b.id,
    }


def test_the_first_link_does_not_show_export_or_cancel_a_visit_booked_later(stranger_then_owner):
    case = stranger_then_owner
    stranger, link = case["stranger"], case["first"]
    page = stranger.get(f"/grand-bain/visits/{link}").get_data(as_text=True)
    assert "Maison médicale du Midi" in page and page.count("data-status=") == 1
    assert "CPAS de Forest" not in page and "Xavière" not in page
    feed = stranger.get(f"/grand-bain/calendar/{link}.ics").get_data(as_text=True)
    assert feed.count("BEGIN:VEVENT") == 1
    assert "Maison médicale du Midi" in feed and "CPAS de Forest" not in feed
    cancel = f"/grand-bain/visits/{link}/{case['booking_b']}/cancel"
    assert stranger.get(cancel).status_code == 404
    assert stranger.post(cancel).status_code == 404
    assert db.session.get(Booking, case["booking_b"]).status == "confirmed"


def test_the_request_link_neither_cancels_all_nor_erases(stranger_then_owner):
    stranger, link = stranger_then_owner["stranger"], stranger_then_owner["first"]
    page = stranger.get(f"/grand-bain/visits/{link}").get_data(as_text=True)
    assert "Effacer mes données" not in page and "Annuler toutes mes visites" not in page
    for path in ("/cancel", "/erase"):
        assert stranger.get(f"/grand-bain/visits/{link}{path}").status_code == 404
        assert stranger.post(f"/grand-bain/visits/{link}{path}").status_code == 404
    statuses = db.session.scalars(select(Booking.status)).all()
    assert statuses == ["confirmed", "confirmed"]


def test_a_later_booking_with_the_address_says_nothing_of_its_earlier_visits(stranger_then_owner):
    owner, link = stranger_then_owner["owner"], request_token(stranger_then_owner["second"])
    page = owner.get(f"/grand-bain/visits/{link}").get_data(as_text=True)
    assert "CPAS de Forest" in page and page.count("data-status=") == 1
    assert "Maison médicale du Midi" not in page and "Mallory" not in page
    assert "avait déjà des visites" not in page
    feed = owner.get(f"/grand-bain/calendar/{link}.ics").get_data(as_text=True)
    assert feed.count("BEGIN:VEVENT") == 1 and "Maison médicale du Midi" not in feed


def test_each_booking_is_mailed_with_the_full_link_and_the_cancel_link_of_each_visit(
    stranger_then_owner, smtp, app
):
    case = stranger_then_owner
    first_mail, second_mail = mails_to(smtp)
    assert "Maison médicale du Midi" in first_mail and "CPAS de Forest" in second_mail
    full = {VISITS_LINK.search(text).group(1) for text in (first_mail, second_mail)}
    assert len(full) == 1  # one link for every visit of the address, in each mail
    (full,) = full
    assert full not in (case["first"], request_token(case["second"]))  # never a page's link
    mailbox = new_client(app, "127.0.0.4")
    page = mailbox.get(f"/grand-bain/visits/{full}").get_data(as_text=True)
    assert "Maison médicale du Midi" in page and "CPAS de Forest" in page
    assert "Annuler toutes mes visites" in page and "Effacer mes données" in page
    feed = mailbox.get(f"/grand-bain/calendar/{full}.ics").get_data(as_text=True)
    assert feed.count("BEGIN:VEVENT") == 2
    # The owner undoes the visit the stranger booked in her name, from the mail itself.
    (cancel,) = CANCEL_LINK.findall(first_mail)
    assert cancel[0] == full
    path = f"/grand-bain/visits/{cancel[0]}/{cancel[1]}/cancel"
    assert mailbox.get(path).status_code == 200
    assert mailbox.post(path).status_code == 303
    a_id = db.session.scalar(select(Booking.id).where(Booking.id == int(cancel[1])))
    assert db.session.get(Booking, a_id).slot.offer.name == "Maison médicale du Midi"
    assert db.session.get(Booking, a_id).status == "cancelled"
    assert db.session.get(Booking, case["booking_b"]).status == "confirmed"
    # Her erasure, from the mailed link, also retires the links the request pages gave.
    assert mailbox.post(f"/grand-bain/visits/{full}/erase").status_code == 200
    stranger = case["stranger"]
    assert stranger.get(f"/grand-bain/visits/{case['first']}").status_code == 404
    assert stranger.get(f"/grand-bain/calendar/{case['first']}.ics").status_code == 404


def test_the_stranger_cancels_only_what_her_request_booked_and_the_owner_is_told(
    stranger_then_owner, smtp
):
    case = stranger_then_owner
    stranger, link = case["stranger"], case["first"]
    mails_to(smtp)
    mine = db.session.scalar(select(Booking.id).where(Booking.id != case["booking_b"]))
    response = stranger.post(f"/grand-bain/visits/{link}/{mine}/cancel")
    assert response.status_code == 303
    assert db.session.get(Booking, mine).status == "cancelled"
    assert db.session.get(Booking, case["booking_b"]).status == "confirmed"
    back = stranger.get(response.headers["Location"]).get_data(as_text=True)
    assert 'data-status="cancelled"' in back and "CPAS de Forest" not in back
    told = mails_to(smtp)[-1]  # the owner learns it, with her own link, not the stranger's
    assert "Maison médicale du Midi" in told and VISITS_LINK.search(told).group(1) != link


@pytest.mark.parametrize("case", ["overlap", "cap", "already"])
def test_a_refusal_that_comes_from_earlier_visits_is_told_by_mail_not_on_the_page(
    app, edition, make_offer, person, smtp, case
):
    owner, stranger = new_client(app, "127.0.0.2"), new_client(app, "127.0.0.3")
    first = make_offer("Maison médicale du Midi", [(0, "09:00", "10:30", 5)])
    close = make_offer("Hôpital Molière", [(0, "10:40", "11:30", 5)], email="hm@example.be")
    days = make_offer(
        "SISD Bruxelles",
        [(1, "09:00", "10:00", 5), (2, "09:00", "10:00", 5), (3, "09:00", "10:00", 5)],
        email="sisd@example.be",
    )
    last = make_offer("CPAS de Forest", [(4, "09:00", "10:00", 5)], email="cpas@forest.be")
    earlier = [first.slots[0]] + (days.slots if case == "cap" else [])
    response = owner.post(
        f"/grand-bain/{edition.year}/book",
        data=person(email=ADDRESS) | {"consent": "y", "slot": [s.id for s in earlier]},
    )
    request_token(response)
    seen = len(mails_to(smtp))
    asked = {"overlap": close, "cap": last, "already": first}[case].slots[0]
    response = book(stranger, asked, person, first_name="Mallory")
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Maison médicale du Midi" not in page and "SISD" not in page
    assert "Trop proche" not in page and "déjà réservé" not in page
    assert "au plus 4 visites" not in page
    assert f"Nous avons écrit à {ADDRESS}" in page
    on_asked = db.session.scalars(select(Booking).where(Booking.slot_id == asked.id)).all()
    assert len(on_asked) == (1 if case == "already" else 0)  # nothing booked by the request
    (told,) = mails_to(smtp)[seen:]
    assert asked.offer.name in told
    expected = {
        "overlap": "Trop proche de votre visite chez Maison médicale du Midi",
        "cap": "au plus 4 visites",
        "already": "Vous avez déjà réservé cette visite.",
    }[case]
    assert expected in told.replace("\n", " ").replace("  ", " ")
    full = VISITS_LINK.search(told).group(1)
    assert owner.get(f"/grand-bain/visits/{full}").status_code == 200
