"""accounts: staff accounts (role, bassins, organisation) for the back office

Revision ID: 0012_accounts
Revises: 0011_job_runs
Create Date: 2026-12-01 13:20:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0012_accounts'
down_revision = '0011_job_runs'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'accounts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('password_hash', sa.String(length=255), nullable=False),
        sa.Column('role', sa.String(length=20), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=True),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('session_version', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_login_at', sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "role IN ('admin', 'bassin', 'service')", name=op.f('ck_accounts_role_known')
        ),
        sa.ForeignKeyConstraint(
            ['organisation_id'],
            ['organisations.id'],
            name=op.f('fk_accounts_organisation_id_organisations'),
            ondelete='SET NULL',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_accounts')),
        sa.UniqueConstraint('email', name=op.f('uq_accounts_email')),
    )
    op.create_table(
        'account_bassins',
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('bassin_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ['account_id'],
            ['accounts.id'],
            name=op.f('fk_account_bassins_account_id_accounts'),
            ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['bassin_id'],
            ['bassins.id'],
            name=op.f('fk_account_bassins_bassin_id_bassins'),
            ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('account_id', 'bassin_id', name=op.f('pk_account_bassins')),
    )


def downgrade():
    op.drop_table('account_bassins')
    op.drop_table('accounts')
