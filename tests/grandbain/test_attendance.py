"""Who came to a visit: the host ticks its started visits (its personal link, or the back
office for the bassin's team and the service's account); marks replace the earlier ones,
waitlisted and cancelled bookings are never marked, a foreign id writes nothing, and the
figures' no-show rate counts only the visits recorded."""

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.admin import conftest as staff_fixtures
from tests.admin.conftest import sign_in
from tests.edge import Committed
from tests.grandbain.conftest import rules
from webapp import audit
from webapp.agenda.models import Organisation
from webapp.audit import AuditEntry
from webapp.extensions import db
from webapp.grandbain import attendance as _attendance
from webapp.grandbain import figures
from webapp.grandbain.attendance import AttendanceRefused
from webapp.grandbain.models import Booking, Edition, Offer, Slot
from webapp.grandbain.states import BookingStatus
from webapp.timezones import local_today, utcnow
from webapp.unit_of_work import unit_of_work

attendance = Committed(_attendance)
make_staff, sud_client = staff_fixtures.make_staff, staff_fixtures.sud_client
HOST = audit.Actor(audit.Actor.PERSONAL_LINK, None)


def started(*slots, hours=2):
    """Move the slots' visits into the past (they were booked while still to come)."""
    with unit_of_work("started"):
        for slot in slots:
            found = db.session.get(Slot, slot.id)
            found.start_at = utcnow() - timedelta(hours=hours)
            found.end_at = utcnow() - timedelta(hours=hours - 1)


def marks(slot_id):
    """booking id -> (status, attended) of every booking of the slot, read afresh."""
    db.session.expire_all()
    return {
        b.id: (b.status, b.attended)
        for b in db.session.scalars(select(Booking).where(Booking.slot_id == slot_id))
    }


def attendance_lines():
    db.session.expire_all()
    return db.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.action == "grand_bain.attendance_recorded")
        .order_by(AuditEntry.id)
    ).all()


@pytest.fixture
def visit(edition, make_offer, person):
    """A slot of 3 places: Peeters1, 2 and 4 confirmed (4 promoted when 3 cancelled),
    Peeters5 waiting; then the visit starts. Returns (offer, slot, bookings by person)."""
    offer = make_offer(slots=((0, "09:00", "10:30", 3),))
    slot = offer.slots[0]
    booked = {}
    for n in (1, 2, 3, 4, 5):
        outcome = rules.book(edition.id, [slot.id], person(n), waitlist=True)
        booked[n] = outcome.bookings[0].id
    rules.cancel(booked[3])
    started(slot)
    now = marks(slot.id)
    statuses = {n: now[booking][0] for n, booking in booked.items()}
    assert statuses == {
        1: "confirmed",
        2: "confirmed",
        3: "cancelled",
        4: "confirmed",
        5: "waitlisted",
    }
    return offer, slot, booked


def test_marks_are_set_then_replaced_with_one_audit_line_of_counts_each(visit):
    offer, slot, booked = visit
    assert attendance.slot_attendance(slot.id) == _attendance.SlotAttendance(3, 0, False)

    after = attendance.record(offer.id, slot.id, {booked[1], booked[4]}, HOST)
    assert (after.taken, after.came, after.no_shows) == (True, 2, 1)
    assert marks(slot.id) == {
        booked[1]: ("confirmed", True),
        booked[2]: ("confirmed", False),
        booked[3]: ("cancelled", None),
        booked[4]: ("confirmed", True),
        booked[5]: ("waitlisted", None),
    }

    again = attendance.record(offer.id, slot.id, {booked[2]}, HOST)
    assert (again.came, again.no_shows) == (1, 2)
    assert {b: a for b, (_s, a) in marks(slot.id).items()} == {
        booked[1]: False,
        booked[2]: True,
        booked[3]: None,
        booked[4]: False,
        booked[5]: None,
    }
    first, second = attendance_lines()
    assert (first.subject_type, first.subject_id) == ("grand_bain_slot", slot.id)
    assert first.before == {"taken": False, "came": 0, "no_shows": 0}
    assert first.after == {"taken": True, "came": 2, "no_shows": 1}
    assert second.before == first.after
    assert second.after == {"taken": True, "came": 1, "no_shows": 2}
    assert "Peeters" not in str(first.before) + str(first.after) + str(first.reason)


def test_nobody_ticked_is_attendance_taken_with_everyone_absent(visit):
    offer, slot, _booked = visit
    after = attendance.record(offer.id, slot.id, set(), HOST)
    assert (after.taken, after.came, after.no_shows, after.visits) == (True, 0, 3, 3)


@pytest.mark.parametrize("who", ["waitlisted", "cancelled", "other slot"])
def test_an_id_not_confirmed_on_this_slot_is_refused_and_nothing_is_written(
    visit, make_offer, person, edition, who
):
    offer, slot, booked = visit
    elsewhere = make_offer("CPAS de Forest", email="c@f.be", slots=((1, "09:00", "10:00", 5),))
    other = rules.book(edition.id, [elsewhere.slots[0].id], person(9)).bookings[0].id
    started(elsewhere.slots[0])
    foreign = {"waitlisted": booked[5], "cancelled": booked[3], "other slot": other}[who]
    before = marks(slot.id)
    with pytest.raises(AttendanceRefused) as refused:
        attendance.record(offer.id, slot.id, {booked[1], foreign}, HOST)
    assert refused.value.reason == "not-confirmed"
    assert refused.value.booking_ids == {foreign}
    assert marks(slot.id) == before
    assert all(a is None for _s, a in before.values())
    assert marks(elsewhere.slots[0].id)[other] == ("confirmed", None)
    assert attendance_lines() == []


def test_a_visit_not_started_or_of_another_offer_is_refused(edition, make_offer, person):
    offer = make_offer()
    other = make_offer("CPAS de Forest", email="c@f.be")
    slot = offer.slots[0]
    booking = rules.book(edition.id, [slot.id], person(1)).bookings[0].id
    with pytest.raises(AttendanceRefused) as refused:
        attendance.record(offer.id, slot.id, {booking}, HOST)
    assert refused.value.reason == "not-started"
    after_start = slot.start_at + timedelta(minutes=1)
    with pytest.raises(AttendanceRefused) as refused:
        attendance.record(other.id, slot.id, {booking}, HOST, now=after_start)
    assert refused.value.reason == "not-found"
    assert marks(slot.id) == {booking: ("confirmed", None)}
    assert attendance_lines() == []
    # From its start, it can be recorded (the host ticks during the visit).
    assert attendance.record(offer.id, slot.id, {booking}, HOST, now=after_start).came == 1


def test_the_host_ticks_who_came_on_its_page_and_sees_x_of_y(client, visit):
    offer, slot, booked = visit
    page = client.get(f"/grand-bain/offers/{offer.token}").get_data(as_text=True)
    form = page.split(f'id="came-{slot.id}"')[1].split("</form>")[0]
    assert "Qui est venu ?" in form
    assert f'value="{booked[1]}"' in form and f'value="{booked[4]}"' in form
    assert f'value="{booked[5]}"' not in form and f'value="{booked[3]}"' not in form
    assert "Peeters2" in form and "Service social de l&#39;hôpital Saint-Pierre" in form
    assert "Pas encore noté" in form

    url = f"/grand-bain/offers/{offer.token}/slots/{slot.id}/attendance"
    response = client.post(url, data={"came": [str(booked[1]), str(booked[4])]})
    assert response.status_code == 303
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["Location"].endswith(f"recorded={slot.id}#came-{slot.id}")
    assert marks(slot.id)[booked[2]] == ("confirmed", False)

    page = client.get(response.headers["Location"]).get_data(as_text=True)
    form = page.split(f'id="came-{slot.id}"')[1].split("</form>")[0]
    assert "Présences enregistrées." in form and "Présent·es : 2 sur 3" in form
    assert f'value="{booked[1]}" id="came-{slot.id}-{booked[1]}" checked' in form
    assert f'value="{booked[2]}" id="came-{slot.id}-{booked[2]}">' in form

    dutch = client.get(f"/grand-bain/offers/{offer.token}?lang=nl").get_data(as_text=True)
    assert '<html lang="nl">' in dutch
    assert "Wie is er gekomen?" in dutch and "Aanwezig: 2 van de 3" in dutch
    assert "Aanwezigheden opslaan" in dutch


def test_the_host_page_offers_no_form_before_the_visit_and_refuses_a_post(
    client, edition, make_offer, person
):
    offer = make_offer()
    slot = offer.slots[0]
    booking = rules.book(edition.id, [slot.id], person(1)).bookings[0].id
    page = client.get(f"/grand-bain/offers/{offer.token}").get_data(as_text=True)
    assert "Qui est venu ?" not in page
    url = f"/grand-bain/offers/{offer.token}/slots/{slot.id}/attendance"
    response = client.post(url, data={"came": str(booking)})
    assert response.status_code == 409
    assert "pas encore commencé" in response.get_data(as_text=True)
    assert marks(slot.id) == {booking: ("confirmed", None)}


@pytest.mark.parametrize("came", ["abc", "-1", "99999999999", "１"])
def test_a_tampered_value_gets_a_message_and_writes_nothing(client, visit, came):
    offer, slot, booked = visit
    url = f"/grand-bain/offers/{offer.token}/slots/{slot.id}/attendance"
    response = client.post(url, data={"came": [str(booked[1]), came]})
    assert response.status_code == 422
    assert "Cochez les visiteurs dans la liste" in response.get_data(as_text=True)
    assert all(a is None for _s, a in marks(slot.id).values())


def test_another_hosts_token_is_not_found_and_writes_nothing(client, visit, make_offer):
    offer, slot, booked = visit
    other = make_offer("CPAS de Forest", email="c@f.be")
    for token in (other.token, "x" * 43):
        url = f"/grand-bain/offers/{token}/slots/{slot.id}/attendance"
        assert client.post(url, data={"came": str(booked[1])}).status_code == 404
    assert all(a is None for _s, a in marks(slot.id).values())
    assert attendance_lines() == []


def test_the_sud_team_records_from_the_back_office_and_nord_cannot(
    app, sud_client, make_staff, visit, make_offer
):
    offer, slot, booked = visit  # Forest: Sud
    url = f"/admin/grand-bain/offers/{offer.id}/slots/{slot.id}/attendance"
    page = sud_client.get(url)
    assert page.status_code == 200 and "Qui est venu ?" in page.get_data(as_text=True)
    offer_page = sud_client.get(f"/admin/grand-bain/offers/{offer.id}").get_data(as_text=True)
    assert f'action="{url}"' in offer_page

    nord = sign_in(app.test_client(), make_staff("bassin", bassins=("nord",)))
    ganshoren = make_offer("Service de Ganshoren", commune="ganshoren", email="g@g.be")
    foreign_urls = [
        url,
        # Nord's own offer with Sud's slot in the URL.
        f"/admin/grand-bain/offers/{ganshoren.id}/slots/{slot.id}/attendance",
    ]
    for foreign in foreign_urls:
        assert nord.get(foreign).status_code == 404
        assert nord.post(foreign, data={"came": str(booked[1])}).status_code == 404
    assert all(a is None for _s, a in marks(slot.id).values())
    assert attendance_lines() == []

    response = sud_client.post(url, data={"came": [str(booked[2])]})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(
        f"/admin/grand-bain/offers/{offer.id}#came-{slot.id}"
    )
    assert {b: a for b, (s, a) in marks(slot.id).items() if s == "confirmed"} == {
        booked[1]: False,
        booked[2]: True,
        booked[4]: False,
    }
    (line,) = attendance_lines()
    assert line.actor_kind == "account" and line.actor_id is not None
    shown = sud_client.get(f"/admin/grand-bain/offers/{offer.id}").get_data(as_text=True)
    assert "Présences enregistrées. Présent·es : 1 sur 3." in shown
    assert "Présent·es : 1 sur 3" in shown.split(f'id="came-{slot.id}"')[1]


def test_a_service_account_records_for_its_own_offer_only(
    app, make_staff, visit, make_offer, edition, person
):
    offer, slot, booked = visit
    theirs = make_offer("CPAS de Forest", email="c@f.be")
    their_booking = rules.book(edition.id, [theirs.slots[0].id], person(8)).bookings[0].id
    started(theirs.slots[0])
    with unit_of_work("orgs"):
        own = Organisation(name="Maison médicale du Midi")
        db.session.add(own)
        db.session.flush()
        db.session.get(Offer, offer.id).organisation_id = own.id
    client = sign_in(app.test_client(), make_staff("service", organisation=own.name))
    mine = f"/admin/grand-bain/offers/{offer.id}/slots/{slot.id}/attendance"
    other = f"/admin/grand-bain/offers/{theirs.id}/slots/{theirs.slots[0].id}/attendance"
    assert client.post(other, data={"came": str(their_booking)}).status_code == 404
    assert marks(theirs.slots[0].id) == {their_booking: ("confirmed", None)}
    assert client.post(mine, data={"came": str(booked[4])}).status_code == 303
    assert marks(slot.id)[booked[4]] == ("confirmed", True)


def test_the_export_says_who_came(client, visit, make_offer, edition, person):
    offer, slot, booked = visit
    attendance.record(offer.id, slot.id, {booked[1]}, HOST)
    body = client.get(f"/grand-bain/offers/{offer.token}/visitors.csv").get_data()
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][-1] == "Présent·e"
    present = {row[3]: row[-1] for row in rows[1:]}
    assert present == {"Peeters1": "Oui", "Peeters2": "Non", "Peeters4": "Non", "Peeters5": ""}


def test_the_no_show_rate_counts_only_the_recorded_visits(client, edition, make_offer, person):
    offer = make_offer(slots=((0, "09:00", "10:00", 5), (1, "09:00", "10:00", 5)))
    ticked, untouched = offer.slots
    for n in (1, 2, 3):
        rules.book(edition.id, [ticked.id], person(n))
    for n in (4, 5):
        rules.book(edition.id, [untouched.id], person(n))
    started(ticked, untouched)
    got = figures.edition_figures(db.session.get(Edition, edition.id))
    assert (got.no_shows_recorded, got.no_show_rate) == (False, None)

    came = db.session.scalars(select(Booking.id).where(Booking.slot_id == ticked.id)).first()
    attendance.record(offer.id, ticked.id, {came}, HOST)
    db.session.expire_all()
    confirmed = db.session.scalars(
        select(Booking).where(Booking.status == BookingStatus.CONFIRMED)
    ).all()
    taken = {b.slot_id for b in confirmed if b.attended is not None}
    recorded = [b for b in confirmed if b.slot_id in taken]
    absent = [b for b in recorded if b.attended is not True]
    got = figures.edition_figures(db.session.get(Edition, edition.id))
    assert (got.visits, got.recorded_visits, got.no_shows) == (5, len(recorded), len(absent))
    assert got.no_show_rate == len(absent) / len(recorded) == 2 / 3

    with unit_of_work("the week is over"):
        shifted = db.session.get(Edition, edition.id)
        shifted.week_start = local_today() - timedelta(days=10)
        shifted.week_end = local_today() - timedelta(days=6)
    page = client.get(f"/grand-bain/{edition.year}/").get_data(as_text=True)
    cell = page.split('<td data-figure="no-shows">')[1].split("</td>")[0]
    assert cell == "2 (67 % sur les 3 visites relevées)"
    dutch = client.get(f"/grand-bain/{edition.year}/?lang=nl").get_data(as_text=True)
    assert "op de 3 genoteerde bezoeken" in dutch


def test_the_back_office_figures_show_the_rate_over_recorded_visits(
    sud_client, edition, make_offer, person
):
    """The back office shows an edition's figures before its week is over."""
    offer = make_offer(slots=((0, "09:00", "10:00", 5),))
    slot = offer.slots[0]
    booked = [rules.book(edition.id, [slot.id], person(n)).bookings[0].id for n in (1, 2)]
    started(slot)
    page = sud_client.get(f"/admin/grand-bain/{edition.year}/figures").get_data(as_text=True)
    assert "non relevées" in page
    sud_client.post(
        f"/admin/grand-bain/offers/{offer.id}/slots/{slot.id}/attendance",
        data={"came": str(booked[0])},
    )
    page = sud_client.get(f"/admin/grand-bain/{edition.year}/figures").get_data(as_text=True)
    mine = page.split(f'<tr data-year="{edition.year}">')[1].split("</tr>")[0]
    assert "1 (50 % sur les 2 visites relevées)" in mine
