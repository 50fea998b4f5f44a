"""attestations of participation: a code per registration and per Grand Bain booking, the
accreditation number of an event, the INAMI/RIZIV number of a registrant

Revision ID: 0037_attestations
Revises: 0040_digest_and_removals
Create Date: 2026-12-07 21:40:00

Each registration and each Grand Bain booking gets the code printed on its attestation
(anyone checks it at /attestations/<code>); the rows made until now get theirs here, drawn
with the same alphabet as webapp.tokens.new_attestation_code (copied: a migration does not
import the application).
"""

import secrets

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0037_attestations"
down_revision = "0040_digest_and_removals"
branch_labels = None
depends_on = None

ALPHABET = "23456789ABCDEFGHJKMNPQRSTWXYZ"
CODED_TABLES = ("registrations", "grand_bain_bookings")


def _code():
    return "".join(secrets.choice(ALPHABET) for _ in range(10))


def upgrade():
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("accreditation", sa.String(length=60), nullable=True))
    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("inami_number", sa.String(length=11), nullable=True))
    connection = op.get_bind()
    for name in CODED_TABLES:
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.add_column(sa.Column("attestation_code", sa.String(length=16), nullable=True))
        table = sa.table(name, sa.column("id", sa.Integer), sa.column("attestation_code"))
        ids = connection.scalars(sa.select(table.c.id).order_by(table.c.id)).all()
        for row_id in ids:
            connection.execute(
                table.update().where(table.c.id == row_id).values(attestation_code=_code())
            )
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.create_unique_constraint(
                batch_op.f(f"uq_{name}_attestation_code"), ["attestation_code"]
            )


def downgrade():
    for name in CODED_TABLES:
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f"uq_{name}_attestation_code"), type_="unique")
            batch_op.drop_column("attestation_code")
    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.drop_column("inami_number")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_column("accreditation")
