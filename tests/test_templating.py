"""The one date-range format of every page (webapp/templating.py `when`), in both languages."""

import re
from datetime import UTC, datetime

import pytest
from flask_babel import force_locale

from webapp.templating import when

SAME_DAY = (datetime(2027, 3, 23, 12, tzinfo=UTC), datetime(2027, 3, 23, 15, tzinfo=UTC))
WEEK = (datetime(2027, 10, 4, 7, tzinfo=UTC), datetime(2027, 10, 8, 15, tzinfo=UTC))


@pytest.mark.parametrize(
    "language, dates, expected",
    [
        ("fr", SAME_DAY, "mardi 23 mars 2027, 13:00 – 16:00"),
        ("nl", SAME_DAY, "dinsdag 23 maart 2027, 13:00 – 16:00"),
        ("fr", WEEK, "du lundi 4 octobre au vendredi 8 octobre 2027, 09:00 – 17:00"),
        ("nl", WEEK, "van maandag 4 oktober tot vrijdag 8 oktober 2027, 09:00 – 17:00"),
    ],
)
def test_a_date_range_has_its_weekday_full_month_and_no_seconds(app, language, dates, expected):
    with app.test_request_context(), force_locale(language):
        assert when(*dates) == expected


def test_the_grand_bain_week_shows_no_seconds_on_its_page(make_event, client):
    event = make_event(start=WEEK[0], end_at=WEEK[1], kind="grand-bain")
    html = client.get(f"/events/{event.id}").text
    assert "du lundi 4 octobre au vendredi 8 octobre 2027, 09:00 – 17:00" in html
    # What a reader sees; the page's schema.org data keeps ISO times for search engines.
    visible = re.sub(r'<script type="application/ld\+json">.*?</script>', "", html, flags=re.S)
    assert ":00:00" not in visible
