"""Personal-link tokens: their shape, and the lookup that never asks the database about garbage."""

import pytest

from tests.agenda.test_query_counts import counting
from tests.edge import rules
from tests.factories import PERSON
from webapp.registrations.models import Registration
from webapp.tokens import TOKEN_LENGTH, TOKEN_RE, find_by_token, is_token, new_token


def test_new_tokens_are_43_url_safe_characters_and_never_repeat():
    tokens = {new_token() for _ in range(1000)}
    assert len(tokens) == 1000
    assert all(len(t) == TOKEN_LENGTH and is_token(t) for t in tokens)


def test_the_models_default_is_the_token_modules_own():
    from webapp.registrations import models

    assert models.new_token is new_token


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        "a" * 42,
        "a" * 44,
        "a" * 43 + "\n",  # `$` would have let this one through
        "a" * 42 + "=",
        "a" * 42 + "/",
        "a" * 42 + "+",
        "a" * 42 + "é",
        "a" * 42 + "\x00",
        b"a" * 43,
        "a" * 1_000_000,
    ],
)
def test_anything_but_a_token_is_not_one(text):
    assert not is_token(text)
    if isinstance(text, str):
        assert TOKEN_RE.match(text) is None


def test_find_by_token_finds_the_row_of_each_token_column(app, make_event):
    registration = rules.register(make_event(capacity=5).id, PERSON).registration
    assert find_by_token(Registration.token, registration.token) == registration
    assert find_by_token(Registration.calendar_token, registration.calendar_token) == registration
    assert find_by_token(Registration.calendar_token, registration.token) is None


def test_a_well_formed_unknown_token_finds_nothing(app, make_event):
    assert find_by_token(Registration.token, new_token()) is None


@pytest.mark.parametrize("text", [None, "", "x" * 42, "x" * 43 + "\n", "' OR 1=1 --", "x" * 10**6])
def test_a_malformed_token_is_refused_without_asking_the_database(app, text):
    with counting() as statements:
        assert find_by_token(Registration.token, text) is None
    assert statements == []


def test_every_token_view_answers_404_to_a_malformed_token(client, make_event):
    registration = rules.register(make_event(capacity=5).id, PERSON).registration
    padded = registration.token + "%0A"
    assert client.get(f"/registrations/{padded}").status_code == 404
    assert client.post(f"/registrations/{padded}/cancel").status_code == 404
    assert client.post(f"/registrations/{padded}/erase").status_code == 404
    assert client.get(f"/calendar/{registration.calendar_token}%0A.ics").status_code == 404
    assert client.get(f"/registrations/{registration.token}").status_code == 200
