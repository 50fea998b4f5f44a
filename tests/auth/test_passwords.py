"""Password change on /admin/account and reset by an emailed link (/password/forgot,
/password/reset/<token>): one answer whoever asks, a link that works once within the hour."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.admin.conftest import STAFF_PASSWORD, sign_in
from tests.smtp import mail_config
from webapp.audit import AuditEntry
from webapp.auth.models import Account
from webapp.extensions import db
from webapp.mail.models import OutboxMessage
from webapp.mail.outbox import deliver_all


@pytest.fixture
def app_config(smtp):
    return mail_config(smtp)


NEW_PASSWORD = "rendez-vous-prevention-forest"


@pytest.fixture
def new_client(app, client):
    """Another browser: each request in its own app context, like `client`."""
    return app.test_client


@pytest.fixture
def coordinator(make_staff):
    return make_staff("bassin", bassins=("sud",), email="coord@bassin-sud.be")


def audit_lines():
    return db.session.execute(
        select(
            AuditEntry.action, AuditEntry.actor_kind, AuditEntry.subject_id, AuditEntry.after
        ).order_by(AuditEntry.id)
    ).all()


def change(client, current=STAFF_PASSWORD, new=NEW_PASSWORD, again=None):
    return client.post(
        "/admin/account",
        data={
            "current_password": current,
            "new_password": new,
            "new_password_again": new if again is None else again,
        },
    )


# --- change -----------------------------------------------------------------------------


def test_the_account_page_asks_for_the_current_and_the_new_password(new_client, app, coordinator):
    client = sign_in(new_client(), coordinator)
    response = client.get("/admin/account")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    for name in ("current_password", "new_password", "new_password_again"):
        assert f'name="{name}"' in page
    assert 'autocomplete="new-password"' in page


def test_a_changed_password_ends_the_other_sessions_and_keeps_this_one(
    new_client, app, coordinator
):
    here = sign_in(new_client(), coordinator)
    elsewhere = sign_in(new_client(), coordinator)
    response = change(here)
    assert response.status_code == 303 and response.headers["Location"].endswith("/admin/account")
    assert "Votre mot de passe est changé" in here.get("/admin/account").get_data(as_text=True)
    assert here.get("/admin/").status_code == 200
    assert elsewhere.get("/admin/").status_code == 302
    # The new password signs in, the old one no longer does.
    assert sign_in(new_client(), coordinator, NEW_PASSWORD).get("/admin/").status_code == 200
    old = new_client().post("/login", data={"email": coordinator.email, "password": STAFF_PASSWORD})
    assert old.status_code == 422
    account_id = coordinator.id
    assert audit_lines()[-1] == ("account.password_changed", "account", account_id, None)
    assert NEW_PASSWORD not in str(db.session.scalars(select(AuditEntry.after)).all())


@pytest.mark.parametrize(
    "current, new, again, field, words",
    [
        ("pas-le-bon-mot-de-passe", NEW_PASSWORD, None, "current_password", "mot de passe actuel"),
        (STAFF_PASSWORD, "court", None, "new_password", "au moins 12"),
        (STAFF_PASSWORD, "motdepasse123", None, "new_password", "trop courant"),
        (STAFF_PASSWORD, "coord@bassin-sud.be", None, "new_password", "trop courant"),
        (STAFF_PASSWORD, NEW_PASSWORD, "autre-chose-encore", "new_password_again", "identiques"),
        (STAFF_PASSWORD, "", None, "new_password", "obligatoire"),
    ],
)
def test_a_refused_change_says_why_beside_the_field_and_changes_nothing(
    new_client, app, coordinator, current, new, again, field, words
):
    client = sign_in(new_client(), coordinator)
    before = db.session.get(Account, coordinator.id).password_hash
    response = change(client, current, new, again)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    error = re.search(rf'<p class="error" id="{field}-error">([^<]*)</p>', page)
    assert error and words in error.group(1).lower()
    db.session.expire_all()
    assert db.session.get(Account, coordinator.id).password_hash == before
    assert client.get("/admin/").status_code == 200
    assert [line[0] for line in audit_lines()] == ["account.created"]


def test_the_account_page_is_for_signed_in_staff(client, coordinator):
    assert client.get("/admin/account").status_code == 302
    assert change(client).status_code == 302
    assert db.session.get(Account, coordinator.id).password_hash.startswith("scrypt")


class TestThrottledChange:
    @pytest.fixture
    def app_config(self):
        return {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://"}

    def test_five_wrong_current_passwords_then_429(self, new_client, coordinator):
        from webapp.extensions import limiter

        limiter.reset()
        client = sign_in(new_client(), coordinator)
        codes = [change(client, current=f"essai-{n}-pas-le-bon").status_code for n in range(6)]
        assert codes == [422] * 5 + [429]


# --- reset ------------------------------------------------------------------------------


def forgot(client, email="coord@bassin-sud.be", remote="127.0.0.1"):
    return client.post(
        "/password/forgot", data={"email": email}, environ_base={"REMOTE_ADDR": remote}
    )


def reset_link(message):
    body = message.get_body(("plain",)).get_content()
    (link,) = re.findall(r"http://agenda\.test(/password/reset/[^\s?]+)\S*", body)
    return link


def new_password(client, link, password=NEW_PASSWORD):
    return client.post(link, data={"new_password": password, "new_password_again": password})


def test_the_login_page_has_the_forgotten_password_link(client):
    page = client.get("/login").get_data(as_text=True)
    assert 'href="/password/forgot"' in page and "Mot de passe oublié ?" in page


def test_a_reset_link_arrives_by_mail_and_works_once(new_client, app, client, coordinator, smtp):
    response = forgot(client)
    assert response.status_code == 200 and "data-reset-asked" in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "private, no-store"
    assert deliver_all() == (1, 0)
    (message,) = smtp.inbox.to("coord@bassin-sud.be")
    assert "mot de passe" in message["Subject"].lower()
    link = reset_link(message)
    assert link in message.get_body(("html",)).get_content()

    form = client.get(link)
    assert form.status_code == 200 and 'name="new_password_again"' in form.get_data(as_text=True)
    assert form.headers["Referrer-Policy"] == "no-referrer"
    assert form.headers["Cache-Control"] == "private, no-store"
    done = new_password(client, link)
    assert done.status_code == 303 and done.headers["Location"].endswith("/login")
    assert done.headers["Referrer-Policy"] == "no-referrer"
    login_page = client.get("/login").get_data(as_text=True)
    assert "Votre mot de passe est changé" in login_page
    assert sign_in(new_client(), coordinator, NEW_PASSWORD).get("/admin/").status_code == 200

    again = client.get(link)
    assert again.status_code == 410 and 'data-link-refused="used"' in again.get_data(as_text=True)
    assert 'href="/password/forgot"' in again.get_data(as_text=True)
    assert new_password(client, link, "encore-un-autre-mot-de-passe").status_code == 410
    account_id = coordinator.id
    assert [(a, k, s) for a, k, s, _ in audit_lines()[1:]] == [
        ("account.password_reset_requested", "system", account_id),
        ("account.password_reset", "account", account_id),
    ]


def test_a_reset_ends_the_sessions_made_before_it(new_client, app, client, coordinator, smtp):
    signed_in = sign_in(new_client(), coordinator)
    forgot(client)
    deliver_all()
    new_password(client, reset_link(smtp.inbox.messages[0]))
    assert signed_in.get("/admin/").status_code == 302


def test_a_reset_link_expires_after_an_hour(client, coordinator, smtp, time_machine):
    time_machine.move_to("2027-03-10 09:00:00+00:00", tick=False)
    forgot(client)
    deliver_all()
    link = reset_link(smtp.inbox.messages[0])
    time_machine.shift(timedelta(minutes=59))
    assert client.get(link).status_code == 200
    time_machine.shift(timedelta(minutes=2))
    expired = client.get(link)
    assert expired.status_code == 410
    assert 'data-link-refused="expired"' in expired.get_data(as_text=True)
    assert new_password(client, link).status_code == 410
    before = db.session.get(Account, coordinator.id).password_hash
    assert passwords_match(before, STAFF_PASSWORD)


def passwords_match(password_hash, password):
    from webapp.auth.passwords import matches

    return matches(password_hash, password)


def test_any_password_change_voids_an_earlier_link(new_client, app, client, coordinator, smtp):
    forgot(client)
    deliver_all()
    link = reset_link(smtp.inbox.messages[0])
    change(sign_in(new_client(), coordinator))
    assert client.get(link).status_code == 410


def test_an_unknown_address_gets_the_same_page_and_no_mail(client, coordinator, smtp):
    known = forgot(client)
    unknown = forgot(client, email="personne@example.org")
    assert known.status_code == unknown.status_code == 200
    assert known.get_data(as_text=True) == unknown.get_data(as_text=True)
    deliver_all()
    assert smtp.inbox.to("personne@example.org") == []
    assert len(smtp.inbox.messages) == 1
    assert [line[0] for line in audit_lines()] == [
        "account.created",
        "account.password_reset_requested",
    ]


@pytest.mark.parametrize("typed", ["", "pas-une-adresse", "a@b.be\r\nBcc: x@evil.example"])
def test_a_bad_address_is_refused_beside_the_field(client, coordinator, typed):
    response = forgot(client, email=typed)
    assert response.status_code == 422
    assert 'id="email-error"' in response.get_data(as_text=True)
    assert db.session.scalar(select(OutboxMessage)) is None


@pytest.mark.parametrize("token", ["abc", "x" * 400, "eyJhY2NvdW50IjoxfQ.Zz.bad"])
def test_a_forged_or_mangled_link_is_a_readable_refusal(client, coordinator, token):
    response = client.get(f"/password/reset/{token}")
    assert response.status_code == 400
    assert 'data-link-refused="invalid"' in response.get_data(as_text=True)
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_a_weak_new_password_keeps_the_link_usable(app, client, coordinator, smtp):
    forgot(client)
    deliver_all()
    link = reset_link(smtp.inbox.messages[0])
    refused = new_password(client, link, "court")
    assert refused.status_code == 422 and 'id="new_password-error"' in refused.get_data(
        as_text=True
    )
    assert new_password(client, link).status_code == 303


def test_the_reset_mail_is_in_dutch_when_asked_in_dutch(client, coordinator, smtp):
    client.get("/password/forgot?lang=nl")
    forgot(client)
    deliver_all()
    (message,) = smtp.inbox.messages
    body = message.get_body(("plain",)).get_content()
    assert "Bonjour" not in body and "lang=nl" in body


class TestThrottledReset:
    @pytest.fixture
    def app_config(self, smtp):
        return {
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_URI": "memory://",
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": smtp.port,
        }

    def test_past_three_mails_from_one_client_the_same_answer_and_no_mail(
        self, client, coordinator
    ):
        from webapp.extensions import limiter

        limiter.reset()
        known = [forgot(client, remote="10.0.0.9") for _ in range(4)]
        unknown = [forgot(client, "personne@example.org", remote="10.0.1.9") for _ in range(4)]
        pages = {r.get_data(as_text=True).replace("personne@example.org", "") for r in unknown}
        assert [r.status_code for r in known + unknown] == [200] * 8
        assert {r.get_data(as_text=True) for r in known} | pages == {
            known[0].get_data(as_text=True)
        }
        assert db.session.query(OutboxMessage).count() == 3

    def test_requests_from_elsewhere_never_stop_the_owners_own_reset(
        self, client, coordinator, smtp
    ):
        """The attack of issue 20: three asks for the victim's address from another client
        used to answer the victim's own ask with 429 for an hour."""
        from webapp.extensions import limiter

        limiter.reset()
        for _attempt in range(5):
            assert forgot(client, remote="10.66.0.1").status_code == 200
        assert db.session.query(OutboxMessage).count() == 3
        own = forgot(client, remote="10.0.0.7")
        assert own.status_code == 200
        assert db.session.query(OutboxMessage).count() == 4
        deliver_all()
        link = reset_link(smtp.inbox.messages[-1])
        assert new_password(client, link).status_code == 303

    def test_ten_mails_an_hour_to_one_address_from_every_client_together(self, client, coordinator):
        from webapp.extensions import limiter

        limiter.reset()
        codes = [forgot(client, remote=f"10.0.2.{n}").status_code for n in range(12)]
        assert codes == [200] * 12
        assert db.session.query(OutboxMessage).count() == 10

    def test_five_asks_per_client_then_429(self, client, coordinator):
        from webapp.extensions import limiter

        limiter.reset()
        codes = [forgot(client, f"personne-{n}@example.org").status_code for n in range(6)]
        assert codes == [200] * 5 + [429]


def test_production_hashes_with_scrypt_at_its_full_cost():
    """Tests hash cheaply (TestConfig); every other configuration keeps Werkzeug's scrypt cost."""
    from flask import Flask

    from config import Config, TestConfig
    from webapp.auth.passwords import hash_password, matches

    assert TestConfig.PASSWORD_HASH_METHOD != Config.PASSWORD_HASH_METHOD
    app = Flask(__name__)
    app.config["PASSWORD_HASH_METHOD"] = Config.PASSWORD_HASH_METHOD
    with app.app_context():
        password_hash = hash_password("une phrase de passe assez longue")
        assert password_hash.startswith("scrypt:32768:8:1$")
        assert matches(password_hash, "une phrase de passe assez longue")
        assert not matches(None, "une phrase de passe assez longue")
