"""States are enums: their CHECKs come from them, the vocabulary labels exactly them, and
the database refuses anything else."""

import pytest
from sqlalchemy.exc import IntegrityError

from webapp.agenda.states import Audience, EventStatus, Kind, RegistrationMode
from webapp.extensions import db
from webapp.registrations.states import QuestionKind, RegistrationStatus
from webapp.vocabulary import AUDIENCES, EVENT_STATUSES, KINDS, REGISTRATION_MODES


@pytest.mark.parametrize(
    "labels, enum",
    [
        (KINDS, Kind),
        (AUDIENCES, Audience),
        (EVENT_STATUSES, EventStatus),
        (REGISTRATION_MODES, RegistrationMode),
    ],
)
def test_every_state_has_a_label_and_every_label_a_state(labels, enum):
    assert list(labels) == [member.value for member in enum]


@pytest.mark.parametrize(
    "table, column, enum",
    [
        ("events", "status", EventStatus),
        ("events", "registration_mode", RegistrationMode),
        ("events", "kind", Kind),
        ("events", "audience", Audience),
        ("registrations", "status", RegistrationStatus),
        ("questions", "kind", QuestionKind),
    ],
)
def test_each_check_lists_exactly_its_enum(app, table, column, enum):
    checks = [
        str(c.sqltext)
        for c in db.metadata.tables[table].constraints
        if getattr(c, "sqltext", None) is not None and str(c.sqltext).startswith(f"{column} IN")
    ]
    listed = ", ".join(f"'{m.value}'" for m in enum)
    assert checks == [f"{column} IN ({listed})"]


def test_helpers_say_what_the_states_mean():
    assert [s for s in EventStatus if s.is_public] == ["published", "cancelled", "postponed"]
    assert [s for s in RegistrationStatus if s.is_active] == ["confirmed", "waitlisted", "pending"]
    assert RegistrationStatus("waitlisted").is_tentative
    assert not RegistrationMode.NONE.takes_registrations


@pytest.mark.parametrize("field, value", [("kind", "apero"), ("audience", "everyone")])
def test_the_database_refuses_an_unknown_kind_or_audience(make_event, field, value):
    with pytest.raises(IntegrityError):
        make_event(**{field: value})
    db.session.rollback()


def test_the_public_statuses_below_the_agenda_are_the_enum_s():
    # content_state stands below the agenda and reads them from the vocabulary.
    from webapp.vocabulary import PUBLIC_STATUSES

    assert tuple(s.value for s in EventStatus if s.is_public) == PUBLIC_STATUSES


def test_code_compares_states_by_their_enums_never_by_bare_strings():
    import re
    from pathlib import Path

    webapp = Path(__file__).resolve().parent.parent / "webapp"
    bare = re.compile(
        r"""(status|registration_mode)\s*(==|!=|in)\s*\(?\s*["']|status\.in_\(\(["']"""
    )
    offenders = [
        f"{path.relative_to(webapp)}:{number}"
        for path in webapp.rglob("*.py")
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if bare.search(line)
    ]
    assert offenders == []
