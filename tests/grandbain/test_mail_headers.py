"""The Grand Bain's mail as filters and robots read it: every message of the whole path
(call, moderation, booking, cancellation, a host's message) is auto-submitted, answers go to
the host's contact or the bassin's team, and SpamAssassin's local rules score it at most 0.5."""

from sqlalchemy import select

from tests.edge import Committed
from tests.grandbain.test_path import (
    delivered,
)
from tests.grandbain.test_path import (
    test_call_moderation_booking_and_cancellation_with_every_mail as whole_path,
)
from tests.spam import needs_spamassassin, spam_scores
from webapp.audit import Actor
from webapp.extensions import db
from webapp.grandbain import hosts as _hosts
from webapp.grandbain.models import Offer

hosts = Committed(_hosts)

MAX_SCORE = 0.5


def every_grand_bain_mail(client, edition, smtp, person):
    whole_path(client, edition, smtp, person)
    offer = db.session.scalar(select(Offer).where(Offer.contact_email == "social@cpasforest.be"))
    hosts.message_visitors(
        offer.id, "Plan d'accès", "Bonjour,\n\nL'entrée est par la cour.", Actor.account(1)
    )
    delivered(smtp)
    return smtp.inbox


def test_every_grand_bain_mail_is_auto_submitted_with_a_reply_to(client, edition, smtp, person):
    inbox = every_grand_bain_mail(client, edition, smtp, person)
    assert len(inbox.messages) >= 12
    for message in inbox.messages:
        assert message["Auto-Submitted"] == "auto-generated", message["Subject"]
        assert message["Reply-To"], message["Subject"]
    to_host = inbox.to("mm@primeveres.be")[-1]
    assert to_host["Reply-To"] == "info@bassin-sud.brussels"  # Saint-Gilles: the team of Sud
    # Her three visits are with three hosts: answers go to a Grand Bain team.
    to_visitor = inbox.to("anne.1@example.org")[0]
    assert to_visitor["Reply-To"].startswith("info@bassin-")
    assert (
        f"Pour toute question : {to_visitor['Reply-To']}"
        in to_visitor.get_body(("plain",)).get_content()
    )


@needs_spamassassin
def test_spamassassin_scores_every_grand_bain_mail_at_most_half_a_point(
    client, edition, smtp, person
):
    inbox = every_grand_bain_mail(client, edition, smtp, person)
    report = [
        (message["Subject"], *scored)
        for message, scored in zip(inbox.messages, spam_scores(inbox.raw), strict=True)
    ]
    print("\n".join(f"{score:5.1f}  {subject[:60]}  {hit}" for subject, score, hit in report))
    assert [r for r in report if r[1] > MAX_SCORE] == []
