"""A postponed event is not a firm one in calendars: the public feeds and the personal feeds
give it STATUS:TENTATIVE and say "Reporté" (or "Uitgesteld") in its summary."""

import icalendar

from tests.edge import Committed, rules
from webapp.agenda import operations as _operations
from webapp.audit import SYSTEM

operations = Committed(_operations)


def vevents(body):
    calendar = icalendar.Calendar.from_ical(body)
    return [c for c in calendar.walk("VEVENT")]


def test_public_and_personal_feeds_mark_a_postponed_event_tentative(client, make_event, person):
    postponed = make_event(title="Concertation liaison ambulatoire-hôpital #4", capacity=5)
    firm = make_event(title="Formation Diogène", capacity=5)
    registration = rules.register(postponed.id, person(1)).registration
    rules.register(firm.id, person(1))
    operations.postpone(postponed.id, SYSTEM, reason="Intervenant·e malade")

    feeds = {
        "fr": client.get("/agenda.ics?lang=fr").data,
        "nl": client.get("/bassins/sud/agenda.ics?lang=nl").data,
        "personal": client.get(f"/calendar/{registration.mailbox_token}.ics").data,
    }
    for name, body in feeds.items():
        by_title = {str(v["SUMMARY"]).split(" (")[0]: v for v in vevents(body)}
        entry = by_title["Concertation liaison ambulatoire-hôpital #4"]
        assert str(entry["STATUS"]) == "TENTATIVE", name
        word = "Uitgesteld" if name == "nl" else "Reporté"
        assert f"({word} – " in str(entry["SUMMARY"]), name
        assert str(by_title["Formation Diogène"]["STATUS"]) == "CONFIRMED", name
        assert "(" not in str(by_title["Formation Diogène"]["SUMMARY"])
