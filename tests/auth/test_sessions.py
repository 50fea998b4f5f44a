"""Staff sessions held on the server (webapp/auth/sessions.py): sign-out, a new password, an
admin and idleness end them; a cookie copied before is then worth nothing."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.admin.conftest import STAFF_PASSWORD, sign_in
from webapp.audit import AuditEntry
from webapp.auth.models import StaffSession
from webapp.extensions import db

NEW_PASSWORD = "rendez-vous-prevention-forest"


@pytest.fixture
def browser(app, client):
    """browser(user_agent) -> a new client, like another browser on another machine."""

    def make(user_agent="Firefox/140.0"):
        made = app.test_client()
        made.environ_base["HTTP_USER_AGENT"] = user_agent
        return made

    return make


@pytest.fixture
def coordinator(make_staff):
    return make_staff("bassin", bassins=("sud",), email="coord@bassin-sud.be")


def copy_cookie(source, target):
    target.set_cookie("session", source.get_cookie("session").value)
    return target


def open_rows():
    db.session.expire_all()
    return db.session.scalars(select(StaffSession).order_by(StaffSession.id)).all()


def test_a_cookie_copied_before_logout_no_longer_opens_the_back_office(browser, coordinator):
    signed_in = sign_in(browser(), coordinator)
    thief = copy_cookie(signed_in, browser("curl/8.0"))
    assert thief.get("/admin/").status_code == 200  # the copy works while the session lives
    assert signed_in.post("/logout").status_code == 303
    replay = thief.get("/admin/")
    assert replay.status_code == 302 and "/login" in replay.headers["Location"]
    assert thief.get("/admin/account").status_code == 302
    assert open_rows() == []


def test_a_session_row_keeps_its_times_and_user_agent_but_no_secret_or_address(
    browser, coordinator
):
    client = sign_in(browser("Mozilla/5.0 (X11; Linux) Firefox/140.0"), coordinator)
    [row] = open_rows()
    assert row.account_id == coordinator.id and row.user_agent.endswith("Firefox/140.0")
    assert row.created_at is not None and row.last_seen_at >= row.created_at
    secret = client.get_cookie("session").value
    assert row.secret_hash not in secret and len(row.secret_hash) == 64
    assert "127.0.0.1" not in str([getattr(row, c.name) for c in StaffSession.__table__.c])


def test_a_password_change_ends_every_session_but_opens_one_for_this_browser(browser, coordinator):
    here, elsewhere = sign_in(browser(), coordinator), sign_in(browser("Safari"), coordinator)
    copy = copy_cookie(here, browser("curl/8.0"))
    response = here.post(
        "/admin/account",
        data={
            "current_password": STAFF_PASSWORD,
            "new_password": NEW_PASSWORD,
            "new_password_again": NEW_PASSWORD,
        },
    )
    assert response.status_code == 303
    assert here.get("/admin/").status_code == 200
    assert elsewhere.get("/admin/").status_code == 302
    assert copy.get("/admin/").status_code == 302  # this browser's old cookie too
    assert len(open_rows()) == 1


def test_a_session_idle_for_eight_hours_ends(browser, coordinator, time_machine):
    time_machine.move_to("2027-03-10 08:00:00+00:00", tick=False)
    client = sign_in(browser(), coordinator)
    time_machine.shift(timedelta(hours=7, minutes=59))
    assert client.get("/admin/").status_code == 200  # used: the idle time starts again
    time_machine.shift(timedelta(hours=7, minutes=59))
    assert client.get("/admin/").status_code == 200
    time_machine.shift(timedelta(hours=8, minutes=1))
    assert client.get("/admin/").status_code == 302
    assert open_rows() == []


class TestShorterIdleTime:
    @pytest.fixture
    def app_config(self):
        return {"STAFF_SESSION_IDLE_HOURS": 1}

    def test_the_idle_time_is_read_from_the_configuration(self, browser, coordinator, time_machine):
        time_machine.move_to("2027-03-10 08:00:00+00:00", tick=False)
        client = sign_in(browser(), coordinator)
        time_machine.shift(timedelta(minutes=61))
        assert client.get("/admin/").status_code == 302


def test_the_account_page_lists_the_open_sessions_and_ends_the_one_chosen(browser, coordinator):
    here = sign_in(browser("Firefox/140.0"), coordinator)
    phone = sign_in(browser("Android Chrome/141"), coordinator)
    page = here.get("/admin/account").get_data(as_text=True)
    assert "Firefox/140.0" in page and "Android Chrome/141" in page
    assert page.count("data-session-id=") == 2 and page.count("data-current") == 1
    phone_row = next(row for row in open_rows() if "Android" in row.user_agent)
    assert (
        here.post("/admin/account/sessions/end", data={"session": phone_row.id}).status_code == 303
    )
    assert phone.get("/admin/").status_code == 302
    assert here.get("/admin/").status_code == 200
    # Ending this one is signing out.
    [here_row] = open_rows()
    response = here.post("/admin/account/sessions/end", data={"session": here_row.id})
    assert response.status_code == 303 and "/login" in response.headers["Location"]
    assert here.get("/admin/").status_code == 302


def test_no_one_ends_another_accounts_session_from_their_own_page(browser, coordinator, make_staff):
    victim = sign_in(browser(), coordinator)
    other = sign_in(browser(), make_staff("bassin", bassins=("nord",)))
    [victim_row] = [row for row in open_rows() if row.account_id == coordinator.id]
    for typed in (str(victim_row.id), "abc", "99999999999", "٣"):
        assert other.post("/admin/account/sessions/end", data={"session": typed}).status_code == 303
    assert victim.get("/admin/").status_code == 200


def test_an_admin_ends_every_session_of_an_account(browser, coordinator, make_staff):
    laptop, phone = sign_in(browser(), coordinator), sign_in(browser("Android"), coordinator)
    admin = sign_in(browser(), make_staff("admin"))
    page = admin.get("/admin/accounts").get_data(as_text=True)
    assert f'data-account-id="{coordinator.id}" data-sessions="2"' in page
    response = admin.post(f"/admin/accounts/{coordinator.id}/sessions/end")
    assert response.status_code == 303
    assert laptop.get("/admin/").status_code == 302 and phone.get("/admin/").status_code == 302
    assert admin.get("/admin/").status_code == 200
    entry = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert (entry.action, entry.subject_id, entry.after) == (
        "account.sessions_ended",
        coordinator.id,
        {"sessions": 2},
    )
    assert admin.post("/admin/accounts/2147483647/sessions/end").status_code == 404


def test_only_admins_see_the_accounts_and_end_their_sessions(browser, coordinator, make_staff):
    victim = sign_in(browser(), make_staff("admin"))
    signed_in = sign_in(browser(), coordinator)
    assert signed_in.get("/admin/accounts").status_code == 403
    admin_id = db.session.scalar(select(StaffSession.account_id).order_by(StaffSession.id))
    assert signed_in.post(f"/admin/accounts/{admin_id}/sessions/end").status_code == 403
    assert victim.get("/admin/").status_code == 200
