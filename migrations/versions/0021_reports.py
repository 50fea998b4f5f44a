"""reports: meetings' public reports (sections, quotes) and the yearly theme syntheses

Revision ID: 0021_reports
Revises: 0015_grand_bain
Create Date: 2026-12-01 15:00:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0021_reports'
down_revision = '0015_grand_bain'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'reports',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('participants_count', sa.Integer(), nullable=True),
        sa.Column('participant_sectors', sa.JSON(), nullable=True),
        sa.Column('figures_source', sa.String(length=20), nullable=False),
        sa.Column('presentation_url', sa.String(length=500), nullable=True),
        sa.Column('report_url', sa.String(length=500), nullable=True),
        sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('draft', 'published')", name=op.f('ck_reports_status_known')
        ),
        sa.CheckConstraint(
            "figures_source IN ('attendance', 'registrations', 'manual')",
            name=op.f('ck_reports_figures_source_known'),
        ),
        sa.CheckConstraint(
            'participants_count IS NULL OR participants_count >= 0',
            name=op.f('ck_reports_participants_not_negative'),
        ),
        sa.ForeignKeyConstraint(
            ['event_id'],
            ['events.id'],
            name=op.f('fk_reports_event_id_events'),
            ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_reports')),
        sa.UniqueConstraint('event_id', name=op.f('uq_reports_event_id')),
    )
    op.create_table(
        'report_sections',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('report_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('title_fr', sa.String(length=200), nullable=False),
        sa.Column('title_nl', sa.String(length=200), nullable=True),
        sa.Column('text_fr', sa.Text(), nullable=False),
        sa.Column('text_nl', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ['report_id'],
            ['reports.id'],
            name=op.f('fk_report_sections_report_id_reports'),
            ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_report_sections')),
        sa.UniqueConstraint(
            'report_id', 'position', name=op.f('uq_report_sections_report_id')
        ),
    )
    op.create_table(
        'report_quotes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('report_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('text', sa.String(length=300), nullable=False),
        sa.Column('sector_group', sa.String(length=40), nullable=True),
        sa.ForeignKeyConstraint(
            ['report_id'],
            ['reports.id'],
            name=op.f('fk_report_quotes_report_id_reports'),
            ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_report_quotes')),
        sa.UniqueConstraint(
            'report_id', 'position', name=op.f('uq_report_quotes_report_id')
        ),
    )
    op.create_table(
        'theme_syntheses',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('theme', sa.String(length=120), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('text_fr', sa.Text(), nullable=False),
        sa.Column('text_nl', sa.Text(), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_theme_syntheses')),
        sa.UniqueConstraint('theme', 'year', name=op.f('uq_theme_syntheses_theme')),
    )


def downgrade():
    op.drop_table('theme_syntheses')
    op.drop_table('report_quotes')
    op.drop_table('report_sections')
    op.drop_table('reports')
