"""Random text, control characters, non-ASCII addresses and very long values through the
registration form and import-events: never a 500, never a property injected into an .ics."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from tests.conftest import make_config
from webapp import create_app
from webapp.agenda.importer import ImportProblem
from webapp.extensions import db
from webapp.loading.events import import_events
from webapp.registrations.models import Registration
from webapp.registrations.notifications import queue
from webapp.unit_of_work import unit_of_work

FUZZ = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Text with what attackers reach for: line breaks, NUL, other controls, non-ASCII, length.
hostile_text = st.one_of(
    st.sampled_from(["Anne", "Zoë", "Van den Bossche", "CPAS d'Etterbeek", "Ixelles"]),
    st.text(max_size=40),
    st.text(alphabet=st.sampled_from("ab\r\n\x00\x0b\x1b\x7fé€@:;,\\ "), max_size=30),
    st.builds(lambda s: s + "\r\nATTENDEE:mailto:x@example.org", st.text(max_size=10)),
    st.builds(lambda n: "x" * n, st.integers(min_value=90, max_value=400)),
)
addresses = st.one_of(
    st.emails(),
    hostile_text,
    st.builds(lambda s: f"{s}@exemple.be", st.text(min_size=1, max_size=12)),
    st.just("josé@exemple.be"),
)


def assert_clean_ics(body: bytes, attendee=None):
    """No control character in any line, and no ATTENDEE but, in a mail's invitation, the
    one that names the registrant (`attendee`): whatever she typed stays in its parameter."""
    for line in body.decode().replace("\r\n ", "").split("\r\n"):
        assert attendee or not line.startswith("ATTENDEE"), line
        assert not any(ord(c) < 32 or ord(c) == 127 for c in line), repr(line)
    for component in Calendar.from_ical(body).walk("VEVENT"):
        found = component.get("ATTENDEE")
        assert found is None if attendee is None else str(found) == f"mailto:{attendee}"


OUTCOMES = []


@pytest.fixture
def strict_client(database_url, territory):
    app = create_app(make_config(database_url, PROPAGATE_EXCEPTIONS=False))
    return app.test_client()


PERSON = {
    "first_name": "Anne",
    "last_name": "Peeters",
    "email": "anne.peeters@example.org",
    "organisation": "CPAS d'Etterbeek",
    "sector": "cpas",
    "job_title": "Assistante sociale",
    "commune": "Etterbeek",
    "consent": "y",
}
TEXT_FIELDS = ["first_name", "last_name", "organisation", "job_title", "commune"]


@FUZZ
@given(
    hostile=st.one_of(
        st.tuples(st.sampled_from(TEXT_FIELDS), hostile_text),
        st.tuples(st.just("email"), addresses),
    ),
    also=st.tuples(st.sampled_from(TEXT_FIELDS), hostile_text),
)
def test_the_registration_form_never_fails_on_hostile_text(
    strict_client, make_event, hostile, also
):
    """One or two fields hostile, the others ordinary: many are accepted, none fails."""
    event = make_event(capacity=2)
    data = {**PERSON, also[0]: also[1], hostile[0]: hostile[1]}
    response = strict_client.post(f"/events/{event.id}/register", data=data)
    assert response.status_code in (303, 422), response.status_code
    OUTCOMES.append(response.status_code)
    if response.status_code == 303:
        registration = db.session.scalar(
            db.select(Registration).where(Registration.event_id == event.id)
        )
        assert registration.email.isascii() and "\n" not in registration.email
        page = strict_client.get(response.headers["Location"])
        assert page.status_code == 200
        feed = strict_client.get(f"/calendar/{registration.calendar_token}.ics")
        assert_clean_ics(feed.data)
        message = queue(registration, "reminder")
        assert "\n" not in message.subject and "\r" not in message.subject
        assert_clean_ics(message.ics.encode(), attendee=registration.email)
        db.session.rollback()


IMPORT_TEXT_FIELDS = ["title", "room", "description", "organiser", "venue.name", "person"]


def import_entry(hostile):
    entry = {
        "kind": "concertation",
        "title": "Concertation liaison #4",
        "bassins": ["sud"],
        "audience": "professionals",
        "start": "2030-03-23T13:00:00+01:00",
        "end": "2030-03-23T16:00:00+01:00",
        "venue": {"name": "Salle Forest", "address": "Rue A 1", "commune": "Forest"},
        "registration": "open",
        "registrations": [{"first_name": "Marie", "last_name": "Test", "email": "m@e.be"}],
    }
    for field, value in hostile:
        if field == "venue.name":
            entry["venue"]["name"] = value
        elif field == "person":
            entry["registrations"][0]["first_name"] = value
        elif field == "person.email":
            entry["registrations"][0]["email"] = value
        else:
            entry[field] = value
    return entry


@FUZZ
@given(
    hostile=st.lists(
        st.one_of(
            st.tuples(st.sampled_from(IMPORT_TEXT_FIELDS), hostile_text),
            st.tuples(st.sampled_from(["contact_email", "person.email"]), addresses),
        ),
        min_size=1,
        max_size=2,
    )
)
def test_import_events_refuses_or_stores_cleanly(strict_client, hostile):
    entry = import_entry(hostile)
    try:
        with unit_of_work():
            [change] = import_events(json.loads(json.dumps([entry])))
        event_id = change.event.id
    except ImportProblem as problem:
        db.session.rollback()
        assert problem.field and problem.message
        OUTCOMES.append("refused")
        return
    OUTCOMES.append("imported")
    for url in (f"/events/{event_id}.ics", "/bassins/sud/agenda.ics", f"/events/{event_id}"):
        response = strict_client.get(url)
        assert response.status_code == 200, url
        if url.endswith(".ics"):
            assert_clean_ics(response.data)
