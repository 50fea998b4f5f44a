"""evaluations: the channel of each answer; the open link's claims (one answer per client)

Revision ID: 0030_evaluation_channels
Revises: 0029_catalogue_search_text
Create Date: 2027-01-20 10:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0030_evaluation_channels"
down_revision = "0029_catalogue_search_text"
branch_labels = None
depends_on = None

# Answers stored before the channel was: those of an event whose count differs from its
# answered invitations came (some of them) by the open link, and nobody can tell which. They
# all go to the open link's group, so that the invited group is never padded by them.
MARK_UNPROVEN = """
UPDATE evaluation_answers SET channel = 'open_link'
WHERE event_id IS NOT NULL
  AND (SELECT count(*) FROM evaluation_answers AS same
       WHERE same.event_id = evaluation_answers.event_id)
   <> (SELECT count(*) FROM evaluation_invitations AS invitation
       JOIN evaluation_forms AS form ON invitation.form_id = form.id
       WHERE form.event_id = evaluation_answers.event_id AND invitation.answered)
"""


def upgrade():
    with op.batch_alter_table("evaluation_answers", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("channel", sa.String(length=10), server_default="invited", nullable=False)
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_evaluation_answers_channel_known"),
            "channel IN ('invited', 'open_link')",
        )
    op.execute(sa.text(MARK_UNPROVEN))
    op.create_table(
        "evaluation_open_claims",
        sa.Column("form_id", sa.Integer(), nullable=False),
        sa.Column("client_key", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["form_id"],
            ["evaluation_forms.id"],
            name=op.f("fk_evaluation_open_claims_form_id_evaluation_forms"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("form_id", "client_key", name=op.f("pk_evaluation_open_claims")),
    )
    with op.batch_alter_table("evaluation_open_claims", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_evaluation_open_claims_expires_at"), ["expires_at"], unique=False
        )


def downgrade():
    with op.batch_alter_table("evaluation_open_claims", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evaluation_open_claims_expires_at"))
    op.drop_table("evaluation_open_claims")
    with op.batch_alter_table("evaluation_answers", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_evaluation_answers_channel_known"), type_="check")
        batch_op.drop_column("channel")
