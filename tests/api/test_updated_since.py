"""`updated_since` and `removed`: a partner's copy kept by changes alone stays equal to a
full read; bad values are a 400 that says why; removals are recorded and forgotten."""

import random
from collections import defaultdict
from datetime import timedelta
from urllib.parse import quote

import time_machine
from sqlalchemy import select

from webapp.agenda import operations
from webapp.agenda.models import Event
from webapp.agenda.removals import EventRemoval, purge_removals
from webapp.audit import SYSTEM
from webapp.extensions import db
from webapp.timezones import utcnow
from webapp.unit_of_work import unit_of_work


def _read(client, query="", since=None):
    """Every page of /api/v1/events: (items, removed, as_of)."""
    items, removed, as_of, page = [], set(), None, 1
    while True:
        url = f"/api/v1/events?per_page=7&page={page}{query}"
        if since:
            url += "&updated_since=" + quote(since)
        response = client.get(url)
        assert response.status_code == 200, response.get_json()
        data = response.get_json()
        items += data["items"]
        removed |= set(data["removed"])
        as_of = as_of or data["as_of"]
        if data["links"]["next"] is None:
            return items, removed, as_of
        page += 1


def _by_event(items):
    copy = defaultdict(list)
    for item in items:
        copy[item["id"]].append(item)
    return dict(copy)


def _apply(copy, items, removed):
    """What a partner does with an answer: drop the removed, replace the changed."""
    for event_id in removed:
        copy.pop(event_id, None)
    copy.update(_by_event(items))


def _random_change(rng, ids):
    """One change through the agenda's operations, as the back office makes them."""
    event_id = rng.choice(ids)
    event = db.session.get(Event, event_id)
    choice = rng.choice(["title", "move", "cancel", "unpublish", "publish", "kind", "new"])
    if choice == "title":
        operations.update_event(event_id, {"title_fr": f"Titre {rng.random():.6f}"}, SYSTEM)
    elif choice == "move" and event.status != "cancelled":
        start = event.start_at + timedelta(days=rng.randint(-3, 5))
        operations.move(event_id, start, start + timedelta(hours=2), SYSTEM, notify=False)
    elif choice == "cancel" and event.status in ("published", "postponed"):
        operations.cancel(event_id, SYSTEM, notify=False)
    elif choice == "unpublish" and event.status == "published":
        operations.unpublish(event_id, SYSTEM)
    elif choice == "publish" and event.status == "draft":
        operations.publish(event_id, SYSTEM)
    elif choice == "kind":
        operations.update_event(event_id, {"kind": rng.choice(["formation", "rencontre"])}, SYSTEM)
    elif choice == "new":
        start = utcnow() + timedelta(days=rng.randint(1, 60))
        change = operations.create_event(
            {
                "title_fr": f"Nouveau {rng.random():.6f}",
                "kind": "formation",
                "start_at": start,
                "end_at": start + timedelta(hours=1),
                "status": rng.choice(["published", "draft"]),
            },
            SYSTEM,
        )
        db.session.flush()
        ids.append(change.event.id)


def test_a_copy_kept_by_changes_equals_a_full_read(client, make_event):
    rng = random.Random(27)
    start = utcnow().replace(microsecond=0)
    with time_machine.travel(start, tick=False) as clock:
        ids = [
            make_event(
                start=start + timedelta(days=rng.randint(1, 40)),
                kind=rng.choice(["concertation", "formation"]),
                status=rng.choice(["published", "published", "draft"]),
                rrule="FREQ=WEEKLY;COUNT=3" if rng.random() < 0.2 else None,
            ).id
            for _ in range(25)
        ]
        # Two partners (everything; one kind), each from a full read, then only changes.
        copies = {}
        cursors = {}
        for query in ("", "&kind=formation"):
            items, _removed, as_of = _read(client, query)
            copies[query], cursors[query] = _by_event(items), as_of
        incremental_sizes = []
        for change in range(100):
            clock.shift(timedelta(minutes=3))
            with unit_of_work("test-change"):
                _random_change(rng, ids)
            if change % 10 == 9:
                for query in copies:
                    items, removed, as_of = _read(client, query, since=cursors[query])
                    _apply(copies[query], items, removed)
                    cursors[query] = as_of
                    incremental_sizes.append(len(items))
        for query, copy in copies.items():
            assert copy == _by_event(_read(client, query)[0]), query
        # The reads by changes carried the changes, not the whole agenda each time.
        assert min(incremental_sizes) < len(_read(client)[0])


def test_unpublishing_lists_the_event_in_removed_and_not_in_items(client, make_event):
    kept, gone = make_event(), make_event()
    since = utcnow().isoformat()
    with unit_of_work("test"):
        operations.unpublish(gone.id, SYSTEM)
    data = client.get("/api/v1/events?updated_since=" + quote(since)).get_json()
    assert data["removed"] == [gone.id]
    assert [i["id"] for i in data["items"]] == []
    assert kept.id not in data["removed"]
    assert db.session.scalar(select(EventRemoval.event_id)) == gone.id


def test_a_draft_never_published_is_never_named(client, make_event):
    draft = make_event(status="draft")
    since = (utcnow() - timedelta(days=1)).isoformat()
    with unit_of_work("test"):
        operations.update_event(draft.id, {"title_fr": "Encore un brouillon"}, SYSTEM)
    with unit_of_work("test"):
        operations.delete_draft(draft.id, SYSTEM)
    data = client.get("/api/v1/events?updated_since=" + quote(since)).get_json()
    assert data["removed"] == []


def test_an_event_that_leaves_a_filtered_view_is_removed_from_it(client, make_event):
    event = make_event(kind="formation")
    since = (utcnow() - timedelta(seconds=1)).isoformat()
    with unit_of_work("test"):
        operations.update_event(event.id, {"kind": "rencontre"}, SYSTEM)
    filtered = client.get("/api/v1/events?kind=formation&updated_since=" + quote(since))
    assert filtered.get_json()["removed"] == [event.id]
    everything = client.get("/api/v1/events?updated_since=" + quote(since)).get_json()
    assert everything["removed"] == []
    assert [i["id"] for i in everything["items"]] == [event.id]


def test_bad_updated_since_is_a_400_that_says_why(client, make_event):
    make_event()
    for value in (
        "yesterday",
        "2026-12-01T10:00:00",
        "9999-12-31T23:59:59-23:59",
        "2020-01-01T00:00:00Z",
    ):
        response = client.get("/api/v1/events?updated_since=" + quote(value))
        assert response.status_code == 400, value
        assert "updated_since" in response.get_json()["problems"]
    dutch = client.get("/api/v1/events?lang=nl&updated_since=yesterday").get_json()
    assert "ISO 8601" in dutch["problems"]["updated_since"]
    assert (
        dutch["problems"]["updated_since"]
        != client.get("/api/v1/events?updated_since=yesterday").get_json()["problems"][
            "updated_since"
        ]
    )


def test_an_unencoded_plus_in_the_offset_is_read_as_one(client, make_event):
    event = make_event()
    since = (utcnow() - timedelta(minutes=5)).astimezone().strftime("%Y-%m-%dT%H:%M:%S+00:00")
    response = client.get("/api/v1/events?updated_since=" + since)  # '+' arrives as ' '
    assert response.status_code == 200
    assert [i["id"] for i in response.get_json()["items"]] == [event.id]


def test_removals_are_forgotten_after_their_time(app, make_event):
    event = make_event()
    with unit_of_work("test"):
        operations.unpublish(event.id, SYSTEM)
    with unit_of_work("test"):
        assert purge_removals(utcnow() + timedelta(days=89)) == 0
    with unit_of_work("test"):
        assert purge_removals(utcnow() + timedelta(days=91)) == 1
    assert db.session.scalar(select(EventRemoval.event_id)) is None
