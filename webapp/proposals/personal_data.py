"""Retention of partners' proposals: once decided (accepted or refused) long enough ago, the
submitter's contact is cleared; the event, the organisation and the decision stay.

Changes rows and flushes; the caller's unit of work commits.
"""

from sqlalchemy import select

from webapp import audit
from webapp.audit_actions import AuditAction
from webapp.extensions import db
from webapp.mail import outbox
from webapp.proposals import notices
from webapp.proposals.models import Proposal
from webapp.proposals.states import ProposalStatus
from webapp.timezones import months_before, utcnow

DECIDED = (ProposalStatus.ACCEPTED, ProposalStatus.REFUSED)


def purge_proposals(older_than_months=12, now=None):
    """Clear the contact of proposals decided more than N months ago, and their messages;
    returns how many. Safe to run again: a cleared proposal is not counted twice."""
    now = now or utcnow()
    cutoff = months_before(now, older_than_months)
    stale = db.session.scalars(
        select(Proposal)
        .where(
            Proposal.status.in_(DECIDED),
            Proposal.decided_at < cutoff,
            Proposal.anonymised_at.is_(None),
        )
        .order_by(Proposal.id)
    ).all()
    for proposal in stale:
        proposal.forget_submitter(now)
        outbox.forget(notices.reference(proposal.id))
        audit.purged(AuditAction.PROPOSAL_PURGED, "proposal", proposal.id, older_than_months)
    db.session.flush()
    return len(stale)
