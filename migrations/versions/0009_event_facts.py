"""event facts: the meeting's languages, free or its price, interpreting; the venue's
step-free access and lift

Revision ID: 0009_event_facts
Revises: 0008_kind_audience_checks
Create Date: 2026-12-08 10:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0009_event_facts"
down_revision = "0008_kind_audience_checks"
branch_labels = None
depends_on = None

EVENT_COLUMNS = (
    ("languages", sa.String(20)),
    ("free", sa.Boolean()),
    ("price_fr", sa.String(200)),
    ("price_nl", sa.String(200)),
    ("interpreting_fr", sa.String(200)),
    ("interpreting_nl", sa.String(200)),
)
VENUE_COLUMNS = (("step_free", sa.Boolean()), ("lift", sa.Boolean()))


def upgrade():
    with op.batch_alter_table("events", schema=None) as batch_op:
        for name, type_ in EVENT_COLUMNS:
            batch_op.add_column(sa.Column(name, type_, nullable=True))
    with op.batch_alter_table("venues", schema=None) as batch_op:
        for name, type_ in VENUE_COLUMNS:
            batch_op.add_column(sa.Column(name, type_, nullable=True))


def downgrade():
    with op.batch_alter_table("venues", schema=None) as batch_op:
        for name, _ in reversed(VENUE_COLUMNS):
            batch_op.drop_column(name)
    with op.batch_alter_table("events", schema=None) as batch_op:
        for name, _ in reversed(EVENT_COLUMNS):
            batch_op.drop_column(name)
