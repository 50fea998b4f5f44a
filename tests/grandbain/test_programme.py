"""The programme split by day (`date=`), the visits ticked carried from day to day in the
URL (`slot=`, `drop=` takes one out), and the booking page's "Retirer": the visit goes, what
was typed stays, nothing is booked."""

import re

from sqlalchemy import func, select

from tests.grandbain.conftest import rules
from webapp.extensions import db
from webapp.grandbain.models import Booking


def _day_buttons(page):
    return re.findall(r'name="date" value="(\d{4}-\d\d-\d\d)" class="gb-day-button"', page)


def test_the_programme_opens_on_the_first_day_with_an_open_visit(
    client, edition, make_offer, person
):
    full = make_offer("Complet lundi", [(0, "09:00", "10:00", 1)], email="c@x.be")
    make_offer("Ouvert mardi", [(1, "09:00", "10:00", 5)], email="o@x.be")
    make_offer("Ouvert jeudi", [(3, "09:00", "10:00", 5)], email="j@x.be")
    rules.book(edition.id, [full.slots[0].id], person())
    page = client.get(f"/grand-bain/{edition.year}/").get_data(as_text=True)
    assert "Ouvert mardi" in page
    assert "Complet lundi" not in page and "Ouvert jeudi" not in page
    # Every day of the week is one tap away, with its count; the day shown is marked.
    days = _day_buttons(page)
    assert len(days) == 5 and days[0] == edition.week_start.isoformat()
    current = re.search(r'value="([\d-]+)" class="gb-day-button" aria-current="date"', page)
    assert current.group(1) == days[1]


def test_each_day_has_its_page_and_the_whole_week_one_more(client, edition, make_offer):
    make_offer("Lundi", [(0, "09:00", "10:00", 5)], email="l@x.be")
    make_offer("Jeudi", [(3, "09:00", "10:00", 5)], email="j@x.be")
    thursday = client.get(f"/grand-bain/{edition.year}/?date={_day_buttons_of(client, edition)[3]}")
    page = thursday.get_data(as_text=True)
    assert "Jeudi</a>" in page and "Lundi</a>" not in page
    week = client.get(f"/grand-bain/{edition.year}/?date=all").get_data(as_text=True)
    assert "Jeudi</a>" in week and "Lundi</a>" in week
    empty = client.get(f"/grand-bain/{edition.year}/?date={_day_buttons_of(client, edition)[2]}")
    assert "Aucune visite ce jour-là avec ces filtres." in empty.get_data(as_text=True)
    # A day outside the week, or no date at all, is no error.
    assert client.get(f"/grand-bain/{edition.year}/?date=1999-01-01").status_code == 200
    assert client.get(f"/grand-bain/{edition.year}/?date=%00").status_code == 200


def _day_buttons_of(client, edition):
    return _day_buttons(client.get(f"/grand-bain/{edition.year}/").get_data(as_text=True))


def test_ticked_visits_travel_to_another_day_and_drop_takes_one_out(client, edition, make_offer):
    monday = make_offer("Lundi", [(0, "09:00", "10:00", 5), (0, "14:00", "15:00", 5)])
    thursday = make_offer("Jeudi", [(3, "09:00", "10:00", 5)], email="j@x.be")
    first, second = (slot.id for slot in monday.slots)
    url = f"/grand-bain/{edition.year}/?date={_day_buttons_of(client, edition)[3]}"
    page = client.get(f"{url}&slot={first}&slot={second}&slot=x&slot={first}").get_data(
        as_text=True
    )
    # The Thursday page carries Monday's ticks, each once, as hidden fields.
    assert page.count(f'<input type="hidden" name="slot" value="{first}"') == 2  # both forms
    assert page.count(f'<input type="hidden" name="slot" value="{second}"') == 2
    assert "2 visites d'autres jours" in page
    assert f'name="drop" value="{first}"' in page
    dropped = client.get(f"{url}&slot={first}&slot={second}&drop={first}").get_data(as_text=True)
    assert f'name="slot" value="{first}"' not in dropped
    assert f'name="slot" value="{second}"' in dropped
    assert "1 visite d'un autre jour" in dropped
    # A ticked visit of the day shown is its checked box, not a hidden field.
    ticked = client.get(f"{url}&slot={thursday.slots[0].id}").get_data(as_text=True)
    assert re.search(rf'value="{thursday.slots[0].id}" id="slot-\d+" checked', ticked)


def test_the_programme_allows_its_own_script_and_no_other(client, edition, make_offer):
    make_offer()
    response = client.get(f"/grand-bain/{edition.year}/")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "js/grandbain.js" in response.get_data(as_text=True)
    offer_page = client.get(f"/grand-bain/{edition.year}/book")
    assert "script-src 'none'" in offer_page.headers["Content-Security-Policy"]


def test_removing_a_visit_on_the_booking_page_keeps_what_was_typed(
    client, edition, make_offer, person
):
    first = make_offer("Maison médicale du Midi", [(0, "09:00", "10:30", 5)])
    second = make_offer("Hôpital Molière", [(0, "10:40", "11:30", 5)], email="h@x.be")
    third = make_offer("CPAS de Forest", [(2, "09:00", "10:00", 5)], email="f@x.be")
    ids = [first.slots[0].id, second.slots[0].id, third.slots[0].id]
    typed = person() | {"consent": "y", "slot": ids, f"question_{ids[0]}": "Parking ?"}
    refused = client.post(f"/grand-bain/{edition.year}/book", data=typed)
    assert refused.status_code == 409
    page = refused.get_data(as_text=True)
    # The message names the visit and carries the button that removes it.
    alert = page[page.index('id="refusal"') : page.index("</div>", page.index('id="refusal"'))]
    assert "Hôpital Molière" in alert and "Trop proche" in alert
    assert f'form="gb-book-form" name="remove" value="{ids[1]}"' in alert

    kept = client.post(f"/grand-bain/{edition.year}/book", data=typed | {"remove": str(ids[1])})
    assert kept.status_code == 200
    page = kept.get_data(as_text=True)
    assert 'id="refusal"' not in page and "Hôpital Molière" not in page
    assert "Maison médicale du Midi" in page and "CPAS de Forest" in page
    assert 'value="Anne"' in page and 'value="anne.1@example.org"' in page
    assert "Parking ?" in page and re.search(r'<input[^>]*\bchecked\b[^>]*id="consent"', page)
    assert db.session.scalar(select(func.count()).select_from(Booking)) == 0

    booked = client.post(
        f"/grand-bain/{edition.year}/book", data=typed | {"slot": [ids[0], ids[2]]}
    )
    assert booked.status_code == 303
    assert db.session.scalar(select(func.count()).select_from(Booking)) == 2


def test_removing_with_a_bad_id_or_the_last_visit_books_nothing(
    client, edition, make_offer, person
):
    offer = make_offer()
    slot = offer.slots[0].id
    data = person() | {"consent": "y", "slot": [slot]}
    for remove in ("x" * 5000, "9" * 30, str(slot)):
        response = client.post(f"/grand-bain/{edition.year}/book", data=data | {"remove": remove})
        assert response.status_code in (200, 409)
    assert db.session.scalar(select(func.count()).select_from(Booking)) == 0
