"""Rate limits of /propose: per client, and per typed address (only what sends a mail counts)."""

import pytest
from sqlalchemy import func, select

from webapp.extensions import db, limiter
from webapp.proposals.models import Proposal


@pytest.fixture
def app_config(smtp):
    return {
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": "memory://",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp.port,
    }


def test_one_address_sends_at_most_five_proposals_an_hour(client, proposal_form):
    limiter.reset()
    codes = [client.post("/propose", data=proposal_form()).status_code for _ in range(6)]
    assert codes == [303] * 5 + [429]
    assert db.session.scalar(select(func.count(Proposal.id))) == 5


def test_refused_posts_do_not_lock_the_address_out_but_the_client_is_limited(client, proposal_form):
    limiter.reset()
    codes = [
        client.post("/propose", data=proposal_form(ends="09:00")).status_code for _ in range(11)
    ]
    assert codes == [422] * 10 + [429]
    assert db.session.scalar(select(func.count(Proposal.id))) == 0
