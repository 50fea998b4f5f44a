"""audit action names: the lines written before the registry of actions
(webapp/audit_actions.py) take their action's one name (dots and underscores), so they show
their label too

Revision ID: 0033_audit_action_names
Revises: 0032_staff_sessions
Create Date: 2026-12-07 21:40:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0033_audit_action_names"
down_revision = "0032_staff_sessions"
branch_labels = None
depends_on = None

# Every name recorded until then that the registry spells otherwise (frozen here: the
# registry may change, this revision may not).
RENAMED = {
    "grand-bain.booked": "grand_bain.booked",
    "grand-bain.cancelled": "grand_bain.cancelled",
    "grand-bain.promoted": "grand_bain.promoted",
    "grand-bain.erased": "grand_bain.erased",
    "grand-bain.purged": "grand_bain.purged",
    "grand-bain.attendance": "grand_bain.attendance_recorded",
    "grand-bain.edition-created": "grand_bain.edition_created",
    "grand-bain.edition-saved": "grand_bain.edition_updated",
    "grand-bain.host-message": "grand_bain.host_message_sent",
    "grand-bain.offer-submitted": "grand_bain.offer_submitted",
    "grand-bain.offer-updated": "grand_bain.offer_updated",
    "grand-bain.offer-accepted": "grand_bain.offer_accepted",
    "grand-bain.offer-changes_requested": "grand_bain.offer_changes_requested",
    "grand-bain.offer-refused": "grand_bain.offer_refused",
    "grand-bain.offer-contact-purged": "grand_bain.offer_contact_purged",
    "proposal.changes-requested": "proposal.changes_requested",
}

audit_entries = sa.table("audit_entries", sa.column("action", sa.String))


def _rename(pairs):
    for old, new in pairs:
        op.execute(
            audit_entries.update()
            .where(audit_entries.c.action == sa.literal(old))
            .values(action=sa.literal(new))
        )


def upgrade():
    _rename(RENAMED.items())


def downgrade():
    _rename((new, old) for old, new in RENAMED.items())
