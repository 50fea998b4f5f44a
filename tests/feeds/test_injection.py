"""No text that a person or an import supplies can add a property to an .ics: every value
with a line break or another control character is escaped or folded into a space."""

import json

import pytest
from icalendar import Calendar
from sqlalchemy.exc import DataError

from tests.edge import rules
from webapp.addresses import AddressRefused
from webapp.agenda.importer import ImportProblem
from webapp.agenda.models import Organisation
from webapp.extensions import db
from webapp.loading.events import import_events
from webapp.registrations.notifications import queue

INJECTED = "ATTENDEE:mailto:attaquant@example.org"
BREAKS = ["\r\n", "\n", "\r", "\x00", "\x0b", "\x1b", "\x7f"]


def assert_no_injection(body: bytes, attendee=None):
    """No injected property; `attendee`: the one ATTENDEE a mail's invitation names."""
    text = body.decode()
    unfolded = text.replace("\r\n ", "")
    allowed = f"ATTENDEE;CN=Anne Peeters;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;RSVP=FALSE:mailto:{attendee}"
    # Every physical line is a property, and none is the injected one.
    for line in unfolded.split("\r\n"):
        assert not line.startswith("ATTENDEE") or line == allowed, line
        assert not any(ord(c) < 32 or ord(c) == 127 for c in line), repr(line)
    calendar = Calendar.from_ical(body)
    for component in calendar.walk("VEVENT"):
        found = component.get("ATTENDEE")
        assert found is None if attendee is None else str(found) == f"mailto:{attendee}"


@pytest.fixture
def poisoned_event(make_event):
    """An event whose every text field carries an attempted property, as a buggy import or
    a careless edit could leave them."""

    def make(separator):
        payload = f"x{separator}{INJECTED}"
        organisation = Organisation(name=f"Service{payload}")
        db.session.add(organisation)
        event = make_event(
            title=f"Concertation{payload}",
            title_nl=f"Overleg{payload}",
            description_fr=f"Description{payload}",
            status_reason_fr=f"Raison{payload}",
            room=f"Salle{payload}",
            online_url=f"https://exemple.be/{payload}",
            organiser=organisation,
            capacity=5,
            commit=False,
        )
        event.venue.name = f"Maison{payload}"
        event.venue.address = f"Rue{payload}"
        db.session.commit()
        return event

    return make


@pytest.mark.parametrize("separator", BREAKS)
def test_no_feed_carries_a_property_injected_in_any_field(client, poisoned_event, separator):
    if separator == "\x00" and db.engine.dialect.name == "postgresql":
        # PostgreSQL stores no NUL in text: such a value is refused and never reaches a feed.
        with pytest.raises(DataError):
            poisoned_event(separator)
        db.session.rollback()
        return
    event = poisoned_event(separator)
    for url in ("/agenda.ics", "/bassins/sud/agenda.ics", f"/events/{event.id}.ics"):
        for language in ("fr", "nl"):
            response = client.get(url, headers={"Accept-Language": language})
            assert response.status_code == 200
            assert_no_injection(response.data)


@pytest.mark.parametrize("separator", ["\r\n", "\r", "\n"])
def test_the_invite_attached_to_a_mail_carries_no_injected_property(poisoned_event, separator):
    event = poisoned_event(separator)
    person = {"first_name": "Anne", "last_name": "Peeters", "email": "anne@example.org"}
    registration = rules.register(event.id, person).registration
    message = queue(registration, "registered-confirmed")
    assert_no_injection(message.ics.encode(), attendee="anne@example.org")


@pytest.mark.parametrize(
    "address",
    [
        "info@bassin-sud.brussels\r\nATTENDEE:mailto:x@example.org",
        "info@bassin-sud.brussels\nATTENDEE:mailto:x@example.org",
        "info@bassin-sud\r.brussels",
        "josé@exemple.be",
        "pas une adresse",
    ],
)
def test_an_email_field_takes_only_an_address(make_event, address):
    with pytest.raises(AddressRefused):
        make_event(contact_email=address)
    db.session.rollback()
    with pytest.raises(AddressRefused):
        Organisation(name="Maison médicale", email=address)


@pytest.mark.parametrize(
    "field, value",
    [
        ("contact_email", "info@bassin-sud.brussels\r\nATTENDEE:mailto:x@example.org"),
        ("contact_email", "josé@exemple.be"),
        ("title", "Concertation\r\nATTENDEE:mailto:x@example.org"),
        ("room", "Salle\rATTENDEE:x"),
        ("organiser", "Service\nATTENDEE:x"),
        ("description", "Texte\x00nul"),
    ],
)
def test_import_refuses_control_characters_and_bad_addresses(territory, tmp_path, field, value):
    entry = {
        "kind": "concertation",
        "title": "Concertation liaison #4",
        "bassins": ["sud"],
        "audience": "professionals",
        "start": "2030-03-23T13:00:00+01:00",
        "end": "2030-03-23T16:00:00+01:00",
        "registration": "open",
        field: value,
    }
    with pytest.raises(ImportProblem) as problem:
        import_events(json.loads(json.dumps([entry])))
    assert problem.value.field == field


def test_an_address_with_an_international_domain_is_kept_in_ascii(make_event):
    event = make_event(contact_email="Info@Maison-Médicale.be")
    assert event.contact_email == "info@" + "maison-médicale.be".encode("idna").decode()
