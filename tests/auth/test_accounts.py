"""Staff accounts: create-user, sign-in with one answer for every refusal, throttling, the
dashboard within the account's reach, never cached."""

import logging
import time

import pytest
from sqlalchemy import select

from webapp.audit import AuditEntry
from webapp.auth import accounts
from webapp.auth.models import Account
from webapp.extensions import db
from webapp.unit_of_work import unit_of_work

PASSWORD = "liaison-ambulatoire-2027"


def create_user(app, *args):
    return app.test_cli_runner().invoke(args=["create-user", *args])


@pytest.fixture
def sud_coordinator(app, territory):
    result = create_user(
        app,
        "--email",
        "Coord@Bassin-Sud.be",
        "--password",
        PASSWORD,
        "--role",
        "bassin",
        "--bassin",
        "sud",
    )
    assert result.exit_code == 0, result.output
    return db.session.scalar(select(Account))


def sign_in(client, email="coord@bassin-sud.be", password=PASSWORD, remote="127.0.0.1"):
    return client.post(
        "/login",
        data={"email": email, "password": password},
        environ_base={"REMOTE_ADDR": remote},
    )


def test_create_user_creates_then_updates_with_a_hashed_password(app, sud_coordinator):
    account = sud_coordinator
    assert account.email == "coord@bassin-sud.be" and account.role == "bassin"
    assert [b.slug for b in account.bassins] == ["sud"]
    assert PASSWORD not in account.password_hash and account.password_hash.startswith("scrypt")
    result = create_user(
        app,
        "--email",
        "coord@bassin-sud.be",
        "--password",
        "un-autre-mot-de-passe",
        "--role",
        "admin",
    )
    assert result.exit_code == 0
    db.session.expire_all()
    assert db.session.scalar(select(Account)).role == "admin"
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["account.created", "account.updated"]


BASE = ["--email", "a@bassin-sud.be", "--password", PASSWORD, "--role", "admin"]


@pytest.mark.parametrize(
    "args, words",
    [
        (["--email", "a@bassin-sud.be", "--password", "court", "--role", "admin"], "12 char"),
        (
            ["--email", "a@bassin-sud.be", "--password", "motdepasse123", "--role", "admin"],
            "common",
        ),
        (["--email", "a@bassin-sud.be", "--password", PASSWORD, "--role", "bassin"], "--bassin"),
        ([*BASE[:5], "bassin", "--bassin", "atlantide"], "unknown bassin"),
        (["--email", "a@bassin-sud.be", "--password", PASSWORD, "--role", "service"], "--organ"),
        (["--email", "pas-une-adresse", "--password", PASSWORD, "--role", "admin"], "usable email"),
    ],
)
def test_create_user_refuses_with_a_reason_and_writes_nothing(app, territory, args, words):
    result = create_user(app, *args)
    assert result.exit_code != 0 and words in result.output
    assert db.session.scalar(select(Account)) is None


def test_signing_in_leads_to_the_dashboard_and_out_again(client, sud_coordinator):
    assert client.get("/admin/").status_code == 302  # sign in first
    response = sign_in(client)
    assert response.status_code == 303 and response.headers["Location"].endswith("/admin/")
    dashboard = client.get("/admin/")
    assert dashboard.status_code == 200
    assert dashboard.headers["Cache-Control"] == "private, no-store"
    assert client.post("/logout").status_code == 303
    assert client.get("/admin/").status_code == 302


def test_a_wrong_password_and_an_unknown_address_get_the_same_answer(client, sud_coordinator):
    wrong = sign_in(client, password="pas-le-bon-mot-de-passe")
    unknown = sign_in(client, email="personne@example.org")
    assert wrong.status_code == unknown.status_code == 422
    # The pages differ only by the address typed back into the form.
    assert wrong.get_data(as_text=True).replace("coord@bassin-sud.be", "X") == unknown.get_data(
        as_text=True
    ).replace("personne@example.org", "X")
    assert "Adresse e-mail ou mot de passe incorrect" in wrong.get_data(as_text=True)


def test_a_next_page_on_another_site_is_not_followed(client, sud_coordinator):
    response = client.post(
        "/login?next=https://evil.example/",
        data={"email": "coord@bassin-sud.be", "password": PASSWORD},
    )
    assert response.headers["Location"].endswith("/admin/")


def test_a_new_password_ends_the_sessions_made_before_it(app, client, sud_coordinator):
    sign_in(client)
    assert client.get("/admin/").status_code == 200
    create_user(
        app,
        "--email",
        "coord@bassin-sud.be",
        "--password",
        "nouveau-mot-de-passe-27",
        "--role",
        "bassin",
        "--bassin",
        "sud",
    )
    assert client.get("/admin/").status_code == 302


def test_the_dashboard_shows_only_the_events_of_the_account_s_bassins(
    client, sud_coordinator, make_event
):
    make_event(title="Concertation Sud", bassins=("sud",))
    make_event(title="Concertation Nord", bassins=("nord",))
    make_event(title="Webinaire commun", bassins=("nord", "sud"))
    sign_in(client)
    page = client.get("/admin/").get_data(as_text=True)
    assert "Concertation Sud" in page and "Webinaire commun" in page
    assert "Concertation Nord" not in page


def test_scopes_follow_the_role(app, territory):
    with unit_of_work():
        admin = accounts.save_account("admin@bassins.brussels", PASSWORD, "admin")
        service = accounts.save_account(
            "info@maison-medicale.be", PASSWORD, "service", organisation="Maison médicale du Midi"
        )
    assert accounts.scope_of(admin).everything
    assert accounts.scope_of(service).organisation_id == service.organisation_id


class TestThrottling:
    @pytest.fixture
    def app_config(self):
        return {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://"}

    def test_five_tries_per_address_then_429(self, client, sud_coordinator):
        from webapp.extensions import limiter

        limiter.reset()
        codes = [sign_in(client, password=f"essai-{n}-faux-mdp").status_code for n in range(6)]
        assert codes[:5] == [422] * 5 and codes[5] == 429
        # Another address from the same place is not locked out by those.
        assert sign_in(client, email="autre@example.org").status_code == 422

    def test_failures_from_another_client_never_refuse_the_right_password(
        self, client, sud_coordinator
    ):
        """The attack of issue 20: five wrong passwords from anywhere used to refuse the
        owner's right one for 15 minutes, on every instance."""
        from webapp.extensions import limiter

        limiter.reset()
        attacker = [
            sign_in(client, password=f"essai-{n}-faux-mdp", remote="10.66.0.1").status_code
            for n in range(6)
        ]
        assert attacker == [422] * 5 + [429]  # that client is stopped, not the account
        assert sign_in(client, password="une-faute-de-frappe", remote="10.0.0.7").status_code == 422
        owner = sign_in(client, remote="10.0.0.7")
        assert owner.status_code == 303 and owner.headers["Location"].endswith("/admin/")

    def test_guessing_from_many_clients_slows_every_attempt_and_refuses_none(
        self, client, sud_coordinator, caplog
    ):
        from webapp.auth.views import SLOWDOWN_SECONDS
        from webapp.extensions import limiter

        limiter.reset()
        for n in range(10):  # four clients, under each client's own limit
            remote = f"10.66.0.{n // 3}"
            assert sign_in(client, password=f"essai-{n}-faux", remote=remote).status_code == 422
        caplog.clear()
        caplog.set_level(logging.INFO, logger="webapp.auth.views")
        started = time.monotonic()
        owner = sign_in(client, remote="10.0.0.7")
        waited = time.monotonic() - started
        assert owner.status_code == 303
        assert waited >= SLOWDOWN_SECONDS  # a lower bound: no machine is too fast for it
        assert "login slowed" in caplog.text
