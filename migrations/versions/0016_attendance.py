"""attendance: walk-ins (registrations added at the door) and check-ins per date

Revision ID: 0016_attendance
Revises: 0021_reports
Create Date: 2026-12-15 10:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0016_attendance'
down_revision = '0021_reports'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('walk_in', sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    op.create_table(
        'check_ins',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('registration_id', sa.Integer(), nullable=False),
        sa.Column('on_date', sa.Date(), nullable=False),
        sa.Column('present', sa.Boolean(), nullable=False),
        sa.Column('tapped_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['event_id'],
            ['events.id'],
            name=op.f('fk_check_ins_event_id_events'),
            ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['registration_id'],
            ['registrations.id'],
            name=op.f('fk_check_ins_registration_id_registrations'),
            ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_check_ins')),
        sa.UniqueConstraint(
            'registration_id', 'on_date', name=op.f('uq_check_ins_registration_id')
        ),
    )
    with op.batch_alter_table('check_ins', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_check_ins_event_id'), ['event_id'], unique=False)


def downgrade():
    with op.batch_alter_table('check_ins', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_check_ins_event_id'))
    op.drop_table('check_ins')
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_column('walk_in')
