"""Invitations and their tokens go with the registration's or the Grand Bain booking's
personal data; answers stay (they never named anyone)."""

from sqlalchemy import delete, event

from webapp.evaluations.models import Invitation
from webapp.extensions import db
from webapp.grandbain.models import Booking
from webapp.registrations.personal_data import personal_data_erased


@personal_data_erased.connect
def forget_invitations(sender=None, registration_ids=(), booking_ids=()):
    """Delete the invitations of erased or purged registrations, or of the bookings of an
    erased or purged Grand Bain visitor (in the caller's transaction)."""
    for column, ids in (
        (Invitation.registration_id, registration_ids),
        (Invitation.booking_id, booking_ids),
    ):
        if ids:
            db.session.execute(
                delete(Invitation)
                .where(column.in_(list(ids)))
                .execution_options(synchronize_session=False)
            )


@event.listens_for(Booking, "after_delete")
def forget_booking_invitation(mapper, connection, booking):
    """A deleted booking (or visitor) takes its invitation along. The foreign key's ON DELETE
    CASCADE does it on PostgreSQL; SQLite runs no foreign key actions (no pragma)."""
    table = Invitation.__table__
    connection.execute(delete(table).where(table.c.booking_id == booking.id))
