"""Invitations and their tokens go with the registration's personal data; answers stay
(they never named anyone)."""

from sqlalchemy import delete

from webapp.evaluations.models import Invitation
from webapp.extensions import db
from webapp.registrations.personal_data import personal_data_erased


@personal_data_erased.connect
def forget_invitations(sender=None, registration_ids=()):
    """Delete the invitations of erased or purged registrations (in the caller's transaction)."""
    if registration_ids:
        db.session.execute(
            delete(Invitation)
            .where(Invitation.registration_id.in_(list(registration_ids)))
            .execution_options(synchronize_session=False)
        )
