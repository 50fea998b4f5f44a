"""The moderation queue: who sees which proposal, the three decisions, their audit lines and
mails, and a refused proposal that never becomes public."""

import pytest
from sqlalchemy import func, select

from tests.admin.conftest import sign_in
from tests.proposals.factory import submitted
from webapp.agenda.models import Event
from webapp.audit import AuditEntry
from webapp.extensions import db
from webapp.mail.models import OutboxMessage
from webapp.proposals.models import Proposal


def audit_actions(proposal_id):
    return db.session.scalars(
        select(AuditEntry.action)
        .where(AuditEntry.subject_type == "proposal", AuditEntry.subject_id == proposal_id)
        .order_by(AuditEntry.id)
    ).all()


def outbox_count():
    return db.session.scalar(select(func.count(OutboxMessage.id)))


def state(proposal_id):
    proposal = db.session.get(Proposal, proposal_id)
    return proposal.status, proposal.event.status


@pytest.fixture
def nord_client(app, client, make_staff):
    return sign_in(app.test_client(), make_staff("bassin", bassins=("nord",)))


def test_the_queue_shows_the_proposals_of_the_account_bassins_waiting_first(
    sud_client, admin_client
):
    decided = submitted(title_fr="Décidée")
    sud_client.post(f"/admin/proposals/{decided.id}/refuse", data={"reason": "Hors sujet."})
    waiting = submitted(title_fr="En attente")
    shared = submitted(bassins=("nord", "sud"), title_fr="Partagée")
    nord_only = submitted(bassins=("nord",), title_fr="Nord seulement")
    page = sud_client.get("/admin/proposals").get_data(as_text=True)
    ids = [int(part.split('"')[0]) for part in page.split('data-proposal-id="')[1:]]
    assert ids == [waiting.id, shared.id, decided.id]
    assert "Nord seulement" not in page
    everything = admin_client.get("/admin/proposals").get_data(as_text=True)
    assert f'data-proposal-id="{nord_only.id}"' in everything


def test_a_nord_coordinator_cannot_see_or_act_on_a_proposal_naming_only_sud(nord_client):
    proposal = submitted(bassins=("sud",))
    messages = outbox_count()
    assert nord_client.get(f"/admin/proposals/{proposal.id}").status_code == 404
    for action, data in (
        ("accept", {}),
        ("changes", {"message": "Changez tout."}),
        ("refuse", {"reason": "Non."}),
    ):
        answer = nord_client.post(f"/admin/proposals/{proposal.id}/{action}", data=data)
        assert answer.status_code == 404
        assert "Séance d&#39;information" not in answer.get_data(as_text=True)
    assert state(proposal.id) == ("submitted", "draft")
    assert audit_actions(proposal.id) == ["proposal.submitted"]
    assert outbox_count() == messages
    assert f'data-proposal-id="{proposal.id}"' not in nord_client.get("/admin/proposals").get_data(
        as_text=True
    )


def test_a_shared_proposal_is_in_both_queues(nord_client, sud_client):
    proposal = submitted(bassins=("nord", "sud"))
    assert nord_client.get(f"/admin/proposals/{proposal.id}").status_code == 200
    assert sud_client.get(f"/admin/proposals/{proposal.id}").status_code == 200


def test_accepting_publishes_the_event_with_one_audit_line(sud_client, client):
    proposal = submitted(registration_url="https://amo-forest.be/inscription")
    page = sud_client.get(f"/admin/proposals/{proposal.id}").get_data(as_text=True)
    assert "Maison des jeunes de Forest, Rue du Curé 35, 1190 Forest" in page  # the preview
    answer = sud_client.post(f"/admin/proposals/{proposal.id}/accept")
    assert answer.status_code == 303
    assert state(proposal.id) == ("accepted", "published")
    assert audit_actions(proposal.id) == ["proposal.submitted", "proposal.accepted"]
    (line,) = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "proposal.accepted")
    ).all()
    assert line.actor_kind == "account" and line.before == {"status": "submitted"}
    assert client.get(f"/events/{proposal.event_id}").status_code == 200
    again = sud_client.post(f"/admin/proposals/{proposal.id}/accept", follow_redirects=True)
    assert "n&#39;attend plus de décision" in again.get_data(as_text=True)
    assert audit_actions(proposal.id).count("proposal.accepted") == 1


def test_asking_for_changes_needs_a_message_and_writes_one_audit_line(sud_client):
    proposal = submitted()
    messages = outbox_count()
    empty = sud_client.post(f"/admin/proposals/{proposal.id}/changes", data={"message": "  "})
    assert empty.status_code == 422
    assert "Ce champ est obligatoire." in empty.get_data(as_text=True)
    assert state(proposal.id) == ("submitted", "draft") and outbox_count() == messages
    sud_client.post(
        f"/admin/proposals/{proposal.id}/changes", data={"message": "Précisez l'étage."}
    )
    assert state(proposal.id) == ("changes-requested", "draft")
    assert audit_actions(proposal.id) == ["proposal.submitted", "proposal.changes_requested"]
    assert db.session.get(Proposal, proposal.id).message == "Précisez l'étage."
    assert outbox_count() == messages + 1


def test_refusing_needs_a_reason_and_writes_one_audit_line(sud_client):
    proposal = submitted()
    empty = sud_client.post(f"/admin/proposals/{proposal.id}/refuse", data={"reason": ""})
    assert empty.status_code == 422 and state(proposal.id) == ("submitted", "draft")
    bad = sud_client.post(f"/admin/proposals/{proposal.id}/refuse", data={"reason": "a\x00b"})
    assert bad.status_code == 422 and state(proposal.id) == ("submitted", "draft")
    sud_client.post(f"/admin/proposals/{proposal.id}/refuse", data={"reason": "Hors bassin."})
    assert state(proposal.id) == ("refused", "draft")
    assert audit_actions(proposal.id) == ["proposal.submitted", "proposal.refused"]
    (line,) = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "proposal.refused")
    ).all()
    assert line.reason == "Hors bassin."


def test_a_refused_proposal_is_never_public(sud_client, client):
    proposal = submitted(title_fr="Atelier jamais public")
    sud_client.post(f"/admin/proposals/{proposal.id}/refuse", data={"reason": "Non."})
    event_id = proposal.event_id
    assert db.session.get(Event, event_id).status == "draft"
    assert client.get(f"/events/{event_id}").status_code == 404
    assert client.get(f"/events/{event_id}.ics").status_code == 404
    assert client.get(f"/api/v1/events/{event_id}").status_code == 404
    for path in ("/", "/bassins/sud/", "/api/v1/events", "/agenda.ics", "/bassins/sud/agenda.ics"):
        answer = client.get(path)
        assert answer.status_code == 200
        assert "Atelier jamais public" not in answer.get_data(as_text=True), path
    # Refused is final: no accepting it afterwards.
    sud_client.post(f"/admin/proposals/{proposal.id}/accept")
    assert state(proposal.id) == ("refused", "draft")


def test_the_submitter_text_is_escaped_on_the_moderator_page(sud_client):
    proposal = submitted(
        title_fr="<script>alert(1)</script>", description_fr="<img src=x onerror=alert(1)>"
    )
    page = sud_client.get(f"/admin/proposals/{proposal.id}").get_data(as_text=True)
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page
    assert "<img src=x" not in page


def test_a_service_account_proposes_from_the_back_office_and_follows_its_state(
    app, make_staff, sud_client
):
    service = make_staff("service", organisation="AMO de Forest", email="amo@amo-forest.be")
    other = make_staff("service", organisation="CPAS de Forest", email="cpas@forest.be")
    amo = sign_in(app.test_client(), service)
    assert amo.get("/admin/proposals/new").status_code == 200
    nav = amo.get("/admin/proposals/mine").get_data(as_text=True)
    assert 'href="/admin/proposals/mine"' in nav  # the "Propositions" link of a service
    from tests.proposals.conftest import in_days

    form = {
        "title_fr": "Permanence jeunes aidants",
        "description_fr": "Le mercredi, sans rendez-vous.",
        "kind": "rencontre",
        "audience": "public",
        "day": in_days(),
        "starts": "10:00",
        "ends": "12:00",
        "online_url": "https://meet.example.org/amo",
        "free": "yes",
        "contact_email": "info@amo-forest.be",
        "registration": "none",
        "bassins": ["sud"],
    }
    answer = amo.post("/admin/proposals/new", data=form)
    assert answer.status_code == 303 and answer.location.endswith("/admin/proposals/mine")
    proposal = db.session.scalar(select(Proposal))
    assert proposal.submitter_email == "amo@amo-forest.be"
    assert proposal.organisation_name == "AMO de Forest"
    assert proposal.event.organiser.name == "AMO de Forest"
    assert audit_actions(proposal.id) == ["proposal.submitted"]
    mine = amo.get("/admin/proposals/mine").get_data(as_text=True)
    assert "Permanence jeunes aidants" in mine and 'data-status="submitted"' in mine
    assert f"/propose/{proposal.token}" in mine
    others = sign_in(app.test_client(), other).get("/admin/proposals/mine")
    assert "Permanence jeunes aidants" not in others.get_data(as_text=True)
    sud_client.post(f"/admin/proposals/{proposal.id}/accept")
    assert 'data-status="accepted"' in amo.get("/admin/proposals/mine").get_data(as_text=True)


@pytest.mark.parametrize(
    "role, method, path, expected",
    [
        ("service", "get", "/admin/proposals", 403),
        ("service", "get", "/admin/proposals/{id}", 403),
        ("service", "post", "/admin/proposals/{id}/accept", 403),
        ("service", "post", "/admin/proposals/{id}/changes", 403),
        ("service", "post", "/admin/proposals/{id}/refuse", 403),
        ("bassin", "get", "/admin/proposals/new", 403),
        ("bassin", "post", "/admin/proposals/new", 403),
        ("bassin", "get", "/admin/proposals/mine", 403),
        ("admin", "get", "/admin/proposals/new", 403),
        ("admin", "get", "/admin/proposals/{id}", 200),
        ("bassin", "get", "/admin/proposals/{id}", 200),
        (None, "get", "/admin/proposals", 302),
        (None, "post", "/admin/proposals/{id}/accept", 302),
    ],
)
def test_who_may_use_each_moderation_route(app, make_staff, role, method, path, expected):
    proposal = submitted()
    staff = {
        "service": lambda: make_staff("service", organisation="AMO de Forest"),
        "bassin": lambda: make_staff("bassin", bassins=("sud",)),
        "admin": lambda: make_staff("admin"),
    }
    user = app.test_client()
    if role:
        sign_in(user, staff[role]())
    answer = getattr(user, method)(path.format(id=proposal.id), data={"reason": "x"})
    assert answer.status_code == expected
    assert state(proposal.id) == ("submitted", "draft")


def test_a_name_mixing_alphabets_is_flagged_in_the_queue(sud_client):
    """'Équipe d'аppui' with a Cyrillic а looks like the real team's name (issue 20)."""
    lookalike = submitted(organisation_name="Équipe d'\u0430ppui", title_fr="Rencontre")
    greek = submitted(title_fr="Séance d'inf\u03bfrmation")  # a Greek omicron
    plain = submitted(organisation_name="Équipe d'appui", title_fr="Rencontre ordinaire")
    page = sud_client.get("/admin/proposals").get_data(as_text=True)
    rows = {
        int(part.split('"')[0]): part.split("</tr>")[0]
        for part in page.split('data-proposal-id="')[1:]
    }
    assert 'data-mixed-alphabets="CYRILLIC LATIN"' in rows[lookalike.id]
    assert 'data-mixed-alphabets="GREEK LATIN"' in rows[greek.id]
    assert "data-mixed-alphabets" not in rows[plain.id]
