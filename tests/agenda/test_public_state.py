"""One public state per event (webapp/agenda/public_state.py), said the same way by the event
page, the agenda list, the embed, the API and the registration form."""

from datetime import timedelta

import pytest

from webapp.agenda.public_state import LABELS, PublicState, public_state
from webapp.registrations import rules
from webapp.timezones import utcnow

# The fields that put a fresh event in each state.
STATES = {
    PublicState.OPEN: {"capacity": 30},
    PublicState.WAITLIST: {"capacity": 2, "confirmed_count": 2, "waitlist_enabled": True},
    PublicState.FULL: {"capacity": 2, "confirmed_count": 2, "waitlist_enabled": False},
    PublicState.NOT_YET_OPEN: {
        "capacity": 30,
        "registration_opens_at": utcnow() + timedelta(days=2),
    },
    PublicState.CLOSED: {"capacity": 30, "registration_closes_at": utcnow() - timedelta(hours=1)},
    PublicState.NO_REGISTRATION: {"registration_mode": "none"},
    PublicState.PAST: {
        "start": utcnow() - timedelta(days=3),
        "capacity": 30,
        "confirmed_count": 18,
        "participants_count": 21,
    },
    PublicState.CANCELLED: {"capacity": 30, "status": "cancelled"},
    PublicState.POSTPONED: {"capacity": 30, "status": "postponed"},
}
# Where a state is listed: upcoming events on the agenda, past ones in the archive.
LISTED_ON = {PublicState.PAST: "/archive/"}


def _event(make_event, state):
    fields = dict(STATES[state])
    if "start" in fields:
        fields["start"] = fields["start"].replace(microsecond=0)
    return make_event(title=f"Activité {state}", **fields)


def _label(state, language="fr"):
    from flask_babel import force_locale

    with force_locale(language):
        return str(LABELS[state])


@pytest.mark.parametrize("state", list(PublicState))
def test_each_state_is_decided_once(make_event, state):
    assert public_state(_event(make_event, state)).state is state


@pytest.mark.parametrize("state", list(PublicState))
def test_the_event_page_says_the_state_and_offers_only_what_it_allows(make_event, client, state):
    event = _event(make_event, state)
    html = client.get(f"/events/{event.id}").text
    assert f'class="state state-{state}"' in html
    offered = public_state(event)
    assert ('id="subscribe-heading"' in html) is offered.offers_calendar
    assert (f"/events/{event.id}/register" in html) is offered.offers_registration
    if state is not PublicState.OPEN:
        assert "places restantes" not in html


def test_a_past_meeting_with_a_report_shows_no_places_left(make_event, client):
    event = _event(make_event, PublicState.PAST)
    html = client.get(f"/events/{event.id}").text
    assert "21 participant·es" in html and "Activité passée" in html
    assert "places restantes" not in html and "Inscription ouverte" not in html


def test_a_postponed_event_marks_its_old_date_void(make_event, client):
    html = client.get(f"/events/{_event(make_event, PublicState.POSTPONED).id}").text
    assert '<p class="date-void"><s>' in html and "Date à confirmer" in html


@pytest.mark.parametrize("state", list(PublicState))
def test_the_agenda_card_says_the_same_state(make_event, client, state):
    _event(make_event, state)
    html = client.get(LISTED_ON.get(state, "/")).text
    assert f"state state-{state}" in html
    if state not in (PublicState.OPEN,):
        assert _label(state) in html


@pytest.mark.parametrize("state", [s for s in PublicState if s is not PublicState.PAST])
def test_the_embed_says_the_same_state(make_event, client, state):
    _event(make_event, state)
    html = client.get("/embed/bassins/sud").text
    assert f'class="state state-{state}">{_label(state)}<' in html


@pytest.mark.parametrize("state", list(PublicState))
def test_the_api_says_the_same_state(make_event, client, state):
    event = _event(make_event, state)
    detail = client.get(f"/api/v1/events/{event.id}").json
    assert detail["public_state"] == state
    assert detail["public_state_label"] == _label(state)
    if state is not PublicState.PAST:
        listed = {i["id"]: i for i in client.get("/api/v1/events").json["items"]}
        assert listed[event.id]["public_state"] == state


def test_the_api_speaks_the_state_in_dutch(make_event, client):
    event = _event(make_event, PublicState.WAITLIST)
    answer = client.get(f"/api/v1/events/{event.id}", headers={"Accept-Language": "nl"}).json
    assert answer["public_state_label"] == "Volzet – wachtlijst open"


@pytest.mark.parametrize("state", list(PublicState))
def test_the_registration_form_agrees_with_the_state(make_event, client, state):
    event = _event(make_event, state)
    offered = public_state(event).offers_registration
    assert (rules.refusal_reason(event) is None) is offered
    html = client.get(f"/events/{event.id}/register").text
    assert ('name="email"' in html) is offered


def test_a_repeating_event_is_judged_on_its_next_date(make_event):
    event = make_event(
        start=(utcnow() - timedelta(days=60)).replace(microsecond=0),
        rrule="FREQ=WEEKLY",
        registration_mode="none",
    )
    assert public_state(event).state is PublicState.NO_REGISTRATION
