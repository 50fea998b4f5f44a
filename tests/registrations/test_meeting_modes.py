"""Online and hybrid meetings: places per way to attend, each with its waitlist; the meeting
link reaches confirmed online participants only; on site to online mails like a move."""

from datetime import timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from tests.edge import rules
from tests.factories import morning_in
from webapp.agenda import operations
from webapp.agenda.models import Event
from webapp.audit import SYSTEM
from webapp.extensions import db
from webapp.mail.models import OutboxMessage
from webapp.registrations import jobs
from webapp.registrations.models import Registration
from webapp.timezones import utcnow
from webapp.unit_of_work import unit_of_work

LINK = "https://visio.example.org/reseau-sud?pwd=s3cret"


def hybrid(make_event, onsite=1, online=1, **fields):
    return make_event(
        mode="hybrid",
        capacity=onsite,
        online_capacity=online,
        online_url=LINK,
        start=morning_in(days=10),
        **fields,
    )


def messages_to(email):
    return db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient == email).order_by(OutboxMessage.id)
    ).all()


def counts(event_id):
    event = db.session.get(Event, event_id, populate_existing=True)
    return event.confirmed_count, event.online_confirmed_count


def test_each_way_to_attend_has_its_places_and_its_own_waitlist(make_event, person):
    event = hybrid(make_event)
    onsite = rules.register(event.id, person(1), mode="onsite").registration
    online = rules.register(event.id, person(2), mode="online").registration
    onsite_waiting = rules.register(event.id, person(3), mode="onsite").registration
    online_waiting = rules.register(event.id, person(4), mode="online").registration
    online_second = rules.register(event.id, person(5), mode="online").registration
    assert [onsite.status, online.status] == ["confirmed", "confirmed"]
    assert counts(event.id) == (1, 1)
    # Each waitlist counts its own people: the first online person waiting is first online.
    assert rules.waitlist_position(onsite_waiting) == 1
    assert rules.waitlist_position(online_waiting) == 1
    assert rules.waitlist_position(online_second) == 2
    # An online place freed goes to the first waiting online, never to someone on site.
    promoted = rules.cancel(online.id)
    assert promoted.id == online_waiting.id
    db.session.refresh(onsite_waiting)
    assert onsite_waiting.status == "waitlisted"
    assert counts(event.id) == (1, 1)


def test_a_hybrid_event_needs_a_choice_and_refuses_a_mode_it_does_not_offer(make_event, person):
    event = hybrid(make_event)
    with pytest.raises(rules.RegistrationRefused) as refused:
        rules.register(event.id, person(1))
    assert refused.value.reason == "mode-required"
    onsite_only = make_event(capacity=5)
    with pytest.raises(rules.RegistrationRefused):
        rules.register(onsite_only.id, person(2), mode="online")
    assert (
        db.session.scalar(select(Registration.id).where(Registration.event_id == event.id)) is None
    )


def test_an_online_event_takes_online_places(make_event, person):
    event = make_event(mode="online", online_capacity=1, online_url=LINK)
    first = rules.register(event.id, person(1)).registration
    second = rules.register(event.id, person(2)).registration
    assert (first.mode, first.status) == ("online", "confirmed")
    assert (second.mode, second.status) == ("online", "waitlisted")
    assert counts(event.id) == (0, 1)


def test_the_database_refuses_more_online_places_than_there_are(make_event):
    event = make_event(mode="online", online_capacity=1)
    with pytest.raises(Exception), unit_of_work():  # noqa: B017, PT011 - the CHECK refuses
        db.session.get(Event, event.id).online_confirmed_count = 2
        db.session.flush()


def test_only_a_confirmed_online_participant_is_mailed_the_link(make_event, person):
    event = hybrid(make_event)
    rules.register(event.id, person(1), mode="onsite")
    rules.register(event.id, person(2), mode="online")
    rules.register(event.id, person(3), mode="online")  # waitlisted
    online = messages_to("anne.2@example.org")[0]
    assert LINK in online.body_text and LINK in online.body_html
    invite = Calendar.from_ical(online.ics).walk("VEVENT")[0]
    assert LINK in str(invite["DESCRIPTION"])
    assert str(invite["CONFERENCE"]) == LINK
    assert str(invite["LOCATION"]) == "En ligne"
    for other in ("anne.1@example.org", "anne.3@example.org"):
        message = messages_to(other)[0]
        assert LINK not in message.body_text + message.body_html + message.ics
    # The waitlisted person is promoted: that mail brings the link.
    rules.cancel(db.session.scalar(select(Registration.id).where(Registration.mode == "online")))
    promoted = messages_to("anne.3@example.org")[-1]
    assert promoted.subject.startswith("Une place s'est libérée")
    assert LINK in promoted.body_text and LINK in promoted.ics


def test_the_reminder_carries_the_link_to_online_participants_only(make_event, person):
    soon = make_event(
        mode="hybrid",
        capacity=5,
        online_capacity=5,
        online_url=LINK,
        start=utcnow() + timedelta(hours=30),
    )
    rules.register(soon.id, person(1), mode="onsite")
    rules.register(soon.id, person(2), mode="online")
    assert jobs.send_reminders() == 2
    reminders = {
        m.recipient: m
        for m in db.session.scalars(select(OutboxMessage)).all()
        if m.subject.startswith("Rappel")
    }
    assert LINK in reminders["anne.2@example.org"].body_text
    assert LINK not in reminders["anne.1@example.org"].body_text


def test_on_site_to_online_moves_every_place_and_mails_the_registrants(make_event, person):
    event = make_event(capacity=2, online_url=LINK, start=morning_in(days=10))
    rules.register(event.id, person(1))
    rules.register(event.id, person(2))
    rules.register(event.id, person(3))  # waitlisted on site
    with unit_of_work():
        change = operations.update_event(event.id, {"mode": "online", "online_capacity": 3}, SYSTEM)
    assert change.notice == "changed"
    rows = db.session.scalars(
        select(Registration).where(Registration.event_id == event.id).order_by(Registration.id)
    ).all()
    # Everyone now holds an online place; the room freed made room for the one waiting.
    assert [(r.mode, r.status) for r in rows] == [("online", "confirmed")] * 3
    assert counts(event.id) == (0, 3)
    for n in (1, 2):
        changed = [m for m in messages_to(f"anne.{n}@example.org") if "Changement" in m.subject]
        assert len(changed) == 1
        assert "en ligne" in changed[0].body_text and LINK in changed[0].body_text


def test_a_mode_change_that_leaves_too_few_places_is_refused(make_event, person):
    event = make_event(capacity=3)
    for n in range(3):
        rules.register(event.id, person(n))
    with pytest.raises(operations.EventRefused) as refused, unit_of_work():
        operations.update_event(event.id, {"mode": "online", "online_capacity": 2}, SYSTEM)
    assert refused.value.reason == "mode-places-short"
    assert db.session.get(Event, event.id, populate_existing=True).mode == "onsite"


def test_on_site_to_hybrid_keeps_everyone_on_site(make_event, person):
    event = make_event(capacity=2)
    rules.register(event.id, person(1))
    with unit_of_work():
        operations.update_event(event.id, {"mode": "hybrid", "online_capacity": 10}, SYSTEM)
    row = db.session.scalar(select(Registration).where(Registration.event_id == event.id))
    db.session.refresh(row)
    assert (row.mode, row.status) == ("onsite", "confirmed")
    assert counts(event.id) == (1, 0)


def test_a_new_link_alone_is_mailed_to_online_participants_only(make_event, person):
    event = hybrid(make_event, onsite=2, online=2)
    rules.register(event.id, person(1), mode="onsite")
    rules.register(event.id, person(2), mode="online")
    new_link = "https://visio.example.org/reseau-sud-2?pwd=n3w"
    with unit_of_work():
        operations.update_event(event.id, {"online_url": new_link}, SYSTEM)
    changed = {
        n: [m for m in messages_to(f"anne.{n}@example.org") if "Changement" in m.subject]
        for n in (1, 2)
    }
    assert changed[1] == []  # in the room: "ou en ligne -> ou en ligne" would tell nothing
    assert len(changed[2]) == 1 and new_link in changed[2][0].body_text
