"""feeds: an index that answers the feeds' validator (count, newest change) on its own

Revision ID: 0003_feeds
Revises: 0002_registrations
Create Date: 2026-11-22 23:56:29.179069

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = '0003_feeds'
down_revision = '0002_registrations'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.create_index('ix_events_feed_state', ['updated_at', 'sequence'], unique=False)


def downgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index('ix_events_feed_state')
