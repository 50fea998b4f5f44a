"""Places decided by the database: taken only while free, several rows all or none."""

import pytest

from webapp import capacity
from webapp.agenda.models import Event
from webapp.extensions import db
from webapp.registrations.rules import SEATS
from webapp.unit_of_work import unit_of_work


def taken(event):
    db.session.expire_all()
    return db.session.get(Event, event.id).confirmed_count


def test_places_are_taken_while_free_and_never_beyond_capacity(make_event):
    event = make_event(capacity=2)
    with unit_of_work():
        assert capacity.take(SEATS, event.id)
        assert capacity.take(SEATS, event.id)
        assert not capacity.take(SEATS, event.id)
    assert taken(event) == 2
    with unit_of_work():
        assert not capacity.take(SEATS, event.id, count=1)
        capacity.give_back(SEATS, event.id)
        assert capacity.take(SEATS, event.id)
    assert taken(event) == 2


def test_no_limit_takes_any_number(make_event):
    event = make_event(capacity=None)
    with unit_of_work():
        assert capacity.take(SEATS, event.id, count=50)
    assert taken(event) == 50


def test_giving_back_never_goes_below_zero(make_event):
    event = make_event(capacity=3)
    with unit_of_work():
        capacity.give_back(SEATS, event.id)
    assert taken(event) == 0


def test_several_rows_are_taken_all_or_none(make_event):
    roomy, full = make_event(capacity=5), make_event(capacity=1)
    with unit_of_work():
        assert capacity.take(SEATS, full.id)
    with pytest.raises(RuntimeError), unit_of_work():
        if not capacity.take_all(SEATS, [full.id, roomy.id]):
            raise RuntimeError("one slot is full: the booking is refused whole")
    assert taken(roomy) == 0 and taken(full) == 1
    with unit_of_work():
        assert capacity.take_all(SEATS, [roomy.id, make_event(capacity=2).id], count=2)
    assert taken(roomy) == 2


def test_counting_places_leaves_the_change_time_alone(make_event):
    event = make_event(capacity=3)
    before = event.updated_at
    with unit_of_work():
        capacity.lock(SEATS, event.id)
        capacity.take(SEATS, event.id)
    db.session.expire_all()
    assert db.session.get(Event, event.id).updated_at == before
