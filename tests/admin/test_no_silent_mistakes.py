"""No silent mistakes: the next meeting says the number it takes; a move to a date already
past is refused with a message; correcting a past meeting's record mails no one."""

from datetime import timedelta

from sqlalchemy import func, select

from tests.factories import PERSON
from webapp.extensions import db
from webapp.mail.models import OutboxMessage
from webapp.registrations.models import Registration
from webapp.timezones import to_local, utcnow


def test_the_next_meeting_page_says_the_next_free_number(sud_client, make_event):
    fourth = make_event(title="Concertation liaison #4", series_slug="liaison-sud", series_number=4)
    make_event(title="Concertation liaison #5", series_slug="liaison-sud", series_number=5)
    page = sud_client.get(f"/admin/events/{fourth.id}/next").get_data(as_text=True)
    assert 'data-next-number="6"' in page and "Concertation liaison #6" in page


def test_a_move_to_a_past_date_is_refused_and_changes_nothing(sud_client, make_event):
    event = make_event(start=(utcnow() + timedelta(days=5)).replace(microsecond=0))
    db.session.add(
        Registration(
            event_id=event.id,
            status="confirmed",
            **{k: PERSON[k] for k in ("first_name", "last_name", "email")},
        )
    )
    db.session.commit()
    before = event.start_at
    yesterday = to_local(utcnow() - timedelta(days=1)).date()
    response = sud_client.post(
        f"/admin/events/{event.id}/move",
        data={
            "day": yesterday.isoformat(),
            "start": "13:00",
            "end": "16:00",
            "venue": str(event.venue_id),
        },
    )
    assert response.status_code == 409
    assert "Cette date est déjà passée" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(type(event), event.id).start_at == before
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_correcting_a_past_meeting_mails_no_one(make_event):
    from webapp.agenda import operations
    from webapp.audit import SYSTEM
    from webapp.unit_of_work import unit_of_work

    event = make_event(start=(utcnow() - timedelta(days=3)).replace(microsecond=0))
    db.session.add(Registration(event_id=event.id, status="confirmed", email="a@example.org"))
    db.session.commit()
    assert operations.is_past_record(event)
    with unit_of_work("test"):
        change = operations.update_event(
            event.id, {"start_at": event.start_at - timedelta(hours=1), "room": "Salle 3"}, SYSTEM
        )
    assert change.changed_fields and not change.notices_queued
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
