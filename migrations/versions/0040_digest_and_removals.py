"""the digest by mail (subscriptions, the outbox's one-click unsubscribe link) and the
records of events removed from public view (the API's `removed`)

Revision ID: 0040_digest_and_removals
Revises: 0033_audit_action_names
Create Date: 2026-12-07 21:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0040_digest_and_removals"
down_revision = "0033_audit_action_names"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "event_removals",
        sa.Column("event_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_event_removals")),
    )
    with op.batch_alter_table("event_removals", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_event_removals_removed_at"), ["removed_at"], unique=False
        )
    op.create_table(
        "digest_subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("frequency", sa.String(length=10), nullable=False),
        sa.Column("bassins", sa.JSON(), nullable=False),
        sa.Column("kinds", sa.JSON(), nullable=False),
        sa.Column("themes", sa.JSON(), nullable=False),
        sa.Column("token", sa.String(length=43), nullable=False),
        sa.Column("confirm_token", sa.String(length=43), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_period", sa.String(length=20), nullable=True),
        sa.Column("last_sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "frequency IN ('weekly', 'monthly')",
            name=op.f("ck_digest_subscriptions_frequency_known"),
        ),
        sa.CheckConstraint(
            "language IN ('fr', 'nl')", name=op.f("ck_digest_subscriptions_language_known")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_digest_subscriptions")),
        sa.UniqueConstraint("confirm_token", name=op.f("uq_digest_subscriptions_confirm_token")),
        sa.UniqueConstraint("token", name=op.f("uq_digest_subscriptions_token")),
    )
    with op.batch_alter_table("digest_subscriptions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_digest_subscriptions_due", ["frequency", "confirmed_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_digest_subscriptions_email"), ["email"], unique=False)
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("list_unsubscribe", sa.String(length=300), nullable=True))


def downgrade():
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_column("list_unsubscribe")
    with op.batch_alter_table("digest_subscriptions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_digest_subscriptions_email"))
        batch_op.drop_index("ix_digest_subscriptions_due")
    op.drop_table("digest_subscriptions")
    with op.batch_alter_table("event_removals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_event_removals_removed_at"))
    op.drop_table("event_removals")
