"""recurrence: chosen dates of a repeating event (RDATE), local dates after the first

Revision ID: 0019_recurrence
Revises: 0013_proposals
Create Date: 2027-01-11 10:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0019_recurrence"
down_revision = "0013_proposals"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rdates", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_column("rdates")
