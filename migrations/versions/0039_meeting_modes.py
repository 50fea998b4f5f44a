"""meeting modes: an event on site, online or hybrid with places for each mode, a
registration's mode, whether an open webinar's link is public, and accommodation requests

Revision ID: 0039_meeting_modes
Revises: 0034_event_hub
Create Date: 2026-12-07 21:30:00

Existing events are on site and their registrations on site (the columns' defaults).
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0039_meeting_modes"
down_revision = "0034_event_hub"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("mode", sa.String(length=20), server_default="onsite", nullable=False)
        )
        batch_op.add_column(
            sa.Column("online_url_public", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("online_capacity", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("online_confirmed_count", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_events_meeting_mode_known"), "mode IN ('onsite', 'online', 'hybrid')"
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_events_online_capacity_not_negative"),
            "online_capacity IS NULL OR online_capacity >= 0",
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_events_online_not_overbooked"),
            "online_capacity IS NULL OR online_confirmed_count <= online_capacity",
        )
    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("mode", sa.String(length=20), server_default="onsite", nullable=False)
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_registrations_place_mode_known"), "mode IN ('onsite', 'online')"
        )
    op.create_table(
        "accommodation_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("registration_id", sa.Integer(), nullable=False),
        sa.Column("need", sa.String(length=30), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "need IN ('interpreting-fr-nl', 'sign-lsfb', 'sign-vgt', 'step-free')",
            name=op.f("ck_accommodation_requests_need_known"),
        ),
        sa.CheckConstraint(
            "status IN ('requested', 'arranged', 'not-possible')",
            name=op.f("ck_accommodation_requests_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registrations.id"],
            name=op.f("fk_accommodation_requests_registration_id_registrations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accommodation_requests")),
        sa.UniqueConstraint(
            "registration_id", "need", name=op.f("uq_accommodation_requests_registration_id")
        ),
    )
    with op.batch_alter_table("accommodation_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_accommodation_requests_registration_id"),
            ["registration_id"],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table("accommodation_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_accommodation_requests_registration_id"))
    op.drop_table("accommodation_requests")
    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_registrations_place_mode_known"), type_="check")
        batch_op.drop_column("mode")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_events_online_not_overbooked"), type_="check")
        batch_op.drop_constraint(
            batch_op.f("ck_events_online_capacity_not_negative"), type_="check"
        )
        batch_op.drop_constraint(batch_op.f("ck_events_meeting_mode_known"), type_="check")
        batch_op.drop_column("online_confirmed_count")
        batch_op.drop_column("online_capacity")
        batch_op.drop_column("online_url_public")
        batch_op.drop_column("mode")
