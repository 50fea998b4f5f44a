"""What a booking request costs: the refusals the slots already show are the ones book()
gives (answered before any transaction), and a booking POST of three visits renders no mail
and runs a bounded number of SQL statements (issue 24: the rush's p95)."""

import pytest
from flask import template_rendered
from sqlalchemy import event, select

from tests.grandbain.conftest import rules
from webapp.extensions import db
from webapp.grandbain import queries
from webapp.grandbain import rules as plain_rules
from webapp.grandbain.models import Edition, Slot
from webapp.unit_of_work import unit_of_work

# A booking of three visits: the edition, the page's slots, the lock timeout, the slots
# again (fresh), the visitor (upsert), her visits, the slots' lock, the places, then the
# bookings, the audit lines and the notices in one INSERT each on PostgreSQL (one a row on
# SQLite), with a little room for a changed plan. Rendering the notices here took 37.
MOST_STATEMENTS = {"postgresql": 13, "sqlite": 20}


@pytest.fixture
def programme(make_offer):
    """Slots: full (1 place, taken), two at 9:00 on Monday, one on Wednesday, one closed."""
    slots = make_offer(
        "Maison médicale du Midi",
        [(0, "09:00", "10:00", 1), (0, "09:30", "10:30", 5), (2, "14:00", "15:00", 5)],
    ).slots
    other = make_offer("CPAS de Forest", [(3, "09:00", "10:00", 5)], email="c@f.be").slots
    ids = [s.id for s in slots] + [s.id for s in other]
    with unit_of_work("close one"):
        db.session.get(Slot, ids[3]).closed = True
    return ids


def refusal(call):
    try:
        call()
    except plain_rules.BookingRefused as refused:
        return refused.reason, {k: v.code for k, v in refused.problems.items()}
    return None


@pytest.mark.parametrize(
    "pick",
    [
        pytest.param(lambda s: [s[0], s[2]], id="full"),
        pytest.param(lambda s: [s[0], s[1]], id="full-and-too-close"),
        pytest.param(lambda s: [s[1], s[2], s[1]], id="twice"),
        pytest.param(lambda s: [s[2], s[3]], id="closed"),
        pytest.param(lambda s: [s[2], 999_999], id="unknown"),
        pytest.param(lambda s: [], id="none"),
    ],
)
def test_the_refusal_before_the_transaction_is_the_one_book_gives(edition, programme, person, pick):
    rules.book(edition.id, [programme[0]], person(9))  # the one place of slot 0
    asked = pick(programme)
    edition = db.session.get(Edition, edition.id)
    shown = queries.edition_slots(edition, asked)
    early = refusal(lambda: plain_rules.refuse_as_read(edition, shown, asked))
    assert early is not None
    assert early == refusal(lambda: rules.book(edition.id, asked, person(1)))


def test_a_bookable_set_passes_before_the_transaction_and_is_booked(edition, programme, person):
    edition = db.session.get(Edition, edition.id)
    asked = [programme[1], programme[2]]
    plain_rules.refuse_as_read(edition, queries.edition_slots(edition, asked), asked)
    assert len(rules.book(edition.id, asked, person(1)).bookings) == 2


def test_a_full_slot_with_waiting_passes_before_the_transaction(edition, programme, person):
    rules.book(edition.id, [programme[0]], person(9))
    edition = db.session.get(Edition, edition.id)
    asked = [programme[0], programme[2]]
    plain_rules.refuse_as_read(edition, queries.edition_slots(edition, asked), asked, True)


def test_a_booking_post_renders_no_mail_and_runs_few_statements(
    app, client, edition, make_offer, person
):
    slots = [
        make_offer(f"Service {n}", [(n, "09:00", "10:00", 5)], email=f"h{n}@x.be").slots[0].id
        for n in range(3)
    ]
    statements, templates = [], []

    def count(*args, **kwargs):
        statements.append(args[2])

    def rendered(sender, template, context, **extra):
        templates.append(template.name)

    event.listen(db.engine, "before_cursor_execute", count)
    template_rendered.connect(rendered, app)
    try:
        response = client.post(
            f"/grand-bain/{edition.year}/book",
            data=person() | {"consent": "y", "slot": slots},
        )
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
        template_rendered.disconnect(rendered, app)
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    assert templates == []  # the notices are the worker's to write
    most = MOST_STATEMENTS[db.engine.dialect.name]
    assert len(statements) <= most, "\n".join(s[:100] for s in statements)
    booked = db.session.scalars(select(Slot.booked_count).where(Slot.id.in_(slots))).all()
    assert booked == [1, 1, 1]
