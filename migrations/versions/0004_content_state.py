"""content state: the generation that public page caches are keyed by

Revision ID: 0004_content_state
Revises: 0003_feeds
Create Date: 2026-11-28 03:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0004_content_state'
down_revision = '0003_feeds'
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        'content_state',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('generation', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_content_state')),
    )
    op.bulk_insert(table, [{'id': 1, 'generation': 0}])


def downgrade():
    op.drop_table('content_state')
