"""The registration form, the personal page behind its token, and what bad input gets."""

import re

import pytest
from sqlalchemy import func, select

from tests.edge import rules
from webapp.extensions import db
from webapp.mail.models import OutboxMessage
from webapp.registrations.models import Question, Registration


def form_data(n=1, **changes):
    data = {
        "first_name": "Anne",
        "last_name": "Peeters",
        "email": f"anne.{n}@example.org",
        "organisation": "CPAS d'Etterbeek",
        "sector": "cpas",
        "job_title": "Assistante sociale",
        "commune": "Etterbeek",
        "consent": "y",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_registering_redirects_to_the_personal_page_which_marks_the_status(client, make_event):
    event = make_event(capacity=1)
    response = client.post(f"/events/{event.id}/register", data=form_data(1))
    assert response.status_code == 303
    assert re.fullmatch(r"/registrations/[A-Za-z0-9_-]{43}", response.headers["Location"])
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'data-status="confirmed"' in page
    second = client.post(f"/events/{event.id}/register", data=form_data(2))
    page = client.get(second.headers["Location"]).get_data(as_text=True)
    assert 'data-status="waitlisted"' in page and 'data-waitlist-position="1"' in page


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"first_name": ""}, "first_name"),
        ({"first_name": "   "}, "first_name"),
        ({"last_name": "Pee\x00ters"}, "last_name"),
        ({"commune": "Ixelles\x07"}, "commune"),
        ({"last_name": None}, "last_name"),
        ({"email": "pas-une-adresse"}, "email"),
        ({"email": "a" * 250 + "@x.be"}, "email"),
        ({"organisation": "x" * 201}, "organisation"),
        ({"sector": "astrologie"}, "sector"),
        ({"job_title": ""}, "job_title"),
        ({"consent": None}, "consent"),
    ],
)
def test_bad_input_gets_a_message_beside_the_field_and_writes_nothing(
    client, make_event, changes, field
):
    event = make_event(capacity=5)
    response = client.post(f"/events/{event.id}/register", data=form_data(**changes))
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert count(Registration) == 0 and count(OutboxMessage) == 0


def test_unicode_names_and_addresses_are_kept_as_typed(client, make_event):
    event = make_event(capacity=5)
    client.post(
        f"/events/{event.id}/register",
        data=form_data(
            first_name="Zoë-Ngozi", last_name="Çelik Ø'Brien", commune="Sint-Jans-Molenbeek"
        ),
    )
    registration = db.session.scalar(select(Registration))
    assert (registration.first_name, registration.last_name) == ("Zoë-Ngozi", "Çelik Ø'Brien")


def test_custom_questions_are_asked_required_and_checked(client, make_event):
    event = make_event(capacity=5)
    table = Question(
        event=event,
        kind="choice",
        label_fr="Table de discussion",
        required=True,
        options=[{"value": "liaison", "fr": "Liaison"}, {"value": "logement", "fr": "Logement"}],
    )
    needs = Question(event=event, kind="long_text", label_fr="Besoins d'accessibilité", position=1)
    db.session.add_all([table, needs])
    db.session.commit()
    page = client.get(f"/events/{event.id}/register").get_data(as_text=True)
    assert "Table de discussion" in page and "Besoins d&#39;accessibilité" in page
    tampered = client.post(
        f"/events/{event.id}/register", data=form_data(**{table.field_name: "piscine"})
    )
    assert tampered.status_code == 422 and count(Registration) == 0
    ok = client.post(
        f"/events/{event.id}/register",
        data=form_data(**{table.field_name: "logement", needs.field_name: "Boucle magnétique"}),
    )
    assert ok.status_code == 303
    assert db.session.scalar(select(Registration)).answers == {
        str(table.id): "logement",
        str(needs.id): "Boucle magnétique",
    }


def test_honeypot_filled_by_a_bot_is_refused(client, make_event):
    event = make_event(capacity=5)
    response = client.post(
        f"/events/{event.id}/register", data=form_data(website="http://spam.example")
    )
    assert response.status_code == 422 and count(Registration) == 0


def test_past_event_refuses_with_a_clear_message(client, make_event):
    from datetime import timedelta

    from webapp.timezones import utcnow

    event = make_event(capacity=5, start=utcnow() - timedelta(days=2))
    response = client.post(f"/events/{event.id}/register", data=form_data())
    assert response.status_code == 409
    assert "déjà eu lieu" in response.get_data(as_text=True)
    assert count(Registration) == 0


def test_registering_twice_says_so_and_resends_the_link(client, make_event):
    event = make_event(capacity=5)
    client.post(f"/events/{event.id}/register", data=form_data(1))
    again = client.post(
        f"/events/{event.id}/register", data=form_data(1, email="ANNE.1@example.org")
    )
    assert again.status_code == 200 and "déjà inscrit" in again.get_data(as_text=True)
    assert count(Registration) == 1 and count(OutboxMessage) == 2


@pytest.mark.parametrize("token", ["abc", "x" * 43, "../../etc/passwd", "A" * 200])
def test_unknown_or_malformed_tokens_get_a_plain_404(client, token):
    assert client.get(f"/registrations/{token}").status_code == 404
    assert client.post(f"/registrations/{token}/cancel").status_code == 404
    assert client.get(f"/calendar/{token}.ics").status_code == 404


def test_one_click_cancel_from_the_personal_page(client, make_event, person):
    event = make_event(capacity=1)
    registration = rules.register(event.id, person(1)).registration
    waiting = rules.register(event.id, person(2)).registration
    response = client.post(f"/registrations/{registration.token}/cancel")
    assert response.status_code == 303
    assert 'data-status="cancelled"' in client.get(response.headers["Location"]).get_data(
        as_text=True
    )
    assert 'data-status="confirmed"' in client.get(f"/registrations/{waiting.token}").get_data(
        as_text=True
    )


def test_changing_answers_keeps_the_email(client, make_event, person):
    event = make_event(capacity=3)
    registration = rules.register(event.id, person(1)).registration
    response = client.post(
        f"/registrations/{registration.token}",
        data=form_data(1, job_title="Coordinatrice", email="other@example.org"),
    )
    assert response.status_code == 200
    db.session.expire_all()
    changed = db.session.get(Registration, registration.id)
    assert changed.job_title == "Coordinatrice" and changed.email == "anne.1@example.org"


def test_erasure_from_the_personal_page_leaves_nothing_personal(client, make_event, person):
    event = make_event(capacity=3)
    registration = rules.register(event.id, person(1, first_name="Zoë")).registration
    client.post(f"/registrations/{registration.token}/erase")
    page = client.get(f"/registrations/{registration.token}").get_data(as_text=True)
    assert "Zoë" not in page and "anne.1@example.org" not in page
    assert 'data-status="cancelled"' in page


def test_privacy_page_says_what_is_kept_and_for_how_long(client):
    page = client.get("/privacy").get_data(as_text=True)
    assert "12 mois" in page and "effacer" in page


def test_oversized_request_is_refused_with_413(client, make_event):
    event = make_event(capacity=3)
    response = client.post(
        f"/events/{event.id}/register", data=form_data(organisation="x" * 2_000_000)
    )
    assert response.status_code == 413 and count(Registration) == 0


class TestWithCSRF:
    @pytest.fixture
    def app_config(self, smtp):
        return {"WTF_CSRF_ENABLED": True}

    def test_missing_csrf_token_is_refused_and_writes_nothing(self, client, make_event):
        event = make_event(capacity=3)
        response = client.post(f"/events/{event.id}/register", data=form_data())
        assert response.status_code in (400, 422) and count(Registration) == 0


class TestWithRateLimits:
    @pytest.fixture
    def app_config(self, smtp):
        return {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://"}

    def test_the_same_email_is_rate_limited_per_event(self, client, make_event, smtp):
        from webapp.extensions import limiter

        limiter.reset()
        event = make_event(capacity=3)
        codes = [
            client.post(f"/events/{event.id}/register", data=form_data(1)).status_code
            for _ in range(7)
        ]
        # A registration, then the personal link sent again four times: then it stops.
        assert codes == [303, 200, 200, 200, 200, 429, 429]

    def test_invalid_posts_never_lock_an_address_out(self, client, make_event):
        from webapp.extensions import limiter

        limiter.reset()
        event = make_event(capacity=3)
        for _ in range(8):
            bad = client.post(f"/events/{event.id}/register", data=form_data(1, sector="x"))
            assert bad.status_code == 422
        assert client.post(f"/events/{event.id}/register", data=form_data(1)).status_code == 303

    def test_a_busy_professional_registers_for_many_events_in_an_hour(self, client, make_event):
        from webapp.extensions import limiter

        limiter.reset()
        events = [make_event(capacity=3) for _ in range(8)]
        codes = [
            client.post(f"/events/{e.id}/register", data=form_data(1)).status_code for e in events
        ]
        assert codes == [303] * 8

    def test_one_address_is_rate_limited_whatever_the_email(self, client, make_event):
        from webapp.extensions import limiter

        limiter.reset()
        event = make_event(capacity=None)
        codes = [
            client.post(f"/events/{event.id}/register", data=form_data(n)).status_code
            for n in range(21)
        ]
        assert codes[:20] == [303] * 20 and codes[20] == 429
        assert count(Registration) == 20


def test_an_address_that_needs_smtputf8_is_refused_with_its_own_message(client, make_event):
    event = make_event(capacity=3)
    response = client.post(f"/events/{event.id}/register", data=form_data(email="josé@exemple.be"))
    assert response.status_code == 422 and count(Registration) == 0
    assert "avant le @" in response.get_data(as_text=True)
    dutch = client.post(
        f"/events/{event.id}/register?lang=nl", data=form_data(email="josé@exemple.be")
    )
    assert dutch.status_code == 422 and "vóór de @" in dutch.get_data(as_text=True)


def test_an_international_domain_is_kept_in_its_ascii_form(client, make_event):
    event = make_event(capacity=3)
    response = client.post(
        f"/events/{event.id}/register", data=form_data(email="Anne@Maison-Médicale.be")
    )
    assert response.status_code == 303
    stored = db.session.scalar(select(Registration.email))
    assert stored == "anne@" + "maison-médicale.be".encode("idna").decode()


@pytest.mark.parametrize(
    "changes",
    [
        {"first_name": "Gagnez https://arnaque.example"},
        {"first_name": "www.arnaque.example"},
        {"last_name": "voir bit.ly/xyz"},
        {"first_name": "Anne contact@arnaque.example"},
        {"last_name": "arnaque.com"},
    ],
)
def test_a_name_holding_a_link_is_refused(client, make_event, changes):
    event = make_event(capacity=3)
    response = client.post(f"/events/{event.id}/register", data=form_data(**changes))
    assert response.status_code == 422 and count(Registration) == 0
    assert "adresse web" in response.get_data(as_text=True)


@pytest.mark.parametrize("name", ["Jean-Pierre", "A. Dupont", "Van den Bossche", "Zoë O'Neill"])
def test_ordinary_names_pass(client, make_event, name):
    event = make_event(capacity=3)
    response = client.post(f"/events/{event.id}/register", data=form_data(last_name=name))
    assert response.status_code == 303


def test_registering_and_cancelling_by_the_own_link_each_write_an_audit_line(client, make_event):
    """As the Grand Bain's bookings do: who acted is the person's link (the registration's
    id), the line holds ids and statuses, never the person."""
    from webapp.audit import AuditEntry

    event = make_event(capacity=1)
    first = client.post(f"/events/{event.id}/register", data=form_data(1))
    client.post(f"/events/{event.id}/register", data=form_data(2))
    first_id, second_id = db.session.scalars(select(Registration.id).order_by(Registration.id))
    client.post(f"{first.headers['Location']}/cancel")
    lines = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [(e.action, e.actor_kind, e.actor_id, e.subject_id) for e in lines] == [
        ("registration.created", "personal-link", first_id, first_id),
        ("registration.created", "personal-link", second_id, second_id),
        ("registration.cancelled", "personal-link", first_id, first_id),
        ("registration.promoted", "system", None, second_id),
    ]
    assert lines[0].after == {"event_id": event.id, "status": "confirmed"}
    assert lines[1].after == {"event_id": event.id, "status": "waitlisted"}
    assert "anne" not in " ".join(str(e.before) + str(e.after) for e in lines).lower()
