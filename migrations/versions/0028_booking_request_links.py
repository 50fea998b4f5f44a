"""grand bain: the page a booking request lands on covers that request's visits alone

Revision ID: 0028_booking_request_links
Revises: 0027_offer_contacts_purge
Create Date: 2027-01-19 10:00:00

Until now the page a booking landed on was the visitor's own link (`Visitor.token`), which
the address's later visits joined: whoever booked first with an address saw, exported and
cancelled the visits booked later in its name. Each booking now carries the link of the
request that booked it. The links handed out so far become the request links of the visits
booked until now (what they showed stays reachable, nothing more joins it), and each
visitor gets a new link for all her visits, which reaches her only by mail (the next mail
about her visits carries it).
"""

import secrets

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0028_booking_request_links"
down_revision = "0027_offer_contacts_purge"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("grand_bain_bookings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("request_token", sa.String(length=64), nullable=True))
        batch_op.create_index(
            "ix_grand_bain_bookings_request_token", ["request_token"], unique=False
        )
    connection = op.get_bind()
    visitors = sa.table(
        "grand_bain_visitors",
        sa.column("id", sa.Integer),
        sa.column("token", sa.String),
        sa.column("anonymised_at", sa.DateTime(timezone=True)),
    )
    bookings = sa.table(
        "grand_bain_bookings",
        sa.column("visitor_id", sa.Integer),
        sa.column("request_token", sa.String),
    )
    kept = connection.execute(
        sa.select(visitors.c.id, visitors.c.token).where(visitors.c.anonymised_at.is_(None))
    ).all()
    for visitor_id, old_token in kept:
        connection.execute(
            bookings.update()
            .where(bookings.c.visitor_id == visitor_id)
            .values(request_token=old_token)
        )
        connection.execute(
            visitors.update()
            .where(visitors.c.id == visitor_id)
            .values(token=secrets.token_urlsafe(32))
        )


def downgrade():
    # The visitors' new links stay theirs; the request links go.
    with op.batch_alter_table("grand_bain_bookings", schema=None) as batch_op:
        batch_op.drop_index("ix_grand_bain_bookings_request_token")
        batch_op.drop_column("request_token")
