"""The back office's event form: create and edit every field (FR/NL), custom questions, bad
input beside its field with nothing written, and what a bassin or service account may touch."""

from datetime import timedelta
from html import unescape

import pytest
from sqlalchemy import func, select

from tests.admin.conftest import sign_in
from tests.edge import rules
from tests.factories import morning_in, venue
from webapp.agenda.models import Bassin, Event, Organisation, Series
from webapp.audit import AuditEntry
from webapp.extensions import db
from webapp.mail.models import OutboxMessage
from webapp.registrations.models import Question
from webapp.timezones import local_today, to_local, utcnow

DAY = (local_today() + timedelta(days=40)).isoformat()


def form_data(**changes):
    """A complete valid form (a concertation in Bassin Sud), with some fields changed."""
    data = {
        "title_fr": "Concertation santé mentale #3",
        "title_nl": "Overleg geestelijke gezondheid #3",
        "description_fr": "Une rencontre des services.\r\nDeuxième ligne.",
        "description_nl": "Een ontmoeting van de diensten.",
        "kind": "concertation",
        "audience": "professionals",
        "bassins": ["sud"],
        "start_day": DAY,
        "start_time": "13:00",
        "end_day": DAY,
        "end_time": "16:00",
        "venue_id": "",
        "room": "Salle 2",
        "online_url": "",
        "series_id": "",
        "series_number": "",
        "organiser_id": "",
        "contact_email": "sud@bassins-bruxelles.be",
        "registration_mode": "open",
        "capacity": "25",
        "waitlist_enabled": "y",
        "opens_day": "",
        "opens_time": "",
        "closes_day": "",
        "closes_time": "",
        "languages": ["fr", "nl"],
        "free": "yes",
        "price_fr": "",
        "price_nl": "",
        "interpreting_fr": "Langue des signes",
        "interpreting_nl": "Gebarentaal",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def question_rows(*rows):
    """Form fields of question rows: each a dict of id, kind, label_fr, label_nl, options..."""
    data = {}
    for n, row in enumerate(rows):
        for name, value in row.items():
            data[f"questions-{n}-{name}"] = value
    return data


def events():
    db.session.expire_all()
    return db.session.scalars(select(Event).order_by(Event.id)).all()


def audit_lines(action=None):
    """The audit lines about events (staff accounts made by fixtures have theirs)."""
    db.session.expire_all()
    statement = select(AuditEntry).where(AuditEntry.subject_type == "event").order_by(AuditEntry.id)
    if action:
        statement = statement.where(AuditEntry.action == action)
    return db.session.scalars(statement).all()


def counts():
    return tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (Event, Question, AuditEntry, OutboxMessage)
    )


@pytest.fixture
def places(territory):
    """A Forest venue, a Sud series, an organisation of Forest; and the same in Bassin Nord."""
    from webapp.agenda.models import Commune

    forest = db.session.scalar(select(Commune).where(Commune.slug == "forest"))
    jette = db.session.scalar(select(Commune).where(Commune.slug == "jette"))
    sud_series = Series(slug="sud-sante-mentale", title_fr="Santé mentale")
    sud_series.bassins = [db.session.scalar(select(Bassin).where(Bassin.slug == "sud"))]
    nord_series = Series(slug="nord-liaison", title_fr="Liaison Nord")
    nord_series.bassins = [db.session.scalar(select(Bassin).where(Bassin.slug == "nord"))]
    found = {
        "venue": venue("Maison des Cultures de Forest", "forest", "Rue du Curé 2"),
        "nord_venue": venue("Centre culturel de Jette", "jette", "Boulevard de Smet 145"),
        "series": sud_series,
        "nord_series": nord_series,
        "organisation": Organisation(name="Santé mentale Forest", commune=forest),
        "nord_organisation": Organisation(name="Service social de Jette", commune=jette),
    }
    db.session.add_all(found.values())
    db.session.commit()
    return {name: row.id for name, row in found.items()}


def test_a_bassin_creates_an_event_with_every_field(sud_client, places):
    data = form_data(
        venue_id=str(places["venue"]),
        series_id=str(places["series"]),
        series_number="3",
        organiser_id=str(places["organisation"]),
        opens_day=(local_today() + timedelta(days=1)).isoformat(),
        opens_time="09:00",
        closes_day=DAY,
        closes_time="12:00",
        free="no",
        price_fr="10 euros",
        price_nl="10 euro",
        presentation_url="https://bassin-sud.brussels/slides.pdf",
        report_url="https://bassin-sud.brussels/retour-sur",
        report_summary_fr="Vingt services présents.",
        report_summary_nl="Twintig diensten aanwezig.",
        participants_count="21",
        **{"participant_sectors-hopital": "4", "participant_sectors-social": "17"},
        **question_rows(
            {
                "kind": "choice",
                "label_fr": "Table",
                "label_nl": "Tafel",
                "required": "y",
                "options": "Table 1 | Tafel 1\nTable 2 | Tafel 2",
            },
            {"kind": "short_text", "label_fr": "Besoins d'accessibilité", "label_nl": ""},
        ),
    )
    response = sud_client.post("/admin/events/new", data=data)
    assert response.status_code == 303, response.get_data(as_text=True)
    (event,) = events()
    assert response.headers["Location"].endswith(f"/admin/events/{event.id}/edit")
    assert event.status == "draft"
    assert (event.title_fr, event.title_nl) == (data["title_fr"], data["title_nl"])
    assert event.description_fr == "Une rencontre des services.\nDeuxième ligne."
    assert event.description_nl == "Een ontmoeting van de diensten."
    assert [b.slug for b in event.bassins] == ["sud"]
    assert to_local(event.start_at).isoformat()[:16] == f"{DAY}T13:00"
    assert to_local(event.end_at).isoformat()[:16] == f"{DAY}T16:00"
    assert to_local(event.registration_closes_at).isoformat()[:16] == f"{DAY}T12:00"
    assert to_local(event.registration_opens_at).hour == 9
    assert (event.venue_id, event.room) == (places["venue"], "Salle 2")
    assert (event.series_id, event.series_number) == (places["series"], 3)
    assert event.organiser_id == places["organisation"]
    assert event.contact_email == "sud@bassins-bruxelles.be"
    assert (event.capacity, event.waitlist_enabled, event.registration_mode) == (25, True, "open")
    assert event.languages == "fr,nl" and event.free is False
    assert (event.price_fr, event.price_nl) == ("10 euros", "10 euro")
    assert (event.interpreting_fr, event.interpreting_nl) == ("Langue des signes", "Gebarentaal")
    assert event.presentation_url == "https://bassin-sud.brussels/slides.pdf"
    assert event.report_url == "https://bassin-sud.brussels/retour-sur"
    assert (event.report_summary_fr, event.report_summary_nl) == (
        "Vingt services présents.",
        "Twintig diensten aanwezig.",
    )
    assert event.participants_count == 21
    assert event.participant_sectors == {"hopital": 4, "social": 17}
    table, needs = event.questions
    assert (table.kind, table.label_fr, table.label_nl, table.required) == (
        "choice",
        "Table",
        "Tafel",
        True,
    )
    assert table.options == [
        {"value": "table-1", "fr": "Table 1", "nl": "Tafel 1"},
        {"value": "table-2", "fr": "Table 2", "nl": "Tafel 2"},
    ]
    assert (needs.kind, needs.label_nl, needs.options) == ("short_text", None, None)
    created, asked = audit_lines()
    assert created.action == "event.created" and created.after["title_fr"] == data["title_fr"]
    assert asked.action == "event.questions_changed" and asked.before == {"questions": []}
    assert [q["label_fr"] for q in asked.after["questions"]] == ["Table", "Besoins d'accessibilité"]
    page = sud_client.get(f"/admin/events/{event.id}/edit").get_data(as_text=True)
    assert "Activité enregistrée." in page
    assert "[table-1] Table 1 | Tafel 1" in page
    assert 'name="questions-3-label_fr"' in page  # two questions, then two empty rows


def test_the_edit_page_shows_every_value_status_and_public_link(admin_client, make_event):
    event = make_event(title="Atelier du Changement #9", capacity=12, room="Salle B")
    page = admin_client.get(f"/admin/events/{event.id}/edit")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'value="Atelier du Changement #9"' in html and 'value="Salle B"' in html
    assert 'data-status="published"' in html
    assert f'href="/events/{event.id}"' in html
    local = to_local(event.start_at)
    assert f'value="{local.date().isoformat()}"' in html
    assert f'value="{local.strftime("%H:%M")}"' in html
    assert page.headers["Cache-Control"] == "private, no-store"
    assert "<script" not in html and "<style" not in html and " style=" not in html


def test_an_edit_changes_the_values_with_one_audit_line(sud_client, make_event):
    event = make_event(title="Concertation #1", capacity=10)
    data = form_data(title_fr="Concertation liaison #1", capacity="30")
    data.update(_times_of(event))
    response = sud_client.post(f"/admin/events/{event.id}/edit", data=data)
    assert response.status_code == 303
    event = db.session.get(Event, event.id)
    assert event.title_fr == "Concertation liaison #1" and event.capacity == 30
    (line,) = audit_lines()
    assert line.action == "event.updated", line.after
    assert line.before["title_fr"] == "Concertation #1"
    assert line.after["title_fr"] == "Concertation liaison #1"
    assert line.before["capacity"] == 10 and line.after["capacity"] == 30
    assert "start_at" not in line.after  # unchanged values are not in the line
    assert audit_lines("event.questions_changed") == []


def _times_of(event):
    """The event's time and place as the form shows them (an edit that keeps them)."""
    start, end = to_local(event.start_at), to_local(event.end_at)
    return {
        "start_day": start.date().isoformat(),
        "start_time": start.strftime("%H:%M"),
        "end_day": end.date().isoformat(),
        "end_time": end.strftime("%H:%M"),
        "venue_id": str(event.venue_id or ""),
        "room": event.room or "",
    }


def test_questions_added_changed_and_removed_keep_their_option_values(sud_client, make_event):
    event = make_event(capacity=20)
    base = form_data(**_times_of(event))
    first = question_rows(
        {"kind": "choice", "label_fr": "Atelier", "options": "Logement | Huisvesting\nEmploi"},
        {"kind": "yes_no", "label_fr": "Repas ?"},
    )
    assert sud_client.post(f"/admin/events/{event.id}/edit", data=base | first).status_code == 303
    workshop, meal = db.session.get(Event, event.id).questions
    meal_id = meal.id
    rules.register(
        event.id,
        {"first_name": "Anne", "email": "anne@example.org"},
        {str(workshop.id): "logement"},
    )
    # The label of an answered option changes, an option is added, the second question goes.
    second = question_rows(
        {
            "id": str(workshop.id),
            "kind": "choice",
            "label_fr": "Atelier choisi",
            "options": "[logement] Logement et habitat | Huisvesting\n[emploi] Emploi\nSanté",
        },
        {"id": str(meal_id), "kind": "yes_no", "label_fr": "Repas ?", "remove": "y"},
        {"kind": "long_text", "label_fr": "Vos attentes", "label_nl": "Uw verwachtingen"},
    )
    assert sud_client.post(f"/admin/events/{event.id}/edit", data=base | second).status_code == 303
    workshop, expectations = db.session.get(Event, event.id).questions
    assert workshop.label_fr == "Atelier choisi"
    assert [o["value"] for o in workshop.options] == ["logement", "emploi", "sante"]
    assert workshop.options[0]["fr"] == "Logement et habitat"
    assert (expectations.kind, expectations.label_nl) == ("long_text", "Uw verwachtingen")
    assert db.session.get(Question, meal_id) is None
    assert len(audit_lines("event.questions_changed")) == 2


def test_an_answered_option_cannot_be_taken_away(sud_client, make_event):
    event = make_event(capacity=20)
    base = form_data(**_times_of(event))
    rows = question_rows({"kind": "choice", "label_fr": "Atelier", "options": "Logement\nEmploi"})
    sud_client.post(f"/admin/events/{event.id}/edit", data=base | rows)
    (workshop,) = db.session.get(Event, event.id).questions
    rules.register(
        event.id, {"first_name": "A", "email": "a@example.org"}, {str(workshop.id): "emploi"}
    )
    before = counts()
    rows = question_rows(
        {"id": str(workshop.id), "kind": "choice", "label_fr": "Atelier", "options": "Logement"}
    )
    response = sud_client.post(
        f"/admin/events/{event.id}/edit", data=base | rows | {"title_fr": "Nouveau titre"}
    )
    assert response.status_code == 422
    assert "ont déjà choisi une option retirée" in response.get_data(as_text=True)
    assert counts() == before
    assert db.session.get(Event, event.id).title_fr != "Nouveau titre"  # all or nothing


TOO_LONG = "x" * 251


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"title_fr": TOO_LONG}, "title_fr", "caractères"),
        ({"title_fr": "Concertation\x00"}, "title_fr", "caractères non autorisés"),
        ({"title_nl": "Twee\nregels"}, "title_nl", "une ligne"),
        ({"title_fr": ""}, "title_fr", "obligatoire"),
        ({"room": "r" * 121}, "room", "caractères"),
        ({"description_fr": "a\x07b"}, "description_fr", "caractères non autorisés"),
        ({"start_day": "2027-02-31"}, "start_day", "Cette date n'existe pas"),
        (
            {"start_day": "2027-03-28", "end_day": "2027-03-28", "start_time": "02:30"},
            "start_time",
            "passage à l'heure d'été",
        ),
        ({"start_time": "25:00"}, "start_time", "Heure invalide"),
        ({"end_time": "12:00"}, "end_time", "La fin doit venir après le début"),
        (
            {"opens_day": DAY, "opens_time": "10:00", "closes_day": DAY, "closes_time": "09:00"},
            "closes_time",
            "La clôture des inscriptions doit venir après",
        ),
        ({"opens_day": DAY}, "opens_time", "Indiquez la date et l'heure"),
        ({"series_number": "0"}, "series_number", "Entre 1 et 10000"),
        ({"series_number": "99999999999"}, "series_number", "Entre 1 et 10000"),
        ({"capacity": "-1"}, "capacity", "Entre 0 et 100000"),
        ({"capacity": "2147483648"}, "capacity", "Entre 0 et 100000"),
        ({"capacity": "9" * 5000}, "capacity", "nombre entier"),
        ({"capacity": "dix"}, "capacity", "nombre entier"),
        ({"online_url": "javascript:alert(1)"}, "online_url", "adresse web complète"),
        ({"contact_email": "pas une adresse"}, "contact_email", "Adresse e-mail invalide"),
        ({"kind": "fete"}, "kind", "Choisissez dans la liste"),
        ({"bassins": []}, "bassins", "au moins un de vos bassins"),
        ({"languages": ["de"]}, "languages", "Choisissez dans la liste"),
        ({"price_fr": "p" * 201}, "price_fr", "caractères"),
        ({"report_url": "ftp://bassin-sud.brussels/x"}, "report_url", "adresse web complète"),
        ({"participants_count": "-2"}, "participants_count", "Entre 0 et 100000"),
        ({"participants_count": "2147483648"}, "participants_count", "Entre 0 et 100000"),
        ({"participant_sectors-social": "-1"}, "participant_sectors-social", "Entre 0 et 100000"),
        (
            {"participant_sectors-social": "2147483648"},
            "participant_sectors-social",
            "Entre 0 et 100000",
        ),
        (
            {
                "questions-0-kind": "choice",
                "questions-0-label_fr": "Table",
                "questions-0-options": "",
            },
            "questions-0-options",
            "au moins une option",
        ),
        (
            {
                "questions-0-kind": "choice",
                "questions-0-label_fr": "Table",
                "questions-0-options": "A | B | C",
            },
            "questions-0-options",
            "Une option par ligne",
        ),
        (
            {"questions-0-kind": "short_text", "questions-0-label_nl": "Vraag"},
            "questions-0-label_fr",
            "obligatoire",
        ),
    ],
)
def test_bad_input_is_refused_beside_its_field_and_nothing_is_written(
    sud_client, make_event, changes, field, message
):
    # An afternoon meeting (13:00 or 14:00 in Brussels) on its own day: an end at 12:00 is
    # before its start whatever the hour the test runs.
    event = make_event(title="Concertation #2", capacity=10, start=morning_in().replace(hour=12))
    before = counts()
    data = form_data(**_times_of(event)) | changes
    data = {key: value for key, value in data.items() if value != []}
    response = sud_client.post(f"/admin/events/{event.id}/edit", data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    error = html.split(f'id="{field}-error">', 1)
    assert len(error) == 2, f"no error beside {field}"
    assert message in unescape(error[1].split("</p>", 1)[0])
    assert counts() == before
    assert db.session.get(Event, event.id).title_fr == "Concertation #2"
    # What was typed is kept.
    if field == "title_nl":
        assert "Twee\nregels" in html


def test_script_is_stored_as_text_and_escaped_on_the_page(sud_client):
    title = '<script>alert("x")</script> Concertation'
    response = sud_client.post("/admin/events/new", data=form_data(title_fr=title))
    assert response.status_code == 303
    (event,) = events()
    assert event.title_fr == title
    html = sud_client.get("/admin/events").get_data(as_text=True)
    assert "<script>alert" not in html and "&lt;script&gt;alert" in html


def test_a_capacity_below_the_places_taken_is_refused(sud_client, make_event):
    event = make_event(capacity=5)
    for n in range(3):
        rules.register(event.id, {"first_name": "A", "email": f"p{n}@example.org"})
    before = counts()
    data = form_data(capacity="2", **_times_of(event))
    response = sud_client.post(f"/admin/events/{event.id}/edit", data=data)
    assert response.status_code == 422
    assert "Places déjà prises : 3." in response.get_data(as_text=True)
    assert counts() == before and db.session.get(Event, event.id).capacity == 5


def test_a_registration_in_between_refuses_the_capacity_without_error(
    sud_client, make_event, monkeypatch
):
    """The form saw fewer places taken than the locked row holds: a message, never a 500."""
    from webapp.admin.events import forms as event_forms

    event = make_event(capacity=5)
    for n in range(3):
        rules.register(event.id, {"first_name": "A", "email": f"p{n}@example.org"})
    monkeypatch.setattr(event_forms.EventForm, "validate_capacity", lambda self, field: None)
    data = form_data(capacity="2", **_times_of(event))
    response = sud_client.post(f"/admin/events/{event.id}/edit", data=data)
    assert response.status_code == 422
    assert "Des personnes se sont inscrites entre-temps" in response.get_data(as_text=True)
    assert db.session.get(Event, event.id).capacity == 5


@pytest.mark.parametrize("name", ["venue_id", "series_id", "organiser_id"])
def test_a_foreign_bassins_row_posted_in_a_field_is_refused(sud_client, make_event, places, name):
    event = make_event(capacity=10)
    foreign = {
        "venue_id": "nord_venue",
        "series_id": "nord_series",
        "organiser_id": "nord_organisation",
    }[name]
    before = counts()
    data = form_data(**_times_of(event)) | {name: str(places[foreign])}
    response = sud_client.post(f"/admin/events/{event.id}/edit", data=data)
    assert response.status_code == 422
    assert f'id="{name}-error">Choisissez dans la liste.' in response.get_data(as_text=True)
    assert counts() == before
    assert getattr(db.session.get(Event, event.id), name) != places[foreign]
    # And a new event is not created with it either.
    response = sud_client.post("/admin/events/new", data=form_data() | {name: str(places[foreign])})
    assert response.status_code == 422 and counts() == before


def test_a_bassin_cannot_put_an_event_in_another_bassin(sud_client, make_event):
    before = counts()
    response = sud_client.post("/admin/events/new", data=form_data(bassins=["sud", "nord"]))
    assert response.status_code == 422
    assert "Choisissez parmi vos bassins" in response.get_data(as_text=True)
    assert counts() == before


def test_a_shared_event_keeps_its_other_bassins_and_their_series(sud_client, make_event):
    from tests.factories import series

    series("nord-liaison", bassins=("nord",))
    db.session.commit()
    event = make_event(bassins=("sud", "nord"), series_slug="nord-liaison", capacity=10)
    page = sud_client.get(f"/admin/events/{event.id}/edit").get_data(as_text=True)
    assert 'id="kept-bassins"' in page and 'value="nord"' not in page
    assert f'<option selected value="{event.series_id}">' in page
    data = form_data(title_fr="Partagée", bassins=["sud"], series_id=str(event.series_id))
    data.update(_times_of(event))
    assert sud_client.post(f"/admin/events/{event.id}/edit", data=data).status_code == 303
    event = db.session.get(Event, event.id)
    assert [b.slug for b in event.bassins] == ["nord", "sud"]
    assert event.series.slug == "nord-liaison" and event.title_fr == "Partagée"


def test_another_bassins_event_is_not_found(sud_client, make_event):
    event = make_event(title="Nord", bassins=("nord",), capacity=10)
    before = counts()
    assert sud_client.get(f"/admin/events/{event.id}/edit").status_code == 404
    data = form_data(title_fr="Pris", **_times_of(event))
    assert sud_client.post(f"/admin/events/{event.id}/edit", data=data).status_code == 404
    assert counts() == before and db.session.get(Event, event.id).title_fr == "Nord"


def test_another_events_question_posted_in_a_row_is_not_found(sud_client, make_event):
    other = make_event(title="Nord", bassins=("nord",))
    db.session.add(Question(event_id=other.id, kind="short_text", label_fr="Secret"))
    db.session.commit()
    foreign = db.session.scalar(select(Question.id))
    event = make_event(capacity=10)
    before = counts()
    rows = question_rows({"id": str(foreign), "kind": "short_text", "label_fr": "Volée"})
    data = form_data(**_times_of(event)) | rows
    assert sud_client.post(f"/admin/events/{event.id}/edit", data=data).status_code == 404
    assert counts() == before
    assert db.session.get(Question, foreign).label_fr == "Secret"


def test_a_service_account_gets_403_and_sees_only_its_events(app, client, make_staff, make_event):
    account = make_staff("service", organisation="Infor-Jeunes Bruxelles")
    own = make_event(title="Séance d'info", organiser_id=account.organisation_id)
    make_event(title="Concertation du Sud")
    sign_in(client, account)
    assert client.get("/admin/events/new").status_code == 403
    assert client.post("/admin/events/new", data=form_data()).status_code == 403
    assert client.get(f"/admin/events/{own.id}/edit").status_code == 403
    html = client.get("/admin/events").get_data(as_text=True)
    assert "Séance d&#39;info" in html and "Concertation du Sud" not in html
    assert "/admin/events/new" not in html


def test_the_list_filters_by_status_bassin_and_title(admin_client, make_event):
    make_event(title="Concertation santé mentale", bassins=("sud",))
    make_event(title="Atelier du Changement", bassins=("nord",), status="draft")
    make_event(title="Rendez-vous Prévention", bassins=("sud",), status="cancelled")

    def listed(**args):
        html = admin_client.get("/admin/events", query_string=args).get_data(as_text=True)
        return sorted(
            title
            for title in (
                "Concertation santé mentale",
                "Atelier du Changement",
                "Rendez-vous Prévention",
            )
            if f">{title}</a>" in html
        )

    assert len(listed()) == 3
    assert listed(status="draft") == ["Atelier du Changement"]
    assert listed(bassin="sud") == ["Concertation santé mentale", "Rendez-vous Prévention"]
    assert listed(q="SANTE") == ["Concertation santé mentale"]
    assert listed(status="nonsense", bassin="nowhere") == sorted(listed())


def test_the_list_is_newest_first_and_paginated(sud_client, make_event):
    start = utcnow().replace(microsecond=0)
    for n in range(52):
        make_event(title=f"Rencontre {n:02d}", start=start + timedelta(days=n), commit=False)
    db.session.commit()
    first = sud_client.get("/admin/events").get_data(as_text=True)
    assert first.index("Rencontre 51") < first.index("Rencontre 50")
    assert "Rencontre 01" not in first and 'rel="next"' in first
    second = sud_client.get("/admin/events?page=2").get_data(as_text=True)
    assert "Rencontre 01" in second and "Rencontre 00" in second and "Rencontre 51" not in second


def test_a_time_change_on_a_published_event_tells_its_registrant_once(sud_client, make_event):
    # A morning meeting: an hour later stays the same day whatever the hour the test runs.
    event = make_event(capacity=10, start=morning_in())
    rules.register(event.id, {"first_name": "Anne", "email": "anne@example.org"})
    before = len(db.session.scalars(select(OutboxMessage)).all())
    data = form_data(**_times_of(event)) | {"start_time": "14:00", "end_time": "17:00"}
    start, end = (
        to_local(moment) + timedelta(hours=1) for moment in (event.start_at, event.end_at)
    )
    # Days too: an event made at 20:30 ends after midnight once moved by an hour.
    data |= {"start_day": start.date().isoformat(), "start_time": start.strftime("%H:%M")}
    data |= {"end_day": end.date().isoformat(), "end_time": end.strftime("%H:%M")}
    assert sud_client.post(f"/admin/events/{event.id}/edit", data=data).status_code == 303
    messages = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    notices = messages[before:]
    assert len(notices) == 1 and notices[0].recipient == "anne@example.org"
    (line,) = audit_lines("event.moved")
    assert line.before["start_at"] != line.after["start_at"]


def test_a_stale_form_does_not_overwrite_a_newer_change(sud_client, make_event):
    event = make_event(title="Concertation #5", capacity=10)
    page = sud_client.get(f"/admin/events/{event.id}/edit").get_data(as_text=True)
    opened = page.split('name="updated_at" type="hidden" value="', 1)[1].split('"', 1)[0]
    first = form_data(title_fr="Changé par Anne", updated_at=opened, **_times_of(event))
    assert sud_client.post(f"/admin/events/{event.id}/edit", data=first).status_code == 303
    second = form_data(title_fr="Changé par Marc", updated_at=opened, **_times_of(event))
    response = sud_client.post(f"/admin/events/{event.id}/edit", data=second)
    assert response.status_code == 409
    assert "Quelqu&#39;un a modifié cette activité" in response.get_data(as_text=True)
    assert db.session.get(Event, event.id).title_fr == "Changé par Anne"


def test_the_form_is_translated_into_dutch(sud_client):
    html = sud_client.get("/admin/events/new?lang=nl").get_data(as_text=True)
    assert "Nieuwe activiteit" in html and "Titel (Nederlands)" in html


@pytest.mark.parametrize(
    "role, bassins, expected",
    [
        # list, new (GET), own event's edit (GET, POST), Nord event's edit (GET, POST)
        ("admin", (), (200, 200, 200, 303, 200, 303)),
        ("bassin", ("sud",), (200, 200, 200, 303, 404, 404)),
        ("service", (), (200, 403, 403, 403, 403, 403)),
    ],
)
def test_each_route_answers_each_role(app, client, make_staff, make_event, role, bassins, expected):
    organisation = "Infor-Jeunes Bruxelles" if role == "service" else None
    sign_in(client, make_staff(role, bassins=bassins, organisation=organisation))
    own, nord = make_event(title="Sud"), make_event(title="Nord", bassins=("nord",))
    own_id, nord_id = own.id, nord.id
    own_post = form_data(title_fr="Sud modifiée", **_times_of(own))
    nord_post = form_data(title_fr="Nord modifiée", bassins=["nord"], **_times_of(nord))
    answers = (
        client.get("/admin/events").status_code,
        client.get("/admin/events/new").status_code,
        client.get(f"/admin/events/{own_id}/edit").status_code,
        client.post(f"/admin/events/{own_id}/edit", data=own_post).status_code,
        client.get(f"/admin/events/{nord_id}/edit").status_code,
        client.post(f"/admin/events/{nord_id}/edit", data=nord_post).status_code,
    )
    assert answers == expected
    titles = {db.session.get(Event, own_id).title_fr, db.session.get(Event, nord_id).title_fr}
    assert ("Nord modifiée" in titles) is (expected[5] == 303)
