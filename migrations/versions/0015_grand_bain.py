"""grand bain: editions, offers and their visit slots (public), visitors and bookings (private)

Revision ID: 0015_grand_bain
Revises: 0023_evaluations
Create Date: 2026-12-01 14:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0015_grand_bain'
down_revision = '0023_evaluations'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('grand_bain_editions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('week_start', sa.Date(), nullable=False),
    sa.Column('week_end', sa.Date(), nullable=False),
    sa.Column('call_opens_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('call_closes_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('booking_opens_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('booking_closes_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('max_slots_per_offer', sa.Integer(), nullable=False),
    sa.Column('max_visits_per_visitor', sa.Integer(), nullable=False),
    sa.Column('margin_minutes', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('reported_services', sa.Integer(), nullable=True),
    sa.Column('reported_visitors', sa.Integer(), nullable=True),
    sa.Column('reported_visits', sa.Integer(), nullable=True),
    sa.CheckConstraint('margin_minutes >= 0', name=op.f('ck_grand_bain_editions_margin_not_negative')),
    sa.CheckConstraint('max_slots_per_offer >= 1', name=op.f('ck_grand_bain_editions_slots_cap_positive')),
    sa.CheckConstraint('max_visits_per_visitor >= 1', name=op.f('ck_grand_bain_editions_visits_cap_positive')),
    sa.CheckConstraint('week_end >= week_start', name=op.f('ck_grand_bain_editions_week_in_order')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_grand_bain_editions_event_id_events'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grand_bain_editions')),
    sa.UniqueConstraint('year', name=op.f('uq_grand_bain_editions_year'))
    )
    op.create_table('grand_bain_edition_bassins',
    sa.Column('edition_id', sa.Integer(), nullable=False),
    sa.Column('bassin_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['bassin_id'], ['bassins.id'], name=op.f('fk_grand_bain_edition_bassins_bassin_id_bassins'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['edition_id'], ['grand_bain_editions.id'], name=op.f('fk_grand_bain_edition_bassins_edition_id_grand_bain_editions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('edition_id', 'bassin_id', name=op.f('pk_grand_bain_edition_bassins'))
    )
    op.create_table('grand_bain_offers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('edition_id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('sector', sa.String(length=60), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('commune_id', sa.Integer(), nullable=False),
    sa.Column('access_notes_fr', sa.Text(), nullable=True),
    sa.Column('access_notes_nl', sa.Text(), nullable=True),
    sa.Column('discover_fr', sa.Text(), nullable=False),
    sa.Column('discover_nl', sa.Text(), nullable=True),
    sa.Column('languages', sa.String(length=20), nullable=False),
    sa.Column('contact_name', sa.String(length=150), nullable=False),
    sa.Column('contact_email', sa.String(length=254), nullable=False),
    sa.Column('contact_phone', sa.String(length=40), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('language', sa.String(length=5), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('submitted', 'changes_requested', 'accepted', 'refused')", name=op.f('ck_grand_bain_offers_status_known')),
    sa.ForeignKeyConstraint(['commune_id'], ['communes.id'], name=op.f('fk_grand_bain_offers_commune_id_communes'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['edition_id'], ['grand_bain_editions.id'], name=op.f('fk_grand_bain_offers_edition_id_grand_bain_editions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_grand_bain_offers_organisation_id_organisations'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grand_bain_offers')),
    sa.UniqueConstraint('token', name=op.f('uq_grand_bain_offers_token'))
    )
    with op.batch_alter_table('grand_bain_offers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grand_bain_offers_edition_id'), ['edition_id'], unique=False)

    op.create_table('grand_bain_visitors',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('edition_id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('first_name', sa.String(length=100), nullable=True),
    sa.Column('last_name', sa.String(length=100), nullable=True),
    sa.Column('organisation', sa.String(length=200), nullable=True),
    sa.Column('sector', sa.String(length=60), nullable=True),
    sa.Column('job_title', sa.String(length=150), nullable=True),
    sa.Column('commune', sa.String(length=100), nullable=True),
    sa.Column('language', sa.String(length=5), nullable=False),
    sa.Column('consent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['edition_id'], ['grand_bain_editions.id'], name=op.f('fk_grand_bain_visitors_edition_id_grand_bain_editions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grand_bain_visitors')),
    sa.UniqueConstraint('edition_id', 'email', name=op.f('uq_grand_bain_visitors_edition_id')),
    sa.UniqueConstraint('token', name=op.f('uq_grand_bain_visitors_token'))
    )
    op.create_table('grand_bain_slots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('offer_id', sa.Integer(), nullable=False),
    sa.Column('start_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('end_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('booked_count', sa.Integer(), server_default='0', nullable=False),
    sa.Column('closed', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.CheckConstraint('booked_count >= 0 AND booked_count <= capacity', name=op.f('ck_grand_bain_slots_not_overbooked')),
    sa.CheckConstraint('capacity >= 1 AND capacity <= 50', name=op.f('ck_grand_bain_slots_capacity_in_range')),
    sa.CheckConstraint('end_at > start_at', name=op.f('ck_grand_bain_slots_ends_after_start')),
    sa.ForeignKeyConstraint(['offer_id'], ['grand_bain_offers.id'], name=op.f('fk_grand_bain_slots_offer_id_grand_bain_offers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grand_bain_slots'))
    )
    with op.batch_alter_table('grand_bain_slots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grand_bain_slots_offer_id'), ['offer_id'], unique=False)

    op.create_table('grand_bain_bookings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slot_id', sa.Integer(), nullable=False),
    sa.Column('visitor_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('question', sa.Text(), nullable=True),
    sa.Column('attended', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reminder_queued_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('confirmed', 'waitlisted', 'cancelled')", name=op.f('ck_grand_bain_bookings_status_known')),
    sa.ForeignKeyConstraint(['slot_id'], ['grand_bain_slots.id'], name=op.f('fk_grand_bain_bookings_slot_id_grand_bain_slots'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['visitor_id'], ['grand_bain_visitors.id'], name=op.f('fk_grand_bain_bookings_visitor_id_grand_bain_visitors'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_grand_bain_bookings'))
    )
    with op.batch_alter_table('grand_bain_bookings', schema=None) as batch_op:
        batch_op.create_index('ix_grand_bain_bookings_slot_status', ['slot_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_grand_bain_bookings_visitor_id'), ['visitor_id'], unique=False)
        batch_op.create_index('uq_grand_bain_bookings_active_slot_visitor', ['slot_id', 'visitor_id'], unique=True, sqlite_where=sa.text("status IN ('confirmed', 'waitlisted')"), postgresql_where=sa.text("status IN ('confirmed', 'waitlisted')"))



def downgrade():
    with op.batch_alter_table('grand_bain_bookings', schema=None) as batch_op:
        batch_op.drop_index('uq_grand_bain_bookings_active_slot_visitor', sqlite_where=sa.text("status IN ('confirmed', 'waitlisted')"), postgresql_where=sa.text("status IN ('confirmed', 'waitlisted')"))
        batch_op.drop_index(batch_op.f('ix_grand_bain_bookings_visitor_id'))
        batch_op.drop_index('ix_grand_bain_bookings_slot_status')

    op.drop_table('grand_bain_bookings')
    with op.batch_alter_table('grand_bain_slots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_grand_bain_slots_offer_id'))

    op.drop_table('grand_bain_slots')
    op.drop_table('grand_bain_visitors')
    with op.batch_alter_table('grand_bain_offers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_grand_bain_offers_edition_id'))

    op.drop_table('grand_bain_offers')
    op.drop_table('grand_bain_edition_bassins')
    op.drop_table('grand_bain_editions')
