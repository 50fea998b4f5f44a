"""private links and outbox references: a registration's mailbox-only feed token, what an
outbox message is about (for erasure and purge), when the content generation last moved

Revision ID: 0006_private_links
Revises: 0005_occurrence_facts
Create Date: 2026-12-01 11:45:00

"""

import secrets

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0006_private_links'
down_revision = '0005_occurrence_facts'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mailbox_token', sa.String(length=64), nullable=True))
    # Every existing registration gets its own random token (as new_token() makes them).
    registrations = sa.table('registrations', sa.column('id'), sa.column('mailbox_token'))
    connection = op.get_bind()
    ids = connection.execute(sa.select(registrations.c.id)).scalars().all()
    for registration_id in ids:
        connection.execute(
            registrations.update()
            .where(registrations.c.id == registration_id)
            .values(mailbox_token=secrets.token_urlsafe(32))
        )
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.alter_column('mailbox_token', existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(
            batch_op.f('uq_registrations_mailbox_token'), ['mailbox_token']
        )

    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reference', sa.String(length=60), nullable=True))
        batch_op.create_index(
            batch_op.f('ix_outbox_messages_reference'), ['reference'], unique=False
        )

    with op.batch_alter_table('content_state', schema=None) as batch_op:
        batch_op.add_column(sa.Column('changed_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('content_state', schema=None) as batch_op:
        batch_op.drop_column('changed_at')
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_messages_reference'))
        batch_op.drop_column('reference')
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_registrations_mailbox_token'), type_='unique')
        batch_op.drop_column('mailbox_token')
