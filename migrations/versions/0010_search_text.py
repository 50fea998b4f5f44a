"""search text: each event keeps the folded text it is found by (titles, descriptions, series,
venue, commune, organiser; no accents, no case), so a search is a plain LIKE on both databases

Revision ID: 0010_search_text
Revises: 0009_event_facts
Create Date: 2026-12-08 10:00:00

"""

import unicodedata

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0010_search_text"
down_revision = "0009_event_facts"
branch_labels = None
depends_on = None

BATCH = 1000


def _fold(text):
    """Frozen copy of webapp.agenda.search.fold: a migration never imports the code it migrates."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


# The texts an event is found by, in the order of webapp.agenda.search.search_text.
SEARCH_SOURCES = sa.text(
    """
    SELECT e.id, e.title_fr, e.title_nl, e.description_fr, e.description_nl,
           s.title_fr, s.title_nl, v.name, v.address,
           c.name_fr, c.name_nl, c.municipality_fr, c.municipality_nl, o.name
    FROM events e
    LEFT JOIN series s ON s.id = e.series_id
    LEFT JOIN venues v ON v.id = e.venue_id
    LEFT JOIN communes c ON c.id = v.commune_id
    LEFT JOIN organisations o ON o.id = e.organiser_id
    ORDER BY e.id
    """
)


def upgrade():
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("search_text", sa.Text(), server_default="", nullable=False))
    # Filled in Python with the frozen folding: SQL has no accent folding on SQLite.
    connection = op.get_bind()
    events = sa.table("events", sa.column("id", sa.Integer), sa.column("search_text", sa.Text))
    update = (
        events.update()
        .where(events.c.id == sa.bindparam("event_id"))
        .values(search_text=sa.bindparam("text"))
    )
    rows = connection.execute(SEARCH_SOURCES).all()
    for start in range(0, len(rows), BATCH):
        values = [
            {"event_id": row[0], "text": _fold("\n".join(p for p in row[1:] if p))}
            for row in rows[start : start + BATCH]
        ]
        connection.execute(update, values)


def downgrade():
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_column("search_text")
