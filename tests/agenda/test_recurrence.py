"""A repeating event's rule in words (webapp/agenda/recurrence.py), in French and Dutch."""

from datetime import datetime

import pytest

from webapp.agenda.recurrence import rule_in_words

FIRST = datetime(2027, 1, 18, 18, 0)  # a Monday


@pytest.mark.parametrize(
    "rule, french, dutch",
    [
        (
            "FREQ=MONTHLY;BYDAY=3MO",
            "chaque troisième lundi du mois",
            "elke derde maandag van de maand",
        ),
        (
            "FREQ=MONTHLY;BYDAY=-1FR",
            "chaque dernier vendredi du mois",
            "elke laatste vrijdag van de maand",
        ),
        ("FREQ=WEEKLY;BYDAY=TU,TH", "chaque mardi et jeudi", "elke dinsdag en donderdag"),
        ("FREQ=WEEKLY", "chaque lundi", "elke maandag"),
        ("FREQ=WEEKLY;UNTIL=20271231T235959Z", "chaque lundi", "elke maandag"),
        ("FREQ=WEEKLY;INTERVAL=2;BYDAY=WE", "un mercredi sur 2", "om de 2 weken op woensdag"),
        ("FREQ=MONTHLY;BYMONTHDAY=5", "le 5 de chaque mois", "de 5e van elke maand"),
        ("FREQ=YEARLY", "chaque année le 18 janvier", "elk jaar op 18 januari"),
    ],
)
def test_a_rule_reads_in_both_languages(rule, french, dutch):
    assert rule_in_words(rule, FIRST, "fr") == french
    assert rule_in_words(rule, FIRST, "nl") == dutch


def test_a_rule_beyond_the_phrases_says_nothing_rather_than_something_wrong():
    assert rule_in_words("FREQ=MONTHLY;BYDAY=1MO,3MO", FIRST) is None
    assert rule_in_words("not a rule", FIRST) is None


def test_the_event_page_says_the_rule_the_facts_and_the_map(make_event, client):
    event = make_event(
        rrule="FREQ=MONTHLY;BYDAY=3MO",
        registration_mode="none",
        languages="fr,nl",
        free=True,
        interpreting_fr="Langue des signes (LSFB)",
    )
    event.venue.step_free = True
    event.venue.lift = True
    from webapp.extensions import db

    db.session.commit()
    html = client.get(f"/events/{event.id}").text
    assert "chaque troisième lundi du mois" in html
    assert "https://www.openstreetmap.org/search?query=" in html
    assert "français, néerlandais" in html and "Gratuit" in html
    assert "Accès de plain-pied" in html and "Ascenseur" in html and "LSFB" in html
