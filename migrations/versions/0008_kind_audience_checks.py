"""kind and audience checks: the database refuses a kind of event or an audience that the
vocabulary does not know (generated from the enums of webapp/agenda/states.py)

Revision ID: 0008_kind_audience_checks
Revises: 0007_audit_entries
Create Date: 2026-12-01 13:10:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "0008_kind_audience_checks"
down_revision = "0007_audit_entries"
branch_labels = None
depends_on = None

# Frozen here: a migration never imports the code it migrates.
KINDS = (
    "concertation",
    "atelier-du-changement",
    "grand-bain",
    "rdv-prevention",
    "formation",
    "rencontre",
    "webinaire",
    "autre",
)
AUDIENCES = ("professionals", "public", "closed-group")


def _listed(values):
    return ", ".join(f"'{v}'" for v in values)


def upgrade():
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_check_constraint("kind_known", f"kind IN ({_listed(KINDS)})")
        batch_op.create_check_constraint("audience_known", f"audience IN ({_listed(AUDIENCES)})")


def downgrade():
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_constraint("audience_known", type_="check")
        batch_op.drop_constraint("kind_known", type_="check")
