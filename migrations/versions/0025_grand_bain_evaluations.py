"""grand bain evaluations: a form per offer, an invitation per booking, answers per offer

Revision ID: 0025_grand_bain_evaluations
Revises: 0016_attendance
Create Date: 2026-12-20 10:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0025_grand_bain_evaluations"
down_revision = "0016_attendance"
branch_labels = None
depends_on = None

# (table, first link kept, new link, its table, unique?, check name)
LINKS = (
    ("evaluation_forms", "event_id", "offer_id", "grand_bain_offers", True, "event_or_offer"),
    (
        "evaluation_invitations",
        "registration_id",
        "booking_id",
        "grand_bain_bookings",
        True,
        "registration_or_booking",
    ),
    ("evaluation_answers", "event_id", "offer_id", "grand_bain_offers", False, "event_or_offer"),
)


def upgrade():
    for table, kept, new, target, unique, check in LINKS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column(new, sa.Integer(), nullable=True))
            batch_op.alter_column(kept, existing_type=sa.Integer(), nullable=True)
            batch_op.create_foreign_key(
                batch_op.f(f"fk_{table}_{new}_{target}"),
                target,
                [new],
                ["id"],
                ondelete="CASCADE",
            )
            if unique:
                batch_op.create_unique_constraint(batch_op.f(f"uq_{table}_{new}"), [new])
            else:
                batch_op.create_index(batch_op.f(f"ix_{table}_{new}"), [new], unique=False)
            batch_op.create_check_constraint(
                batch_op.f(f"ck_{table}_{check}"), f"({kept} IS NULL) <> ({new} IS NULL)"
            )


def downgrade():
    # Grand Bain forms, invitations and answers have no place in the older schema.
    for table, _kept, new, _target, _unique, _check in LINKS:
        op.execute(sa.text(f"DELETE FROM {table} WHERE {new} IS NOT NULL"))
    for table, kept, new, target, unique, check in reversed(LINKS):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f"ck_{table}_{check}"), type_="check")
            if unique:
                batch_op.drop_constraint(batch_op.f(f"uq_{table}_{new}"), type_="unique")
            else:
                batch_op.drop_index(batch_op.f(f"ix_{table}_{new}"))
            batch_op.drop_constraint(batch_op.f(f"fk_{table}_{new}_{target}"), type_="foreignkey")
            batch_op.alter_column(kept, existing_type=sa.Integer(), nullable=False)
            batch_op.drop_column(new)
