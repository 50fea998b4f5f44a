"""An edition's figures: equal to counts made here on the rows, public only after the week,
beside an earlier edition whose totals were entered by hand."""

from datetime import date, timedelta

from sqlalchemy import select

from tests.admin import conftest as staff_fixtures
from tests.grandbain.conftest import rules
from webapp.extensions import db
from webapp.grandbain import figures
from webapp.grandbain.models import Booking, Edition, Offer, Slot
from webapp.grandbain.states import BookingStatus, OfferStatus
from webapp.timezones import local_today
from webapp.unit_of_work import unit_of_work

make_staff = staff_fixtures.make_staff


def week(edition, people_and_slots, make_offer, person):
    """Three accepted hosts (two in Sud, one in Nord), one refused; bookings as asked."""
    midi = make_offer(
        "Maison médicale du Midi", slots=((0, "09:00", "10:00", 3), (1, "09:00", "10:00", 2))
    )
    cpas = make_offer(
        "CPAS de Forest", slots=((0, "11:00", "12:00", 4),), commune="ixelles", email="c@c.be"
    )
    nord = make_offer(
        "Service de Ganshoren", slots=((2, "14:00", "15:00", 6),), commune="ganshoren"
    )
    make_offer("Refusé", slots=((3, "09:00", "10:00", 9),), status=OfferStatus.REFUSED)
    slots = [midi.slots[0], midi.slots[1], cpas.slots[0], nord.slots[0]]
    for n, picks in people_and_slots.items():
        rules.book(edition.id, [slots[i].id for i in picks], person(n))
    return slots


def counted_here(edition):
    """The same figures, counted on the rows with plain Python."""
    offers = db.session.scalars(select(Offer).where(Offer.edition_id == edition.id)).all()
    accepted = [o for o in offers if o.status == OfferStatus.ACCEPTED]
    slots = [s for o in accepted for s in o.slots]
    ids = {s.id for s in slots}
    bookings = [b for b in db.session.scalars(select(Booking)) if b.slot_id in ids]
    confirmed = [b for b in bookings if b.status == BookingStatus.CONFIRMED]
    # A slot's attendance is taken once one of its visits is marked; then unmarked = absent.
    taken = {b.slot_id for b in confirmed if b.attended is not None}
    recorded = [b for b in confirmed if b.slot_id in taken]
    return {
        "services": len(accepted),
        "slots": len(slots),
        "places": sum(s.capacity for s in slots),
        "visitors": len({b.visitor_id for b in confirmed}),
        "visits": len(confirmed),
        "cancelled": sum(b.status == BookingStatus.CANCELLED for b in bookings),
        "no_shows": sum(b.attended is not True for b in recorded),
        "recorded_visits": len(recorded),
    }


def test_the_figures_equal_the_counts_made_on_the_rows(edition, make_offer, person):
    slots = week(edition, {1: [0, 2, 3], 2: [0, 3], 3: [1], 4: [2]}, make_offer, person)
    booking = db.session.scalar(
        select(Booking).where(Booking.slot_id == slots[1].id, Booking.status == "confirmed")
    )
    rules.cancel(booking.id)
    with unit_of_work("attendance"):
        first, second = db.session.scalars(
            select(Booking).where(Booking.slot_id == slots[3].id).order_by(Booking.id)
        ).all()
        first.attended, second.attended = False, True
    db.session.expire_all()

    got = figures.edition_figures(db.session.get(Edition, edition.id))
    expected = counted_here(edition)
    assert {k: getattr(got, k) for k in expected} == expected
    assert expected == {
        "services": 3,
        "slots": 4,
        "places": 15,
        "visitors": 3,
        "visits": 6,
        "cancelled": 1,
        "no_shows": 1,
        "recorded_visits": 2,
    }
    assert got.cancellation_rate == 1 / 7
    assert got.no_show_rate == 1 / 2  # over the visits of the one slot recorded, not all 6
    by_bassin = {line.key: (line.services, line.visits) for line in got.by_bassin}
    assert by_bassin == {"sud": (2, 4), "nord": (1, 2)}
    by_commune = {line.key: line.visits for line in got.by_commune}
    assert by_commune == {"forest": 2, "ixelles": 2, "ganshoren": 2}
    assert [(line.key, line.places) for line in got.by_sector] == [("maison-medicale", 15)]


def test_the_edition_page_shows_the_figures_after_the_week_beside_earlier_editions(
    client, app, make_staff, edition, make_offer, person
):
    week(edition, {1: [0, 2]}, make_offer, person)
    assert "data-figures-year" not in client.get(f"/grand-bain/{edition.year}/").get_data(
        as_text=True
    )
    with unit_of_work("earlier and past"):
        db.session.add(
            Edition(
                year=edition.year - 1,
                week_start=date(edition.year - 1, 10, 6),
                week_end=date(edition.year - 1, 10, 10),
                reported_services=34,
                reported_visitors=86,
                reported_visits=151,
            )
        )
        shifted = db.session.get(Edition, edition.id)
        shifted.week_start = local_today() - timedelta(days=10)
        shifted.week_end = local_today() - timedelta(days=6)
    page = client.get(f"/grand-bain/{edition.year}/").get_data(as_text=True)
    assert f'data-figures-year="{edition.year}"' in page
    assert f'<tr data-year="{edition.year - 1}">' in page
    earlier = page.split(f'<tr data-year="{edition.year - 1}">')[1].split("</tr>")[0]
    assert '<td data-figure="services">34</td>' in earlier
    assert '<td data-figure="visits">151</td>' in earlier
    mine = page.split(f'<tr data-year="{edition.year}">')[1].split("</tr>")[0]
    assert '<td data-figure="visits">2</td>' in mine
    assert '<td data-figure="visitors">1</td>' in mine

    nl = client.get(f"/grand-bain/{edition.year}/?lang=nl").get_data(as_text=True)
    assert "De cijfers" in nl

    # The earlier edition's own page says the same totals as the later one's history.
    own = client.get(f"/grand-bain/{edition.year - 1}/").get_data(as_text=True)
    line = own.split(f'<tr data-year="{edition.year - 1}">')[1].split("</tr>")[0]
    assert '<td data-figure="services">34</td>' in line
    assert '<td data-figure="visitors">86</td>' in line
    assert '<td data-figure="visits">151</td>' in line

    staff = staff_fixtures.sign_in(app.test_client(), make_staff("bassin", bassins=("nord",)))
    admin_page = staff.get(f"/admin/grand-bain/{edition.year}/figures")
    assert admin_page.status_code == 200
    assert 'data-breakdown="commune"' in admin_page.get_data(as_text=True)
    assert staff.get("/admin/grand-bain/1990/figures").status_code == 404


def test_the_slot_count_of_a_refused_offer_is_not_counted(edition, make_offer):
    make_offer("Refusé", status=OfferStatus.REFUSED)
    got = figures.edition_figures(edition)
    assert (got.services, got.slots, got.places) == (0, 0, 0)
    assert got.cancellation_rate is None and got.no_show_rate is None
    assert db.session.scalar(select(Slot.id)) is not None


def test_no_shows_read_not_recorded_until_a_visit_is_marked(edition, make_offer):
    """Nobody marks who came yet: the rate is not a misleading 0 %."""
    got = figures.edition_figures(edition)
    assert not got.no_shows_recorded and got.no_show_rate is None
    got.visits, got.recorded_visits, got.no_shows = 6, 4, 1
    assert got.no_shows_recorded and got.no_show_rate == 1 / 4
