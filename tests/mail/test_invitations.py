"""The calendar entry a registration's mail carries, as RFC 5546 and the mail programs want
it: METHOD:REQUEST naming the registrant as an ATTENDEE who already accepted and is asked no
reply, in a text/calendar part of the alternative whose MIME `method=` matches, plus the same
entry attached as invite.ics; a cancellation is METHOD:CANCEL with the same UID. Read with
icalendar, and imported by khal (when installed) as a person's calendar would be."""

import shutil
import subprocess
from datetime import timedelta

import icalendar
import pytest

from tests.edge import rules
from webapp.mail.outbox import deliver_all
from webapp.timezones import utcnow

KHAL = shutil.which("khal")
TITLE = "Concertation liaison ambulatoire-hôpital #4"


def calendar_parts(message):
    """(the text/calendar part of the alternative, the invite.ics attachment)."""
    (alternative,) = [p for p in message.walk() if p.get_content_type() == "multipart/alternative"]
    (calendar,) = [p for p in alternative.iter_parts() if p.get_content_type() == "text/calendar"]
    (attached,) = [p for p in message.iter_attachments() if p.get_filename() == "invite.ics"]
    return calendar, attached


def read(message):
    """(METHOD, its VEVENT, the iCalendar text) of the message's invitation, checked whole."""
    part, attached = calendar_parts(message)
    text = part.get_content()
    assert attached.get_content_type() == "application/ics"
    assert attached.get_content().decode("utf-8").replace("\r\n", "\n") == text.replace(
        "\r\n", "\n"
    )
    calendar = icalendar.Calendar.from_ical(text)
    method = str(calendar["METHOD"])
    assert part.get_param("method") == method  # the MIME parameter says what METHOD says
    (event,) = calendar.walk("VEVENT")
    return method, event, text


def invitation_and_cancellation(make_event, person, smtp):
    # A morning meeting: it stays within its day whatever the hour the test runs (an evening
    # one would end after midnight, and khal lists it on both days).
    start = (utcnow() + timedelta(days=10)).replace(hour=8, minute=0, second=0, microsecond=0)
    event = make_event(title=TITLE, capacity=5, contact_email="liaison@cpas-forest.be", start=start)
    registration = rules.register(event.id, person(1)).registration
    deliver_all()
    rules.cancel(registration.id)
    deliver_all()
    return smtp.inbox.to("anne.1@example.org")


def test_the_invitation_is_a_request_to_an_attendee_who_accepted_and_owes_no_reply(
    make_event, person, smtp
):
    confirmation, cancellation = invitation_and_cancellation(make_event, person, smtp)
    method, event, _text = read(confirmation)
    assert method == "REQUEST"
    assert str(event["ORGANIZER"]) == "mailto:liaison@cpas-forest.be"
    attendee = event["ATTENDEE"]
    assert str(attendee) == "mailto:anne.1@example.org"
    assert attendee.params["PARTSTAT"] == "ACCEPTED" and attendee.params["RSVP"] == "FALSE"
    assert attendee.params["CN"] == "Anne Peeters1"

    method, cancelled, _text = read(cancellation)
    assert method == "CANCEL"
    assert str(cancelled["UID"]) == str(event["UID"])
    assert str(cancelled["STATUS"]) == "CANCELLED"
    assert int(cancelled["SEQUENCE"]) >= int(event["SEQUENCE"])
    assert str(cancelled["ATTENDEE"]) == "mailto:anne.1@example.org"


def khal(config, *arguments):
    run = subprocess.run(
        [KHAL, "-c", str(config), *arguments], capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr
    return run.stdout


@pytest.mark.skipif(KHAL is None, reason="khal is not installed (apt-get install khal)")
def test_khal_adds_the_invitation_and_the_cancellation_replaces_it(
    make_event, person, smtp, tmp_path
):
    confirmation, cancellation = invitation_and_cancellation(make_event, person, smtp)
    (tmp_path / "calendar").mkdir()
    config = tmp_path / "khal.conf"
    config.write_text(
        "[calendars]\n[[agenda]]\n"
        f"path = {tmp_path / 'calendar'}\ntype = calendar\n"
        "[locale]\ntimeformat = %H:%M\ndateformat = %Y-%m-%d\nlongdateformat = %Y-%m-%d\n"
        "datetimeformat = %Y-%m-%d %H:%M\nlongdatetimeformat = %Y-%m-%d %H:%M\n"
        "default_timezone = Europe/Brussels\nlocal_timezone = Europe/Brussels\n"
        f"[sqlite]\npath = {tmp_path / 'khal.db'}\n"
    )
    listing = ("list", "--format", "{cancelled}{title}|{start}", "today", "60d")
    for message in (confirmation, cancellation):
        _method, _event, text = read(message)
        invite = tmp_path / f"{_method.lower()}.ics"
        invite.write_text(text, encoding="utf-8")
        khal(config, "import", "--batch", "-a", "agenda", str(invite))
        shown = [line for line in khal(config, *listing).splitlines() if "|" in line]
        print(_method, shown)
        assert len(shown) == 1  # one entry: the cancellation replaced it (same UID)
        expected = ("CANCELLED " if _method == "CANCEL" else "") + TITLE
        assert shown[0].split("|")[0] == expected
    assert len(list((tmp_path / "calendar").iterdir())) == 1
