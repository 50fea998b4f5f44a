import json

from sqlalchemy import select

from webapp.agenda.importer import ImportProblem
from webapp.agenda.models import Event
from webapp.extensions import db
from webapp.loading import events as loading
from webapp.mail.models import OutboxMessage
from webapp.registrations.models import Registration
from webapp.unit_of_work import unit_of_work


def entry(**changes):
    data = {
        "external_id": "sud-liaison-1",
        "kind": "concertation",
        "title": "Concertation liaison ambulatoire-hôpital #1",
        "bassins": ["sud"],
        "audience": "professionals",
        "start": "2025-03-11T13:00:00+01:00",
        "end": "2025-03-11T16:00:00+01:00",
        "registration": "open",
        "capacity": 2,
        "registrations": [
            {
                "first_name": "Anne",
                "last_name": "Peeters",
                "email": "Anne@Example.org",
                "organisation": "CPAS de Forest",
                "sector": "cpas",
                "status": "confirmed",
                "attended": True,
            },
            {
                "first_name": "Karim",
                "last_name": "El Idrissi",
                "email": "karim@example.org",
                "sector": "hopital",
                "status": "waitlisted",
                "attended": None,
            },
        ],
    }
    data.update(changes)
    return data


def import_events(entries):
    """As import-events runs it: one unit of work."""
    with unit_of_work():
        return loading.import_events(entries)


def test_a_past_sign_up_sheet_is_imported_with_attendance_and_no_mail(territory):
    import_events([entry()])
    rows = db.session.scalars(select(Registration).order_by(Registration.id)).all()
    assert [(r.email, r.status, r.attended) for r in rows] == [
        ("anne@example.org", "confirmed", True),
        ("karim@example.org", "waitlisted", None),
    ]
    assert db.session.scalar(select(Event)).confirmed_count == 1
    assert db.session.scalars(select(OutboxMessage)).all() == []


def test_importing_the_same_sheet_twice_changes_nothing(territory):
    import_events([entry()])
    import_events(json.loads(json.dumps([entry()])))
    assert len(db.session.scalars(select(Registration)).all()) == 2


def test_a_bad_registration_names_its_entry_and_field_and_writes_nothing(territory):
    bad = entry(external_id="b")
    bad["registrations"][1]["email"] = "pas une adresse"
    try:
        import_events([entry(external_id="a"), bad])
    except ImportProblem as problem:
        assert problem.index == 1 and problem.field == "registrations[1].email"
    else:
        raise AssertionError("the import should have failed")
    assert db.session.scalars(select(Event)).all() == []


def test_more_confirmed_than_places_is_refused(territory):
    overbooked = entry()
    overbooked["registrations"][1]["status"] = "confirmed"
    overbooked["capacity"] = 1
    try:
        import_events([overbooked])
    except ImportProblem as problem:
        assert problem.field == "registrations"
    else:
        raise AssertionError("the import should have failed")


def problem_of(entries):
    """The ImportProblem an import raises (and that it wrote nothing)."""
    try:
        import_events(entries)
    except ImportProblem as problem:
        assert db.session.scalars(select(Event)).all() == []
        return problem
    raise AssertionError("the import should have failed")


def test_a_hybrid_event_is_imported_with_its_places_and_registrations_per_mode(territory):
    hybrid = entry(mode="hybrid", online_capacity=80, online_url="https://visio.example/x")
    hybrid["registrations"][0]["mode"] = "onsite"
    hybrid["registrations"][1] |= {"mode": "online", "status": "confirmed"}
    import_events([hybrid])
    event = db.session.scalar(select(Event))
    assert (event.mode, event.capacity, event.online_capacity) == ("hybrid", 2, 80)
    assert (event.confirmed_count, event.online_confirmed_count) == (1, 1)
    rows = db.session.scalars(select(Registration).order_by(Registration.id)).all()
    assert [r.mode for r in rows] == ["onsite", "online"]
    # An online event's registrations are online without saying so.
    online = entry(external_id="online-1", mode="online", online_capacity=5)
    online.pop("capacity")
    import_events([online])
    event = db.session.scalar(select(Event).where(Event.external_id == "online-1"))
    assert (event.confirmed_count, event.online_confirmed_count) == (0, 1)


def test_modes_and_places_that_do_not_fit_are_refused_by_field(territory):
    onsite_online_places = entry(online_capacity=5)
    online_with_onsite_places = entry(mode="online")
    public_with_registration = entry(
        mode="online", online_url_public=True, online_url="https://visio.example/x"
    )
    public_with_registration.pop("capacity")
    unknown_mode = entry(mode="sometimes")
    no_mode_on_hybrid = entry(mode="hybrid", online_capacity=5)
    too_many_online = entry(mode="hybrid", online_capacity=0)
    too_many_online["registrations"][1] |= {"mode": "online", "status": "confirmed"}
    too_many_online["registrations"][0]["mode"] = "onsite"
    for bad, field in (
        (onsite_online_places, "online_capacity"),
        (online_with_onsite_places, "capacity"),
        (public_with_registration, "online_url_public"),
        (unknown_mode, "mode"),
        (no_mode_on_hybrid, "registrations[0].mode"),
        (too_many_online, "registrations"),
    ):
        assert problem_of([bad]).field == field
