"""registrations.refused_at: a request the organisers declined reads "Refusé·e", not
"Annulé·e" (the status stays cancelled: its place, its mail and the API are the same)

Revision ID: 0034_event_hub
Revises: 0035_report_sections
Create Date: 2026-12-07 21:40:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0034_event_hub"
down_revision = "0035_report_sections"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("refused_at", sa.DateTime(timezone=True), nullable=True))
    # The requests refused before: their audit line says so, with its time.
    op.execute(
        """
        UPDATE registrations SET refused_at = (
            SELECT MAX(audit_entries.at) FROM audit_entries
            WHERE audit_entries.action = 'registration.refused'
              AND audit_entries.subject_type = 'registration'
              AND audit_entries.subject_id = registrations.id
        )
        WHERE status = 'cancelled' AND EXISTS (
            SELECT 1 FROM audit_entries
            WHERE audit_entries.action = 'registration.refused'
              AND audit_entries.subject_type = 'registration'
              AND audit_entries.subject_id = registrations.id
        )
        """
    )


def downgrade():
    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.drop_column("refused_at")
