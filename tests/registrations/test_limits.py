"""Limits on what a person can repeat: saving their details, and what the privacy page says
about registrations not being secret."""

import pytest

from tests.edge import rules
from webapp.content_state import current_generation


@pytest.fixture
def app_config(smtp):
    return {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://"}


def test_saving_the_personal_page_again_and_again_is_limited(client, make_event, person):
    from webapp.extensions import limiter

    limiter.reset()
    registration = rules.register(make_event(capacity=3).id, person(1)).registration
    details = {**person(1), "sector": "cpas"}
    details.pop("email")
    generation = current_generation()
    codes = [
        client.post(f"/registrations/{registration.token}", data=details).status_code
        for _ in range(11)
    ]
    assert codes[:10] == [200] * 10 and codes[10] == 429
    # The same details saved ten times changed nothing the public pages show.
    assert current_generation() == generation


def test_the_privacy_page_says_registrations_are_not_secret(client, territory):
    page = client.get("/privacy").get_data(as_text=True)
    assert "n'est pas secrète" in page
    dutch = client.get("/privacy?lang=nl").get_data(as_text=True)
    assert "niet geheim" in dutch
