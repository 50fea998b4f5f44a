"""The digest job: what a digest holds for its reader, one per subscriber and period (even
with two workers at once, on PostgreSQL), none when nothing matches, and its headers on the
wire (one-click unsubscribe)."""

import threading
from datetime import timedelta

import time_machine
from sqlalchemy import func, select

from tests.conftest import postgresql_only
from tests.digest.conftest import outbox, subscribed
from tests.factories import morning_in
from webapp.digest.jobs import send_digests
from webapp.digest.models import DigestSubscription
from webapp.digest.periods import period_key
from webapp.extensions import db
from webapp.mail.models import OutboxMessage
from webapp.mail.outbox import deliver_all
from webapp.timezones import utcnow
from webapp.worker.schedule import JOBS, run_if_due


def _digests():
    return [
        m
        for m in outbox()
        if m.reference.startswith("digest:")
        and "genda" in m.subject
        and "Confirm" not in m.subject
        and "Bevestig" not in m.subject
    ]


def _next_week():
    return utcnow() + timedelta(days=7)


def test_a_digest_holds_what_matches_new_first_with_places_and_save_the_date(client, make_event):
    old = make_event(title="Formation ancienne", kind="formation", start=morning_in(9))
    other_bassin = make_event(title="Au nord", kind="formation", bassins=("nord",))
    other_kind = make_event(title="Une concertation", kind="concertation")
    row = subscribed(client, bassins=["sud"], kinds=["formation", "rdv-prevention"])
    with time_machine.travel(_next_week(), tick=False):
        new = make_event(
            title="Formation nouvelle",
            kind="formation",
            start=morning_in(12),
            capacity=10,
            confirmed_count=7,
        )
        later = make_event(
            title="Rendez-vous dans six mois",
            kind="rdv-prevention",
            start=morning_in(180),
            series_slug="sud-prevention",
        )
        assert send_digests(utcnow()) == 1
    (digest,) = _digests()
    text = digest.body_text
    assert digest.recipient == "anne@example.org"
    assert text.index("Nouveau depuis votre dernier envoi") < text.index("Formation nouvelle")
    assert text.index("Formation nouvelle") < text.index("À venir") < text.index(old.title)
    assert "3 places restantes" in text
    assert "À retenir" in text and later.title in text
    assert other_bassin.title not in text and other_kind.title not in text
    assert f"https://agenda.test/events/{new.id}?lang=fr" in text
    assert f"https://agenda.test/digest/{row.token}?lang=fr" in text
    assert digest.list_unsubscribe == f"https://agenda.test/digest/{row.token}/unsubscribe"
    assert "1 activité" not in digest.subject and "2 activités à venir" in digest.subject


def test_a_dutch_reader_gets_dutch_words_and_links(client, make_event):
    event = make_event(title="Concertation", title_nl="Overleg", start=morning_in(10))
    subscribed(client, language="nl")
    with time_machine.travel(_next_week(), tick=False):
        send_digests(utcnow())
    (digest,) = _digests()
    assert "Overleg" in digest.body_text and "Binnenkort" in digest.body_text
    assert f"https://agenda.test/events/{event.id}?lang=nl" in digest.body_text
    assert "komende activiteit" in digest.subject


def test_nothing_matches_no_mail_and_the_period_is_done(client, make_event):
    make_event(kind="concertation")
    row = subscribed(client, kinds=["webinaire"])
    with time_machine.travel(_next_week(), tick=False):
        assert send_digests(utcnow()) == 0
        db.session.expire_all()
        assert db.session.get(DigestSubscription, row.id).last_period == period_key(
            "weekly", utcnow()
        )
    assert _digests() == []


def test_one_digest_per_period_then_the_next_period_again(client, make_event):
    make_event(start=morning_in(20))
    subscribed(client, "a@example.org")
    subscribed(client, "b@example.org", frequency="monthly")
    monday = _next_week()
    with time_machine.travel(monday, tick=False):
        first = send_digests(utcnow())
        again = send_digests(utcnow() + timedelta(hours=2))
    assert (again, len(_digests())) == (0, first)
    with time_machine.travel(monday + timedelta(days=7), tick=False):
        weekly_again = send_digests(utcnow())
    assert weekly_again >= 1  # the weekly reader's next week; the monthly one waits its month
    recipients = sorted(m.recipient for m in _digests())
    assert recipients.count("a@example.org") == 2


def test_the_digest_arrives_with_one_click_unsubscribe_headers(app, client, smtp, make_event):
    make_event(start=morning_in(10))
    row = subscribed(client)
    token = row.token
    with time_machine.travel(_next_week(), tick=False):
        send_digests(utcnow())
        deliver_all()
    digest = next(
        m
        for m in smtp.inbox.to("anne@example.org")
        if "genda" in m["Subject"] and "Confirm" not in m["Subject"]
    )
    assert digest["List-Unsubscribe"] == f"<https://agenda.test/digest/{token}/unsubscribe>"
    assert digest["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert digest["Auto-Submitted"] == "auto-generated"
    # Sent: the address and the personal links are gone from the outbox.
    sent = db.session.scalars(select(OutboxMessage).where(OutboxMessage.status == "sent")).all()
    assert all(m.list_unsubscribe is None and m.recipient == "" for m in sent)
    answer = app.test_client().post(
        f"/digest/{token}/unsubscribe", data={"List-Unsubscribe": "One-Click"}
    )
    assert answer.status_code == 200
    assert db.session.scalar(select(func.count()).select_from(DigestSubscription)) == 0


def _race(app, work):
    """Run `work` in two threads at once, each with its own app context (its own session)."""
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        with app.app_context():
            barrier.wait()
            try:
                results.append(work())
            except Exception as error:  # the test reports it
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    return results


@postgresql_only
def test_two_workers_racing_queue_one_digest_per_subscriber(app, client, make_event):
    make_event(start=morning_in(20))
    emails = [f"person{n}@example.org" for n in range(450)]  # more than two batches
    for email in emails[:3]:
        subscribed(client, email)
    # The rest confirmed directly (the pages are tested above), in last week's period.
    db.session.add_all(
        DigestSubscription(
            email=email,
            token=f"{n:043d}",
            confirmed_at=utcnow(),
            frequency="weekly",
            language="fr",
            bassins=[],
            kinds=[],
            themes=[],
            last_period=period_key("weekly", utcnow()),
        )
        for n, email in enumerate(emails[3:])
    )
    db.session.commit()
    now = _next_week()
    # The digest job itself, twice at once (as if the job claim had been taken over).
    results = _race(app, lambda: send_digests(now))
    assert sum(results) == len(emails)
    digests = _digests()
    assert sorted(m.recipient for m in digests) == sorted(emails)
    # And the worker's way: the job claim lets one of two workers run it.
    job = next(j for j in JOBS if j.name == "send-digests")
    later = now + timedelta(days=7)
    ran = _race(app, lambda: run_if_due(job, later))
    assert sorted(ran) == [False, True]
    assert len(_digests()) == 2 * len(emails)


def test_two_readers_of_the_same_digest_each_get_their_own_links(client, make_event):
    make_event(start=morning_in(10))
    first = subscribed(client, "a@example.org").token
    second = subscribed(client, "b@example.org").token
    with time_machine.travel(_next_week(), tick=False):
        assert send_digests(utcnow()) == 2
    by_reader = {m.recipient: m for m in _digests()}
    assert first in by_reader["a@example.org"].body_html
    assert second not in by_reader["a@example.org"].body_html
    assert second in by_reader["b@example.org"].body_text
    assert first not in by_reader["b@example.org"].body_text
