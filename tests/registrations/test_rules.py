from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.edge import personal_data, rules
from webapp.agenda.models import Event
from webapp.extensions import db
from webapp.mail.models import OutboxMessage
from webapp.mail.outbox import STALE_CLAIM, claim_batch, deliver_batch
from webapp.registrations import jobs
from webapp.registrations.models import Registration
from webapp.timezones import utcnow


def statuses(event_id):
    return [
        r.status
        for r in db.session.scalars(
            select(Registration).where(Registration.event_id == event_id).order_by(Registration.id)
        )
    ]


def outbox_subjects(email):
    return [
        m.subject
        for m in db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == email))
    ]


def test_registrations_are_confirmed_until_capacity_then_waitlisted(make_event, person):
    event = make_event(capacity=2)
    results = [rules.register(event.id, person(n)).registration for n in range(4)]
    assert statuses(event.id) == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    assert [rules.waitlist_position(r) for r in results] == [None, None, 1, 2]
    assert db.session.get(Event, event.id).confirmed_count == 2


def test_full_event_without_waitlist_refuses(make_event, person):
    event = make_event(capacity=1, waitlist_enabled=False)
    rules.register(event.id, person(1))
    with pytest.raises(rules.RegistrationRefused) as refused:
        rules.register(event.id, person(2))
    assert refused.value.reason == "full"
    assert statuses(event.id) == ["confirmed"]


def test_unlimited_event_confirms_everyone(make_event, person):
    event = make_event(capacity=None)
    for n in range(5):
        rules.register(event.id, person(n))
    assert statuses(event.id) == ["confirmed"] * 5


def test_closed_group_registrations_wait_for_approval(make_event, person):
    event = make_event(capacity=1, registration_mode="approval", audience="closed-group")
    first = rules.register(event.id, person(1)).registration
    second = rules.register(event.id, person(2)).registration
    assert statuses(event.id) == ["pending", "pending"]
    rules.approve(first.id)
    rules.approve(second.id)
    assert statuses(event.id) == ["confirmed", "waitlisted"]


def test_refusing_a_pending_registration_cancels_and_tells_the_person(make_event, person):
    event = make_event(registration_mode="approval")
    registration = rules.register(event.id, person(1)).registration
    rules.refuse(registration.id)
    assert statuses(event.id) == ["cancelled"]
    assert any("non retenue" in s for s in outbox_subjects("anne.1@example.org"))


def test_registering_again_with_the_same_email_creates_nothing_and_resends_the_link(
    make_event, person
):
    event = make_event(capacity=5)
    first = rules.register(event.id, person(1))
    again = rules.register(event.id, person(1, email="  ANNE.1@Example.org "))
    assert first.created and not again.created
    assert again.registration.id == first.registration.id
    assert statuses(event.id) == ["confirmed"]
    assert len(outbox_subjects("anne.1@example.org")) == 2


def test_cancellation_promotes_first_waitlisted(make_event, person):
    event = make_event(capacity=1)
    first = rules.register(event.id, person(1)).registration
    rules.register(event.id, person(2))
    rules.register(event.id, person(3))
    promoted = rules.cancel(first.id)
    assert promoted.email == "anne.2@example.org"
    assert statuses(event.id) == ["cancelled", "confirmed", "waitlisted"]
    assert db.session.get(Event, event.id).confirmed_count == 1
    assert any("place s'est libérée" in s for s in outbox_subjects("anne.2@example.org"))


def test_cancelling_twice_promotes_only_once(make_event, person):
    event = make_event(capacity=1)
    first = rules.register(event.id, person(1)).registration
    rules.register(event.id, person(2))
    rules.register(event.id, person(3))
    rules.cancel(first.id)
    assert rules.cancel(first.id) is None
    assert statuses(event.id) == ["cancelled", "confirmed", "waitlisted"]


def test_cancelling_a_waitlisted_registration_frees_no_place(make_event, person):
    event = make_event(capacity=1)
    rules.register(event.id, person(1))
    second = rules.register(event.id, person(2)).registration
    third = rules.register(event.id, person(3)).registration
    rules.cancel(second.id)
    assert statuses(event.id) == ["confirmed", "cancelled", "waitlisted"]
    assert rules.waitlist_position(db.session.get(Registration, third.id)) == 1


def test_a_cancelled_person_can_register_again(make_event, person):
    event = make_event(capacity=3)
    first = rules.register(event.id, person(1)).registration
    rules.cancel(first.id)
    again = rules.register(event.id, person(1))
    assert again.created and again.registration.status == "confirmed"
    assert statuses(event.id) == ["cancelled", "confirmed"]
    assert db.session.get(Registration, first.id).email is None


def test_coming_back_after_cancelling_joins_the_end_of_the_waitlist(make_event, person):
    event = make_event(capacity=1, waitlist_enabled=True)
    rules.register(event.id, person(1))
    second = rules.register(event.id, person(2)).registration
    rules.cancel(second.id)
    third = rules.register(event.id, person(3)).registration
    back = rules.register(event.id, person(2)).registration
    assert (rules.waitlist_position(third), rules.waitlist_position(back)) == (1, 2)


@pytest.mark.parametrize(
    "fields, reason",
    [
        ({"status": "draft"}, "not-published"),
        ({"status": "cancelled"}, "cancelled"),
        ({"status": "postponed"}, "postponed"),
        ({"registration_mode": "none"}, "no-registration"),
        ({"start": utcnow() - timedelta(hours=1)}, "closed"),
        ({"start": utcnow() - timedelta(days=2)}, "past"),
        ({"registration_opens_at": utcnow() + timedelta(days=1)}, "not-yet-open"),
        ({"registration_closes_at": utcnow() - timedelta(minutes=1)}, "closed"),
    ],
)
def test_events_that_take_no_registration_now_refuse_and_write_nothing(
    make_event, person, fields, reason
):
    event = make_event(capacity=10, **fields)
    with pytest.raises(rules.RegistrationRefused) as refused:
        rules.register(event.id, person(1))
    assert refused.value.reason == reason
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 0
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_erasure_wipes_personal_data_keeps_the_count_and_frees_the_place(make_event, person):
    event = make_event(capacity=1)
    first = rules.register(event.id, person(1)).registration
    rules.register(event.id, person(2))
    personal_data.erase(first.id)
    erased = db.session.get(Registration, first.id)
    assert (erased.first_name, erased.last_name, erased.email, erased.organisation) == (
        None,
        None,
        None,
        None,
    )
    assert erased.sector == "cpas" and erased.status == "cancelled"
    assert statuses(event.id) == ["cancelled", "confirmed"]


def test_purge_anonymises_only_registrations_of_old_events(make_event, person):
    old = make_event(capacity=5)
    recent = make_event(capacity=5)
    for n in range(3):
        rules.register(old.id, person(n))
    rules.register(recent.id, person(9))
    db.session.get(Event, old.id).start_at = utcnow() - timedelta(days=500)
    db.session.get(Event, old.id).end_at = utcnow() - timedelta(days=500) + timedelta(hours=3)
    db.session.commit()
    assert personal_data.purge_personal_data(12) == 3
    rows = db.session.scalars(select(Registration).order_by(Registration.id)).all()
    assert [r.email for r in rows] == [None, None, None, "anne.9@example.org"]
    assert [r.status for r in rows[:3]] == ["confirmed"] * 3
    assert all(r.sector == "cpas" for r in rows)


def test_reminders_are_queued_once_per_confirmed_registration(make_event, person):
    soon = make_event(capacity=1, start=utcnow() + timedelta(hours=30))
    later = make_event(capacity=5, start=utcnow() + timedelta(days=5))
    rules.register(soon.id, person(1))
    rules.register(soon.id, person(2))  # waitlisted: no reminder
    rules.register(later.id, person(3))
    assert jobs.send_reminders() == 1
    assert jobs.send_reminders() == 0
    assert any(s.startswith("Rappel") for s in outbox_subjects("anne.1@example.org"))


def outbox_texts():
    """Every text the outbox holds, all rows and columns together."""
    columns = (
        OutboxMessage.recipient,
        OutboxMessage.subject,
        OutboxMessage.body_text,
        OutboxMessage.body_html,
        OutboxMessage.ics,
        OutboxMessage.last_error,
    )
    return " ".join(str(value) for row in db.session.execute(select(*columns)) for value in row)


def personal_values(registration):
    """What identifies the person, read before it is wiped: address, names, personal links."""
    return [
        registration.email,
        registration.first_name,
        registration.last_name,
        registration.token,
        registration.calendar_token,
        registration.mailbox_token,
    ]


def test_erasure_leaves_nothing_personal_in_the_outbox(make_event, person, smtp):
    event = make_event(capacity=1)
    josephine = rules.register(event.id, person(1, first_name="Joséphine")).registration
    rules.register(event.id, person(2))
    rules.register(event.id, person(1, first_name="Joséphine"))  # her link, sent again
    (claimed,) = claim_batch(limit=1)  # her confirmation is being sent as she erases
    assert claimed.reference == f"registration:{josephine.id}"
    personal = personal_values(josephine)
    personal_data.erase(josephine.id)
    assert not [value for value in personal if value in outbox_texts()]
    assert "anne.2@example.org" in outbox_texts()  # the others' messages stay
    # The claimed message lost its address: whatever its worker does, it is never sent again.
    deliver_batch(now=utcnow() + STALE_CLAIM + timedelta(minutes=1))
    assert smtp.inbox.to("anne.1@example.org") == []
    assert smtp.inbox.to("anne.2@example.org")  # waitlisted, then promoted
    left = db.session.get(OutboxMessage, claimed.id)
    assert (left.status, left.last_error) == (
        "failed",
        "ValueError: no recipient (erased, or never an address)",
    )
    assert not [value for value in personal if value in outbox_texts()]


def test_purge_leaves_nothing_personal_in_the_outbox_and_deletes_old_messages(make_event, person):
    old = make_event(capacity=5)
    recent = make_event(capacity=5)
    purged = rules.register(old.id, person(1, first_name="Joséphine")).registration
    rules.register(recent.id, person(9))
    personal = personal_values(purged)
    # Messages written before they carried a reference: one sent long ago, one sent lately.
    for days, subject in ((40, "Ancien"), (5, "Récent")):
        db.session.add(
            OutboxMessage(
                recipient="ancien@example.org",
                subject=subject,
                body_text="Bonjour Ancien, votre lien : /registrations/ancien",
                status="sent",
                created_at=utcnow() - timedelta(days=days),
                sent_at=utcnow() - timedelta(days=days),
            )
        )
    db.session.get(Event, old.id).start_at = utcnow() - timedelta(days=500)
    db.session.get(Event, old.id).end_at = utcnow() - timedelta(days=500) + timedelta(hours=3)
    db.session.commit()
    assert personal_data.purge_personal_data(12, outbox_retention=timedelta(days=30)) == 1
    assert not [value for value in personal if value in outbox_texts()]
    assert "ancien" not in outbox_texts().lower()  # deleted, or blanked once sent
    subjects = db.session.scalars(select(OutboxMessage.subject)).all()
    assert "Ancien" not in subjects and "Récent" in subjects
    assert "anne.9@example.org" in outbox_texts()  # a recent event's registrant stays
