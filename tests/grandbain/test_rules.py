"""Booking a set of visits: all or none, capacity, overlaps with the edition's margin, the cap
per visitor, the window, the waitlist and its promotion."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.grandbain.conftest import rules
from webapp.audit import AuditEntry
from webapp.extensions import db
from webapp.grandbain.models import Booking, Slot
from webapp.grandbain.states import OfferStatus
from webapp.timezones import utcnow
from webapp.unit_of_work import unit_of_work


def slot_ids(*offers):
    return [slot.id for offer in offers for slot in offer.slots]


def bookings():
    return db.session.scalars(select(Booking).order_by(Booking.id)).all()


def booked(slot_id):
    return db.session.get(Slot, slot_id, populate_existing=True).booked_count


def refusal(edition_id, ids, person, **kwargs):
    with pytest.raises(rules.BookingRefused) as refused:
        rules.book(edition_id, ids, person, **kwargs)
    return refused.value


def test_three_visits_in_three_services_are_booked_in_one_go(edition, make_offer, person):
    a = make_offer("Maison médicale du Midi", [(0, "09:00", "10:30", 5)])
    b = make_offer("CPAS de Forest", [(0, "11:00", "12:00", 5)], email="cpas@forest.be")
    c = make_offer("SISD Bruxelles", [(1, "14:00", "15:00", 5)], email="sisd@example.be")
    outcome = rules.book(
        edition.id, slot_ids(a, b, c), person(), questions={a.slots[0].id: "Accueil ?"}
    )
    assert {b.request_token for b in outcome.bookings} == {outcome.request_token}
    assert [b.status for b in bookings()] == ["confirmed"] * 3
    assert [booked(i) for i in slot_ids(a, b, c)] == [1, 1, 1]
    assert bookings()[0].question == "Accueil ?"
    actions = db.session.scalars(select(AuditEntry.action)).all()
    assert actions.count("grand_bain.booked") == 3


@pytest.mark.parametrize(
    ("margin", "second_start", "accepted"),
    [
        (0, "10:30", True),  # touching, no margin: fine
        (0, "10:29", False),  # overlapping by a minute
        (30, "11:00", True),  # exactly the margin
        (30, "10:40", False),  # ten minutes after the first one ends
    ],
)
def test_visits_closer_than_the_margin_are_refused_and_the_refusal_names_the_other(
    edition, make_offer, person, margin, second_start, accepted
):
    with unit_of_work("margin"):
        db.session.get(type(edition), edition.id).margin_minutes = margin
    first = make_offer("Maison médicale du Midi", [(0, "09:00", "10:30", 5)])
    end = f"{int(second_start[:2]) + 1:02d}{second_start[2:]}"
    second = make_offer("Hôpital Molière", [(0, second_start, end, 5)], email="hm@example.be")
    if accepted:
        rules.book(edition.id, slot_ids(first, second), person())
        assert len(bookings()) == 2
        return
    problem = refusal(edition.id, slot_ids(first, second), person()).problems
    assert problem[second.slots[0].id].code == "overlap"
    assert problem[second.slots[0].id].other.id == first.slots[0].id
    assert bookings() == []
    assert booked(first.slots[0].id) == 0


def test_a_visit_too_close_to_one_booked_earlier_is_refused(edition, make_offer, person):
    first = make_offer("Maison médicale du Midi", [(0, "09:00", "10:30", 5)])
    second = make_offer("Hôpital Molière", [(0, "10:40", "11:30", 5)], email="hm@example.be")
    rules.book(edition.id, slot_ids(first), person())
    refused = refusal(edition.id, slot_ids(second), person(email=" ANNE.1@example.org "))
    assert refused.problems[second.slots[0].id].other.id == first.slots[0].id
    assert len(bookings()) == 1


def test_the_cap_per_visitor_counts_visits_booked_before(edition, make_offer, person):
    offer = make_offer(
        "CPAS de Forest",
        [(0, "09:00", "10:00", 5), (1, "09:00", "10:00", 5), (2, "09:00", "10:00", 5)],
    )
    other = make_offer("SISD", [(3, "09:00", "10:00", 5), (4, "09:00", "10:00", 5)], email="s@x.be")
    rules.book(edition.id, slot_ids(offer), person())
    assert refusal(edition.id, slot_ids(other), person()).reason == "cap"
    assert len(bookings()) == 3
    rules.book(edition.id, slot_ids(other)[:1], person())
    assert len(bookings()) == 4


def test_one_full_slot_refuses_the_whole_set_and_takes_no_place(edition, make_offer, person):
    free = make_offer("Maison médicale du Midi", [(0, "09:00", "10:00", 5)])
    full = make_offer("Hôpital Molière", [(1, "09:00", "10:00", 1)], email="hm@example.be")
    rules.book(edition.id, slot_ids(full), person(1))
    refused = refusal(edition.id, slot_ids(free, full), person(2))
    assert {i: p.code for i, p in refused.problems.items()} == {full.slots[0].id: "full"}
    assert booked(free.slots[0].id) == 0
    assert len(bookings()) == 1


def test_asking_for_the_waitlist_books_the_free_ones_and_waits_for_the_full(
    edition, make_offer, person
):
    free = make_offer("Maison médicale du Midi", [(0, "09:00", "10:00", 5)])
    full = make_offer("Hôpital Molière", [(1, "09:00", "10:00", 1)], email="hm@example.be")
    rules.book(edition.id, slot_ids(full), person(1))
    outcome = rules.book(edition.id, slot_ids(free, full), person(2), waitlist=True)
    assert sorted(b.status for b in outcome.bookings) == ["confirmed", "waitlisted"]
    assert booked(full.slots[0].id) == 1


def test_a_cancellation_frees_one_place_and_promotes_exactly_the_first_waiting(
    edition, make_offer, person
):
    offer = make_offer("Hôpital Molière", [(1, "09:00", "10:00", 1)], email="hm@example.be")
    other = make_offer("CPAS de Forest", [(2, "09:00", "10:00", 5)], email="c@f.be")
    first = rules.book(edition.id, slot_ids(offer, other), person(1)).bookings
    second = rules.book(edition.id, slot_ids(offer), person(2), waitlist=True).bookings[0]
    third = rules.book(edition.id, slot_ids(offer), person(3), waitlist=True).bookings[0]
    assert rules.waitlist_position(db.session.get(Booking, third.id)) == 2
    promoted = rules.cancel(first[0].id)
    assert promoted.id == second.id
    statuses = {b.id: b.status for b in bookings()}
    assert statuses == {
        first[0].id: "cancelled",
        first[1].id: "confirmed",  # her other visit is untouched
        second.id: "confirmed",
        third.id: "waitlisted",
    }
    assert booked(offer.slots[0].id) == 1
    assert rules.waitlist_position(db.session.get(Booking, third.id)) == 1
    assert rules.cancel(first[0].id) is None  # twice: nothing more
    assert booked(offer.slots[0].id) == 1


def test_cancel_all_frees_every_place(edition, make_offer, person):
    a = make_offer("Maison médicale du Midi", [(0, "09:00", "10:00", 5)])
    b = make_offer("CPAS de Forest", [(1, "09:00", "10:00", 5)], email="c@f.be")
    visitor = rules.book(edition.id, slot_ids(a, b), person()).visitor
    rules.book(edition.id, slot_ids(a), person(2))
    assert len(rules.cancel_all(visitor.id)) == 2
    assert [booked(i) for i in slot_ids(a, b)] == [1, 0]


@pytest.mark.parametrize("case", ["other-edition", "closed", "twice", "not-accepted", "past"])
def test_bad_slot_ids_are_refused_and_nothing_is_written(edition, make_offer, person, case):
    good = make_offer("Maison médicale du Midi", [(0, "09:00", "10:00", 5)])
    ids = slot_ids(good)
    if case == "other-edition":
        from webapp.grandbain.models import Edition

        with unit_of_work("older"):
            older = Edition(
                year=edition.year - 1,
                week_start=edition.week_start - timedelta(days=364),
                week_end=edition.week_end - timedelta(days=364),
            )
            db.session.add(older)
        bad = make_offer("Ancien", [(0, "09:00", "10:00", 5)], edition_=older, email="a@b.be")
        ids.append(bad.slots[0].id)
        expected = "unknown"
    elif case == "closed":
        bad = make_offer("Fermé", [(2, "09:00", "10:00", 5)], email="f@b.be")
        with unit_of_work("close"):
            db.session.get(Slot, bad.slots[0].id).closed = True
        ids.append(bad.slots[0].id)
        expected = "closed"
    elif case == "twice":
        ids.append(ids[0])
        expected = "twice"
    elif case == "not-accepted":
        bad = make_offer(
            "En attente", [(2, "09:00", "10:00", 5)], email="f@b.be", status=OfferStatus.SUBMITTED
        )
        ids.append(bad.slots[0].id)
        expected = "unknown"
    else:
        bad = make_offer("Passé", [(2, "09:00", "10:00", 5)], email="f@b.be")
        with unit_of_work("past"):
            slot = db.session.get(Slot, bad.slots[0].id)
            slot.start_at, slot.end_at = (
                utcnow() - timedelta(hours=2),
                utcnow() - timedelta(hours=1),
            )
        ids.append(bad.slots[0].id)
        expected = "closed"
    refused = refusal(edition.id, ids, person())
    assert expected in {p.code for p in refused.problems.values()}
    assert bookings() == []
    assert db.session.scalar(select(func.sum(Slot.booked_count))) == 0


def test_booking_outside_the_window_is_refused(edition, make_offer, person):
    offer = make_offer()
    with unit_of_work("close window"):
        db.session.get(type(edition), edition.id).booking_closes_at = utcnow() - timedelta(
            minutes=1
        )
    assert refusal(edition.id, slot_ids(offer), person()).reason == "closed"
    with unit_of_work("not yet"):
        found = db.session.get(type(edition), edition.id)
        found.booking_opens_at = utcnow() + timedelta(days=1)
        found.booking_closes_at = None
    assert refusal(edition.id, slot_ids(offer), person()).reason == "not-open"


def test_the_same_slot_twice_for_one_person_is_refused(edition, make_offer, person):
    offer = make_offer()
    rules.book(edition.id, slot_ids(offer), person())
    refused = refusal(edition.id, slot_ids(offer), person(email="Anne.1@Example.org"))
    assert [p.code for p in refused.problems.values()] == ["already"]
    assert booked(offer.slots[0].id) == 1


def test_the_database_holds_one_active_booking_per_visitor_and_slot(edition, make_offer, person):
    from sqlalchemy.exc import IntegrityError

    offer = make_offer()
    first = rules.book(edition.id, slot_ids(offer), person()).bookings[0]
    with pytest.raises(IntegrityError), unit_of_work("duplicate"):
        db.session.add(
            Booking(slot_id=first.slot_id, visitor_id=first.visitor_id, status="waitlisted")
        )
        db.session.flush()
    rules.cancel(first.id)
    with unit_of_work("again after cancelling"):
        db.session.add(
            Booking(slot_id=first.slot_id, visitor_id=first.visitor_id, status="waitlisted")
        )
    with pytest.raises(IntegrityError), unit_of_work("overbooked"):
        db.session.get(Slot, first.slot_id).booked_count = 6
        db.session.flush()
