"""/admin/audit: admins only; newest first; filtered by event (its lines and its
registrations'), person (through the registrations table), account and action; values
escaped; erasures and purges leave a line."""

import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from tests.edge import Committed, personal_data, rules
from tests.factories import PERSON
from webapp.agenda import operations
from webapp.agenda.models import Event
from webapp.audit import SYSTEM, Actor, AuditEntry
from webapp.audit_actions import AuditAction
from webapp.extensions import db
from webapp.registrations.models import Registration
from webapp.timezones import utcnow
from webapp.unit_of_work import unit_of_work

events_ops = Committed(operations)


def ids_shown(response):
    """The audit line ids on a page, in their order."""
    return [int(n) for n in re.findall(r'data-audit-id="(\d+)"', response.get_data(as_text=True))]


def line_ids(*actions):
    query = select(AuditEntry.id).order_by(AuditEntry.id.desc())
    if actions:
        query = query.where(AuditEntry.action.in_(actions))
    return db.session.scalars(query).all()


@pytest.fixture
def history(make_staff, make_event):
    """Two coordinators, events in Sud and Nord, registrations, changes and one erasure."""
    sud = make_staff("bassin", bassins=("sud",))
    nord = make_staff("bassin", bassins=("nord",))
    concertation = make_event(title="Concertation Sud", bassins=("sud",), capacity=10)
    other = make_event(title="Atelier Nord", bassins=("nord",), capacity=10)
    anne = rules.register(concertation.id, PERSON).registration
    rules.register(concertation.id, {**PERSON, "email": "marc@example.org"})
    anne_elsewhere = rules.register(other.id, PERSON).registration
    events_ops.cancel(concertation.id, Actor.account(sud.id), reason="Salle <b>indisponible</b>")
    events_ops.update_event(other.id, {"room": "Salle 2"}, Actor.account(nord.id))
    personal_data.erase(anne_elsewhere.id)
    return {
        "sud": sud,
        "nord": nord,
        "concertation": concertation.id,
        "other": other.id,
        "anne": anne.id,
        "anne_elsewhere": anne_elsewhere.id,
    }


def test_only_admins_read_the_audit_log(admin_client, sud_client, client):
    assert sud_client.get("/admin/audit").status_code == 403
    assert sud_client.get("/admin/audit?event=1").status_code == 403
    response = admin_client.get("/admin/audit")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"
    anonymous = client.application.test_client().get("/admin/audit")
    assert anonymous.status_code == 302


def test_every_line_newest_first(admin_client, history):
    assert ids_shown(admin_client.get("/admin/audit")) == line_ids()


def test_filtered_by_event_its_lines_and_its_registrations(admin_client, history):
    record_on_registration(history["anne"], AuditAction.REGISTRATION_APPROVED)
    shown = ids_shown(admin_client.get(f"/admin/audit?event={history['concertation']}"))
    expected = db.session.scalars(
        select(AuditEntry.id)
        .where(
            (
                (AuditEntry.subject_type == "event")
                & (AuditEntry.subject_id == history["concertation"])
            )
            | (
                (AuditEntry.subject_type == "registration")
                & AuditEntry.subject_id.in_(
                    select(Registration.id).where(Registration.event_id == history["concertation"])
                )
            )
        )
        .order_by(AuditEntry.id.desc())
    ).all()
    # The cancellation, Anne's and Marc's registrations (by the form) and Anne's approval.
    assert shown == expected and len(expected) == 4
    page = admin_client.get(f"/admin/audit?event={history['concertation']}").get_data(as_text=True)
    assert "Activité annulée" in page and "Inscription acceptée" in page
    assert "Salle 2" not in page


def record_on_registration(registration_id, action, actor=None):
    from webapp.audit import record
    from webapp.unit_of_work import unit_of_work

    with unit_of_work("test"):
        record(
            actor or SYSTEM,
            action,
            "registration",
            registration_id,
            {"status": "pending"},
            {"status": "confirmed"},
        )


def test_filtered_by_person_through_their_registrations(admin_client, history):
    record_on_registration(history["anne"], AuditAction.REGISTRATION_APPROVED)
    marc = db.session.scalar(select(AuditEntry.id).where(AuditEntry.action == "event.created"))
    shown = ids_shown(admin_client.get("/admin/audit?person=ANNE@example.org"))
    # Her registration in Sud; the one she erased no longer answers to her address.
    assert shown == [
        line
        for line in line_ids("registration.approved", "registration.created")
        if db.session.get(AuditEntry, line).subject_id == history["anne"]
    ]
    assert len(shown) == 2
    assert marc not in shown
    nobody = admin_client.get("/admin/audit?person=personne@example.org")
    assert nobody.status_code == 200 and ids_shown(nobody) == []


def test_an_erasure_leaves_a_line_by_the_personal_link_without_personal_data(admin_client, history):
    (line,) = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "registration.erased")
    ).all()
    assert (line.actor_kind, line.actor_id, line.subject_id) == (
        "personal-link",
        history["anne_elsewhere"],
        history["anne_elsewhere"],
    )
    assert "anne" not in str(line.before).lower() + str(line.after).lower()
    page = admin_client.get("/admin/audit?action=registration.erased").get_data(as_text=True)
    assert "Données personnelles effacées" in page and "lien personnel" in page


def test_a_purge_leaves_one_line_per_registration_by_the_system(app, make_event):
    old = make_event(capacity=5)
    first = rules.register(old.id, PERSON).registration
    db.session.get(Event, old.id).start_at = utcnow() - timedelta(days=500)
    db.session.get(Event, old.id).end_at = utcnow() - timedelta(days=500, hours=-3)
    db.session.commit()
    assert personal_data.purge_personal_data(12) == 1
    (line,) = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "registration.purged")
    ).all()
    assert (line.actor_kind, line.subject_id) == ("system", first.id)


def test_filtered_by_account_by_id_or_address(admin_client, history):
    sud = history["sud"]
    by_id = ids_shown(admin_client.get(f"/admin/audit?account={sud.id}"))
    by_address = ids_shown(admin_client.get(f"/admin/audit?account={sud.email.upper()}"))
    expected = db.session.scalars(
        select(AuditEntry.id)
        .where(AuditEntry.actor_kind == "account", AuditEntry.actor_id == sud.id)
        .order_by(AuditEntry.id.desc())
    ).all()
    assert by_id == by_address == expected and len(expected) == 1
    unknown = admin_client.get("/admin/audit?account=nobody@example.org")
    assert ids_shown(unknown) == [] and "Aucun compte ne correspond" in unknown.get_data(
        as_text=True
    )


def test_filtered_by_action(admin_client, history):
    assert ids_shown(admin_client.get("/admin/audit?action=event.cancelled")) == line_ids(
        "event.cancelled"
    )


def test_a_line_says_who_what_and_the_values_escaped(app, admin_client, history):
    page = admin_client.get(f"/admin/audit?event={history['concertation']}").get_data(as_text=True)
    rows = page.split("<tr data-audit-id=")[1:]
    (row,) = [r for r in rows if 'data-action="event.cancelled"' in r.split(">", 1)[0]]
    assert history["sud"].email in row
    assert "Salle &lt;b&gt;indisponible&lt;/b&gt;" in row and "<b>" not in row
    # The change in words: the field's label, each value's (tests/admin/test_audit_words.py).
    (text,) = [t for a, t in rows_by_line(page) if a == "event.cancelled"]
    assert "Statut Publié → Annulé" in text and "published" not in text
    # The subject links to the event's page in the back office.
    event_id = history["concertation"]
    assert f'href="/admin/events/{event_id}"' in row


@pytest.mark.parametrize(
    "query, field",
    [
        ("event=abc", "event"),
        ("event=99999999999", "event"),
        ("event=%D9%A1", "event"),
        ("person=pas-une-adresse", "person"),
        ("account=%00x", "account"),
    ],
)
def test_bad_filters_are_explained_beside_the_field(admin_client, history, query, field):
    response = admin_client.get(f"/admin/audit?{query}")
    assert response.status_code == 400
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert ids_shown(response) == []


def test_pages_of_fifty_keep_the_filters(admin_client, history):
    from webapp.audit import record
    from webapp.unit_of_work import unit_of_work

    with unit_of_work("test"):
        for _ in range(55):
            record(
                SYSTEM,
                AuditAction.EVENT_UPDATED,
                "event",
                history["other"],
                {"room": "A"},
                {"room": "B"},
            )
    first = admin_client.get("/admin/audit?action=event.updated")
    page = first.get_data(as_text=True)
    assert len(ids_shown(first)) == 50
    assert 'href="/admin/audit?page=2&amp;action=event.updated"' in page or (
        'href="/admin/audit?action=event.updated&amp;page=2"' in page
    )
    second = admin_client.get("/admin/audit?action=event.updated&page=2")
    assert ids_shown(first) + ids_shown(second) == line_ids("event.updated")
    assert 'rel="prev"' in second.get_data(as_text=True)


def test_the_log_speaks_dutch(admin_client, history):
    page = admin_client.get("/admin/audit?lang=nl&action=event.cancelled").get_data(as_text=True)
    assert "Activité annulée" not in page and "Journal des modifications" not in page


class VisibleText(HTMLParser):
    """The text a reader sees: attributes (data-action, option values) left out."""

    def __init__(self):
        super().__init__()
        self.parts, self.hidden = [], 0

    def handle_starttag(self, tag, attrs):
        self.hidden += tag in ("script", "style")

    def handle_endtag(self, tag):
        self.hidden -= tag in ("script", "style")

    def handle_data(self, data):
        if not self.hidden:
            self.parts.append(data)


def visible(response):
    parser = VisibleText()
    parser.feed(response.get_data(as_text=True))
    return " ".join(" ".join(parser.parts).split())


def rows(response):
    """[(stored action, the visible text of its row)] of an audit page, in its order."""
    return rows_by_line(response.get_data(as_text=True))


def rows_by_line(page):
    """[(stored action, the visible text of its row)] of a page's HTML, in its order."""
    found = []
    for row in page.split("<tr data-audit-id=")[1:]:
        action = re.search(r'data-action="([^"]*)"', row).group(1)
        parser = VisibleText()
        parser.feed(row.split(">", 1)[1])
        found.append((action, " ".join(" ".join(parser.parts).split())))
    return found


def rows_by_action(response):
    """{stored action: [the visible text of its rows]} of an audit page."""
    by_action = {}
    for action, text in rows(response):
        by_action.setdefault(action, []).append(text)
    return by_action


def own_link(response):
    return response.headers["Location"]


@pytest.fixture
def done_through_the_app(app, sud_client, make_event):
    """A coordinator publishes a one-place event; Anne registers, Marc waits; Anne erases her
    data by her own link (Marc gets her place); Zoé registers elsewhere and cancels."""
    visitor = app.test_client()
    event = make_event(
        title="Concertation une place", status="draft", capacity=1, waitlist_enabled=True
    )
    other = make_event(title="Atelier", capacity=5)
    assert sud_client.post(f"/admin/events/{event.id}/publish").status_code == 303
    anne = own_link(visitor.post(f"/events/{event.id}/register", data=person("anne")))
    own_link(visitor.post(f"/events/{event.id}/register", data=person("marc")))
    zoe = own_link(visitor.post(f"/events/{other.id}/register", data=person("zoe")))
    assert visitor.post(f"{anne}/erase").status_code == 200
    assert visitor.post(f"{zoe}/cancel").status_code == 303
    return event


def person(name):
    return {
        "first_name": name.title(),
        "last_name": "Peeters",
        "email": f"{name}@example.org",
        "organisation": "CPAS de Forest",
        "sector": "cpas",
        "job_title": "Assistante sociale",
        "commune": "Forest",
        "consent": "y",
    }


def test_what_people_do_by_their_own_link_is_in_the_log_in_words(
    admin_client, done_through_the_app
):
    response = admin_client.get("/admin/audit")
    # Newest first: Zoé cancels; Anne's erasure: the erasure, Marc's promotion to her place,
    # her cancellation; the three registrations by the form; the publication (before it,
    # the staff accounts the fixtures made).
    assert [action for action, _ in rows(response) if not action.startswith("account.")] == [
        "registration.cancelled",
        "registration.erased",
        "registration.promoted",
        "registration.cancelled",
        "registration.created",
        "registration.created",
        "registration.created",
        "event.published",
    ]
    lines = rows_by_action(response)
    expected = {
        "registration.cancelled": "Inscription annulée",
        "registration.erased": "Données personnelles effacées",
        "registration.promoted": "Inscription confirmée depuis la liste d'attente",
        "registration.created": "Inscription (par la personne)",
        "event.published": "Activité publiée",
    }
    for action, label in expected.items():
        assert all(label in row for row in lines[action]), action
    assert all("lien personnel" in row for row in lines["registration.cancelled"])
    assert "lien personnel" in lines["registration.erased"][0]
    assert all("système" in row for row in lines["registration.promoted"])
    text = visible(response)
    assert [key for key in expected if key in text] == []
    assert "registration " not in text and "event " not in text  # subjects in words too
    assert "Inscription" in text and "Activité" in text
    erased = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == AuditAction.REGISTRATION_ERASED)
    )
    assert "anne" not in f"{erased.before} {erased.after} {erased.reason}".lower()


def test_the_log_shows_dutch_labels_in_dutch(admin_client, done_through_the_app):
    response = admin_client.get("/admin/audit?lang=nl")
    lines = rows_by_action(response)
    expected = {
        "registration.cancelled": "Inschrijving geannuleerd",
        "registration.erased": "Persoonsgegevens gewist",
        "registration.promoted": "Inschrijving bevestigd vanaf de wachtlijst",
        "registration.created": "Inschrijving (door de persoon zelf)",
        "event.published": "Activiteit gepubliceerd",
    }
    for action, label in expected.items():
        assert all(label in row for row in lines[action]), action
    text = visible(response)
    assert [key for key in expected if key in text] == []
    assert "Inscription" not in text and "persoonlijke link" in text


def test_an_action_no_longer_named_shows_as_unknown_never_as_its_code(admin_client, history):
    with unit_of_work("test"):
        db.session.add(
            AuditEntry(
                actor_kind="system",
                action="grand-bain.offer-<b>refused</b>",
                subject_type="grand_bain_visit",
                subject_id=3,
            )
        )
    response = admin_client.get("/admin/audit")
    (row,) = rows_by_action(response)["grand-bain.offer-&lt;b&gt;refused&lt;/b&gt;"]
    assert "Action non répertoriée" in row and "refused" not in row
    assert "Objet 3" in row and "grand_bain_visit" not in row
    assert "<b>" not in response.get_data(as_text=True)
    dutch = rows_by_action(admin_client.get("/admin/audit?lang=nl"))
    assert "Onbekende handeling" in dutch["grand-bain.offer-&lt;b&gt;refused&lt;/b&gt;"][0]


def test_the_action_filter_offers_every_action_by_its_label(admin_client, history):
    page = admin_client.get("/admin/audit").get_data(as_text=True)
    options = re.findall(r'<option[^>]*value="([^"]*)"[^>]*>([^<]*)</option>', page)
    offered = {value: label for value, label in options if value}
    assert set(offered) == {member.value for member in AuditAction}
    assert offered["grand_bain.booked"] == "Grand Bain : visite réservée"
    assert all(value not in label for value, label in offered.items())
