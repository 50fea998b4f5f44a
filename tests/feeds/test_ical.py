"""Calendar content: what icalendar and recurring-ical-events read back from the feeds."""

import calendar as month_calendar
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import recurring_ical_events
from icalendar import Calendar

from tests.clock import before_the_fixed_dates
from tests.factories import local
from webapp.agenda.models import OccurrenceOverride
from webapp.extensions import db
from webapp.feeds.ical import build_calendar, calendar_bytes
from webapp.timezones import to_utc

pytestmark = before_the_fixed_dates  # its events are in 2027; feeds keep six months back

BRUSSELS = ZoneInfo("Europe/Brussels")


def third_monday(year, month):
    """Computed apart from any rule engine: the first Monday plus two weeks."""
    first_weekday, _days = month_calendar.monthrange(year, month)
    return date(year, month, 1 + (7 - first_weekday) % 7 + 14)


def parse(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.data
    return response, Calendar.from_ical(response.data)


def prevention_rendezvous(make_event):
    """Third Monday 13:00-16:00 through 2027, July skipped, March moved to 14:00 elsewhere."""
    event = make_event(
        title="Rendez-vous de la Prévention",
        kind="rdv-prevention",
        start=to_utc(local(2027, 1, 18, 13)),
        rrule="FREQ=MONTHLY;BYDAY=3MO;UNTIL=20271231T230000Z",
        exdates=["2027-07-19"],
        commit=False,
    )
    db.session.flush()
    from tests.factories import venue

    event.overrides.append(
        OccurrenceOverride(
            recurrence_start=to_utc(local(2027, 3, 15, 13)),
            start_at=to_utc(local(2027, 3, 15, 14)),
            end_at=to_utc(local(2027, 3, 15, 17)),
            venue=venue("Maison médicale du Midi", "anderlecht", "Rue Haute 1"),
        )
    )
    db.session.commit()
    return event


def test_recurring_dates_expand_to_third_mondays_without_the_skipped_month(client, make_event):
    event = prevention_rendezvous(make_event)
    _response, parsed = parse(client, f"/events/{event.id}.ics")
    found = recurring_ical_events.of(parsed).between(date(2027, 1, 1), date(2028, 1, 1))
    starts = sorted(component.decoded("dtstart") for component in found)
    expected_days = [third_monday(2027, m) for m in range(1, 13) if m != 7]
    assert [s.date() for s in starts] == expected_days
    for start in starts:
        hour = 14 if start.date() == date(2027, 3, 15) else 13
        expected = datetime.combine(start.date(), datetime.min.time()).replace(
            hour=hour, tzinfo=BRUSSELS
        )
        # Same wall-clock hour in winter and summer: the UTC instant follows the zone.
        assert start.astimezone(UTC) == expected.astimezone(UTC)


def test_moved_instance_has_its_own_venue_and_recurrence_id(client, make_event):
    event = prevention_rendezvous(make_event)
    _response, parsed = parse(client, f"/events/{event.id}.ics")
    moved = [c for c in parsed.walk("VEVENT") if c.get("recurrence-id")]
    assert len(moved) == 1
    assert moved[0].decoded("recurrence-id") == local(2027, 3, 15, 13)
    assert "Maison médicale du Midi" in str(moved[0]["location"])
    master = [c for c in parsed.walk("VEVENT") if c.get("rrule")][0]
    assert master["rrule"]["BYDAY"] == ["3MO"]
    assert master.decoded("exdate").dts[0].dt == local(2027, 7, 19, 13)


def test_vtimezone_is_one_standard_daylight_pair_matching_zoneinfo_hour_by_hour(client, make_event):
    make_event()
    _response, parsed = parse(client, "/agenda.ics")
    (vtimezone,) = parsed.walk("VTIMEZONE")
    parts = [c.name for c in vtimezone.subcomponents]
    assert sorted(parts) == ["DAYLIGHT", "STANDARD"]
    assert all(c.get("rrule") for c in vtimezone.subcomponents)
    zone = vtimezone.to_tz(lookup_tzid=False)
    for year in (2026, 2027):
        for day in (date(year, 3, 1), date(year, 10, 1)):
            # Every hour of March and October (both changes) and a margin either side.
            instant = datetime(day.year, day.month, day.day, tzinfo=UTC) - timedelta(days=2)
            for _hour in range(34 * 24):
                ours = instant.astimezone(zone)
                real = instant.astimezone(BRUSSELS)
                assert ours.replace(tzinfo=None) == real.replace(tzinfo=None), instant
                assert ours.utcoffset() == real.utcoffset(), instant
                instant += timedelta(hours=1)


def test_every_tzid_has_its_vtimezone_and_uids_are_unique(client, make_event):
    prevention_rendezvous(make_event)
    make_event()
    make_event(bassins=("sud", "nord"))
    response, parsed = parse(client, "/agenda.ics")
    text = response.data.decode()
    zones = {str(c["tzid"]) for c in parsed.walk("VTIMEZONE")}
    used = set()
    for line in text.split("\r\n"):
        if ";TZID=" in line:
            used.add(line.split(";TZID=")[1].split(":")[0].split(";")[0])
    assert used and used <= zones
    masters = [c for c in parsed.walk("VEVENT") if not c.get("recurrence-id")]
    uids = [str(c["uid"]) for c in masters]
    assert len(uids) == len(set(uids)) == 3
    assert all(uid.startswith("event-") and uid.endswith("@agenda.test") for uid in uids)


def test_lines_end_with_crlf_and_are_folded(client, make_event):
    make_event(description_fr="Un long texte. " * 40)
    response, _parsed = parse(client, "/agenda.ics")
    assert response.data.endswith(b"\r\n")
    assert b"\n" not in response.data.replace(b"\r\n", b"")
    assert all(len(line) <= 75 for line in response.data.split(b"\r\n"))


def test_title_with_commas_semicolons_accents_and_newlines_round_trips(client, make_event):
    title = "Réunion : santé, précarité; aidant·es\nà Forest"
    event = make_event(title=title)
    _response, parsed = parse(client, f"/events/{event.id}.ics")
    (vevent,) = parsed.walk("VEVENT")
    assert str(vevent["summary"]) == title


def test_cancelled_event_stays_in_the_feed_as_cancelled(client, make_event):
    event = make_event(status="cancelled", status_reason_fr="Salle indisponible")
    _response, parsed = parse(client, "/bassins/sud/agenda.ics")
    (vevent,) = parsed.walk("VEVENT")
    assert str(vevent["uid"]) == f"event-{event.id}@agenda.test"
    assert str(vevent["status"]) == "CANCELLED"
    assert "Salle indisponible" in str(vevent["description"])


def test_draft_events_appear_in_no_feed(client, make_event):
    draft = make_event(status="draft")
    make_event()
    _response, parsed = parse(client, "/agenda.ics")
    assert f"event-{draft.id}@" not in parsed.to_ical().decode()
    assert client.get(f"/events/{draft.id}.ics").status_code == 404


def test_event_carries_location_url_categories_organizer_and_plain_description(client, make_event):
    event = make_event(
        series_slug="sud-liaison",
        description_fr="Ordre du jour : accueil.\n\nDébat.",
        contact_email="coordination@bassin-sud.be",
    )
    _response, parsed = parse(client, f"/events/{event.id}.ics")
    (vevent,) = parsed.walk("VEVENT")
    assert str(vevent["location"]) == event.venue.full_address
    assert str(vevent["url"]) == f"http://agenda.test/events/{event.id}?lang=fr"
    assert [str(c) for c in vevent["categories"].cats] == [
        "Concertation thématique",
        event.series.title_fr,
    ]
    assert str(vevent["organizer"]) == "mailto:coordination@bassin-sud.be"
    assert "<" not in str(vevent["description"])
    assert "Débat." in str(vevent["description"])
    assert vevent.decoded("dtstart").tzinfo is not None
    assert "TZID=Europe/Brussels" in vevent["dtstart"].to_ical().decode() or (
        vevent["dtstart"].params["TZID"] == "Europe/Brussels"
    )


def test_feed_properties_are_real_durations(client, make_event):
    make_event()
    response, parsed = parse(client, "/agenda.ics")
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in response.data
    assert b"X-PUBLISHED-TTL:PT1H\r\n" in response.data
    assert str(parsed["x-wr-timezone"]) == "Europe/Brussels"
    assert str(parsed["x-wr-calname"]) == "Agenda des bassins d'aide et de soins"


def test_calendar_name_follows_the_requested_language(client, make_event):
    make_event()
    _response, parsed = parse(client, "/bassins/sud/agenda.ics?lang=nl")
    assert "Zuid" in str(parsed["x-wr-calname"])


def test_feed_keeps_six_months_of_past_and_drops_older(client, make_event):
    now = datetime.now(UTC).replace(microsecond=0)
    recent = make_event(start=now - timedelta(days=100))
    old = make_event(start=now - timedelta(days=260))
    text = parse(client, "/agenda.ics")[1].to_ical().decode()
    assert f"event-{recent.id}@" in text
    assert f"event-{old.id}@" not in text


def test_build_calendar_writes_method_and_cancelled_ids(app, make_event):
    event = make_event()
    parsed = Calendar.from_ical(
        calendar_bytes(build_calendar([event], method="CANCEL", cancelled_ids={event.id}))
    )
    assert str(parsed["method"]) == "CANCEL"
    (vevent,) = parsed.walk("VEVENT")
    assert str(vevent["status"]) == "CANCELLED"


def test_feed_rows_and_event_models_give_the_same_vevents(client, make_event):
    """The bassin feed (plain rows) and the one-event file (models) must never drift apart."""
    event = prevention_rendezvous(make_event)
    event.series = None
    event.room = "Salle 2"
    event.contact_email = "rdv@bassin-sud.be"
    db.session.commit()

    def vevents(url):
        text = client.get(url).get_data(as_text=True)
        return text[text.index("BEGIN:VEVENT") : text.rindex("END:VEVENT")]

    assert vevents(f"/events/{event.id}.ics") == vevents("/bassins/sud/agenda.ics")
