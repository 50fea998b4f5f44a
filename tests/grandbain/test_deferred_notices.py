"""A booking's notices are recorded in its transaction and written by the worker (the
request renders no mail): each host and the visitor get the message they got when it was
written in the request, once; the host's count is the one of the moment of the booking; a
refused booking records nothing."""

import re

import pytest
from sqlalchemy import select

from tests.grandbain.conftest import rules
from webapp.extensions import db
from webapp.grandbain import notices, personal_data
from webapp.grandbain.models import Booking, Slot, Visitor
from webapp.grandbain.rules import BookingRefused
from webapp.mail import deferred
from webapp.mail.models import OutboxMessage, OutboxStatus
from webapp.mail.outbox import deliver_all
from webapp.unit_of_work import unit_of_work

STAMP = re.compile(r"^DTSTAMP:.*\r?\n", re.MULTILINE)  # the moment the .ics was written


@pytest.fixture
def three_hosts(make_offer):
    a = make_offer("Maison médicale du Midi", [(0, "09:00", "10:30", 5)])
    b = make_offer("CPAS de Forest", [(1, "09:00", "10:30", 5)], email="cpas@forest.be")
    c = make_offer("Hôpital Molière", [(2, "14:00", "15:30", 1)], email="h@moliere.be")
    return [a.slots[0].id, b.slots[0].id, c.slots[0].id]


def rows(status=None):
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if status:
        query = query.where(OutboxMessage.status == status)
    return db.session.scalars(query).all()


def as_written_in_the_request(booking_ids, visitor_id):
    """What notices.to_host / to_visitor queue for these bookings, as the request did."""
    bookings = [db.session.get(Booking, booking_id) for booking_id in booking_ids]
    visitor = db.session.get(Visitor, visitor_id)
    messages = [notices._host_message(booking, "booked") for booking in bookings]
    messages.append(notices._visitor_message(visitor, "booked", bookings))
    return {m["recipient"]: m for m in messages}


def test_booking_records_the_notices_and_the_worker_writes_them_as_before(
    edition, three_hosts, person, smtp
):
    outcome = rules.book(edition.id, three_hosts, person(), language="nl")
    recorded = rows()
    assert [r.status for r in recorded] == [OutboxStatus.UNWRITTEN] * 4  # 3 hosts, 1 visitor
    assert {r.recipient for r in recorded} == {
        "accueil@mm-midi.be",
        "cpas@forest.be",
        "h@moliere.be",
        "anne.1@example.org",
    }
    booking_ids = [b.id for b in outcome.bookings]
    expected = as_written_in_the_request(booking_ids, outcome.visitor.id)
    db.session.rollback()  # the comparison queued nothing: only what the worker writes counts

    deferred.write_due()
    written = {r.recipient: r for r in rows(OutboxStatus.PENDING)}
    assert set(written) == set(expected)
    for recipient, message in written.items():
        wanted = expected[recipient]
        assert message.subject == wanted["subject"]
        assert message.body_text == wanted["body_text"]
        assert message.body_html == wanted["body_html"]
        assert message.reply_to == wanted["reply_to"]
        assert message.reference == wanted["reference"]
        assert STAMP.sub("", message.ics or "") == STAMP.sub("", wanted.get("ics") or "")
        assert message.ics_method == wanted.get("ics_method")
    assert "Grand Bain" in written["anne.1@example.org"].subject
    assert written["anne.1@example.org"].ics_method == "REQUEST"

    assert deliver_all() == (4, 0)
    assert deliver_all() == (0, 0)
    for recipient in expected:
        assert len(smtp.inbox.to(recipient)) == 1, recipient
    (mail,) = smtp.inbox.to("anne.1@example.org")
    assert "bezoeken" in mail["Subject"].lower()  # her language, as chosen when booking


def test_each_host_notice_counts_the_places_as_they_were_when_booked(
    edition, make_offer, person, smtp
):
    slot = make_offer("Maison médicale du Midi", [(0, "09:00", "10:30", 5)]).slots[0].id
    for n in (1, 2, 3):
        rules.book(edition.id, [slot], person(n))
    assert db.session.get(Slot, slot).booked_count == 3
    deliver_all()
    counts = [
        re.search(r"(\d) / 5", m.get_body(("plain",)).get_content()).group(1)
        for m in smtp.inbox.to("accueil@mm-midi.be")
    ]
    assert counts == ["1", "2", "3"]


def test_a_waitlisted_visit_is_told_as_waiting_even_once_promoted(
    edition, make_offer, person, smtp
):
    slot = make_offer("Hôpital Molière", [(2, "14:00", "15:30", 1)]).slots[0].id
    first = rules.book(edition.id, [slot], person(1))
    rules.book(edition.id, [slot], person(2), waitlist=True)
    rules.cancel(first.bookings[0].id)  # she gets the place before the worker writes
    deliver_all()
    booked, promoted = smtp.inbox.to("anne.2@example.org")
    assert "liste d'attente" in booked.get_body(("plain",)).get_content()
    assert "place s'est libérée" in promoted["Subject"]


@pytest.mark.parametrize("case", ["full", "overlap with an earlier visit", "already booked"])
def test_a_refused_booking_records_no_notice(edition, make_offer, person, smtp, case):
    slots = [
        s.id
        for s in make_offer(
            "Maison médicale du Midi",
            [(0, "09:00", "10:30", 1), (0, "10:00", "11:00", 5), (1, "09:00", "10:00", 5)],
        ).slots
    ]
    rules.book(edition.id, [slots[0]], person(1))
    deliver_all()
    before = len(smtp.inbox.messages)
    asked = {
        "full": (person(2), [slots[0], slots[2]]),
        "overlap with an earlier visit": (person(1), [slots[1], slots[2]]),
        "already booked": (person(1), [slots[0], slots[2]]),
    }[case]
    with pytest.raises(BookingRefused):
        rules.book(edition.id, asked[1], asked[0])
    assert rows(OutboxStatus.UNWRITTEN) == []
    assert db.session.scalars(select(Booking.id)).all() == [1]
    deliver_all()
    subjects = [m["Subject"] for m in smtp.inbox.messages[before:]]
    assert not any("réservation" in s or "vos visites" in s for s in subjects), subjects


def test_a_visitor_erased_before_the_worker_writes_gets_nothing(edition, three_hosts, person, smtp):
    outcome = rules.book(edition.id, three_hosts[:1], person())
    with unit_of_work("erase"):
        personal_data.erase(outcome.visitor.id)
    deliver_all()
    assert smtp.inbox.to("anne.1@example.org") == []
