"""reports as the bassins publish them: the presentation PDF attached to a report (stored
in UPLOAD_DIR, named by its SHA-256), and the theme synthesis in parts (needs, actions,
themes × bassins, perspectives), a draft until published

Revision ID: 0035_report_sections
Revises: 0040_digest_and_removals
Create Date: 2026-12-07 21:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0035_report_sections"
down_revision = "0037_attestations"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("presentation_file", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("presentation_file_name", sa.String(length=200), nullable=True)
        )
        batch_op.add_column(sa.Column("presentation_file_size", sa.Integer(), nullable=True))

    with op.batch_alter_table("theme_syntheses", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "status", sa.String(length=20), nullable=False, server_default="draft"
            )
        )
        for name in ("needs", "actions", "perspectives"):
            batch_op.add_column(sa.Column(f"{name}_fr", sa.Text(), nullable=True))
            batch_op.add_column(sa.Column(f"{name}_nl", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("themes", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("published_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_check_constraint(
            batch_op.f("ck_theme_syntheses_status_known"), "status IN ('draft', 'published')"
        )
    # A synthesis written before was public as soon as it had a text: it stays so.
    op.execute(
        "UPDATE theme_syntheses SET status = 'published', published_at = updated_at "
        "WHERE text_fr <> ''"
    )


def downgrade():
    with op.batch_alter_table("theme_syntheses", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_theme_syntheses_status_known"), type_="check")
        batch_op.drop_column("published_at")
        batch_op.drop_column("themes")
        for name in ("perspectives", "actions", "needs"):
            batch_op.drop_column(f"{name}_nl")
            batch_op.drop_column(f"{name}_fr")
        batch_op.drop_column("status")

    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_column("presentation_file_size")
        batch_op.drop_column("presentation_file_name")
        batch_op.drop_column("presentation_file")
