import io
from datetime import timedelta

import pytest
import time_machine

from tests.admin.conftest import make_staff, sud_client  # noqa: F401  (fixtures)
from tests.edge import rules
from tests.factories import PERSON, local
from tests.smtp import mail_config
from webapp import audit
from webapp.extensions import db
from webapp.registrations import attendance
from webapp.timezones import to_local, utcnow
from webapp.unit_of_work import unit_of_work

# The meeting most tests attest: Tuesday 23 March 2027, 13:00-16:00 in Brussels.
MEETING = local(2027, 3, 23, 13)


@pytest.fixture
def app_config(smtp):
    # The tests travel months ahead of the sign-in of their staff accounts: sessions stay.
    return mail_config(smtp) | {
        "STAFF_SESSION_IDLE_HOURS": 24 * 365 * 3,
        "PERMANENT_SESSION_LIFETIME": timedelta(days=365 * 3),
    }


def register(event, n, **person):
    """A registration made a week before the event (its window open), committed."""
    fields = PERSON | {"email": f"person.{n}@example.org", "last_name": f"Peeters{n}"} | person
    with time_machine.travel(event.start_at - timedelta(days=7), tick=False):
        return rules.register(event.id, fields, language=person.pop("language", "fr")).registration


def mark(event, registration, present, on=None, at=None):
    """The team taps the person present (or not) at the door, on the event's day."""
    on = on or to_local(event.start_at).date()
    at = at or (event.start_at + timedelta(hours=1))
    with time_machine.travel(at, tick=False), unit_of_work("tap"):
        attendance.set_presence(event.id, registration.id, on, present, utcnow(), audit.SYSTEM)


def pdf_text(body):
    """The text of a PDF, as a reader extracts it (pypdf)."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(body))
    return "\n".join(page.extract_text() for page in reader.pages), len(reader.pages)


@pytest.fixture
def meeting(make_event):
    """A concertation on 23 March 2027 (13:00-16:00), in Forest (Bassin Sud)."""

    def make(**fields):
        fields.setdefault("start", MEETING)
        fields.setdefault("title", "Concertation liaison ambulatoire-hôpital #4")
        event = make_event(**fields)
        db.session.commit()
        return event

    return make
