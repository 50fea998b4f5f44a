"""catalogue search text: venues, organisations and series keep their folded text (the name
first), so the back office's lists search, sort and page in the database

Revision ID: 0029_catalogue_search_text
Revises: 0028_booking_request_links
Create Date: 2026-12-07 19:00:00

"""

import unicodedata

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0029_catalogue_search_text"
down_revision = "0028_booking_request_links"
branch_labels = None
depends_on = None

# Frozen copy of webapp.agenda.search.CATALOGUE_FIELDS: a migration never imports the code it
# migrates.
FIELDS = {
    "venues": ("name", "address", "postal_code"),
    "organisations": ("name",),
    "series": ("title_fr", "title_nl", "slug"),
}


def _fold(text):
    """Frozen copy of webapp.agenda.search.fold."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


def upgrade():
    connection = op.get_bind()
    for table_name, fields in FIELDS.items():
        with op.batch_alter_table(table_name, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("search_text", sa.Text(), server_default="", nullable=False)
            )
        table = sa.table(
            table_name,
            sa.column("id", sa.Integer),
            sa.column("search_text", sa.Text),
            *(sa.column(name, sa.Text) for name in fields),
        )
        rows = connection.execute(sa.select(table.c.id, *(table.c[f] for f in fields))).all()
        if rows:
            connection.execute(
                table.update()
                .where(table.c.id == sa.bindparam("row_id"))
                .values(search_text=sa.bindparam("text")),
                [
                    {"row_id": row[0], "text": "\n".join(_fold(v) for v in row[1:] if v)}
                    for row in rows
                ],
            )


def downgrade():
    for table_name in FIELDS:
        with op.batch_alter_table(table_name, schema=None) as batch_op:
            batch_op.drop_column("search_text")
