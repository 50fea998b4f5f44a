"""The event actions of the back office (webapp/admin/event_actions.py): preview, publish,
unpublish, cancel, postpone, move, delete a draft, prepare the next meeting."""

from datetime import date, datetime, time, timedelta

import icalendar
import pytest
from flask import render_template_string
from flask_babel import force_locale
from sqlalchemy import func, select

from tests import factories
from tests.admin.conftest import sign_in
from tests.edge import rules
from tests.factories import PERSON
from tests.smtp import attachments, mail_config
from webapp.agenda.models import Event
from webapp.agenda.states import EventStatus
from webapp.audit import AuditEntry
from webapp.extensions import db
from webapp.mail.models import OutboxMessage
from webapp.mail.outbox import deliver_all
from webapp.registrations.models import Question, Registration
from webapp.templating import when
from webapp.timezones import local_today, to_local, to_utc
from webapp.unit_of_work import unit_of_work


@pytest.fixture
def app_config(smtp):
    return mail_config(smtp)


def person(n, **fields):
    return {**PERSON, "last_name": f"Peeters{n}", "email": f"anne.{n}@example.org", **fields}


def audit_lines(event_id=None):
    db.session.expire_all()
    query = select(AuditEntry).order_by(AuditEntry.id)
    if event_id is not None:
        query = query.where(AuditEntry.subject_type == "event", AuditEntry.subject_id == event_id)
    return db.session.scalars(query).all()


def outbox_count():
    return db.session.scalar(select(func.count()).select_from(OutboxMessage))


def fresh(event_id):
    db.session.expire_all()
    return db.session.get(Event, event_id)


def text_of(message):
    return message.get_body(preferencelist=("plain",)).get_content()


def vevent_of(message):
    (part,) = attachments(message)
    (vevent,) = icalendar.Calendar.from_ical(part.get_content()).walk("VEVENT")
    return vevent


def said(start, end, language="fr"):
    """The date range as the mails write it, in that language."""
    with force_locale(language):
        return when(start, end)


def move_form(day, start="09:30", end="12:00", **fields):
    data = {"day": day.isoformat(), "start": start, "end": end, "venue": "0"}
    data.update(fields)
    return data


def with_registrants(make_event, **fields):
    """A published event (capacity 2) with 2 confirmed, 1 waitlisted (in Dutch) and 1
    cancelled registrant; their confirmations delivered and forgotten."""
    event = make_event(capacity=2, waitlist_enabled=True, room="Salle 1", **fields)
    rules.register(event.id, person(1))
    rules.register(event.id, person(2))
    rules.register(event.id, person(3), language="nl")
    gone = rules.register(event.id, person(4)).registration
    rules.cancel(gone.id)
    statuses = sorted(r.status for r in db.session.scalars(select(Registration)))
    assert statuses == ["cancelled", "confirmed", "confirmed", "waitlisted"]
    return event


def test_preview_shows_a_draft_as_its_public_page_will_be(app, client, sud_client, make_event):
    draft = make_event("Concertation santé mentale #5", status="draft")
    anonymous = app.test_client()
    assert anonymous.get(f"/events/{draft.id}").status_code == 404
    response = sud_client.get(f"/admin/events/{draft.id}/preview")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    page = response.get_data(as_text=True)
    assert "Aperçu — brouillon, pas encore public" in page
    assert "Concertation santé mentale #5" in page
    assert f'data-event-id="{draft.id}"' in page
    assert f'action="/admin/events/{draft.id}/publish"' in page  # then publish it from there


def test_preview_of_a_published_event_is_the_public_page(app, sud_client, make_event):
    event = make_event("Concertation liaison #2", description_fr="Ordre du jour.")
    public = app.test_client().get(f"/events/{event.id}").get_data(as_text=True)
    preview = sud_client.get(f"/admin/events/{event.id}/preview").get_data(as_text=True)

    def article(page):
        return page[page.index("<article") : page.index("</article>")]

    assert article(preview) == article(public)
    assert "Aperçu — la page telle que le public la voit" in preview


def test_publish_a_draft_then_refuse_to_publish_it_again(app, sud_client, make_event):
    draft = make_event(status="draft")
    response = sud_client.post(f"/admin/events/{draft.id}/publish")
    assert response.status_code == 303
    assert fresh(draft.id).status == EventStatus.PUBLISHED
    (line,) = audit_lines(draft.id)
    assert (line.action, line.actor_kind) == ("event.published", "account")
    assert line.before == {"status": "draft"} and line.after == {"status": "published"}
    page = sud_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Activité publiée." in page
    again = sud_client.post(f"/admin/events/{draft.id}/publish", follow_redirects=True)
    assert "Cette activité est déjà publiée." in again.get_data(as_text=True)
    assert len(audit_lines(draft.id)) == 1


def test_unpublish_is_refused_while_people_are_registered(sud_client, make_event):
    event = make_event(capacity=5)
    rules.register(event.id, person(1))
    response = sud_client.post(f"/admin/events/{event.id}/unpublish", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Annulez-la plutôt" in page
    assert fresh(event.id).status == EventStatus.PUBLISHED
    assert audit_lines(event.id) == []


def test_unpublish_without_registrants_makes_a_draft(app, sud_client, make_event):
    event = make_event(capacity=5)
    gone = rules.register(event.id, person(1)).registration
    rules.cancel(gone.id)  # a cancelled registration is no registrant
    response = sud_client.post(f"/admin/events/{event.id}/unpublish")
    assert response.status_code == 303
    assert fresh(event.id).status == EventStatus.DRAFT
    assert app.test_client().get(f"/events/{event.id}").status_code == 404
    (line,) = audit_lines(event.id)
    assert line.action == "event.unpublished"


def test_cancel_asks_a_reason_and_shows_it_on_the_public_page(app, sud_client, make_event, smtp):
    event = with_registrants(make_event)
    deliver_all()
    smtp.inbox.messages.clear()
    form = sud_client.get(f"/admin/events/{event.id}/cancel")
    assert form.status_code == 200 and 'name="reason_fr"' in form.get_data(as_text=True)
    refused = sud_client.post(f"/admin/events/{event.id}/cancel", data={"reason_fr": "  "})
    assert refused.status_code == 422
    assert 'id="reason_fr-error"' in refused.get_data(as_text=True)
    assert fresh(event.id).status == EventStatus.PUBLISHED and audit_lines(event.id) == []

    response = sud_client.post(
        f"/admin/events/{event.id}/cancel",
        data={"reason_fr": "Intervenante malade.", "reason_nl": "Spreekster ziek."},
    )
    assert response.status_code == 303
    flash = sud_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Activité annulée. 3 personnes inscrites ont été prévenues par e-mail." in flash
    anonymous = app.test_client()
    assert "Intervenante malade." in anonymous.get(f"/events/{event.id}").get_data(as_text=True)
    dutch = anonymous.get(f"/events/{event.id}?lang=nl").get_data(as_text=True)
    assert "Spreekster ziek." in dutch
    (line,) = audit_lines(event.id)
    assert line.action == "event.cancelled" and line.reason == "Intervenante malade."
    assert line.before["status"] == "published" and line.after["status"] == "cancelled"
    assert line.after["status_reason_nl"] == "Spreekster ziek."
    assert deliver_all() == (3, 0)
    for n in (1, 2, 3):
        (message,) = smtp.inbox.to(f"anne.{n}@example.org")
        assert str(icalendar.Calendar.from_ical(attachments(message)[0].get_content())["METHOD"])
    assert "Intervenante malade." in text_of(smtp.inbox.to("anne.1@example.org")[0])
    assert "Spreekster ziek." in text_of(smtp.inbox.to("anne.3@example.org")[0])
    assert smtp.inbox.to("anne.4@example.org") == []


def test_postpone_mails_each_active_registrant_once_with_a_higher_sequence(
    sud_client, make_event, smtp
):
    event = with_registrants(make_event)
    deliver_all()
    smtp.inbox.messages.clear()
    sequence = fresh(event.id).sequence
    response = sud_client.post(
        f"/admin/events/{event.id}/postpone", data={"reason_fr": "Salle indisponible."}
    )
    assert response.status_code == 303
    assert fresh(event.id).status == EventStatus.POSTPONED
    assert deliver_all() == (3, 0)
    for n in (1, 2, 3):
        (message,) = smtp.inbox.to(f"anne.{n}@example.org")
        assert int(vevent_of(message)["SEQUENCE"]) > sequence
    french = smtp.inbox.to("anne.1@example.org")[0]
    assert french["Subject"].startswith("Activité reportée")
    assert "Salle indisponible." in text_of(french)
    assert smtp.inbox.to("anne.4@example.org") == []
    (line,) = audit_lines(event.id)
    assert (line.action, line.reason) == ("event.postponed", "Salle indisponible.")


def test_move_mails_old_and_new_to_each_active_registrant_and_the_feed_follows(
    app, sud_client, make_event, smtp
):
    event = with_registrants(make_event)
    deliver_all()
    smtp.inbox.messages.clear()
    before = fresh(event.id)
    old_start, old_end, sequence = before.start_at, before.end_at, before.sequence
    old_place = before.venue.full_address
    new_venue = factories.venue("Maison des Savoirs", "forest", "Rue de la Glacière 12")
    db.session.commit()
    day = to_local(old_start).date() + timedelta(days=7)
    new_start = to_utc(datetime.combine(day, time(9, 30)))
    new_end = to_utc(datetime.combine(day, time(12, 0)))

    response = sud_client.post(
        f"/admin/events/{event.id}/move",
        data=move_form(
            day,
            venue=str(new_venue.id),
            room="Salle du jardin",
            reason_fr="Travaux dans la salle.",
            reason_nl="Werken in de zaal.",
        ),
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    flash = sud_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Activité déplacée. 3 personnes inscrites ont été prévenues par e-mail." in flash
    moved = fresh(event.id)
    assert (moved.start_at, moved.end_at, moved.venue_id) == (new_start, new_end, new_venue.id)
    assert moved.sequence > sequence

    assert deliver_all() == (3, 0)
    for n in (1, 2, 3):
        (message,) = smtp.inbox.to(f"anne.{n}@example.org")
        vevent = vevent_of(message)
        assert int(vevent["SEQUENCE"]) > sequence
        assert vevent["DTSTART"].dt == to_local(new_start)
        assert "Maison des Savoirs" in str(vevent["LOCATION"])
    assert smtp.inbox.to("anne.4@example.org") == []
    french = text_of(smtp.inbox.to("anne.1@example.org")[0])
    assert f"Quand : {said(old_start, old_end)} → {said(new_start, new_end)}" in french
    assert f"Où : {old_place} – Salle 1 → {moved.venue.full_address} – Salle du jardin" in french
    assert "Raison : Travaux dans la salle." in french
    dutch = text_of(smtp.inbox.to("anne.3@example.org")[0])
    assert f"Wanneer: {said(old_start, old_end, 'nl')} → {said(new_start, new_end, 'nl')}" in dutch
    assert "Werken in de zaal." in dutch

    (line,) = audit_lines(event.id)
    assert line.action == "event.moved" and line.reason == "Travaux dans la salle."
    assert line.before["start_at"] == old_start.isoformat()
    assert line.after["start_at"] == new_start.isoformat()
    assert line.after["venue_id"] == new_venue.id and line.after["room"] == "Salle du jardin"

    feed = app.test_client().get("/bassins/sud/agenda.ics")
    assert feed.status_code == 200
    (vevent,) = [
        v
        for v in icalendar.Calendar.from_ical(feed.get_data()).walk("VEVENT")
        if str(v["UID"]).startswith(f"event-{event.id}@")
    ]
    assert vevent["DTSTART"].dt == to_local(new_start)
    assert int(vevent["SEQUENCE"]) > sequence


def test_the_move_form_is_prefilled_with_the_current_date_and_place(sud_client, make_event):
    event = make_event(room="Salle 1")
    page = sud_client.get(f"/admin/events/{event.id}/move").get_data(as_text=True)
    local = to_local(event.start_at)
    assert f'value="{local.date().isoformat()}"' in page
    assert f'value="{local.strftime("%H:%M")}"' in page
    assert f'<option selected value="{event.venue_id}">' in page
    assert 'value="Salle 1"' in page


def last_sunday_of_march(year):
    day = date(year, 3, 31)
    return day - timedelta(days=(day.weekday() + 1) % 7)


@pytest.mark.parametrize(
    "case, field, message",
    [
        ("end-before-start", "end", "La fin doit être après le début."),
        ("31-february", "day", "Cette date n'existe pas"),
        ("skipped-hour", "start", "Cette heure n'existe pas ce jour-là"),
        ("foreign-venue", "venue", "Choisissez un lieu de la liste."),
        ("control-characters", "reason_fr", "caractères non autorisés"),
        ("not-a-link", "online_url", "adresse web complète"),
    ],
)
def test_bad_input_on_the_move_form_is_refused_beside_its_field(
    sud_client, make_event, case, field, message
):
    event = make_event()
    nord_venue = factories.venue("Centre culturel de Jette", "jette", "Place Cardinal Mercier 10")
    db.session.commit()
    day = to_local(event.start_at).date() + timedelta(days=3)
    data = move_form(day)
    data.update(
        {
            "end-before-start": {"start": "14:00", "end": "13:00"},
            "31-february": {"day": "2031-02-31"},
            "skipped-hour": {
                "day": last_sunday_of_march(local_today().year + 1).isoformat(),
                "start": "02:30",
            },
            "foreign-venue": {"venue": str(nord_venue.id)},
            "control-characters": {"reason_fr": "Travaux\x1b[31m"},
            "not-a-link": {"online_url": "javascript:alert(1)"},
        }[case]
    )
    before = fresh(event.id)
    facts = (before.start_at, before.end_at, before.venue_id, before.sequence)
    response = sud_client.post(f"/admin/events/{event.id}/move", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page
    error = page[page.index(f'id="{field}-error"') :]
    assert message in error[: error.index("</p>")]
    after = fresh(event.id)
    assert (after.start_at, after.end_at, after.venue_id, after.sequence) == facts
    assert audit_lines() == [] or all(line.subject_type != "event" for line in audit_lines())
    if case == "control-characters":
        assert "Travaux" in page  # what was typed is kept


def test_delete_a_draft_after_its_confirmation_page(sud_client, make_event):
    draft_id = make_event("Brouillon à jeter", status="draft").id
    page = sud_client.get(f"/admin/events/{draft_id}/delete")
    assert page.status_code == 200 and "Supprimer définitivement" in page.get_data(as_text=True)
    response = sud_client.post(f"/admin/events/{draft_id}/delete")
    assert response.status_code == 303
    assert fresh(draft_id) is None
    (line,) = audit_lines(draft_id)
    assert line.action == "event.deleted" and line.after is None
    assert line.before["title_fr"] == "Brouillon à jeter"


def test_delete_is_refused_for_a_published_event(sud_client, make_event):
    event = make_event()
    page = sud_client.get(f"/admin/events/{event.id}/delete").get_data(as_text=True)
    assert (
        "Seul un brouillon peut être supprimé." in page and "Supprimer définitivement" not in page
    )
    response = sud_client.post(f"/admin/events/{event.id}/delete")
    assert response.status_code == 409
    assert "Seul un brouillon peut être supprimé." in response.get_data(as_text=True)
    assert fresh(event.id) is not None and audit_lines(event.id) == []


def test_delete_is_refused_for_a_draft_that_was_published(sud_client, make_event):
    event = make_event()
    assert sud_client.post(f"/admin/events/{event.id}/unpublish").status_code == 303
    response = sud_client.post(f"/admin/events/{event.id}/delete")
    assert response.status_code == 409
    assert "a déjà été publiée" in response.get_data(as_text=True)
    assert fresh(event.id).status == EventStatus.DRAFT


def test_delete_is_refused_for_a_draft_with_registrations(sud_client, make_event):
    draft = make_event(status="draft")
    with unit_of_work():
        db.session.add(Registration(event_id=draft.id, status="cancelled", email="a@example.org"))
    response = sud_client.post(f"/admin/events/{draft.id}/delete")
    assert response.status_code == 409
    assert "ne peut pas être supprimée" in response.get_data(as_text=True)
    assert fresh(draft.id) is not None


def test_next_meeting_keeps_the_series_settings_and_questions_but_no_registrations(
    sud_client, make_event
):
    start = to_utc(datetime.combine(local_today() + timedelta(days=20), time(13, 0)))
    source = make_event(
        "Concertation liaison ambulatoire-hôpital #3",
        title_nl="Overleg ambulant-ziekenhuis #3",
        start=start,
        series_slug="sud-liaison-ambulatoire-hopital",
        series_number=3,
        capacity=25,
        room="Salle 2",
        registration_mode="approval",
        waitlist_enabled=False,
        registration_opens_at=start - timedelta(days=30),
        registration_closes_at=start - timedelta(days=2),
    )
    with unit_of_work():
        db.session.add_all(
            [
                Question(
                    event_id=source.id,
                    position=1,
                    kind="choice",
                    label_fr="Table de discussion",
                    label_nl="Gesprekstafel",
                    required=True,
                    options=[{"value": "t1", "fr": "Table 1", "nl": "Tafel 1"}],
                ),
                Question(event_id=source.id, position=2, kind="short_text", label_fr="Besoins"),
            ]
        )
    rules.register(source.id, person(1))
    lines_before = len(audit_lines())

    form = sud_client.get(f"/admin/events/{source.id}/next")
    assert form.status_code == 200
    local = to_local(start)
    proposed = form.get_data(as_text=True)
    next_day = proposed.split('name="day"')[1].split('value="')[1][:10]
    proposed_day = date.fromisoformat(next_day)
    assert proposed_day.weekday() == local.weekday()
    assert proposed_day.month == local.month % 12 + 1
    assert (proposed_day.day - 1) // 7 == (local.day - 1) // 7 or proposed_day.day > 21
    assert 'value="13:00"' in proposed and 'value="16:00"' in proposed

    day = local.date() + timedelta(days=28)
    response = sud_client.post(
        f"/admin/events/{source.id}/next",
        data={"day": day.isoformat(), "start": "13:00", "end": "16:00"},
    )
    assert response.status_code == 303
    (copy,) = db.session.scalars(select(Event).where(Event.id != source.id)).all()
    assert response.headers["Location"].endswith(f"/admin/events/{copy.id}")  # its page
    source = fresh(source.id)
    copy = fresh(copy.id)
    offset = copy.start_at - source.start_at
    assert offset == timedelta(days=28)
    assert copy.status == EventStatus.DRAFT
    assert copy.title_fr == "Concertation liaison ambulatoire-hôpital #4"
    assert copy.title_nl == "Overleg ambulant-ziekenhuis #4"
    assert (copy.series_id, copy.series_number) == (source.series_id, 4)
    assert (copy.venue_id, copy.room, copy.capacity) == (source.venue_id, "Salle 2", 25)
    assert (copy.registration_mode, copy.waitlist_enabled) == ("approval", False)
    assert copy.registration_opens_at == source.registration_opens_at + offset
    assert copy.registration_closes_at == source.registration_closes_at + offset
    assert [b.slug for b in copy.bassins] == ["sud"]
    questions = db.session.scalars(
        select(Question).where(Question.event_id == copy.id).order_by(Question.position)
    ).all()
    assert [(q.kind, q.label_fr, q.label_nl, q.required, q.options) for q in questions] == [
        (
            "choice",
            "Table de discussion",
            "Gesprekstafel",
            True,
            [{"value": "t1", "fr": "Table 1", "nl": "Tafel 1"}],
        ),
        ("short_text", "Besoins", None, False, None),
    ]
    assert len(db.session.scalars(select(Question)).all()) == 4  # the source keeps its own
    assert (
        db.session.scalar(
            select(func.count()).select_from(Registration).where(Registration.event_id == copy.id)
        )
        == 0
    )
    assert copy.confirmed_count == 0
    assert len(audit_lines()) == lines_before + 1
    (line,) = audit_lines(copy.id)
    assert line.action == "event.duplicated" and line.after["duplicated_from"] == source.id


def test_next_meeting_refuses_an_end_before_its_start(sud_client, make_event):
    source = make_event()
    response = sud_client.post(
        f"/admin/events/{source.id}/next",
        data={"day": "2031-05-06", "start": "16:00", "end": "13:00"},
    )
    assert response.status_code == 422
    assert 'id="end-error"' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Event)) == 1


# Every action: (method, path after /admin/events/<id>/, form data).
ACTIONS = [
    ("get", "preview", None),
    ("post", "publish", {}),
    ("post", "unpublish", {}),
    ("get", "cancel", None),
    ("post", "cancel", {"reason_fr": "Annulé."}),
    ("get", "postpone", None),
    ("post", "postpone", {"reason_fr": "Reporté."}),
    ("get", "move", None),
    ("post", "move", move_form(date(2031, 5, 6))),
    ("get", "delete", None),
    ("post", "delete", {}),
    ("get", "next", None),
    ("post", "next", {"day": "2031-05-06", "start": "13:00", "end": "16:00"}),
]


def snapshot(event_id):
    event = fresh(event_id)
    return (
        event.status,
        event.start_at,
        event.sequence,
        event.status_reason_fr,
        len(audit_lines()),
        outbox_count(),
        db.session.scalar(select(func.count()).select_from(Event)),
    )


@pytest.mark.parametrize("status", ["published", "draft"])
def test_every_action_on_another_bassins_event_is_not_found(sud_client, make_event, status):
    foreign = make_event("Concertation du Bassin Nord", bassins=("nord",), status=status)
    if status == "published":
        rules.register(foreign.id, person(1))
    before = snapshot(foreign.id)
    for method, action, data in ACTIONS:
        response = getattr(sud_client, method)(f"/admin/events/{foreign.id}/{action}", data=data)
        assert response.status_code == 404, (method, action)
        assert "Concertation du Bassin Nord" not in response.get_data(as_text=True)
    assert snapshot(foreign.id) == before


def test_every_action_is_forbidden_to_a_service(app, client, make_staff, make_event):
    event = make_event()
    sign_in(client, make_staff("service", organisation="Infor-Jeunes Bruxelles"))
    before = snapshot(event.id)
    for method, action, data in ACTIONS:
        response = getattr(client, method)(f"/admin/events/{event.id}/{action}", data=data)
        assert response.status_code == 403, (method, action)
    assert snapshot(event.id) == before


def test_an_admin_reaches_every_bassin(admin_client, make_event):
    event = make_event(bassins=("nord",), status="draft")
    assert admin_client.get(f"/admin/events/{event.id}/preview").status_code == 200
    assert admin_client.post(f"/admin/events/{event.id}/publish").status_code == 303
    assert fresh(event.id).status == EventStatus.PUBLISHED


def test_a_post_without_its_csrf_token_changes_nothing(app, make_staff, make_event):
    app.config["WTF_CSRF_ENABLED"] = True
    event = make_event(status="draft")
    account = make_staff("bassin", bassins=("sud",))
    client = app.test_client()
    login = client.get("/login").get_data(as_text=True)
    token = login.split('name="csrf_token"')[1].split('value="')[1].split('"')[0]
    signed = client.post(
        "/login",
        data={"email": account.email, "password": "concertation-bassin-2027", "csrf_token": token},
    )
    assert signed.status_code == 303
    assert client.post(f"/admin/events/{event.id}/publish").status_code == 400
    assert fresh(event.id).status == EventStatus.DRAFT
    page = client.get(f"/admin/events/{event.id}/move").get_data(as_text=True)
    assert 'name="csrf_token"' in page


@pytest.mark.parametrize(
    "status, shown, hidden",
    [
        ("draft", ["publish", "move", "delete", "next", "preview"], ["cancel", "unpublish"]),
        (
            "published",
            ["unpublish", "cancel", "postpone", "move", "next"],
            ["publish", "delete"],
        ),
        ("cancelled", ["preview", "next"], ["publish", "cancel", "move", "delete"]),
    ],
)
def test_the_actions_partial_offers_what_the_status_allows(app, make_event, status, shown, hidden):
    event = make_event(status=status)
    with app.test_request_context():
        html = render_template_string('{% include "admin/events/_actions.html" %}', event=event)
    for action in shown:
        assert f"/admin/events/{event.id}/{action}" in html, action
    for action in hidden:
        assert f"/admin/events/{event.id}/{action}" not in html, action
