"""The check-in page as the door needs it: the search box, then the names; before the
meeting ends nobody reads as absent."""

from datetime import timedelta

from tests.edge import rules
from tests.factories import PERSON
from webapp.extensions import db
from webapp.registrations.attendance import meeting_over
from webapp.registrations.models import Registration
from webapp.timezones import local_day_start, to_local, utcnow


def test_before_the_end_nobody_reads_as_absent(sud_client, make_event):
    today = to_local(utcnow()).date()
    # Today from 00:00 to 23:59 local: started (or about to), never over while the test runs.
    event = make_event(
        start=local_day_start(today),
        end_at=local_day_start(today) + timedelta(hours=23, minutes=59),
    )
    db.session.add(Registration(event_id=event.id, status="confirmed", email="a@example.org"))
    db.session.commit()
    page = sud_client.get(f"/admin/events/{event.id}/attendance").get_data(as_text=True)
    assert "Pas encore arrivé·e" in page  # the person's own line
    assert "Pas encore arrivé·es" in page and "Pas venu·es" not in page
    assert not meeting_over(event, today)


def test_after_the_end_those_not_checked_in_did_not_come(sud_client, make_event):
    event = make_event(start=(utcnow() - timedelta(days=1, hours=4)).replace(microsecond=0))
    page = sud_client.get(f"/admin/events/{event.id}/attendance").get_data(as_text=True)
    assert "Pas venu·es" in page
    assert meeting_over(event, to_local(event.start_at).date())


def test_the_search_box_comes_before_the_names(sud_client, make_event):
    event = make_event(start=(utcnow() + timedelta(hours=1)).replace(microsecond=0))
    rules.register(event.id, PERSON)
    page = sud_client.get(f"/admin/events/{event.id}/attendance").get_data(as_text=True)
    search, first_name, counts = (
        page.index('id="door-q"'),
        page.index('class="tap-name"'),
        page.index('id="door-counts"'),
    )
    assert search < counts < first_name
