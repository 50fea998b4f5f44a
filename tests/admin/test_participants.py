"""The participants page: the list, what organisers do to registrations, a message to a group;
foreign ids are 404 and change nothing; services get 403."""

import pytest
from sqlalchemy import select

from tests.admin.conftest import sign_in
from tests.edge import rules
from tests.factories import PERSON
from tests.smtp import mail_config
from webapp.agenda.models import Event
from webapp.audit import AuditEntry
from webapp.extensions import db
from webapp.mail.models import OutboxMessage
from webapp.mail.outbox import deliver_all
from webapp.registrations.models import Question, Registration
from webapp.unit_of_work import unit_of_work


@pytest.fixture
def app_config(smtp):
    return mail_config(smtp)


def person(n, **fields):
    return PERSON | {"last_name": f"Peeters{n}", "email": f"anne.{n}@example.org"} | fields


def registered(event_id, *numbers, **fields):
    return [rules.register(event_id, person(n, **fields)).registration.id for n in numbers]


def status_of(registration_id):
    db.session.expire_all()
    return db.session.get(Registration, registration_id).status


def url(event_id, tail=""):
    return f"/admin/events/{event_id}/participants{tail}"


def test_the_list_shows_status_waitlist_position_person_and_answers(sud_client, make_event):
    event = make_event(capacity=1)
    question = Question(event_id=event.id, kind="short_text", label_fr="Besoin d'un interprète ?")
    db.session.add(question)
    db.session.commit()
    first = rules.register(event.id, person(1), {str(question.id): "Oui, en LSFB"})
    second = rules.register(event.id, person(2, first_name="Émile", organisation="Maison médicale"))
    page = sud_client.get(url(event.id))
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "private, no-store"
    assert "Besoin d&#39;un interprète ?" in html and "Oui, en LSFB" in html
    assert f'data-registration-id="{first.registration.id}" data-status="confirmed"' in html
    assert f'data-registration-id="{second.registration.id}" data-status="waitlisted"' in html
    assert 'data-waitlist-position="1"' in html
    assert "anne.2@example.org" in html and "Maison médicale" in html


def test_the_list_filters_by_status_and_finds_a_name_without_accents(sud_client, make_event):
    event = make_event(capacity=1)
    registered(event.id, 1)
    registered(event.id, 2, first_name="Émile", last_name="Dubois", organisation="Maison médicale")
    waiting = sud_client.get(url(event.id, "?status=waitlisted")).get_data(as_text=True)
    assert "Dubois" in waiting and "Peeters1" not in waiting
    found = sud_client.get(url(event.id, "?q=emile")).get_data(as_text=True)
    assert "Dubois" in found and "Peeters1" not in found
    by_organisation = sud_client.get(url(event.id, "?q=MEDICALE")).get_data(as_text=True)
    assert "Dubois" in by_organisation and "Peeters1" not in by_organisation


def test_staff_add_a_person_the_places_decide_and_the_person_is_mailed(
    sud_client, make_event, smtp
):
    event = make_event(capacity=1, registration_mode="approval")
    response = sud_client.post(url(event.id, "/add"), data=_add_fields(1))
    assert response.status_code == 303
    response = sud_client.post(url(event.id, "/add"), data=_add_fields(2))
    rows = db.session.scalars(select(Registration).order_by(Registration.id)).all()
    # Staff approve by adding: confirmed while a place is free, then the waitlist; no consent
    # checkbox (staff hold it), the consent time is recorded.
    assert [r.status for r in rows] == ["confirmed", "waitlisted"]
    assert all(r.consent_at is not None for r in rows)
    actions = db.session.scalars(select(AuditEntry.action)).all()
    assert actions.count("registration.added_by_staff") == 2
    deliver_all()
    assert len(smtp.inbox.to("anne.1@example.org")) == 1


def test_adding_someone_already_registered_creates_nothing(sud_client, make_event):
    event = make_event()
    registered(event.id, 1)
    response = sud_client.post(url(event.id, "/add"), data=_add_fields(1), follow_redirects=True)
    assert "déjà inscrite" in response.get_data(as_text=True)
    assert db.session.scalar(select(db.func.count()).select_from(Registration)) == 1


def test_a_bad_person_is_refused_beside_the_field_with_a_422(sud_client, make_event):
    event = make_event()
    fields = _add_fields(1) | {"add-first_name": "", "add-email": "not an address"}
    response = sud_client.post(url(event.id, "/add"), data=fields)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Ce champ est obligatoire." in html and "Adresse e-mail invalide." in html
    assert 'value="Peeters1"' in html
    assert db.session.scalar(select(db.func.count()).select_from(Registration)) == 0


def _add_fields(n):
    return {f"add-{key}": value for key, value in person(n).items()}


def test_approve_several_pending_at_once_and_refuse_one_with_a_reason(sud_client, make_event):
    event = make_event(capacity=5, registration_mode="approval")
    first, second, third = registered(event.id, 1, 2, 3)
    response = sud_client.post(
        url(event.id, "/decide"),
        data={"registration": [first, second], "bulk-decision": "approve"},
    )
    assert response.status_code == 303
    assert [status_of(i) for i in (first, second, third)] == ["confirmed", "confirmed", "pending"]
    assert db.session.get(Event, event.id).confirmed_count == 2

    refused = sud_client.post(
        url(event.id, f"/{third}/refuse"), data={"reason": ""}
    )  # a reason is asked
    assert refused.status_code == 422 and status_of(third) == "pending"
    sud_client.post(url(event.id, f"/{third}/refuse"), data={"reason": "Groupe complet"})
    assert status_of(third) == "cancelled"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "registration.refused"))
    assert entry.subject_id == third and entry.reason == "Groupe complet"


def test_a_bulk_refusal_without_a_reason_changes_nothing(sud_client, make_event):
    event = make_event(registration_mode="approval")
    (pending,) = registered(event.id, 1)
    response = sud_client.post(
        url(event.id, "/decide"), data={"registration": [pending], "bulk-decision": "refuse"}
    )
    assert response.status_code == 422
    assert "Indiquez le motif du refus." in response.get_data(as_text=True)
    assert status_of(pending) == "pending"


def test_a_bulk_approve_with_another_bassins_ids_changes_nothing(sud_client, make_event):
    ours = make_event(registration_mode="approval")
    theirs = make_event(registration_mode="approval", bassins=("nord",), commune="schaerbeek")
    (mine,) = registered(ours.id, 1)
    (foreign,) = registered(theirs.id, 2)
    response = sud_client.post(
        url(ours.id, "/decide"),
        data={"registration": [mine, foreign], "bulk-decision": "approve"},
    )
    assert response.status_code == 404
    assert status_of(mine) == "pending" and status_of(foreign) == "pending"
    # The foreign event's own URL is not found either.
    response = sud_client.post(
        url(theirs.id, "/decide"), data={"registration": [foreign], "bulk-decision": "approve"}
    )
    assert response.status_code == 404 and status_of(foreign) == "pending"


def test_a_registration_of_another_event_in_scope_is_not_found_here(sud_client, make_event):
    event, other = make_event(registration_mode="approval"), make_event()
    (elsewhere,) = registered(other.id, 1)
    for tail, data in [
        ("/decide", {"registration": [elsewhere], "bulk-decision": "approve"}),
        (f"/{elsewhere}/cancel", {"confirm": "yes"}),
        (f"/{elsewhere}/promote", {}),
        (f"/{elsewhere}/refuse", {"reason": "x"}),
        (f"/{elsewhere}/move", {"target": other.id}),
        ("/decide", {"registration": ["12x"], "bulk-decision": "approve"}),
    ]:
        assert sud_client.post(url(event.id, tail), data=data).status_code == 404, tail
    assert status_of(elsewhere) == "confirmed"


def test_every_action_on_a_foreign_event_is_404_for_a_bassin_and_a_service(
    app, client, sud_client, make_event, make_staff
):
    theirs = make_event(bassins=("nord",), commune="schaerbeek")
    (foreign,) = registered(theirs.id, 1)
    gets = ["", ".csv?column=last_name", ".xlsx?column=last_name", f"/{foreign}/refuse"]
    posts = ["/add", "/decide", f"/{foreign}/cancel", f"/{foreign}/promote", "/message"]
    for tail in gets:
        assert sud_client.get(url(theirs.id, tail)).status_code == 404, tail
    for tail in posts:
        assert sud_client.post(url(theirs.id, tail), data={}).status_code == 404, tail
    assert status_of(foreign) == "confirmed"

    service = sign_in(
        app.test_client(), make_staff("service", organisation="Infor-Jeunes Bruxelles")
    )
    ours = make_event()
    # A service manages its own organisation's events only: another's is not found.
    for tail in gets[:3]:
        assert service.get(url(ours.id, tail)).status_code == 404, tail
    for tail in posts:
        assert service.post(url(ours.id, tail), data={}).status_code == 404, tail


def test_promote_by_hand_takes_a_free_place_and_never_goes_above_capacity(sud_client, make_event):
    event = make_event(capacity=1)
    confirmed, waiting = registered(event.id, 1, 2)
    response = sud_client.post(url(event.id, f"/{waiting}/promote"), follow_redirects=True)
    assert "augmentez d&#39;abord la capacité" in response.get_data(as_text=True)
    assert status_of(waiting) == "waitlisted"
    with unit_of_work("raise capacity"):
        db.session.get(Event, event.id).capacity = 2
    sud_client.post(url(event.id, f"/{waiting}/promote"))
    assert status_of(waiting) == "confirmed"
    assert db.session.get(Event, event.id).confirmed_count == 2


def test_cancel_by_staff_gives_the_place_to_the_first_waiting(sud_client, make_event):
    event = make_event(capacity=1)
    confirmed, first_waiting, second_waiting = registered(event.id, 1, 2, 3)
    asked = sud_client.post(url(event.id, f"/{confirmed}/cancel"))
    assert asked.status_code == 200 and 'name="confirm"' in asked.get_data(as_text=True)
    assert status_of(confirmed) == "confirmed"  # the row's button only asks
    confirm = {"confirm": "yes"}
    assert sud_client.post(url(event.id, f"/{confirmed}/cancel"), data=confirm).status_code == 303
    assert [status_of(i) for i in (confirmed, first_waiting, second_waiting)] == [
        "cancelled",
        "confirmed",
        "waitlisted",
    ]
    lines = db.session.scalars(
        select(AuditEntry)
        .where(
            AuditEntry.subject_type == "registration",
            AuditEntry.action != "registration.created",  # the three came by the form
        )
        .order_by(AuditEntry.id)
    ).all()
    assert [(e.action, e.subject_id) for e in lines] == [
        ("registration.cancelled_by_staff", confirmed),
        ("registration.promoted", first_waiting),
    ]


def test_move_to_another_meeting_of_the_series(sud_client, make_event):
    from datetime import timedelta

    event = make_event(capacity=1, series_slug="sud-liaison")
    later = make_event(series_slug="sud-liaison", start=event.start_at + timedelta(days=30))
    elsewhere = make_event(series_slug="sud-autre")
    moved, waiting = registered(event.id, 1, 2)
    page = sud_client.get(url(event.id)).get_data(as_text=True)
    assert f'<option value="{later.id}">' in page and f'value="{elsewhere.id}"' not in page

    refused = sud_client.post(url(event.id, f"/{moved}/move"), data={"target": elsewhere.id})
    assert refused.status_code == 303 and status_of(moved) == "confirmed"
    sud_client.post(url(event.id, f"/{moved}/move"), data={"target": later.id})
    assert status_of(moved) == "cancelled" and status_of(waiting) == "confirmed"
    there = db.session.scalar(select(Registration).where(Registration.event_id == later.id))
    assert there.email == "anne.1@example.org" and there.status == "confirmed"
    assert db.session.get(Event, later.id).confirmed_count == 1


def test_move_to_a_meeting_of_another_bassin_is_404(sud_client, make_event):
    event = make_event(series_slug="shared")
    theirs = make_event(series_slug="shared", bassins=("nord",), commune="schaerbeek")
    (moved,) = registered(event.id, 1)
    response = sud_client.post(url(event.id, f"/{moved}/move"), data={"target": theirs.id})
    assert response.status_code == 404 and status_of(moved) == "confirmed"


def test_a_message_reaches_each_person_of_the_group_once_escaped(sud_client, make_event, smtp):
    event = make_event(capacity=2)
    registered(event.id, 1, 2, 3)  # two confirmed, one waiting
    response = sud_client.post(
        url(event.id, "/message"),
        data={
            "message-group": "confirmed",
            "message-subject": "Plan d'accès",
            "message-body": "Entrée par la cour.\n<script>alert(1)</script>",
        },
    )
    assert response.status_code == 303
    deliver_all()
    received = [m for m in smtp.inbox.messages if m["Subject"] == "Plan d'accès"]
    assert sorted(m["To"] for m in received) == ["anne.1@example.org", "anne.2@example.org"]
    mail = received[0]
    assert mail["Subject"] == "Plan d'accès"
    html = mail.get_body(("html",)).get_content()
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert "Entrée par la cour." in mail.get_body(("plain",)).get_content()
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "event.participants_messaged")
    )
    assert entry.after == {"statuses": ["confirmed"], "recipients": 2}


def test_a_subject_on_two_lines_is_refused(sud_client, make_event):
    event = make_event()
    registered(event.id, 1)
    response = sud_client.post(
        url(event.id, "/message"),
        data={
            "message-group": "active",
            "message-subject": "Bonjour\r\nBcc: victim@example.org",
            "message-body": "Texte",
        },
    )
    assert response.status_code == 422
    assert "Ce champ tient sur une ligne." in response.get_data(as_text=True)
    # The registration's own confirmation only.
    assert db.session.scalar(select(db.func.count()).select_from(OutboxMessage)) == 1


def test_promotions_by_hand_and_cancellations_at_once_never_overbook(
    make_event, make_staff, database_url
):
    """Three cancellations and ten promotions by hand at the same moment (threads, real
    connections): never more confirmed people than places, the counter equal to the rows."""
    from tests.conftest import make_config
    from tests.registrations.test_concurrency import run_at_once
    from webapp import create_app
    from webapp.audit import Actor
    from webapp.registrations import staff
    from webapp.registrations.rules import RegistrationRefused

    event_id = make_event(capacity=5).id
    ids = registered(event_id, *range(15))
    confirmed, waiting = ids[:5], ids[5:]
    actor = Actor.account(make_staff("admin").id)
    app = create_app(make_config(database_url, SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 15}))

    def promote(registration_id):
        try:
            with unit_of_work("promote"):
                staff.promote(event_id, registration_id, actor)
        except RegistrationRefused as refused:
            assert refused.reason in ("full", "not-waitlisted")

    def cancel(registration_id):
        with unit_of_work("cancel"):
            staff.cancel(event_id, registration_id, actor)

    jobs = [lambda i=i: cancel(i) for i in confirmed[:3]]
    jobs += [lambda i=i: promote(i) for i in waiting]
    assert run_at_once(app, jobs) == []

    db.session.expire_all()
    statuses = [status_of(i) for i in ids]
    assert statuses.count("confirmed") == 5
    assert statuses.count("cancelled") == 3
    assert db.session.get(Event, event_id).confirmed_count == 5


def test_staff_adding_a_person_to_an_accredited_event_give_their_inami_number(
    sud_client, make_event
):
    """The form of an accredited training asks the INAMI number, staff's as the person's:
    checked (a wrong one is refused beside the field, nothing saved), stored as 11 digits."""
    plain = make_event(capacity=5)
    assert 'name="add-inami_number"' not in sud_client.get(url(plain.id)).get_data(as_text=True)
    event = make_event(capacity=5)
    event.accreditation = "ACC-2027-0042"
    db.session.commit()
    assert 'name="add-inami_number"' in sud_client.get(url(event.id)).get_data(as_text=True)

    wrong = sud_client.post(
        url(event.id, "/add"), data=_add_fields(1) | {"add-inami_number": "123"}
    )
    assert wrong.status_code == 422
    assert "11 chiffres" in wrong.get_data(as_text=True)
    assert db.session.scalar(select(Registration.id)) is None

    done = sud_client.post(
        url(event.id, "/add"), data=_add_fields(1) | {"add-inami_number": "1-23456-78-901"}
    )
    assert done.status_code == 303
    assert db.session.scalar(select(Registration.inami_number)) == "12345678901"
    # On an event that is not accredited, a number sent anyway is not kept.
    sud_client.post(
        url(plain.id, "/add"), data=_add_fields(2) | {"add-inami_number": "12345678901"}
    )
    kept = db.session.scalar(
        select(Registration.inami_number).where(Registration.event_id == plain.id)
    )
    assert kept is None
