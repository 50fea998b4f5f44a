"""Grand Bain visits get their form per offer: invitations per visit (to those who came),
once even when two runs meet, the form and its thank-you, results for the team within its
bassins and above the threshold, and retention."""

import csv
import io
import threading
from datetime import timedelta

import pytest
from babel.dates import format_date
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from tests.admin.conftest import sign_in
from tests.conftest import postgresql_only
from webapp.agenda.models import Commune
from webapp.evaluations import defaults, invitations, jobs
from webapp.evaluations.models import Answer, EvaluationForm, Invitation
from webapp.extensions import db
from webapp.grandbain.models import Booking, Edition, Offer, Slot, Visitor
from webapp.mail.models import OutboxMessage
from webapp.timezones import local_today, to_local, utcnow

GOOD = {
    "q_usefulness": "4",
    "q_takeaway": "J'ai découvert leur accueil sans rendez-vous.",
    "q_format_suited": "yes",
    "q_sector_group": "social",
}


def ago(days, hours=0):
    """A whole hour `days` (and `hours`) ago."""
    moment = utcnow() - timedelta(days=days, hours=hours)
    return moment.replace(minute=0, second=0, microsecond=0)


class GrandBain:
    """An edition whose week has just passed; offers with 90-minute slots; bookings."""

    def __init__(self):
        today = local_today()
        self.edition = Edition(
            year=today.year, week_start=today - timedelta(days=6), week_end=today
        )
        db.session.add(self.edition)
        db.session.commit()

    def offer(self, name="Maison médicale du Midi", commune="forest", starts=None):
        offer = Offer(
            edition_id=self.edition.id,
            name=name,
            sector="maison-medicale",
            address="Rue du Midi 12",
            commune=db.session.scalar(select(Commune).where(Commune.slug == commune)),
            discover_fr="L'accueil, la salle d'attente, une réunion d'équipe.",
            contact_name="Sophie Janssens",
            contact_email="accueil@example.be",
            status="accepted",
            slots=[
                Slot(start_at=start, end_at=start + timedelta(minutes=90), capacity=20)
                for start in starts or (ago(2),)
            ],
        )
        db.session.add(offer)
        db.session.commit()
        return offer

    def book(self, slot, n, status="confirmed", attended=None, language="fr"):
        email = f"visiteur.{n}@example.org"
        visitor = db.session.scalar(
            select(Visitor).where(Visitor.edition_id == self.edition.id, Visitor.email == email)
        )
        if visitor is None:
            visitor = Visitor(
                edition_id=self.edition.id,
                email=email,
                first_name="Anne",
                last_name=f"Peeters{n}",
                sector="hopital",
                language=language,
            )
        booking = Booking(slot=slot, visitor=visitor, status=status, attended=attended)
        db.session.add(booking)
        db.session.commit()
        return booking


@pytest.fixture
def grand_bain(territory):
    return GrandBain()


def invited_bookings():
    return sorted(db.session.scalars(select(Invitation.booking_id)))


def visit_mails():
    return db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.reference.like("grand-bain-visitor:%"))
        .order_by(OutboxMessage.id)
    ).all()


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


# -- invitations ---------------------------------------------------------------------------


def test_each_visit_gets_its_invitation_naming_its_host_and_day(app, grand_bain):
    hosts = [
        grand_bain.offer(name, starts=(ago(2, 6 - 2 * i),))
        for i, name in enumerate(("Maison médicale du Midi", "CPAS de Forest", "Le Méridien"))
    ]
    bookings = [grand_bain.book(offer.slots[0], 1) for offer in hosts]
    assert jobs.send_evaluations() == 3
    assert invited_bookings() == sorted(b.id for b in bookings)
    mails = visit_mails()
    assert {m.recipient for m in mails} == {"visiteur.1@example.org"}
    for offer, mail in zip(hosts, mails, strict=True):
        day = format_date(to_local(offer.slots[0].start_at).date(), "d MMMM", locale="fr")
        assert mail.subject == f"Votre avis sur votre visite chez {offer.name} du {day}"
        assert offer.name in mail.body_text
    assert count(EvaluationForm) == 3


def test_only_confirmed_visitors_who_came_when_attendance_was_taken(app, grand_bain):
    slot = grand_bain.offer().slots[0]
    came = grand_bain.book(slot, 1, attended=True)
    grand_bain.book(slot, 2, attended=False)  # absent
    grand_bain.book(slot, 3)  # not marked, though the host took the attendance
    grand_bain.book(slot, 4, status="cancelled", attended=True)
    grand_bain.book(slot, 5, status="waitlisted")
    assert jobs.send_evaluations() == 1
    assert invited_bookings() == [came.id]


def test_every_confirmed_visitor_when_the_slots_attendance_was_not_taken(app, grand_bain):
    offer = grand_bain.offer(starts=(ago(2, 4), ago(2)))
    first, second = offer.slots
    confirmed = [grand_bain.book(first, 1), grand_bain.book(first, 2)]
    grand_bain.book(first, 3, status="cancelled")
    grand_bain.book(first, 4, status="waitlisted")
    # The other slot's attendance was taken: it does not count for this one.
    confirmed.append(grand_bain.book(second, 5, attended=True))
    grand_bain.book(second, 6, attended=False)
    assert jobs.send_evaluations() == 3
    assert invited_bookings() == sorted(b.id for b in confirmed)


def test_one_form_per_offer_from_the_grand_bain_template_open_after_its_last_slot(app, grand_bain):
    offer = grand_bain.offer(starts=(ago(3), ago(2), ago(-1)))  # the last one tomorrow
    bookings = [grand_bain.book(slot, n) for n, slot in enumerate(offer.slots)]
    assert jobs.send_evaluations() == 2
    form = db.session.scalar(select(EvaluationForm))
    assert count(EvaluationForm) == 1
    assert (form.offer_id, form.event_id) == (offer.id, None)
    assert form.questions == defaults.visit_questions()
    assert {i.form_id for i in db.session.scalars(select(Invitation))} == {form.id}
    assert invited_bookings() == [bookings[0].id, bookings[1].id]
    # Open for fourteen days after the day following the last visit, for its visitors too.
    last_end = offer.slots[-1].end_at
    assert form.closes_at == invitations.day_after(last_end) + invitations.OPEN_FOR
    assert jobs.send_evaluations(invitations.day_after(last_end)) == 1
    assert count(EvaluationForm) == 1


def test_nothing_before_the_day_after_the_slot(app, grand_bain):
    start = utcnow().replace(microsecond=0) - timedelta(hours=2)
    slot = grand_bain.offer(starts=(start,)).slots[0]
    grand_bain.book(slot, 1)
    tomorrow = invitations.day_after(slot.end_at)
    assert jobs.send_evaluations(tomorrow - timedelta(minutes=1)) == 0
    assert jobs.send_evaluations(tomorrow + timedelta(minutes=1)) == 1
    assert jobs.send_evaluations(tomorrow + timedelta(minutes=2)) == 0


def test_one_reminder_after_four_days_then_the_form_closes(app, grand_bain):
    slot = grand_bain.offer().slots[0]
    grand_bain.book(slot, 1)
    grand_bain.book(slot, 2)
    now = utcnow()
    assert jobs.send_evaluations(now) == 2
    first = db.session.scalars(select(Invitation).order_by(Invitation.id)).first()
    first.answered = True
    db.session.commit()
    assert jobs.send_evaluations(now + timedelta(days=3)) == 0
    assert jobs.send_evaluations(now + timedelta(days=4, minutes=1)) == 1
    assert jobs.send_evaluations(now + timedelta(days=5)) == 0
    assert len(visit_mails()) == 3
    assert not db.session.scalar(select(EvaluationForm)).is_open(now + timedelta(days=15))


@postgresql_only
def test_two_runs_at_once_invite_each_visit_once(app, grand_bain):
    offers = [grand_bain.offer(f"Service {n}", starts=(ago(2, n),)) for n in range(4)]
    for n in range(8):
        grand_bain.book(offers[n % 4].slots[0], n)
    db.session.remove()
    counts = []
    barrier = threading.Barrier(2)

    def run():
        with app.app_context():
            barrier.wait()
            counts.append(jobs.send_evaluations())
            db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(counts) == 8
    assert count(Invitation) == 8
    assert count(EvaluationForm) == 4
    assert len(visit_mails()) == 8 == len({m.reference + m.subject for m in visit_mails()})


def test_mails_are_received_in_the_visitors_language(app, grand_bain, smtp):
    slot = grand_bain.offer(name="Maison médicale du Midi").slots[0]
    grand_bain.book(slot, 1, language="fr")
    grand_bain.book(slot, 2, language="nl")
    jobs.send_evaluations()
    result = app.test_cli_runner().invoke(args=["send-mail"])
    assert "2 sent" in result.output
    french = smtp.inbox.to("visiteur.1@example.org")[0]
    dutch = smtp.inbox.to("visiteur.2@example.org")[0]
    assert french["Subject"].startswith("Votre avis sur votre visite chez Maison médicale du Midi")
    assert dutch["Subject"].startswith("Uw mening over uw bezoek bij Maison médicale du Midi")
    french_text = french.get_body(("plain",)).get_content()
    dutch_text = dutch.get_body(("plain",)).get_content()
    token = db.session.scalar(select(Invitation.token).where(Invitation.language == "nl"))
    assert f"/evaluations/{token}?lang=nl" in dutch_text
    assert "Merci pour votre visite" in french_text and "anonymes" in french_text
    assert "Bedankt voor uw bezoek" in dutch_text and "anoniem" in dutch_text
    assert f"Grand Bain {grand_bain.edition.year}" in dutch_text


# -- the form ------------------------------------------------------------------------------


def invited_visit(grand_bain, language="fr"):
    offer = grand_bain.offer(name="Maison médicale du Midi")
    grand_bain.book(offer.slots[0], 1, language=language)
    jobs.send_evaluations()
    return offer, db.session.scalar(select(Invitation))


def test_the_visit_form_names_the_host_and_sends_once(client, grand_bain):
    offer, invitation = invited_visit(grand_bain)
    page = client.get(f"/evaluations/{invitation.token}").get_data(as_text=True)
    assert "Maison médicale du Midi" in page
    assert f"Grand Bain {grand_bain.edition.year} : votre visite" in page
    assert "Vos réponses sont anonymes" in page
    assert str(to_local(offer.slots[0].start_at).day) in page
    sent = client.post(f"/evaluations/{invitation.token}", data=GOOD)
    assert sent.status_code == 200
    body = sent.get_data(as_text=True)
    assert 'data-evaluation="answered"' in body
    assert f"/grand-bain/{grand_bain.edition.year}/offers/{offer.id}" in body
    again = client.post(f"/evaluations/{invitation.token}", data={**GOOD, "q_usefulness": "1"})
    assert again.status_code == 409
    answer = db.session.scalar(select(Answer))
    assert count(Answer) == 1
    assert (answer.offer_id, answer.event_id, answer.day) == (offer.id, None, local_today())
    assert answer.values["usefulness"] == "4"
    assert db.session.get(Invitation, invitation.id).answered is True


def test_a_forged_visit_token_is_404_and_an_offer_form_has_no_open_link(client, grand_bain):
    invited_visit(grand_bain)
    assert client.get("/evaluations/" + "A" * 43).status_code == 404
    assert client.post("/evaluations/" + "A" * 43, data=GOOD).status_code == 404
    form = db.session.scalar(select(EvaluationForm))
    assert client.post(f"/evaluations/open/{form.open_token}", data=GOOD).status_code == 404
    assert count(Answer) == 0


def test_the_visit_form_speaks_dutch_and_refuses_tampered_values(client, grand_bain):
    _offer, invitation = invited_visit(grand_bain, language="nl")
    page = client.get(f"/evaluations/{invitation.token}?lang=nl").get_data(as_text=True)
    assert "Uw antwoorden zijn anoniem" in page
    refused = client.post(f"/evaluations/{invitation.token}?lang=nl", data={"q_usefulness": "9"})
    assert refused.status_code == 422
    assert count(Answer) == 0


def test_a_form_or_an_answer_about_an_event_and_an_offer_at_once_is_refused(
    app, grand_bain, make_event
):
    offer, event = grand_bain.offer(), make_event()
    db.session.add(Answer(event_id=event.id, offer_id=offer.id, day=local_today(), values={}))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    db.session.add(
        EvaluationForm(event_id=event.id, offer_id=offer.id, questions=[], closes_at=utcnow())
    )
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


# -- retention -----------------------------------------------------------------------------


def test_erasing_a_visitor_removes_its_invitations_and_keeps_the_answers(client, grand_bain):
    offer = grand_bain.offer()
    grand_bain.book(offer.slots[0], 1)
    other = grand_bain.book(offer.slots[0], 2)
    jobs.send_evaluations()
    token = db.session.scalar(select(Invitation.token).where(Invitation.booking_id != other.id))
    client.post(f"/evaluations/{token}", data=GOOD)
    visitor = db.session.scalar(select(Visitor).where(Visitor.email == "visiteur.1@example.org"))
    db.session.delete(visitor)
    db.session.commit()
    assert invited_bookings() == [other.id]
    assert count(Answer) == 1
    assert client.get(f"/evaluations/{token}").status_code == 404
    db.session.delete(db.session.get(Booking, other.id))
    db.session.commit()
    assert count(Invitation) == 0 and count(Answer) == 1


@postgresql_only
def test_the_database_removes_a_deleted_bookings_invitation(app, grand_bain):
    booking = grand_bain.book(grand_bain.offer().slots[0], 1)
    jobs.send_evaluations()
    db.session.execute(db.delete(Booking).where(Booking.id == booking.id))
    db.session.commit()
    assert count(Invitation) == 0


# -- results in the back office ------------------------------------------------------------

SCORES = [5, 4, 4, 3, 5, 2]


def answered(offer, scores, sector="social", takeaway=None):
    """Store answers about `offer` as the form would, one per score."""
    for n, score in enumerate(scores):
        values = {"usefulness": str(score), "sector_group": sector}
        if takeaway and n == 0:
            values["takeaway"] = takeaway
        db.session.add(Answer(offer_id=offer.id, day=local_today(), values=values))
    db.session.commit()


@pytest.fixture
def evaluated(grand_bain):
    """A Sud host (Forest) and a Nord host (Jette), each with 3 visitors invited."""
    sud = grand_bain.offer("Service Sud", commune="forest")
    nord = grand_bain.offer("Service Nord", commune="jette", starts=(ago(2, 3),))
    for n in range(3):
        grand_bain.book(sud.slots[0], n)
        grand_bain.book(nord.slots[0], 10 + n)
    jobs.send_evaluations()
    return sud, nord


def figure(body, name):
    marker = f'data-figure="{name}">'
    return body.split(marker, 1)[1].split("<", 1)[0]


def mean_shown(body):
    return body.split("Moyenne : ", 1)[1].split(" / 5", 1)[0]


def test_an_offers_results_are_hidden_under_five_answers_and_exact_from_five(
    app, make_staff, evaluated
):
    sud, _nord = evaluated
    client = sign_in(app.test_client(), make_staff("bassin", bassins=("sud",)))
    url = f"/admin/grand-bain/offers/{sud.id}/evaluation"
    assert f"{url}" in client.get(f"/admin/grand-bain/offers/{sud.id}").get_data(as_text=True)
    answered(sud, SCORES[:4])
    body = client.get(url).get_data(as_text=True)
    assert 'data-results="hidden"' in body and "Moyenne" not in body
    assert client.get(f"{url}.csv").status_code == 404
    answered(sud, SCORES[4:], sector="hopital")
    body = client.get(url).get_data(as_text=True)
    assert 'data-results="hidden"' not in body
    assert figure(body, "invited") == "3"
    assert figure(body, "answered") == str(len(SCORES))
    assert figure(body, "rate") == f"{round(len(SCORES) / 3 * 100)} %"
    assert mean_shown(body) == str(round(sum(SCORES) / len(SCORES), 2))
    # Filtered by sector: 4 social answers only, under the threshold again.
    assert 'data-results="hidden"' in client.get(f"{url}?sector=social").get_data(as_text=True)
    assert client.get(f"{url}.csv?sector=social").status_code == 404
    assert client.get(f"{url}?sector=nonsense").status_code == 404


def csv_rows(response):
    """The rows of a CSV export as Calc in fr-BE reads them (`;`, a BOM)."""
    text = response.get_data(as_text=True).lstrip("\ufeff")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


USEFULNESS = "Cette visite vous a-t-elle été utile ?"


def test_the_offers_export_is_formula_safe_with_counts_and_texts_apart(app, make_staff, evaluated):
    sud, _nord = evaluated
    answered(sud, SCORES, takeaway='=HYPERLINK("http://x") Très bon accueil.')
    client = sign_in(app.test_client(), make_staff("admin"))
    response = client.get(f"/admin/grand-bain/offers/{sud.id}/evaluation.csv")
    assert response.status_code == 200
    rows = csv_rows(response)
    assert rows[0] == ["Réponses", "Question", "Réponse", "Nombre"]
    takeaway = "Qu'avez-vous découvert de ce service ?"
    assert [row for row in rows if row[1] == takeaway] == [
        ["Liens personnels", takeaway, '\'=HYPERLINK("http://x") Très bon accueil.', ""]
    ]
    counts = {row[2]: row[3] for row in rows if row[1] == USEFULNESS}
    assert {v: int(counts[v]) for v in "12345"} == {str(v): SCORES.count(v) for v in range(1, 6)}


def test_the_edition_counts_a_small_offer_only_where_no_difference_reveals_it(
    app, make_staff, evaluated
):
    sud, nord = evaluated
    answered(sud, SCORES)
    answered(nord, [1, 2, 3])
    client = sign_in(app.test_client(), make_staff("admin"))
    year = sud.edition.year
    body = client.get(f"/admin/grand-bain/{year}/evaluations").get_data(as_text=True)
    assert figure(body, "invited") == "6"
    assert figure(body, "answered") == "9"
    # Sud's page shows its 6; the edition minus Sud would be Nord's 3: they are left out.
    assert "Réponses comptées ici : 6" in body
    assert mean_shown(body) == str(round(sum(SCORES) / len(SCORES), 2))
    assert f'data-offer-id="{sud.id}"' in body and f'data-offer-id="{nord.id}"' in body
    rows = csv_rows(client.get(f"/admin/grand-bain/{year}/evaluations.csv"))
    counts = {row[2]: float(row[3].replace(",", ".")) for row in rows if row[1] == USEFULNESS}
    assert sum(counts[v] for v in "12345") == len(SCORES)
    edition_page = client.get(f"/admin/grand-bain/{year}/").get_data(as_text=True)
    assert f"/admin/grand-bain/{year}/evaluations" in edition_page
    answered(nord, [5, 5])  # Nord reaches 5: its page shows them, the edition counts them
    body = client.get(f"/admin/grand-bain/{year}/evaluations").get_data(as_text=True)
    everything = SCORES + [1, 2, 3, 5, 5]
    assert 'data-figure="counted"' not in body
    assert mean_shown(body) == str(round(sum(everything) / len(everything), 2))


def test_an_editions_sector_view_adds_nothing_to_the_offers_views_shown(app, make_staff, evaluated):
    sud, nord = evaluated
    answered(sud, [4] * 5, sector="hopital")
    answered(sud, [3] * 5, sector="social")
    answered(nord, [2] * 5, sector="social")
    answered(nord, [1], sector="hopital")  # Nord's one hospital visitor
    client = sign_in(app.test_client(), make_staff("admin"))
    year = sud.edition.year
    url = f"/admin/grand-bain/{year}/evaluations?sector=hopital"
    # Sud's hopital view is shown (5, the rest 5); Nord's is not (1). The edition's would be
    # 6 answers, and minus Sud's page, Nord's one: it counts Sud's 5 only.
    sud_page = client.get(f"/admin/grand-bain/offers/{sud.id}/evaluation?sector=hopital").text
    assert mean_shown(sud_page) == "4.0"
    assert mean_shown(client.get(url).text) == "4.0"
    rows = csv_rows(client.get(f"/admin/grand-bain/{year}/evaluations.csv?sector=hopital"))
    counts = {row[2]: float(row[3].replace(",", ".")) for row in rows if row[1] == USEFULNESS}
    assert counts["1"] == 0 and counts["4"] == 5


def test_a_nord_coordinator_sees_only_nords_offers_and_the_threshold_applies_to_them(
    app, make_staff, evaluated
):
    sud, nord = evaluated
    answered(sud, SCORES)
    answered(nord, [1, 2, 3])
    client = sign_in(app.test_client(), make_staff("bassin", bassins=("nord",)))
    assert client.get(f"/admin/grand-bain/offers/{sud.id}/evaluation").status_code == 404
    assert client.get(f"/admin/grand-bain/offers/{sud.id}/evaluation.csv").status_code == 404
    year = sud.edition.year
    body = client.get(f"/admin/grand-bain/{year}/evaluations").get_data(as_text=True)
    assert "Service Sud" not in body and f'data-offer-id="{nord.id}"' in body
    assert figure(body, "invited") == "3" and figure(body, "answered") == "3"
    assert 'data-results="hidden"' in body  # Sud's six answers do not lift Nord's three
    assert client.get(f"/admin/grand-bain/{year}/evaluations.csv").status_code == 404
    answered(nord, [5, 5])
    body = client.get(f"/admin/grand-bain/{year}/evaluations").get_data(as_text=True)
    assert mean_shown(body) == str(round((1 + 2 + 3 + 5 + 5) / 5, 2))


def test_a_service_account_does_not_see_evaluation_results(app, make_staff, evaluated):
    sud, _nord = evaluated
    answered(sud, SCORES)
    client = sign_in(app.test_client(), make_staff("service", organisation="Service Sud"))
    assert client.get(f"/admin/grand-bain/offers/{sud.id}/evaluation").status_code == 403
    year = sud.edition.year
    assert client.get(f"/admin/grand-bain/{year}/evaluations").status_code == 403
