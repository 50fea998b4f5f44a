"""Mail as filters and robots read it, taken from the real SMTP server: Auto-Submitted,
Reply-To (the event's contact, else its bassin's team) named in the text, a Message-ID in
the sender's domain, subjects a decoder reads back exactly, and SpamAssassin's local rules
scoring every kind of message the app sends at most 0.5."""

import email
from datetime import timedelta
from email import policy

import pytest

from tests.admin.conftest import make_staff  # noqa: F401 (a fixture)
from tests.edge import Committed, rules
from tests.spam import needs_spamassassin, spam_scores
from webapp.agenda import operations as _operations
from webapp.audit import SYSTEM
from webapp.auth import resets as _resets
from webapp.evaluations import jobs as evaluation_jobs
from webapp.mail.outbox import deliver_all
from webapp.registrations import jobs as registration_jobs
from webapp.registrations import staff as _staff
from webapp.registrations.states import RegistrationStatus
from webapp.timezones import utcnow

operations = Committed(_operations)
staff = Committed(_staff)
resets = Committed(_resets)
evaluation_jobs = Committed(evaluation_jobs)
registration_jobs = Committed(registration_jobs)

LONG_TITLE = (
    "Concertation liaison ambulatoire-hôpital #4 : sortie d'hospitalisation, "
    "retour à domicile et coordination des soins à Forest, Uccle et Saint-Gilles"
)
MAX_SCORE = 0.5


def raw_to(smtp, address):
    """The raw bytes of the messages to `address`, in the order they came."""
    return [
        raw
        for raw, message in zip(smtp.inbox.raw, smtp.inbox.messages, strict=True)
        if address in message["To"]
    ]


def test_a_registration_mail_is_auto_submitted_with_the_contact_as_reply_to(
    make_event, person, smtp
):
    event = make_event(title=LONG_TITLE, contact_email="liaison@cpas-forest.be", capacity=5)
    rules.register(event.id, person(1))
    assert deliver_all() == (1, 0)
    (raw,) = raw_to(smtp, "anne.1@example.org")
    message = email.message_from_bytes(raw, policy=policy.default)
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Reply-To"] == "liaison@cpas-forest.be"
    assert message["Message-ID"].endswith("@bassins.brussels>")  # MAIL_DEFAULT_SENDER's domain
    # The subject a decoder reads is the one written, accents and all, however it was folded.
    assert message["Subject"] == f"Inscription confirmée : {LONG_TITLE}"
    assert all(len(line) <= 78 for line in raw.split(b"\r\n"))
    text = message.get_body(("plain",)).get_content()
    assert "Pour toute question : liaison@cpas-forest.be" in text
    html = message.get_body(("html",)).get_content()
    assert "Pour toute question : liaison@cpas-forest.be" in html


def test_without_a_contact_answers_go_to_the_bassin_team(make_event, person, smtp):
    event = make_event(title="Atelier du changement", capacity=5, bassins=("sud", "nord"))
    rules.register(event.id, person(2), language="nl")
    deliver_all()
    (raw,) = raw_to(smtp, "anne.2@example.org")
    message = email.message_from_bytes(raw, policy=policy.default)
    assert message["Reply-To"] == "info@bassin-nord.brussels"  # the first of its bassins
    assert message["Auto-Submitted"] == "auto-generated"
    text = message.get_body(("plain",)).get_content()
    assert "Met vragen kunt u terecht bij info@bassin-nord.brussels" in text


def every_kind_of_registrant_mail(make_event, make_staff, person):  # noqa: F811
    """One message of each kind a registrant, a partner or staff receives (Grand Bain's are
    tested in tests/grandbain/test_mail_headers.py)."""
    event = make_event(title=LONG_TITLE, capacity=1, contact_email="liaison@cpas-forest.be")
    first = rules.register(event.id, person(1)).registration  # confirmed, with its REQUEST
    rules.register(event.id, person(2), language="nl")  # waitlisted, TENTATIVE entry
    staff.write_to(
        event.id,
        [RegistrationStatus.CONFIRMED],
        "Informations pratiques",
        "Bonjour,\n\nMerci d'apporter vos dossiers.",
        SYSTEM,
    )
    rules.cancel(first.id)  # cancelled (CANCEL), the second is promoted
    soon = make_event(title="Rendez-vous prévention", start=utcnow() + timedelta(hours=20))
    rules.register(soon.id, person(3))
    registration_jobs.send_reminders()
    moved = make_event(title="Formation: premiers secours psychologiques", capacity=5)
    rules.register(moved.id, person(4))
    operations.postpone(moved.id, SYSTEM, reason="Formatrice malade")
    ended = make_event(title="Concertation santé mentale", start=utcnow() - timedelta(days=2))
    rules.register(ended.id, person(5), now=utcnow() - timedelta(days=3))
    evaluation_jobs.send_evaluations()
    resets.ask_reset(make_staff("bassin", bassins=("sud",)).email)


@needs_spamassassin
def test_spamassassin_scores_every_kind_of_mail_at_most_half_a_point(
    make_event,
    make_staff,  # noqa: F811
    person,
    smtp,
):
    every_kind_of_registrant_mail(make_event, make_staff, person)
    sent, failed = deliver_all()
    assert failed == 0 and sent >= 8
    scores = spam_scores(smtp.inbox.raw)
    report = [
        (message["Subject"], score, rules_hit)
        for message, (score, rules_hit) in zip(smtp.inbox.messages, scores, strict=True)
    ]
    print("\n".join(f"{score:5.1f}  {subject[:60]}  {hit}" for subject, score, hit in report))
    assert [r for r in report if r[1] > MAX_SCORE] == []
    assert all(m["Auto-Submitted"] == "auto-generated" for m in smtp.inbox.messages)


@pytest.mark.parametrize("length", [20, 61, 150, 250])
def test_subjects_of_any_length_decode_exactly(make_event, person, smtp, length):
    title = ("Concertation ambulatoire-hôpital é" * 20)[:length].strip()
    event = make_event(title=title, capacity=5)
    rules.register(event.id, person(1))
    deliver_all()
    (raw,) = raw_to(smtp, "anne.1@example.org")
    message = email.message_from_bytes(raw, policy=policy.default)
    assert message["Subject"] == f"Inscription confirmée : {title}"


def test_a_refusal_names_the_event_s_contact_and_answers_reach_it(make_event, person, smtp):
    event = make_event(
        title="Communauté de pratique",
        registration_mode="approval",
        contact_email="cdp@bassin-sud.brussels",
    )
    pending = rules.register(event.id, person(7)).registration
    staff.refuse(event.id, pending.id, SYSTEM, "Groupe complet")
    deliver_all()
    refusal = email.message_from_bytes(
        raw_to(smtp, "anne.7@example.org")[-1], policy=policy.default
    )
    assert refusal["Reply-To"] == "cdp@bassin-sud.brussels"
    assert (
        "Pour toute question : cdp@bassin-sud.brussels"
        in refusal.get_body(("plain",)).get_content()
    )
