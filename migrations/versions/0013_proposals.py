"""proposals: partners' proposals of events and their moderation (/propose)

Revision ID: 0013_proposals
Revises: 0012_accounts
Create Date: 2026-12-02 10:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0013_proposals'
down_revision = '0012_accounts'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'proposals',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('token', sa.String(length=43), nullable=False),
        sa.Column('language', sa.String(length=2), nullable=False),
        sa.Column('submitter_name', sa.String(length=200), nullable=False),
        sa.Column('submitter_email', sa.String(length=254), nullable=False),
        sa.Column('organisation_name', sa.String(length=200), nullable=False),
        sa.Column('phone', sa.String(length=40), nullable=True),
        sa.Column('account_id', sa.Integer(), nullable=True),
        sa.Column('venue_name', sa.String(length=200), nullable=True),
        sa.Column('venue_address', sa.String(length=300), nullable=True),
        sa.Column('venue_postal_code', sa.String(length=10), nullable=True),
        sa.Column('venue_commune', sa.String(length=120), nullable=True),
        sa.Column('registration_url', sa.String(length=500), nullable=True),
        sa.Column('message', sa.Text(), nullable=True),
        sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('submitted', 'changes-requested', 'accepted', 'refused')",
            name=op.f('ck_proposals_status_known'),
        ),
        sa.ForeignKeyConstraint(
            ['account_id'],
            ['accounts.id'],
            name=op.f('fk_proposals_account_id_accounts'),
            ondelete='SET NULL',
        ),
        sa.ForeignKeyConstraint(
            ['event_id'],
            ['events.id'],
            name=op.f('fk_proposals_event_id_events'),
            ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_proposals')),
        sa.UniqueConstraint('event_id', name=op.f('uq_proposals_event_id')),
        sa.UniqueConstraint('token', name=op.f('uq_proposals_token')),
    )
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposals_status'), ['status'], unique=False)


def downgrade():
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposals_status'))
    op.drop_table('proposals')
