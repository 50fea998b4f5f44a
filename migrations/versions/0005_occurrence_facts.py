"""occurrence facts: the agenda index carries the event's public status, kind, audience and
series, so the agenda counts and pages without joining events

Revision ID: 0005_occurrence_facts
Revises: 0004_content_state
Create Date: 2026-11-28 04:10:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0005_occurrence_facts'
down_revision = '0004_content_state'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('event_occurrences', schema=None) as batch_op:
        batch_op.add_column(sa.Column('listed', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('kind', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('audience', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('series_id', sa.Integer(), nullable=True))
    op.execute(
        """
        UPDATE event_occurrences SET
            listed = (SELECT events.status IN ('published', 'cancelled', 'postponed')
                      FROM events WHERE events.id = event_occurrences.event_id),
            kind = (SELECT events.kind FROM events WHERE events.id = event_occurrences.event_id),
            audience = (SELECT events.audience
                        FROM events WHERE events.id = event_occurrences.event_id),
            series_id = (SELECT events.series_id
                         FROM events WHERE events.id = event_occurrences.event_id)
        """
    )
    with op.batch_alter_table('event_occurrences', schema=None) as batch_op:
        batch_op.alter_column('listed', existing_type=sa.Boolean(), nullable=False)
        batch_op.alter_column('kind', existing_type=sa.String(length=40), nullable=False)
        batch_op.alter_column('audience', existing_type=sa.String(length=40), nullable=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_event_occurrences_series_id_series'),
            'series',
            ['series_id'],
            ['id'],
            ondelete='SET NULL',
        )
        batch_op.create_index(
            'ix_event_occurrences_listed', ['listed', 'end_at', 'start_at'], unique=False
        )
        batch_op.create_index(
            'ix_event_occurrences_listed_kind',
            ['listed', 'kind', 'end_at', 'start_at'],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table('event_occurrences', schema=None) as batch_op:
        batch_op.drop_index('ix_event_occurrences_listed_kind')
        batch_op.drop_index('ix_event_occurrences_listed')
        batch_op.drop_constraint(
            batch_op.f('fk_event_occurrences_series_id_series'), type_='foreignkey'
        )
        batch_op.drop_column('series_id')
        batch_op.drop_column('audience')
        batch_op.drop_column('kind')
        batch_op.drop_column('listed')
