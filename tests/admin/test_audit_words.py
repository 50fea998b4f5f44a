"""/admin/audit reads each change in words, in the reader's language: the field's label
(webapp/audit_fields.py), each value as the pages say it (a local date and time, a status's
label, Oui/Non, a bassin's name); stored keys and values are data, escaped and cut."""

import re
from datetime import UTC, datetime

import pytest

from tests.admin.test_audit_log import rows
from tests.edge import Committed, rules
from tests.factories import PERSON
from webapp.admin.accounts.audit_values import VALUE_LENGTH
from webapp.agenda import operations
from webapp.audit import SYSTEM, Actor, AuditEntry, record
from webapp.audit_actions import AuditAction
from webapp.extensions import db
from webapp.registrations import staff
from webapp.unit_of_work import unit_of_work

events_ops = Committed(operations)
staff_ops = Committed(staff)

# Raw keys and values an edit stores: none may reach the page.
RAW = ("title_fr", "start_at", "end_at", "status", "waitlist_enabled", "2027-01-12T", "+00:00")


@pytest.fixture
def edited(make_staff, make_event):
    """A coordinator publishes a draft with a new title and time; a registration is
    cancelled by the team."""
    coordinator = make_staff("bassin", bassins=("sud",))
    event = make_event(
        title="Concertation brouillon", status="draft", capacity=5, waitlist_enabled=False
    )
    by = Actor.account(coordinator.id)
    events_ops.update_event(
        event.id,
        {
            "title_fr": "Concertation logement",
            "start_at": datetime(2027, 1, 12, 13, 0, tzinfo=UTC),  # 14:00 in Brussels
            "end_at": datetime(2027, 1, 12, 16, 0, tzinfo=UTC),
            "status": "published",
            "waitlist_enabled": True,
        },
        by,
    )
    registration = rules.register(event.id, PERSON).registration
    staff_ops.cancel(event.id, registration.id, by)
    return event


def row_of(response, action):
    (text,) = [text for stored, text in rows(response) if stored == action]
    return text


def test_an_event_edit_reads_in_french_words(admin_client, edited):
    text = row_of(admin_client.get(f"/admin/audit?event={edited.id}"), "event.published")
    assert "Titre (français) Concertation brouillon → Concertation logement" in text
    assert re.search(r"Début \d{1,2} \S+ 20\d\d \d\d:\d\d → 12 janv\. 2027 14:00", text)
    assert "Fin " in text and "→ 12 janv. 2027 17:00" in text
    assert "Statut Brouillon → Publié" in text
    assert "Liste d'attente quand c'est complet Non → Oui" in text
    assert [raw for raw in RAW if raw in text] == []


def test_an_event_edit_reads_in_dutch_words(admin_client, edited):
    response = admin_client.get(f"/admin/audit?event={edited.id}&lang=nl")
    text = row_of(response, "event.published")
    assert "Titel (Frans) Concertation brouillon → Concertation logement" in text
    assert "Begin " in text and "→ 12 jan 2027 14:00" in text
    assert "Status Ontwerp → Gepubliceerd" in text
    assert "Wachtlijst als het volzet is Nee → Ja" in text
    assert [raw for raw in RAW if raw in text] == []
    assert "Début" not in text and "janv." not in text


def test_a_registration_status_change_reads_in_words(admin_client, edited):
    french = row_of(
        admin_client.get(f"/admin/audit?event={edited.id}"), "registration.cancelled_by_staff"
    )
    assert "Statut Confirmé·e → Annulé·e" in french
    assert f"Activité — → {edited.id}" in french  # an id stays a number, under its label
    dutch = row_of(
        admin_client.get(f"/admin/audit?event={edited.id}&lang=nl"),
        "registration.cancelled_by_staff",
    )
    assert "Status Bevestigd → Geannuleerd" in dutch and f"Activiteit — → {edited.id}" in dutch
    assert "confirmed" not in french + dutch and "event_id" not in french + dutch


def store(action, subject_type, before, after):
    with unit_of_work("test"):
        entry = record(SYSTEM, action, subject_type, 1, before, after)
        db.session.flush()
        return entry.id


def test_values_read_as_the_pages_say_them(admin_client, territory):
    store(
        AuditAction.ORGANISATION_UPDATED,
        "organisation",
        {"sector": "cpas", "email": None, "website": ""},
        {"sector": "<b>inconnu</b>", "email": "a@example.org", "website": "https://x.be"},
    )
    store(
        AuditAction.GRAND_BAIN_EDITION_UPDATED,
        "grand_bain_edition",
        {"bassins": ["nord"], "call_closes_at": "2027-07-01T22:30:00+00:00"},
        {"bassins": ["nord", "sud"], "week_start": "2027-01-12"},
    )
    store(
        AuditAction.REGISTRATION_DETAILS_UPDATED,
        "registration",
        None,
        {"fields": ["first_name", "job_title", "answers"]},
    )
    response = admin_client.get("/admin/audit")
    organisation = row_of(response, "organisation.updated")
    assert "Secteur CPAS → <b>inconnu</b>" in organisation  # an unknown slug: as stored
    assert "&lt;b&gt;inconnu&lt;/b&gt;" in response.get_data(as_text=True)
    assert "Adresse e-mail — → a@example.org" in organisation
    assert "Site web — → https://x.be" in organisation
    edition = row_of(response, "grand_bain.edition_updated")
    assert "Bassins Bassin Nord → Bassin Nord, Bassin Sud" in edition
    # Brussels time: 22:30 UTC on 1 July is 00:30 on the 2nd.
    assert "Clôture de l'appel aux services 2 juil. 2027 00:30 → —" in edition
    assert "Premier jour de la semaine — → 12 janv. 2027" in edition
    details = row_of(response, "registration.details_updated")
    assert "Champs corrigés — → Prénom, Fonction, Réponses" in details
    dutch = row_of(admin_client.get("/admin/audit?lang=nl"), "grand_bain.edition_updated")
    assert "Zorgzone Noord, Zorgzone Zuid" in dutch and "2 jul 2027 00:30" in dutch


def test_a_hostile_key_and_value_are_escaped_cut_and_never_named(admin_client, territory):
    hostile = "<script>alert(1)</script>"
    long_value = hostile + "x" * 10_000
    with unit_of_work("test"):
        db.session.add(
            AuditEntry(
                actor_kind="system",
                action="event.updated",
                subject_type="event",
                subject_id=1,
                before={hostile: "<img src=x onerror=alert(1)>", "title_fr": {"<i>": [1, None]}},
                after={hostile: long_value, "status": "<u>gone</u>", "x" * 10_000: True},
            )
        )
    response = admin_client.get("/admin/audit")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<script>alert" not in page and "<img" not in page and "<u>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # the value, escaped
    text = row_of(response, "event.updated")
    assert text.count("Autre champ") == 2 and "x" * 200 not in text
    # The long value is cut: what is shown of it ends with an ellipsis within the limit.
    (shown,) = re.findall(r"<script>alert\(1\)</script>x*…", text)
    assert len(shown) == VALUE_LENGTH
    assert "Statut — → <u>gone</u>" in text  # an unknown status: as stored (escaped above)
    assert "Titre (français) <i> : 1, — → —" in text


ODD_VALUES = [
    "{'hopital': 4, 'domicile': 3}",  # how a dict was stored before (its repr)
    "(" * 5000,
    "2027-02-31",
    "2027-13-01T25:61:00+00:00",
    {"<b>k</b>": ["<i>", {"x": None}]},
    [None, True, 1.5, ["nord"]],
    -1,
]


def test_any_stored_value_of_any_key_reads_without_failing(admin_client, territory):
    from webapp.audit_fields import FIELDS

    with unit_of_work("test"):
        for number, value in enumerate(ODD_VALUES):
            db.session.add(
                AuditEntry(
                    actor_kind="system",
                    action="registration.accommodation_answered",
                    subject_type=["event", "registration", "proposal", "grand_bain_offer"][
                        number % 4
                    ],
                    subject_id=number,
                    before=dict.fromkeys(FIELDS, value),
                    after=dict.fromkeys(FIELDS, [value]),
                )
            )
    for language in ("fr", "nl"):
        response = admin_client.get(f"/admin/audit?lang={language}")
        assert response.status_code == 200
        answered = [a for a, _ in rows(response) if a == "registration.accommodation_answered"]
        assert len(answered) == len(ODD_VALUES)
        assert "<b>k" not in response.get_data(as_text=True)


def test_participant_figures_read_by_sector_group(admin_client, territory):
    store(
        AuditAction.REPORT_SAVED,
        "event",
        {"participant_sectors": "{'hopital': 4, 'domicile': 3}"},  # a line written before
        {"participant_sectors": {"hopital": 5}},
    )
    text = row_of(admin_client.get("/admin/audit"), "report.saved")
    assert "hopital" not in text and "'" not in text
    assert "Participant·es par secteur Hôpital : 4, Aide et soins à domicile : 3 → Hôpital : 5" in (
        text
    )


@pytest.mark.parametrize(
    "action, subject_type, before, after, said",
    [
        (
            AuditAction.PROPOSAL_CHANGES_REQUESTED,
            "proposal",
            {"status": "submitted"},
            {"status": "changes-requested"},
            "Statut En attente de relecture → Modifications demandées",
        ),
        (
            AuditAction.GRAND_BAIN_OFFER_ACCEPTED,
            "grand_bain_offer",
            {"status": "submitted"},
            {"status": "accepted"},
            "Statut à relire → acceptée",
        ),
        (
            AuditAction.GRAND_BAIN_CANCELLED,
            "grand_bain_booking",
            {"status": "waitlisted"},
            {"status": "cancelled"},
            "Statut Liste d'attente → Annulé·e",
        ),
        (
            AuditAction.REGISTRATION_ACCOMMODATION_ANSWERED,
            "registration",
            {"need": "sign-lsfb", "status": "requested"},
            {"need": "sign-lsfb", "status": "arranged"},
            "Statut Demandé → Organisé",
        ),
        (
            AuditAction.REPORT_PUBLISHED,
            "event",
            {"status": "draft"},
            {"status": "published"},
            "Statut Brouillon → Publié",
        ),
        (
            AuditAction.EVALUATION_TEMPLATE_SAVED,
            "evaluation_template",
            {"kind": "grand-bain"},
            {"kind": "grand-bain", "languages": ["fr", "nl", "en"]},
            "Langues de la rencontre — → français, néerlandais, anglais",
        ),
    ],
)
def test_a_status_reads_as_its_subject_says_it(
    admin_client, territory, action, subject_type, before, after, said
):
    store(action, subject_type, before, after)
    assert said in row_of(admin_client.get("/admin/audit"), action.value)
