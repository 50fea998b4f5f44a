"""The dashboard reads everything in two statements (a row of counts, a UNION ALL of the
lists), built once per scope with the times as parameters. What it shows must still be what
it counts: for an admin, one or two bassins' coordinators and a service's account, every
list (which events, in which order), its total and every figure are those of the rows
themselves, counted here in Python from the loaded objects; a change is seen at once."""

import random
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import event as sql_event
from sqlalchemy import select

from webapp.admin import dashboard
from webapp.agenda.models import Bassin, Event, EventOccurrence, Organisation
from webapp.agenda.reports import Report
from webapp.auth.scopes import Scope, reaches_event
from webapp.evaluations.models import Answer, EvaluationForm
from webapp.extensions import db
from webapp.grandbain.models import Offer
from webapp.mail.models import OutboxMessage
from webapp.proposals.models import Proposal
from webapp.registrations.models import Registration
from webapp.timezones import local_day_start, to_local, utcnow

SHOWN = ("published", "postponed")
PLACES = ("confirmed", "waitlisted", "pending")  # the places a coming event's card shows
SCOPES = {
    "admin": lambda orgs: Scope.all(),
    "sud": lambda orgs: Scope.of_bassins("sud"),
    "nord": lambda orgs: Scope.of_bassins("nord"),
    "sud and nord": lambda orgs: Scope.of_bassins("sud", "nord"),
    "a service": lambda orgs: Scope.of_organisation(orgs[0]),
    "a service without events": lambda orgs: Scope.of_organisation(orgs[2]),
}


@pytest.fixture
def varied(territory):
    """Sixty events over sixteen months in three bassins, some organised by a service, of
    every status, with registrations of every status (some at the door), reports, drafts,
    evaluations with answers, undelivered mail, proposals and Grand Bain offers: more than a
    list holds in some scopes. Returns the organisations' ids."""
    from tests.admin.test_permissions import grand_bain_offers
    from tests.proposals.factory import submitted

    rng = random.Random(22)
    now = utcnow()
    bassins = {b.slug: b for b in db.session.scalars(select(Bassin))}
    orgs = [Organisation(name=f"Service {n}") for n in "ABC"]
    db.session.add_all(orgs)
    db.session.flush()
    today = local_day_start(to_local(now).date())
    starts = [
        now + timedelta(days=rng.randint(-420, 80), hours=rng.randint(0, 12)) for _ in range(50)
    ]
    starts += [today + timedelta(hours=rng.randint(7, 40)) for _ in range(10)]  # today, tomorrow
    events = []
    for n, start in enumerate(starts):
        event = Event(
            title_fr=f"Rencontre {n}",
            title_nl=f"Ontmoeting {n}" if n % 2 else None,
            kind=rng.choice(["concertation", "formation", "atelier-du-changement"]),
            start_at=start.replace(microsecond=0),
            end_at=start.replace(microsecond=0) + timedelta(hours=rng.choice([2, 3, 30])),
            status=rng.choice(["published", "published", "draft", "cancelled", "postponed"]),
            registration_mode=rng.choice(["open", "approval", "none"]),
            capacity=rng.choice([None, 40]),
            bassins=[
                bassins[s]
                for s in rng.choice([("sud",), ("nord",), ("sud", "nord"), ("nord-est",)])
            ],
            organiser_id=rng.choice([None, orgs[0].id, orgs[1].id]),
            report_url="https://example.org/cr.pdf" if rng.random() < 0.2 else None,
            participants_count=rng.choice([None, None, None, 0, 12]),
        )
        db.session.add(event)
        events.append(event)
        for p in range(rng.randint(0, 6)):
            db.session.add(
                Registration(
                    event=event,
                    status=rng.choice(["confirmed", "pending", "waitlisted", "cancelled"]),
                    email=f"p{n}.{p}@example.org",
                    walk_in=rng.random() < 0.2,
                )
            )
    db.session.flush()
    for event in rng.sample([e for e in events if e.end_at < now], 12):
        db.session.add(
            EvaluationForm(
                event_id=event.id,
                questions=[],
                opened_at=now - timedelta(days=rng.randint(1, 50)),
                closes_at=now + timedelta(days=10),
            )
        )
        for _ in range(rng.randint(0, 3)):
            db.session.add(Answer(event_id=event.id, day=to_local(now).date(), values={}))
    # Reports: drafts to proofread (more than a list holds) and some published.
    for event in rng.sample(events, 14):
        db.session.add(
            Report(event_id=event.id, status=rng.choice(["draft", "draft", "published"]))
        )
    for registration in rng.sample(db.session.scalars(select(Registration)).all(), 8):
        db.session.add(
            OutboxMessage(
                recipient="x@example.org",
                subject="Inscription",
                body_text="x",
                reference=f"registration:{registration.id}",
                status=rng.choice(["failed", "pending"]),
                attempts=rng.choice([0, 1]),
            )
        )
    db.session.add(
        OutboxMessage(recipient="y@example.org", subject="Compte", body_text="y", status="failed")
    )
    grand_bain_offers()
    for offer in db.session.scalars(select(Offer)):
        offer.status = "submitted"
    db.session.commit()
    submitted(("sud",))
    submitted(("sud", "nord"))
    submitted(("nord-est",))
    return [org.id for org in orgs]


def expected(scope, now):
    """What the dashboard must show, counted in Python from every row."""
    events = [e for e in db.session.scalars(select(Event)) if reaches_event(scope, e)]
    registrations = Counter(
        (r.event_id, r.status, r.walk_in) for r in db.session.scalars(select(Registration))
    )

    def count(event, status, walk_in=(False, True)):
        return sum(registrations[(event.id, status, w)] for w in walk_in)

    def soonest(e):
        return (e.start_at, e.id)

    def latest(e):
        return (-e.end_at.timestamp(), e.id)

    coming = sorted((e for e in events if e.end_at > now and e.status != "cancelled"), key=soonest)
    pending = sorted((e for e in events if e.end_at > now and count(e, "pending")), key=soonest)
    without_report = sorted(
        (
            e
            for e in events
            if e.status == "published"
            and e.rrule is None
            and now - timedelta(days=365) < e.end_at <= now
            and not e.has_report
        ),
        key=latest,
    )
    drafts = sorted((e for e in events if e.status == "draft" and e.end_at > now), key=soonest)
    drafted = {r.event_id for r in db.session.scalars(select(Report)) if r.status == "draft"}
    report_drafts = sorted(
        (e for e in events if e.id in drafted), key=lambda e: (-e.start_at.timestamp(), e.id)
    )
    today = to_local(now).date()
    window = (local_day_start(today), local_day_start(today + timedelta(days=2)))
    reached = {e.id: e for e in events}
    dates = {
        (e.id, e.start_at)
        for e in events
        if e.rrule is None and window[0] <= e.start_at < window[1]
    }
    dates |= {
        (o.event_id, o.start_at)
        for o in db.session.scalars(select(EventOccurrence))
        if o.event_id in reached and not o.cancelled and window[0] <= o.start_at < window[1]
    }
    soon = sorted((at, i) for i, at in dates if reached[i].status in SHOWN)
    answers = Counter(a.event_id for a in db.session.scalars(select(Answer)))
    evaluated = [
        reached[f.event_id]
        for f in db.session.scalars(select(EvaluationForm))
        if f.event_id in reached and f.opened_at > now - timedelta(days=30) and answers[f.event_id]
    ]
    year = to_local(now).year
    of_year = [e for e in events if to_local(e.start_at).year == year and e.status in SHOWN]
    moderates = scope.everything or bool(scope.bassins)
    offers = [
        o
        for o in db.session.scalars(select(Offer))
        if o.status == "submitted"
        and (
            scope.everything
            or o.commune.bassin.slug in scope.bassins
            or (scope.organisation_id is not None and o.organisation_id == scope.organisation_id)
        )
    ]
    registration_events = {r.id: r.event_id for r in db.session.scalars(select(Registration))}
    undelivered = [
        m
        for m in db.session.scalars(select(OutboxMessage))
        if (m.status == "failed" or (m.status == "pending" and m.attempts > 0))
        and (
            scope.everything
            or (m.reference or "").removeprefix("registration:").isdigit()
            and registration_events.get(int(m.reference.removeprefix("registration:"))) in reached
        )
    ]
    limit = dashboard.LIST_LIMIT
    return {
        "coming": [e.id for e in coming[:limit]],
        "counts": {
            e.id: tuple(count(e, s, walk_in=(False,)) for s in PLACES) for e in coming[:limit]
        },
        "pending": [(e.id, count(e, "pending")) for e in pending[:limit]],
        "pending total": sum(count(e, "pending") for e in pending),
        "without report": [e.id for e in without_report[:limit]],
        "without report total": len(without_report),
        "drafts": [e.id for e in drafts[:limit]],
        "drafts total": len(drafts),
        "report drafts": [e.id for e in report_drafts[:limit]],
        "report drafts total": len(report_drafts),
        "soon": [(i, at) for at, i in soon[:limit]],
        "evaluations": [(e.id, answers[e.id]) for e in sorted(evaluated, key=latest)[:limit]],
        "kinds": dict(Counter(e.kind for e in of_year)),
        "confirmed": sum(count(e, "confirmed") for e in of_year),
        "reports": sum(1 for e in of_year if e.has_report),
        "proposals": (
            sum(
                1
                for p in db.session.scalars(select(Proposal))
                if p.status == "submitted" and p.event_id in reached
            )
            if moderates
            else None
        ),
        "offers": len(offers) if moderates else None,
        "offers year": max((o.edition.year for o in offers), default=None) if moderates else None,
        "undelivered": len(undelivered),
    }


def shown(board):
    """The same facts, read from the dashboard's Board."""
    return {
        "coming": [card.id for card in board.coming],
        # What a coming event's card reads (a status it does not show may be left out).
        "counts": {
            card.id: tuple(board.counts.get(card.id, {}).get(s, 0) for s in PLACES)
            for card in board.coming
        },
        "pending": [(card.id, n) for card, n in board.pending],
        "pending total": board.pending.total,
        "without report": [card.id for card in board.without_report],
        "without report total": board.without_report.total,
        "drafts": [card.id for card in board.drafts],
        "drafts total": board.drafts.total,
        "report drafts": [card.id for card in board.report_drafts],
        "report drafts total": board.report_drafts.total,
        "soon": [(card.id, at) for card, at in board.soon],
        "evaluations": [(card.id, n) for card, n in board.evaluations],
        "kinds": board.kinds,
        "confirmed": board.confirmed,
        "reports": board.reports,
        "proposals": board.proposals,
        "offers": board.offers,
        "offers year": board.offers_year,
        "undelivered": board.undelivered,
    }


@pytest.mark.parametrize("who", SCOPES)
def test_every_list_and_count_is_what_the_rows_say(app, varied, who):
    scope = SCOPES[who](varied)
    now = utcnow()
    with app.test_request_context():
        board = dashboard.board(scope, now)
        assert shown(board) == expected(scope, now)


def test_the_data_set_fills_the_lists(app, varied):
    """The comparison above means something: lists longer than a page, each kind present."""
    facts = expected(Scope.all(), utcnow())
    assert facts["without report total"] > dashboard.LIST_LIMIT
    assert facts["pending"] and facts["drafts"] and facts["soon"] and facts["evaluations"]
    assert facts["report drafts total"] > dashboard.LIST_LIMIT or facts["report drafts"]
    assert facts["counts"] and facts["undelivered"] and facts["offers"] and facts["proposals"]
    assert len(facts["kinds"]) == 3 and facts["confirmed"] and facts["reports"]
    nord = expected(Scope.of_bassins("nord"), utcnow())
    assert nord["coming"] != facts["coming"]


def test_two_statements_whatever_the_scope(app, varied):
    """Two round trips for an account's scope (its bassins' ids are loaded with it; a scope
    of slugs alone looks them up first)."""
    from webapp.agenda.models import Bassin

    ids = {b.slug: b.id for b in db.session.scalars(select(Bassin))}

    def as_account(scope):
        return Scope(
            everything=scope.everything,
            bassins=scope.bassins,
            organisation_id=scope.organisation_id,
            bassin_ids=frozenset(ids[slug] for slug in scope.bassins),
        )

    statements = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    sql_event.listen(db.engine, "before_cursor_execute", listener)
    try:
        with app.test_request_context():
            for make in SCOPES.values():
                statements.clear()
                dashboard.board(as_account(make(varied)), utcnow())
                assert len(statements) == 2
    finally:
        sql_event.remove(db.engine, "before_cursor_execute", listener)


def test_a_change_is_seen_at_once_and_each_scope_reads_its_own(app, sud_client, make_event):
    """The statements are kept per scope, never the data: a new request to approve shows on
    the next page, and another bassin's board, read in between, does not show it."""
    from tests.edge import rules
    from tests.factories import PERSON

    approval = make_event(title="Communauté de pratique", registration_mode="approval")
    page = sud_client.get("/admin/").get_data(as_text=True)
    assert 'data-work-kind="approvals"><span class="count">0<' in page
    rules.register(approval.id, PERSON)
    with app.test_request_context():
        assert dashboard.board(Scope.of_bassins("nord"), utcnow()).pending.total == 0
    page = sud_client.get("/admin/").get_data(as_text=True)
    assert 'data-work-kind="approvals"><span class="count">1<' in page
    assert f'data-pending-event="{approval.id}"' in page
