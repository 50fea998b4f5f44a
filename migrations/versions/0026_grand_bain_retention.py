"""grand bain and proposals retention: visitors and submitters can be anonymised

Revision ID: 0026_grand_bain_retention
Revises: 0025_grand_bain_evaluations
Create Date: 2027-01-05 10:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0026_grand_bain_retention"
down_revision = "0025_grand_bain_evaluations"
branch_labels = None
depends_on = None

# table -> (column, its type) that anonymisation empties and that was required until now.
EMPTIED = {
    "grand_bain_visitors": (("email", sa.String(length=254)),),
    "proposals": (
        ("submitter_name", sa.String(length=200)),
        ("submitter_email", sa.String(length=254)),
    ),
}


def upgrade():
    for table, columns in EMPTIED.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("anonymised_at", sa.DateTime(timezone=True)))
            for name, type_ in columns:
                batch_op.alter_column(name, existing_type=type_, nullable=True)


def downgrade():
    # The older schema requires these columns: an anonymised row gets a placeholder that
    # names nobody (a visitor's stays unique within her edition), never its old value.
    op.execute(
        sa.text(
            "UPDATE grand_bain_visitors SET email = 'erased-' || id || '@invalid' "
            "WHERE email IS NULL"
        )
    )
    op.execute(sa.text("UPDATE proposals SET submitter_name = '' WHERE submitter_name IS NULL"))
    op.execute(sa.text("UPDATE proposals SET submitter_email = '' WHERE submitter_email IS NULL"))
    for table, columns in EMPTIED.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, type_ in columns:
                batch_op.alter_column(name, existing_type=type_, nullable=False)
            batch_op.drop_column("anonymised_at")
