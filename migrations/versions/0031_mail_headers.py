"""mail headers: a bassin team's address, and the Reply-To a queued message carries

Revision ID: 0031_mail_headers
Revises: 0030_evaluation_channels
Create Date: 2027-01-20 10:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0031_mail_headers"
down_revision = "0030_evaluation_channels"
branch_labels = None
depends_on = None

# The teams' addresses of webapp/data/bassins.json, for bassins loaded before it had them.
TEAMS = {
    "centre-ouest": "info@bassin-centre-ouest.brussels",
    "nord": "info@bassin-nord.brussels",
    "nord-est": "info@bassin-nord-est.brussels",
    "sud": "info@bassin-sud.brussels",
    "sud-est": "info@bassin-sud-est.brussels",
}


def upgrade():
    with op.batch_alter_table("bassins", schema=None) as batch_op:
        batch_op.add_column(sa.Column("team_email", sa.String(length=254), nullable=True))
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reply_to", sa.String(length=254), nullable=True))
    bassins = sa.table("bassins", sa.column("slug", sa.String), sa.column("team_email", sa.String))
    for slug, address in TEAMS.items():
        op.execute(bassins.update().where(bassins.c.slug == slug).values(team_email=address))


def downgrade():
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_column("reply_to")
    with op.batch_alter_table("bassins", schema=None) as batch_op:
        batch_op.drop_column("team_email")
