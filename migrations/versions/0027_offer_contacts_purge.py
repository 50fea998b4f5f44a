"""grand bain retention: an offer's contact person can be cleared

Revision ID: 0027_offer_contacts_purge
Revises: 0026_grand_bain_retention
Create Date: 2027-01-12 10:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0027_offer_contacts_purge"
down_revision = "0026_grand_bain_retention"
branch_labels = None
depends_on = None

# The columns the purge empties that were required until now.
EMPTIED = (
    ("contact_name", sa.String(length=150)),
    ("contact_email", sa.String(length=254)),
)


def upgrade():
    with op.batch_alter_table("grand_bain_offers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("contact_cleared_at", sa.DateTime(timezone=True)))
        for name, type_ in EMPTIED:
            batch_op.alter_column(name, existing_type=type_, nullable=True)


def downgrade():
    # The older schema requires these columns: a cleared offer gets a placeholder that names
    # nobody, never its old value.
    op.execute(
        sa.text("UPDATE grand_bain_offers SET contact_name = '' WHERE contact_name IS NULL")
    )
    op.execute(
        sa.text(
            "UPDATE grand_bain_offers SET contact_email = 'erased-' || id || '@invalid' "
            "WHERE contact_email IS NULL"
        )
    )
    with op.batch_alter_table("grand_bain_offers", schema=None) as batch_op:
        for name, type_ in EMPTIED:
            batch_op.alter_column(name, existing_type=type_, nullable=False)
        batch_op.drop_column("contact_cleared_at")
