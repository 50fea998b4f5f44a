"""A person correcting her details by her own link leaves an audit line naming the fields,
never their values; saving what did not change writes none."""

from sqlalchemy import select

from tests.edge import rules as edge_rules
from webapp.audit import AuditEntry
from webapp.audit_actions import AuditAction
from webapp.extensions import db
from webapp.registrations import rules
from webapp.unit_of_work import unit_of_work


def lines():
    return db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == AuditAction.REGISTRATION_DETAILS_UPDATED)
    ).all()


def test_a_correction_by_own_link_is_audited_by_field_not_value(make_event, person):
    event = make_event(capacity=5)
    registration = edge_rules.register(event.id, person(1)).registration
    with unit_of_work():
        rules.update_details(
            registration.id, dict(person(1), organisation="Maison médicale Tamaris"), {}
        )
    (line,) = lines()
    assert line.subject_id == registration.id
    assert (line.actor_kind, line.actor_id) == ("personal-link", registration.id)
    assert line.after == {"fields": ["organisation"]}
    assert "Tamaris" not in f"{line.before} {line.after} {line.reason}"


def test_saving_unchanged_details_writes_no_line(make_event, person):
    event = make_event(capacity=5)
    registration = edge_rules.register(event.id, person(1)).registration
    with unit_of_work():
        rules.update_details(registration.id, person(1), registration.answers)
    assert lines() == []
