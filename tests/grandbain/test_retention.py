"""Grand Bain visitors' personal data: the retention purge (old editions only, figures
unchanged, invitations gone and answers kept, the link dead) and the visitor's own erasure
(her coming visits cancelled through the rules, the waitlist promoted, then her data gone).
The same purge clears the hosts' contact persons of old editions' offers."""

import re
from dataclasses import asdict
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from tests.admin import conftest as staff_fixtures
from tests.admin.conftest import sign_in
from tests.grandbain.conftest import at, rules
from webapp.audit import AuditEntry
from webapp.evaluations.models import Answer, EvaluationForm, Invitation
from webapp.extensions import db
from webapp.grandbain import figures, notices
from webapp.grandbain import personal_data as _personal_data
from webapp.grandbain.models import Booking, Edition, Offer, Visitor
from webapp.grandbain.notices import offer_reference, visitor_reference
from webapp.grandbain.states import BookingStatus
from webapp.mail.models import OutboxMessage
from webapp.mail.outbox import deliver_all, queue_message
from webapp.timezones import app_zone, local_today, utcnow
from webapp.unit_of_work import unit_of_work
from webapp.worker import retention

PERSONAL = ("email", "first_name", "last_name", "organisation", "job_title", "commune")
CONTACT = ("contact_name", "contact_email", "contact_phone")

make_staff = staff_fixtures.make_staff


def count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def purge(months=12, now=None):
    return retention.purge(months, now=now)


def erase(visitor_id):
    with unit_of_work("test erase"):
        return _personal_data.erase(visitor_id)


def audit_lines(action):
    return db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
    ).all()


def visitor_of(email):
    return db.session.scalar(select(Visitor).where(Visitor.email == email))


def snapshot(visitor_id):
    """Everything a visitor row and her bookings hold, read fresh from the database."""
    db.session.expire_all()
    visitor = db.session.get(Visitor, visitor_id)
    rows = db.session.scalars(
        select(Booking).where(Booking.visitor_id == visitor_id).order_by(Booking.id)
    ).all()
    return (
        {c.name: getattr(visitor, c.name) for c in Visitor.__table__.columns},
        [{c.name: getattr(b, c.name) for c in Booking.__table__.columns} for b in rows],
    )


@pytest.fixture
def old_edition(make_offer, person):
    """An edition whose week ended about three years ago: one host, two slots; Anne 1 came
    to both (a question to the host, an invitation she answered), Anne 2 came to one and
    cancelled the other, Anne 3 was a no-show."""
    today = local_today()
    monday = date(today.year - 3, 3, 6)
    monday -= timedelta(days=monday.weekday())
    with unit_of_work("old edition"):
        edition = Edition(year=today.year - 3, week_start=monday, week_end=monday + timedelta(4))
        db.session.add(edition)
    offer = make_offer(
        "Maison médicale du Midi",
        slots=((0, "09:00", "10:30", 5), (1, "09:00", "10:30", 5)),
        edition_=edition,
    )
    first, second = offer.slots
    plan = {
        1: [(first, BookingStatus.CONFIRMED, True), (second, BookingStatus.CONFIRMED, True)],
        2: [(first, BookingStatus.CONFIRMED, True), (second, BookingStatus.CANCELLED, None)],
        3: [(first, BookingStatus.CONFIRMED, False)],
    }
    with unit_of_work("old bookings"):
        for n, visits in plan.items():
            data = person(n)
            visitor = Visitor(edition_id=edition.id, language="nl" if n == 2 else "fr", **data)
            for slot, status, attended in visits:
                question = f"Comment accueillez-vous sans rendez-vous ? ({n})"
                visitor.bookings.append(
                    Booking(slot_id=slot.id, status=status, attended=attended, question=question)
                )
            db.session.add(visitor)
        form = EvaluationForm(offer_id=offer.id, questions=[], closes_at=utcnow())
        db.session.add(form)
        db.session.flush()
        for booking in db.session.scalars(select(Booking).where(Booking.attended.is_(True))):
            db.session.add(Invitation(booking_id=booking.id, form_id=form.id, answered=True))
        db.session.add(Answer(offer_id=offer.id, day=monday, values={"q_usefulness": "5"}))
    return edition


# -- the purge ------------------------------------------------------------------------------


def test_purge_anonymises_the_visitors_of_an_old_edition_and_keeps_what_figures_need(
    old_edition, edition, make_offer, person
):
    recent = make_offer("CPAS de Forest", email="c@f.be")
    rules.book(edition.id, [recent.slots[0].id], person(9), questions={recent.slots[0].id: "Q?"})
    kept = visitor_of("anne.9@example.org").id
    recent_before = snapshot(kept)
    old_ids = [
        v.id
        for v in db.session.scalars(select(Visitor).where(Visitor.edition_id == old_edition.id))
    ]
    old_before = {vid: snapshot(vid) for vid in old_ids}

    assert purge().visitors == 3

    for vid in old_ids:
        (visitor, bookings), (was, had) = snapshot(vid), old_before[vid]
        assert all(visitor[name] is None for name in PERSONAL)
        assert visitor["anonymised_at"] is not None and visitor["token"] != was["token"]
        assert (visitor["sector"], visitor["language"]) == (was["sector"], was["language"])
        assert [b["question"] for b in bookings] == [None] * len(had)
        assert [(b["id"], b["status"], b["attended"]) for b in bookings] == [
            (b["id"], b["status"], b["attended"]) for b in had
        ]
    assert snapshot(kept) == recent_before


def test_purge_leaves_the_edition_figures_unchanged(old_edition):
    before = asdict(figures.edition_figures(old_edition))
    # Counted here on the plan of the fixture: 3 people came, 4 visits, 1 cancelled, 1 absent.
    assert (before["visitors"], before["visits"], before["cancelled"], before["no_shows"]) == (
        3,
        4,
        1,
        1,
    )
    assert purge().offer_contacts == 1  # the host's contact goes too; the figures stay
    db.session.expire_all()
    assert asdict(figures.edition_figures(db.session.get(Edition, old_edition.id))) == before


def test_purge_deletes_the_invitations_and_keeps_the_answers(old_edition, edition, make_offer):
    assert count(Invitation) == 3
    purge()
    assert count(Invitation) == 0
    assert count(Answer) == 1


def test_purge_cuts_at_the_retention_period(old_edition):
    week_end = datetime.combine(old_edition.week_end, time(12), tzinfo=app_zone())
    # Twelve months (of 31 days) after the week's end: kept ten days before, purged after.
    kept = purge(12, now=week_end + timedelta(days=31 * 12 - 10))
    assert (kept.visitors, kept.offer_contacts) == (0, 0)
    purged = purge(12, now=week_end + timedelta(days=31 * 12 + 10))
    assert (purged.visitors, purged.offer_contacts) == (3, 1)


def test_the_personal_link_of_a_purged_visitor_no_longer_works(client, old_edition):
    token = visitor_of("anne.1@example.org").token
    assert client.get(f"/grand-bain/visits/{token}").status_code == 200
    purge()
    for path in ("", "/erase", "/cancel"):
        assert client.get(f"/grand-bain/visits/{token}{path}").status_code == 404
    assert client.get(f"/grand-bain/calendar/{token}.ics").status_code == 404


def test_purge_forgets_the_visitors_messages_and_keeps_the_others(old_edition, edition):
    old = visitor_of("anne.1@example.org").id
    with unit_of_work("messages"):
        queue_message("anne.1@example.org", "Avant", "…", reference=visitor_reference(old))
        queue_message("x@example.org", "Autre", "…", reference=visitor_reference(old + 1000))
    purge()
    references = db.session.scalars(select(OutboxMessage.reference)).all()
    assert references == [visitor_reference(old + 1000)]


def test_purge_run_twice_changes_nothing_more_and_leaves_one_audit_line_each(old_edition):
    assert purge().visitors == 3
    once = snapshot(_first_visitor(old_edition))
    assert purge().visitors == 0
    assert snapshot(_first_visitor(old_edition)) == once
    lines = audit_lines("grand_bain.purged")
    assert len(lines) == 3
    assert {(line.actor_kind, line.subject_type) for line in lines} == {
        ("system", "grand_bain_visitor")
    }


def _first_visitor(edition):
    return db.session.scalar(
        select(Visitor.id).where(Visitor.edition_id == edition.id).order_by(Visitor.id)
    )


def test_the_command_says_how_many_visitors_were_anonymised(app, old_edition):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["purge-personal-data", "--older-than-months", "24"])
    assert first.exit_code == 0
    assert "3 Grand Bain visitor(s) anonymised" in first.output
    assert "1 Grand Bain offer contact(s) cleared" in first.output
    again = runner.invoke(args=["purge-personal-data", "--older-than-months", "24"])
    assert "0 Grand Bain visitor(s) anonymised" in again.output
    assert "0 Grand Bain offer contact(s) cleared" in again.output
    assert count(Visitor, Visitor.anonymised_at.is_(None)) == 0
    assert count(Offer, Offer.contact_cleared_at.is_(None)) == 0


# -- the hosts' contact persons -------------------------------------------------------------


def old_offer(edition):
    return db.session.scalar(select(Offer).where(Offer.edition_id == edition.id))


def offer_row(offer_id):
    """Everything an offer row and its slots hold, read fresh from the database."""
    db.session.expire_all()
    offer = db.session.get(Offer, offer_id)
    return (
        {c.name: getattr(offer, c.name) for c in Offer.__table__.columns},
        [(slot.id, slot.start_at, slot.end_at, slot.capacity) for slot in offer.slots],
    )


def test_purge_clears_the_contact_of_old_offers_and_leaves_recent_ones(
    old_edition, edition, make_offer
):
    recent = make_offer("CPAS de Forest", email="c@f.be").id
    old = old_offer(old_edition).id
    with unit_of_work("phone"):
        db.session.get(Offer, old).contact_phone = "02 555 12 12"
    recent_before, (old_before, old_slots) = offer_row(recent), offer_row(old)

    assert purge().offer_contacts == 1

    after, slots = offer_row(old)
    assert all(after[name] is None for name in CONTACT)
    assert after["contact_cleared_at"] is not None and after["token"] != old_before["token"]
    kept = set(old_before) - set(CONTACT) - {"token", "contact_cleared_at", "updated_at"}
    assert {name: after[name] for name in kept} == {name: old_before[name] for name in kept}
    assert after["name"] == "Maison médicale du Midi" and slots == old_slots
    assert offer_row(recent) == recent_before


def test_the_host_link_of_a_cleared_offer_no_longer_works(client, old_edition):
    token = old_offer(old_edition).token
    assert client.get(f"/grand-bain/offers/{token}").status_code == 200
    purge()
    assert client.get(f"/grand-bain/offers/{token}").status_code == 404
    assert client.get(f"/grand-bain/offers/{token}/visitors.csv").status_code == 404


def test_purge_deletes_the_messages_to_the_old_hosts_and_keeps_the_others(
    old_edition, edition, make_offer
):
    old = old_offer(old_edition).id
    recent = make_offer("CPAS de Forest", email="c@f.be").id
    with unit_of_work("messages"):
        queue_message("accueil@mm-midi.be", "Avant", "…", reference=offer_reference(old))
        queue_message("c@f.be", "Récent", "…", reference=offer_reference(recent))
    purge()
    references = db.session.scalars(select(OutboxMessage.reference)).all()
    assert references == [offer_reference(recent)]


def test_clearing_offers_twice_changes_nothing_more_and_leaves_one_audit_line_each(
    old_edition,
):
    old = old_offer(old_edition).id
    assert purge().offer_contacts == 1
    once = offer_row(old)
    assert purge().offer_contacts == 0
    assert offer_row(old) == once
    (line,) = audit_lines("grand_bain.offer_contact_purged")
    assert (line.actor_kind, line.subject_type, line.subject_id) == (
        "system",
        "grand_bain_offer",
        old,
    )
    assert (line.before, line.after, line.reason) == (None, None, "retention 12 months")


def test_a_cleared_offer_gets_no_more_mail(old_edition):
    purge()
    offer = old_offer(old_edition)
    with unit_of_work("decide"):
        assert notices.about_offer(offer, "accepted") is None
    assert count(OutboxMessage) == 0


def test_the_back_office_says_the_contact_was_cleared(app, old_edition, make_staff):
    staff = sign_in(app.test_client(), make_staff("admin"))
    url = f"/admin/grand-bain/offers/{old_offer(old_edition).id}"
    assert "Sophie Janssens" in staff.get(url).get_data(as_text=True)
    purge()
    page = staff.get(url).get_data(as_text=True)
    assert "Coordonnées effacées (durée de conservation)" in page
    assert "Sophie Janssens" not in page and "accueil@mm-midi.be" not in page
    assert "None" not in page
    assert "Maison médicale du Midi" in page and "Rue du Midi 12" in page


def test_a_cleared_offers_visitor_message_is_signed_with_the_service_only(old_edition):
    from flask import render_template

    purge()
    offer = old_offer(old_edition)
    visitor = Visitor(first_name="Anne", language="fr")
    context = {"offer": offer, "visitor": visitor, "body": "Merci.", "language": "fr"}
    for name in ("txt", "html"):
        text = render_template(f"mail/grand_bain_host_message.{name}", **context)
        assert "None" not in text and "Maison médicale du Midi" in text


# -- erasure by the visitor -----------------------------------------------------------------


@pytest.fixture
def full_visit(edition, make_offer, person):
    """One place: Anne 1 holds it (with a question), Anne 2 waits for it; Anne 1 also has a
    second visit elsewhere. Their mails so far are delivered."""
    offer = make_offer("Maison médicale du Midi", [(0, "09:00", "10:30", 1)])
    other = make_offer("CPAS de Forest", [(2, "09:00", "10:30", 5)], email="c@f.be")
    slots = [offer.slots[0].id, other.slots[0].id]
    rules.book(edition.id, slots, person(1), questions={slots[0]: "Puis-je venir à deux ?"})
    rules.book(edition.id, [slots[0]], person(2), waitlist=True)
    deliver_all()
    return offer


def test_the_personal_page_offers_erasure_and_asks_once_more(client, full_visit):
    token = visitor_of("anne.1@example.org").token
    page = client.get(f"/grand-bain/visits/{token}").get_data(as_text=True)
    assert f"/grand-bain/visits/{token}/erase" in page and "Effacer mes données" in page
    confirm = client.get(f"/grand-bain/visits/{token}/erase")
    assert confirm.status_code == 200
    assert confirm.headers["Cache-Control"] == "private, no-store"
    text = confirm.get_data(as_text=True)
    assert 'method="post"' in text and "Oui, effacer mes données" in text
    assert "Maison médicale du Midi" in text and "CPAS de Forest" in text  # to be cancelled
    assert visitor_of("anne.1@example.org").anonymised_at is None  # asking changes nothing
    dutch = client.get(f"/grand-bain/visits/{token}/erase?lang=nl").get_data(as_text=True)
    assert "Mijn gegevens wissen?" in dutch and "Bezoeken die geannuleerd worden" in dutch


def test_erasing_cancels_her_visits_promotes_the_waitlist_then_wipes_her(client, full_visit, smtp):
    eraser = visitor_of("anne.1@example.org")
    eraser_id, token = eraser.id, eraser.token
    waiting = visitor_of("anne.2@example.org").id
    response = client.post(f"/grand-bain/visits/{token}/erase")
    assert response.status_code == 200
    assert "Vos données sont effacées" in response.get_data(as_text=True)

    visitor, bookings = snapshot(eraser_id)
    assert all(visitor[name] is None for name in PERSONAL) and visitor["anonymised_at"]
    assert [b["status"] for b in bookings] == [BookingStatus.CANCELLED] * 2
    assert [b["question"] for b in bookings] == [None, None]
    (promoted,) = snapshot(waiting)[1]
    assert promoted["status"] == BookingStatus.CONFIRMED
    assert db.session.get(Booking, promoted["id"]).slot.booked_count == 1

    deliver_all()
    (mail,) = smtp.inbox.to("anne.2@example.org")[1:]
    assert "une place s'est libérée" in mail["Subject"]
    assert smtp.inbox.to("anne.1@example.org")[1:] == []  # nothing more to an erased address
    host_subjects = sorted(m["Subject"] for m in smtp.inbox.to("accueil@mm-midi.be")[2:])
    assert host_subjects == ["Grand Bain : nouvelle réservation", "Grand Bain : visite annulée"]
    assert count(OutboxMessage, OutboxMessage.reference == visitor_reference(eraser_id)) == 0

    assert client.get(f"/grand-bain/visits/{token}").status_code == 404
    assert client.get(f"/grand-bain/calendar/{token}.ics").status_code == 404
    (line,) = audit_lines("grand_bain.erased")
    assert (line.actor_kind, line.actor_id, line.subject_id) == (
        "personal-link",
        eraser_id,
        eraser_id,
    )
    assert len(audit_lines("grand_bain.cancelled")) == 2


def test_erasing_leaves_the_other_visitors_untouched(client, full_visit):
    other = visitor_of("anne.2@example.org").id
    before = snapshot(other)
    client.post(f"/grand-bain/visits/{visitor_of('anne.1@example.org').token}/erase")
    after = snapshot(other)
    assert after[0] == before[0]
    # Her only change: the place she waited for.
    assert [b["status"] for b in after[1]] == [BookingStatus.CONFIRMED]


def test_a_second_erasure_is_harmless(client, full_visit):
    eraser = visitor_of("anne.1@example.org")
    eraser_id, token = eraser.id, eraser.token
    client.post(f"/grand-bain/visits/{token}/erase")
    erased = snapshot(eraser_id)
    assert client.post(f"/grand-bain/visits/{token}/erase").status_code == 404
    assert erase(eraser_id) is False  # the operation itself, called again
    assert snapshot(eraser_id) == erased
    assert len(audit_lines("grand_bain.erased")) == 1


def test_erasure_keeps_past_visits_for_the_figures(edition, make_offer, person):
    offer = make_offer("Maison médicale du Midi", [(0, "09:00", "10:30", 5)])
    rules.book(edition.id, [offer.slots[0].id], person(1))
    visitor = visitor_of("anne.1@example.org")
    later = at(edition, 0, "12:00")  # the visit is over
    before = asdict(figures.edition_figures(edition))
    with unit_of_work("test erase"):
        assert _personal_data.erase(visitor.id, now=later) is True
    (booking,) = snapshot(visitor.id)[1]
    assert booking["status"] == BookingStatus.CONFIRMED
    assert asdict(figures.edition_figures(db.session.get(Edition, edition.id))) == before


def test_the_host_sees_an_erased_visitors_past_visit_without_her_name(
    client, edition, make_offer, person
):
    offer = make_offer("Maison médicale du Midi", [(0, "09:00", "10:30", 5)])
    rules.book(edition.id, [offer.slots[0].id], person(1, first_name="Joséphine"))
    with unit_of_work("test erase"):
        _personal_data.erase(visitor_of("anne.1@example.org").id, now=at(edition, 0, "12:00"))
    page = client.get(f"/grand-bain/offers/{offer.token}").get_data(as_text=True)
    assert "Données effacées" in page
    assert "Joséphine" not in page and "Peeters1" not in page


def test_an_erased_visitor_is_left_out_of_a_hosts_message(edition, make_offer, person):
    from webapp.audit import SYSTEM
    from webapp.grandbain import hosts

    offer = make_offer("Maison médicale du Midi", [(0, "09:00", "10:30", 5)])
    rules.book(edition.id, [offer.slots[0].id], person(1))
    rules.book(edition.id, [offer.slots[0].id], person(2))
    with unit_of_work("test erase"):
        _personal_data.erase(visitor_of("anne.1@example.org").id, now=at(edition, 0, "12:00"))
    with unit_of_work("host message"):
        assert hosts.message_visitors(offer.id, "Merci", "Merci d'être venue.", SYSTEM) == 1


class TestWithCSRF:
    @pytest.fixture
    def app_config(self, smtp):
        return {"WTF_CSRF_ENABLED": True}

    def test_erasure_needs_the_forms_csrf_token(self, client, edition, make_offer, person):
        offer = make_offer()
        rules.book(edition.id, [offer.slots[0].id], person(1))
        visitor = visitor_of("anne.1@example.org")
        url = f"/grand-bain/visits/{visitor.token}/erase"
        confirm = client.get(url).get_data(as_text=True)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', confirm).group(1)
        before = snapshot(visitor.id)
        assert client.post(url).status_code == 400
        assert client.post(url, data={"csrf_token": "forged"}).status_code == 400
        assert snapshot(visitor.id) == before
        assert client.post(url, data={"csrf_token": csrf}).status_code == 200
        assert snapshot(visitor.id)[0]["anonymised_at"] is not None
