"""A partner's mail as filters and robots read it: every message of a proposal's path is
auto-submitted, answers go to the bassin's team, SpamAssassin's local rules score it at most
0.5."""

from tests.proposals.test_journey import (
    test_submit_ask_changes_resubmit_accept_with_every_mail as whole_path,
)
from tests.spam import needs_spamassassin, spam_scores

MAX_SCORE = 0.5


def test_every_proposal_mail_is_auto_submitted_with_the_team_as_reply_to(
    app, client, smtp, make_staff, proposal_form
):
    whole_path(app, client, smtp, make_staff, proposal_form, "fr")
    sent = smtp.inbox.to("sarah@amo-forest.be")
    assert len(sent) == 4
    for message in sent:
        assert message["Auto-Submitted"] == "auto-generated"
        assert message["Reply-To"] == "info@bassin-sud.brussels"
        text = message.get_body(("plain",)).get_content()
        assert "Pour toute question : info@bassin-sud.brussels" in text


@needs_spamassassin
def test_spamassassin_scores_every_proposal_mail_at_most_half_a_point(
    app, client, smtp, make_staff, proposal_form
):
    whole_path(app, client, smtp, make_staff, proposal_form, "nl")
    scores = spam_scores(smtp.inbox.raw)
    report = [(m["Subject"], *s) for m, s in zip(smtp.inbox.messages, scores, strict=True)]
    print("\n".join(f"{score:5.1f}  {subject[:60]}  {hit}" for subject, score, hit in report))
    assert [r for r in report if r[1] > MAX_SCORE] == []
