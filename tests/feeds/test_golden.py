"""The iCalendar bytes of events, compared with golden files written by an earlier writer.

Calendar clients key their copies on these bytes (UIDs, SEQUENCE, DTSTAMP, folding): a
refactoring of the writer must not move one octet. The events are built in memory (ORM
models never added to a session, and the feed's plain rows), so ids and times are fixed
and the files mean the same on any database and any day.

After a deliberate change of the output, rewrite the files with
`.venv/bin/python -m tests.feeds.test_golden` and review their diff.
"""

from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
import time_machine

from tests.conftest import make_config
from webapp import create_app
from webapp.agenda.models import (
    Bassin,
    Commune,
    Event,
    OccurrenceOverride,
    Organisation,
    Series,
    Venue,
)
from webapp.feeds.ical import calendar_text
from webapp.feeds.rows import FeedEvent

GOLDEN = Path(__file__).resolve().parent / "golden"
# The moment a scheduling message (REQUEST, CANCEL) is stamped.
NOW = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)
CREATED = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)
UPDATED = datetime(2026, 10, 14, 16, 45, 12, tzinfo=UTC)


def utc(year, month, day, hour, minute=0):
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def commune(fr, nl):
    return Commune(municipality_fr=fr, municipality_nl=nl)


def recurring_with_overrides():
    """Third Monday 13:00-16:00 (Brussels), July skipped, March moved, May cancelled."""
    midi = Venue(name="Maison médicale du Midi", address="Rue Haute 1", postal_code="1000")
    midi.commune = commune("Bruxelles", "Brussel")
    return Event(
        id=41,
        kind="rdv-prevention",
        title_fr="Rendez-vous de la Prévention",
        title_nl="Preventieafspraak",
        description_fr="Un moment d'échange, sans inscription.",
        start_at=utc(2027, 1, 18, 12),
        end_at=utc(2027, 1, 18, 15),
        venue=Venue(name="Centre de santé", address="Avenue Van Volxem 10", postal_code="1190"),
        room="Salle 2",
        status="published",
        rrule="FREQ=MONTHLY;BYDAY=3MO;UNTIL=20271231T230000Z",
        exdates=["2027-07-19", "2027-02-15"],
        sequence=3,
        created_at=CREATED,
        updated_at=UPDATED,
        contact_email="rdv@bassin-sud.be",
        overrides=[
            OccurrenceOverride(
                recurrence_start=utc(2027, 3, 15, 12),
                start_at=utc(2027, 3, 15, 13),
                end_at=utc(2027, 3, 15, 16),
                venue=midi,
                room="Étage 1",
                cancelled=False,
                note_fr="Exceptionnellement à 14h, à la Maison médicale du Midi.",
                note_nl="Uitzonderlijk om 14 uur.",
            ),
            OccurrenceOverride(
                recurrence_start=utc(2027, 5, 17, 11),
                start_at=utc(2027, 5, 17, 11),
                end_at=utc(2027, 5, 17, 14),
                cancelled=True,
                note_fr="Annulé (jour férié).",
            ),
        ],
    )


def cancelled_event():
    return Event(
        id=42,
        kind="concertation",
        title_fr="Concertation liaison ambulatoire-hôpital #4",
        description_fr="Ordre du jour : accueil.\n\nDébat; conclusions, suite.",
        start_at=utc(2027, 3, 23, 12),
        end_at=utc(2027, 3, 23, 15),
        venue=Venue(name="CPAS de Forest", address="Rue de Belgrade 88", postal_code="1190"),
        status="cancelled",
        status_reason_fr="Reportée à une date ultérieure.",
        status_reason_nl="Uitgesteld naar een latere datum.",
        sequence=5,
        created_at=CREATED,
        updated_at=UPDATED,
        series=Series(
            title_fr="Liaison ambulatoire-hôpital", title_nl="Liaison ambulant-ziekenhuis"
        ),
    )


def organised_multi_bassin_event():
    """Two bassins, an organisation (no contact address), online (its link only in a
    participant's own entries), a long folded title."""
    return Event(
        id=43,
        kind="formation",
        title_fr="Formation « Repérer la fragilité » : outils, échanges, cas pratiques, et un titre "
        "assez long pour être plié deux fois par le writer",
        title_nl=None,
        description_fr=None,
        start_at=utc(2027, 4, 6, 7, 30),
        end_at=utc(2027, 4, 7, 15),
        online_url="https://visio.example/fragilite?room=12&lang=fr",
        mode="online",
        registration_mode="open",
        status="postponed",
        status_reason_fr="Nouvelle date à venir.",
        sequence=0,
        created_at=CREATED,
        updated_at=UPDATED,
        bassins=[Bassin(slug="nord", name_fr="Nord"), Bassin(slug="sud", name_fr="Sud")],
        organiser=Organisation(name="Réseau Santé, Bruxelles; Nord", email="info@reseau.example"),
    )


def sender_organised_row():
    """A feed row (not a model): no contact, no organisation, a control character in the title."""
    venue = Venue(name="Maison de Quartier Chambéry", address="Rue de Chambéry 24")
    venue.commune = commune("Etterbeek", "Etterbeek")
    return FeedEvent(
        id=44,
        kind="atelier-du-changement",
        title_fr="Atelier\x00 du changement\rDTSTART:19700101",
        title_nl="Veranderingsatelier",
        description_fr="Pour les professionnel·les.",
        description_nl="Voor professionals.",
        start_at=utc(2027, 6, 1, 8),
        end_at=utc(2027, 6, 1, 10),
        venue_id=1,
        room=None,
        online_url=None,
        contact_email=None,
        mode="onsite",
        online_url_public=False,
        registration_mode="none",
        status="published",
        status_reason_fr=None,
        status_reason_nl=None,
        rrule=None,
        exdates=None,
        sequence=1,
        created_at=None,
        updated_at=UPDATED,
        series=SimpleNamespace(title_fr="Cycle changement", title_nl="Cyclus verandering"),
        venue=venue,
    )


def draft_event():
    return Event(
        id=45,
        kind="autre",
        title_fr="Brouillon",
        start_at=utc(2027, 6, 2, 8),
        end_at=utc(2027, 6, 2, 9),
        status="draft",
        sequence=0,
        created_at=CREATED,
        updated_at=UPDATED,
    )


def sample_events():
    return [
        recurring_with_overrides(),
        cancelled_event(),
        organised_multi_bassin_event(),
        sender_organised_row(),
        draft_event(),
    ]


def cases():
    """(file name, bytes) of each call the application makes."""
    events = sample_events()
    recurring, cancelled, organised, row, _draft = events
    return {
        "feed-fr.ics": calendar_text(events, name="Agenda – Sud", method="PUBLISH", language="fr"),
        "feed-nl.ics": calendar_text(events, name="Agenda – Zuid", method="PUBLISH", language="nl"),
        "one-event.ics": calendar_text([recurring], method="PUBLISH", language="fr"),
        # A confirmed online participant's invitation: the link in DESCRIPTION and CONFERENCE.
        "invite-request.ics": calendar_text(
            [organised],
            method="REQUEST",
            language="fr",
            links={organised.id: organised.online_url},
        ),
        "invite-cancel.ics": calendar_text(
            [recurring], method="CANCEL", language="nl", cancelled_ids={recurring.id}
        ),
        "personal.ics": calendar_text(
            [recurring, cancelled, organised, row],
            name="Mes inscriptions – bassins d'aide et de soins",
            language="fr",
            cancelled_ids={organised.id},
            tentative_ids={recurring.id, row.id},
            notes={recurring.id: "liste d'attente", row.id: "demande en attente"},
        ),
    }


def written_cases():
    app = create_app(make_config("sqlite://", MAIL_DEFAULT_SENDER="Agenda <agenda@bassins.test>"))
    with app.app_context(), time_machine.travel(NOW, tick=False):
        return cases()


@pytest.fixture(scope="module")
def written():
    return written_cases()


@pytest.mark.parametrize(
    "name",
    [
        "feed-fr.ics",
        "feed-nl.ics",
        "one-event.ics",
        "invite-request.ics",
        "invite-cancel.ics",
        "personal.ics",
    ],
)
def test_events_are_written_byte_for_byte_as_the_golden_file(written, name):
    assert written[name] == (GOLDEN / name).read_bytes()


if __name__ == "__main__":
    from tests.conftest import pytest_configure

    pytest_configure(None)  # the Dutch catalogue compiled, as under pytest
    GOLDEN.mkdir(exist_ok=True)
    for file_name, body in written_cases().items():
        (GOLDEN / file_name).write_bytes(body)
        print(file_name, len(body))
