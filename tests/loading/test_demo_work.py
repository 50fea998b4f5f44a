"""demo-data holds what the staff pages are for, so every one of them has a case to show:
approvals waiting, a partner's proposal, an accredited training with INAMI numbers,
evaluations past the threshold, a report's slides as a PDF, last year's Grand Bain with who
came and what they answered, a partner with its service account's scope, duplicates left by
an import. Running it twice adds none of them again."""

import os

import pytest
from sqlalchemy import func, select

from webapp.agenda.models import Event, Organisation, Venue
from webapp.agenda.reports import Report
from webapp.evaluations.models import Answer, EvaluationForm, Invitation
from webapp.evaluations.results import MIN_ANSWERS
from webapp.extensions import db
from webapp.grandbain.demo_held import held_year
from webapp.grandbain.models import Booking, Edition, Offer, Visitor
from webapp.proposals.models import Proposal
from webapp.registrations.models import Registration
from webapp.timezones import local_today, utcnow
from webapp.uploads import path_of

MODELS = (
    Event,
    Registration,
    Venue,
    Organisation,
    Proposal,
    EvaluationForm,
    Invitation,
    Answer,
    Edition,
    Offer,
    Visitor,
    Booking,
    Report,
)


@pytest.fixture
def app_config(tmp_path):
    return {"UPLOAD_DIR": str(tmp_path / "uploads")}


def demo_data(app):
    result = app.test_cli_runner().invoke(args=["demo-data"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()


def counts():
    return {m.__name__: db.session.scalar(select(func.count()).select_from(m)) for m in MODELS}


def event(external_id):
    return db.session.scalar(select(Event).where(Event.external_id == external_id))


def registrations(external_id):
    return db.session.scalars(
        select(Registration).where(Registration.event_id == event(external_id).id)
    ).all()


def answers_of(**about):
    ((column, value),) = about.items()
    return db.session.scalar(
        select(func.count()).select_from(Answer).where(getattr(Answer, column) == value)
    )


def test_demo_holds_a_case_for_each_staff_page(app):
    demo_data(app)
    # Registrations waiting for a team's approval, and for the partner's.
    for external_id in ("demo-sud-analyse-en-groupe", "demo-sud-formation-pied-diabetique-2"):
        waiting = [r for r in registrations(external_id) if r.status == "pending"]
        assert waiting, external_id
    # A partner's proposal for the Bassin Sud waits for review, its event a draft.
    proposal = db.session.scalar(select(Proposal))
    assert proposal.status == "submitted" and proposal.event.status == "draft"
    assert [b.slug for b in proposal.event.bassins] == ["sud"]
    # An accredited training, held, with care providers marked present who gave a number.
    training = event("demo-sud-formation-pied-diabetique")
    assert training.accreditation and training.end_at < utcnow()
    present = [r for r in registrations(training.external_id) if r.attended]
    assert any(len(r.inami_number or "") == 11 for r in present)
    # Evaluations past the threshold, not linked to anyone.
    for external_id in ("demo-sud-liaison-3", "demo-sud-formation-pied-diabetique"):
        assert answers_of(event_id=event(external_id).id) >= MIN_ANSWERS, external_id
    # The 9th ADC's report has its slides, stored as an upload.
    report = db.session.scalar(select(Report).where(Report.event_id == event("demo-sud-adc-9").id))
    assert report.presentation_file_name.endswith(".pdf")
    assert path_of(report.presentation_file).read_bytes().startswith(b"%PDF-")
    # Last year's Grand Bain: who came, and enough answers for an offer and the edition.
    held = db.session.scalar(select(Edition).where(Edition.year == held_year(local_today())))
    offers = db.session.scalars(select(Offer).where(Offer.edition_id == held.id)).all()
    answered = [answers_of(offer_id=offer.id) for offer in offers]
    assert max(answered) >= MIN_ANSWERS and sum(answered) >= MIN_ANSWERS
    # The partner organises Sud events and hosts Grand Bain visits under one organisation.
    partner = db.session.scalar(
        select(Organisation).where(Organisation.name == "Maison médicale Les Primevères")
    )
    organised = db.session.scalars(select(Event).where(Event.organiser_id == partner.id)).all()
    assert len(organised) == 3
    assert db.session.scalar(select(func.count()).where(Offer.organisation_id == partner.id)) == 2
    # An import typed the Forest rendez-vous' place and organiser otherwise: two duplicates.
    rendez_vous = event("demo-rdv-prevention-forest")
    assert rendez_vous.venue.name == "Maison de Quartier St-Antoine"
    assert rendez_vous.organiser.name == "Bassin Sud"


def test_running_demo_data_twice_adds_none_of_them(app):
    demo_data(app)
    before = counts()
    files = sorted(os.listdir(app.config["UPLOAD_DIR"]))
    demo_data(app)
    assert counts() == before
    assert sorted(os.listdir(app.config["UPLOAD_DIR"])) == files
    assert before["Proposal"] == 1 and before["Answer"] > 2 * MIN_ANSWERS
