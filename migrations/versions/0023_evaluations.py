"""evaluations: form templates, each event's form, invitations, anonymous answers

Revision ID: 0023_evaluations
Revises: 0019_recurrence
Create Date: 2026-12-10 10:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0023_evaluations'
down_revision = '0019_recurrence'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'evaluation_templates',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('questions', sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_templates')),
        sa.UniqueConstraint('kind', name=op.f('uq_evaluation_templates_kind')),
    )
    op.create_table(
        'evaluation_forms',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('questions', sa.JSON(), nullable=False),
        sa.Column('open_token', sa.String(length=64), nullable=False),
        sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('closes_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['event_id'],
            ['events.id'],
            name=op.f('fk_evaluation_forms_event_id_events'),
            ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_forms')),
        sa.UniqueConstraint('event_id', name=op.f('uq_evaluation_forms_event_id')),
        sa.UniqueConstraint('open_token', name=op.f('uq_evaluation_forms_open_token')),
    )
    op.create_table(
        'evaluation_invitations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('registration_id', sa.Integer(), nullable=False),
        sa.Column('form_id', sa.Integer(), nullable=False),
        sa.Column('token', sa.String(length=64), nullable=False),
        sa.Column('language', sa.String(length=5), nullable=False),
        sa.Column('answered', sa.Boolean(), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ['form_id'],
            ['evaluation_forms.id'],
            name=op.f('fk_evaluation_invitations_form_id_evaluation_forms'),
            ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['registration_id'],
            ['registrations.id'],
            name=op.f('fk_evaluation_invitations_registration_id_registrations'),
            ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_invitations')),
        sa.UniqueConstraint(
            'registration_id', name=op.f('uq_evaluation_invitations_registration_id')
        ),
        sa.UniqueConstraint('token', name=op.f('uq_evaluation_invitations_token')),
    )
    with op.batch_alter_table('evaluation_invitations', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_evaluation_invitations_form_id'), ['form_id'], unique=False
        )
    op.create_table(
        'evaluation_answers',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('values', sa.JSON(), nullable=False),
        sa.Column('quote_key', sa.String(length=40), nullable=True),
        sa.Column('quote_text', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ['event_id'],
            ['events.id'],
            name=op.f('fk_evaluation_answers_event_id_events'),
            ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_answers')),
    )
    with op.batch_alter_table('evaluation_answers', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_evaluation_answers_event_id'), ['event_id'], unique=False
        )


def downgrade():
    with op.batch_alter_table('evaluation_answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_answers_event_id'))
    op.drop_table('evaluation_answers')
    with op.batch_alter_table('evaluation_invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_invitations_form_id'))
    op.drop_table('evaluation_invitations')
    op.drop_table('evaluation_forms')
    op.drop_table('evaluation_templates')
