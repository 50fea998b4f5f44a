"""The .ics writer's own parts: folding by octets as icalendar folds, event URLs built once."""

import random

import pytest
from icalendar.parser import foldline

from webapp.feeds.entries import URL_SAMPLE_ID, EventContext, event_url
from webapp.feeds.ical import fold

PIECES = ["a", "Z", "9", " ", ";", ",", "é", "«", "»", "–", "€", "ß", "日", "本", "😀", "👩‍⚕️"]


def test_folding_is_icalendars_for_ascii_accents_and_wide_characters():
    rng = random.Random(21)
    lines = ["", "x", "a" * 74, "a" * 75, "a" * 148, "a" * 149, "é" * 37, "é" * 38]
    lines += ["a" * 73 + "é" + "b" * 80, "a" * 72 + "😀" + "c" * 200, "日" * 100]
    for _ in range(2000):
        lines.append("".join(rng.choice(PIECES) for _ in range(rng.randrange(1, 400))))
    for line in lines:
        assert fold(line) == foldline(line), line


def test_folded_lines_hold_at_most_75_octets_and_whole_characters():
    line = "DESCRIPTION:" + "Ordre du jour : échanges, suite 😀 ; réseau « santé » " * 20
    folded = fold(line).encode()
    pieces = folded.split(b"\r\n")
    assert all(len(piece) <= 75 for piece in pieces)
    assert all(piece.startswith(b" ") for piece in pieces[1:])
    assert [piece.decode() for piece in pieces]  # no piece cuts a character
    assert folded.replace(b"\r\n ", b"").decode() == line


@pytest.mark.parametrize("language", ["fr", "nl", None])
def test_a_calendars_event_urls_are_the_routes_own(app, language):
    context = EventContext.current()
    for event_id in (1, 7, 42, 1234, 99999, 2147483646):
        assert context.event_url(event_id, language) == event_url(event_id, language)


def test_a_base_url_holding_the_sample_id_builds_each_url(app):
    app.config["BASE_URL"] = f"https://agenda.example/{URL_SAMPLE_ID}"
    context = EventContext.current()
    assert context.event_url(5, "fr") == f"https://agenda.example/{URL_SAMPLE_ID}/events/5?lang=fr"
