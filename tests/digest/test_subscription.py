"""Subscribing (double opt-in), changing the choices, unsubscribing in one click, and the
purge: an address is kept only while subscribed and never shown or revealed."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.admin.conftest import sign_in
from tests.digest.conftest import confirm_link, outbox, subscribe, subscribed
from webapp.digest.models import DigestSubscription
from webapp.digest.rules import purge_unconfirmed
from webapp.extensions import db
from webapp.timezones import utcnow
from webapp.unit_of_work import unit_of_work


def _count():
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(DigestSubscription))


def test_every_agenda_page_links_to_the_subscription(client, make_event):
    event = make_event(series_slug="sud-liaison")
    for url in ("/", "/bassins/sud/", "/series/sud-liaison", f"/events/{event.id}", "/?lang=nl"):
        page = client.get(url).get_data(as_text=True)
        assert 'href="/subscribe"' in page, url
    assert "Het agenda per e-mail ontvangen" in client.get("/?lang=nl").get_data(as_text=True)


def test_subscribing_sends_a_confirmation_and_starts_nothing(client, make_event):
    make_event(series_slug="sud-liaison")
    page = client.get("/subscribe")
    assert page.status_code == 200
    assert b'name="bassins"' in page.data and b'name="themes"' in page.data
    response = subscribe(client, bassins=["sud", "nord"], kinds=["formation"], language="nl")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/subscribe/sent")
    (row,) = db.session.scalars(select(DigestSubscription)).all()
    assert row.confirmed_at is None
    assert (row.bassins, row.kinds, row.language) == (["nord", "sud"], ["formation"], "nl")
    (mail,) = outbox()
    assert mail.recipient == "anne@example.org"
    assert mail.reference == f"digest:{row.id}"
    assert "Bevestig" in mail.subject
    # The link reaches the mailbox only: the answer names it nowhere.
    assert row.confirm_token not in client.get("/subscribe/sent").get_data(as_text=True)
    assert row.confirm_token not in response.get_data(as_text=True)


def test_the_form_answers_the_same_whether_or_not_the_address_is_subscribed(client, territory):
    subscribed(client, "known@example.org")
    known = subscribe(client, "known@example.org")
    unknown = subscribe(client, "new@example.org")
    assert (known.status_code, known.headers["Location"]) == (
        unknown.status_code,
        unknown.headers["Location"],
    )
    assert known.get_data() == unknown.get_data()


def test_a_bad_address_is_refused_and_changes_nothing(client, territory):
    response = subscribe(client, "pas une adresse")
    assert response.status_code == 422
    assert "Adresse e-mail invalide." in response.get_data(as_text=True)
    response = subscribe(client, "anne@example.org", frequency="daily", bassins=["atlantide"])
    assert response.status_code == 422
    assert _count() == 0 and outbox() == []


def test_the_confirmation_link_asks_for_a_click_then_confirms(client, territory):
    subscribe(client)
    link = confirm_link(outbox()[-1])
    page = client.get(link)
    assert page.status_code == 200 and b"<form" in page.data
    assert page.headers["Cache-Control"] == "private, no-store"
    assert db.session.scalar(select(DigestSubscription.confirmed_at)) is None
    answer = client.post(link)
    assert answer.status_code == 303 and "/digest/" in answer.headers["Location"]
    db.session.expire_all()
    row = db.session.scalar(select(DigestSubscription))
    assert row.confirmed_at is not None and row.confirm_token is None and row.last_period
    assert client.post(link).status_code == 404  # used once
    assert client.get("/subscribe/confirm/" + "x" * 43).status_code == 404


def test_a_new_confirmed_subscription_replaces_the_old_one(client, territory):
    first = subscribed(client, kinds=["formation"]).id
    second = subscribed(client, kinds=["concertation"])
    assert _count() == 1
    assert second.id != first and second.kinds == ["concertation"]


def test_the_choices_are_changed_by_the_link_of_the_digest(client, territory):
    row = subscribed(client)
    page = client.get(f"/digest/{row.token}")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "private, no-store"
    answer = client.post(
        f"/digest/{row.token}",
        data={"frequency": "monthly", "language": "nl", "bassins": ["nord"]},
    )
    assert answer.status_code == 303
    db.session.expire_all()
    row = db.session.get(DigestSubscription, row.id)
    assert (row.frequency, row.language, row.bassins) == ("monthly", "nl", ["nord"])
    assert client.get("/digest/" + "y" * 43).status_code == 404


def test_one_click_unsubscribe_needs_no_confirmation_and_forgets_everything(client, territory):
    row = subscribed(client)
    reference, token = f"digest:{row.id}", row.token
    page = client.get(f"/digest/{token}/unsubscribe")
    assert page.status_code == 200 and b"<form" in page.data
    assert _count() == 1
    # What a mailbox provider posts (RFC 8058): no form token, no cookie.
    fresh = client.application.test_client()
    answer = fresh.post(
        f"/digest/{token}/unsubscribe",
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert answer.status_code == 200
    assert _count() == 0
    assert outbox(reference) == []
    assert fresh.get(f"/digest/{token}").status_code == 404


def test_unconfirmed_subscriptions_are_purged_after_seven_days(client, territory):
    subscribe(client, "pending@example.org")
    confirmed = subscribed(client, "kept@example.org")
    with unit_of_work("test"):
        assert purge_unconfirmed(utcnow() + timedelta(days=6)) == 0
    with unit_of_work("test"):
        assert purge_unconfirmed(utcnow() + timedelta(days=8)) == 1
    assert [r.id for r in db.session.scalars(select(DigestSubscription))] == [confirmed.id]
    assert [m.recipient for m in outbox() if m.reference.startswith("digest:")] == [
        "kept@example.org"
    ]


def test_the_back_office_counts_subscribers_and_never_shows_them(
    app, client, make_staff, make_event
):
    make_event(title="Concertation visible", bassins=("sud",))
    subscribed(client, "secret.person@example.org", bassins=["sud"])
    subscribe(client, "other.pending@example.org")
    staff = sign_in(app.test_client(), make_staff("bassin", bassins=("sud",)))
    page = staff.get("/admin/digest?bassins=sud&frequency=weekly&language=fr")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "1 abonné·e confirmé·e" in text and "1 demande en attente" in text
    assert "Concertation visible" in text
    assert "secret.person" not in text and "other.pending" not in text
    assert 'href="/admin/digest"' in staff.get("/admin/").get_data(as_text=True)
    service = sign_in(app.test_client(), make_staff("service", organisation="CPAS"))
    assert service.get("/admin/digest").status_code in (403, 404)


class TestBudgets:
    @pytest.fixture
    def app_config(self, smtp):
        from tests.smtp import mail_config

        return {
            **mail_config(smtp),
            "BASE_URL": "https://agenda.test",
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_URI": "memory://",
        }

    def test_past_its_budget_an_address_gets_no_more_mail_and_the_same_answer(
        self, client, territory
    ):
        from webapp.extensions import limiter

        limiter.reset()
        answers = [subscribe(client, "flooded@example.org") for _ in range(5)]
        assert {(a.status_code, a.headers["Location"]) for a in answers} == {
            (303, "/subscribe/sent")
        }
        assert len(outbox()) == 3
