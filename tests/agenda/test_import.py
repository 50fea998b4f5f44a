"""import-events: validated whole, then create or update by external_id; idempotent."""

import copy
import json

import pytest
from sqlalchemy import func, select

from tests.factories import local
from webapp.agenda.importer import ImportProblem
from webapp.agenda.models import (
    Event,
    EventOccurrence,
    OccurrenceOverride,
    Organisation,
    Series,
    Venue,
)
from webapp.extensions import db
from webapp.loading import events as loading
from webapp.registrations.models import Registration
from webapp.unit_of_work import unit_of_work

# The contract's example entry (../shared/CONTRACT.md), its placeholders filled in.
CONTRACT_EXAMPLE = {
    "external_id": "sud-liaison-4",
    "kind": "concertation",
    "title": "Concertation liaison ambulatoire-hôpital #4",
    "title_nl": "Overleg ambulant-ziekenhuis #4",
    "description": "Sorties d'hôpital et suivi à domicile.",
    "description_nl": "Ontslag uit het ziekenhuis en thuisopvolging.",
    "bassins": ["sud"],
    "series": "sud-liaison-ambulatoire-hopital",
    "series_title": "Liaison ambulatoire-hôpital",
    "audience": "professionals",
    "start": "2027-03-23T13:00:00+01:00",
    "end": "2027-03-23T16:00:00+01:00",
    "venue": {
        "name": "Maison des Savoirs",
        "address": "Rue de la Glacière 12",
        "commune": "Forest",
    },
    "online_url": "https://meet.example.org/liaison",
    "registration": "open",
    "capacity": 20,
    "waitlist": True,
    "status": "published",
    "rrule": "FREQ=MONTHLY;BYDAY=3MO",
    "exdates": ["2027-07-19"],
    "registrations": [
        {
            "first_name": "Anne",
            "last_name": "Dupont",
            "email": "anne.dupont@example.org",
            "organisation": "Maison médicale du Wiels",
            "sector": "cpas",
            "status": "confirmed",
            "attended": True,
        }
    ],
}


def entry(external_id="sud-liaison-1", **changes):
    result = {
        "external_id": external_id,
        "kind": "concertation",
        "title": f"Concertation {external_id}",
        "bassins": ["sud"],
        "audience": "professionals",
        "start": "2027-03-23T13:00:00+01:00",
        "end": "2027-03-23T16:00:00+01:00",
        "venue": {"name": "Salle Forest", "address": "Rue A 1", "commune": "Forest"},
        "registration": "open",
        "capacity": 20,
    }
    result.update(changes)
    return result


def counts():
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in (
            Event,
            EventOccurrence,
            OccurrenceOverride,
            Series,
            Venue,
            Organisation,
            Registration,
        )
    }


def snapshot():
    db.session.expire_all()
    return [
        (e.external_id, e.title_fr, e.start_at, e.end_at, e.sequence, e.updated_at, e.venue_id)
        for e in db.session.scalars(select(Event).order_by(Event.id))
    ]


def import_events(data):
    """The import as the command runs it: one unit of work."""
    with unit_of_work():
        return loading.import_events(data)


@pytest.fixture
def run_cli(app, territory, tmp_path):
    def run(data):
        path = tmp_path / "events.json"
        path.write_text(json.dumps(data) if not isinstance(data, str) else data, encoding="utf-8")
        return app.test_cli_runner().invoke(args=["import-events", str(path)])

    return run


def test_cli_creates_and_prints_one_json_line_per_event(run_cli):
    result = run_cli([entry("a"), entry("b", title="Deuxième"), entry(None, title="Sans clé")])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [line["external_id"] for line in lines] == ["a", "b", None]
    events = {e.id: e for e in db.session.scalars(select(Event))}
    assert sorted(events) == sorted(line["id"] for line in lines)
    assert events[lines[1]["id"]].title_fr == "Deuxième"
    assert events[lines[0]["id"]].start_at == local(2027, 3, 23, 13)
    assert events[lines[0]["id"]].venue.commune.slug == "forest"


def test_cli_update_by_external_id_and_second_import_changes_nothing(run_cli):
    data = [entry("a"), entry("b")]
    first = run_cli(data)
    assert first.exit_code == 0
    before, state = counts(), snapshot()
    again = run_cli(data)
    assert again.exit_code == 0 and again.output == first.output
    assert counts() == before
    assert snapshot() == state  # no SEQUENCE bump, not even updated_at
    # Now an update: the title (no bump) and the time (one bump) of "b".
    changed = copy.deepcopy(data)
    changed[0]["title"] = "Nouveau titre"
    changed[1]["start"] = "2027-03-24T13:00:00+01:00"
    changed[1]["end"] = "2027-03-24T16:00:00+01:00"
    result = run_cli(changed)
    assert result.exit_code == 0 and result.output == first.output
    assert counts() == before
    events = {e.external_id: e for e in db.session.scalars(select(Event))}
    assert events["a"].title_fr == "Nouveau titre" and events["a"].sequence == 0
    assert events["b"].start_at == local(2027, 3, 24, 13) and events["b"].sequence == 1
    occurrence = db.session.scalar(
        select(EventOccurrence).where(EventOccurrence.event_id == events["b"].id)
    )
    assert occurrence.start_at == local(2027, 3, 24, 13)


@pytest.mark.parametrize(
    "bad, index, field",
    [
        ({"title": None}, 1, "title"),
        ({"title": "x" * 300}, 1, "title"),
        ({"kind": "party"}, 1, "kind"),
        ({"bassins": ["atlantide"]}, 1, "bassins"),
        ({"bassins": []}, 1, "bassins"),
        ({"start": "2027-13-45T10:00:00+01:00"}, 1, "start"),
        ({"end": "2027-03-23T12:00:00+01:00"}, 1, "end"),
        ({"venue": {"name": "Salle", "commune": "Paris"}}, 1, "venue.commune"),
        ({"online_url": "javascript:alert(1)"}, 1, "online_url"),
        ({"capacity": -3}, 1, "capacity"),
        ({"colour": "red"}, 1, "colour"),
        ({"rrule": "FREQ=SOMETIMES"}, 1, "rrule"),
        ({"registrations": [{"email": "not-an-email"}]}, 1, "registrations[0].email"),
        ({"external_id": "a"}, 1, "external_id"),  # repeats entry 0
        # These crashed with a traceback (overflow, database errors) instead of naming the field.
        ({"start": "0001-01-01T00:00:00+01:00"}, 1, "start"),
        ({"end": "9999-12-31T23:59:00-01:00"}, 1, "end"),
        ({"capacity": 10**30}, 1, "capacity"),
        ({"bassins": [["sud"]]}, 1, "bassins"),
        (
            {"venue": {"name": "V", "commune": "Forest", "postal_code": "x" * 40}},
            1,
            "venue.postal_code",
        ),
        ({"venue": {"name": "V", "commune": "Forest", "access_notes": 5}}, 1, "venue.access_notes"),
        ({"venue": {"name": "x" * 300, "commune": "Forest"}}, 1, "venue.name"),
        ({"rrule": "FREQ=MINUTELY"}, 1, "rrule"),  # a million rows in the agenda index
        ({"rrule": "FREQ=HOURLY;COUNT=100"}, 1, "rrule"),
        ({"rrule": "FREQ=DAILY;BYHOUR=1,2,3"}, 1, "rrule"),
        ({"rrule": "DTSTART:20200101T000000\nRRULE:FREQ=YEARLY;COUNT=3"}, 1, "rrule"),
        (
            {
                "registration_opens": "2027-03-20T00:00:00+01:00",
                "registration_closes": "2027-03-10T00:00:00+01:00",
            },
            1,
            "registration_closes",
        ),
        (
            {"rrule": "FREQ=WEEKLY;COUNT=3", "overrides": [{"date": "2027-03-24"}]},
            1,
            "overrides[0].date",
        ),
        ({"rrule": "FREQ=WEEKLY;COUNT=3", "exdates": ["abc"]}, 1, "exdates"),
    ],
)
def test_cli_bad_entry_names_index_and_field_and_writes_nothing(run_cli, bad, index, field):
    assert run_cli([entry("keep")]).exit_code == 0
    before, state = counts(), snapshot()
    data = [entry("a", title="Titre changé"), {**entry("b"), **bad}, entry("c")]
    result = run_cli(data)
    assert result.exit_code != 0
    assert f"entry {index}" in result.output and f"'{field}'" in result.output, result.output
    assert "Nothing was imported" in result.output
    assert counts() == before and snapshot() == state


def test_cli_unreadable_file(run_cli):
    result = run_cli("{not json")
    assert result.exit_code != 0 and "not a readable JSON file" in result.output
    result = run_cli({"an": "object"})
    assert result.exit_code != 0
    assert db.session.scalar(select(func.count()).select_from(Event)) == 0


def test_importer_directly(territory):
    results = import_events([entry("x"), entry("y", status="draft")])
    assert [r.event.external_id for r in results] == ["x", "y"]
    assert db.session.get(Event, results[1].event.id).status == "draft"
    with pytest.raises(ImportProblem) as raised:
        import_events([entry("x", title="Changé"), entry("z", audience="everyone")])
    assert raised.value.index == 1 and raised.value.field == "audience"
    db.session.expire_all()
    assert db.session.get(Event, results[0].event.id).title_fr == "Concertation x"
    assert db.session.scalar(select(Event).where(Event.external_id == "z")) is None
    with pytest.raises(ImportProblem):
        import_events({"not": "a list"})


def test_import_overrides_and_status(territory):
    data = [
        entry(
            "rdv",
            start="2027-01-18T14:00:00+01:00",
            end="2027-01-18T16:00:00+01:00",
            rrule="FREQ=MONTHLY;BYDAY=3MO;COUNT=6",
        )
    ]
    (change,) = import_events(data)
    event_id = change.event.id
    assert db.session.get(Event, event_id).sequence == 0
    data[0]["status"] = "cancelled"
    data[0]["status_reason"] = "Travaux."
    import_events(data)
    db.session.expire_all()
    event = db.session.get(Event, event_id)
    assert event.status == "cancelled" and event.sequence == 1
    import_events(data)
    db.session.expire_all()
    assert db.session.get(Event, event_id).sequence == 1


def test_rule_with_prefix_and_lowercase_imports(territory):
    (change,) = import_events([entry("r", rrule="RRULE:freq=weekly;count=3")])
    event_id = change.event.id
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(EventOccurrence)
            .where(EventOccurrence.event_id == event_id)
        )
        == 3
    )


def test_the_agenda_alone_leaves_registrations_to_the_area_above(territory):
    from webapp.agenda.importer import validate_entries

    with pytest.raises(ImportProblem) as raised:
        validate_entries([entry("a", registrations=[])])
    assert raised.value.field == "registrations"
    (spec,) = validate_entries(
        [entry("a", registrations=[])], extras={"registrations": lambda check, spec: "read"}
    )
    assert spec["registrations"] == "read"


def test_import_removes_bidirectional_and_zero_width_characters_from_one_line_fields(territory):
    person = {"first_name": "Anne\u200b", "last_name": "\u202ePeeters", "email": "a@example.org"}
    data = entry(
        "bidi",
        title="Concertation\u2066 liaison\u2069",
        organiser="\ufeffAMO de Forest",
        description="Deux\u200b lignes\u202e.\nLa seconde.",
        registrations=[person | {"organisation": "CPAS", "sector": "cpas", "status": "confirmed"}],
    )
    import_events([data])
    event = db.session.scalar(select(Event).where(Event.external_id == "bidi"))
    assert event.title_fr == "Concertation liaison"
    assert event.organiser.name == "AMO de Forest"
    registration = db.session.scalar(select(Registration))
    assert (registration.first_name, registration.last_name) == ("Anne", "Peeters")
