"""How many came to a meeting and from which sector groups: what a report's draft starts from.

The one place the reports read attendance (the check-in may add walk-ins and tap times: this
function is what changes with it). When attendance was taken (someone ticked present or
absent), the people present count; when it was not, the confirmed registrations stand in,
and `taken` says so.
"""

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import select

from webapp.agenda.states import FiguresSource
from webapp.extensions import db
from webapp.registrations.models import Registration
from webapp.registrations.states import RegistrationStatus
from webapp.vocabulary import sectors

SECTOR_GROUP_OF = {s["slug"]: s["group"] for s in sectors()}


@dataclass(frozen=True)
class Attendance:
    taken: bool
    present: int
    walk_ins: int = 0
    sectors: dict = field(default_factory=dict)  # sector group slug -> people

    @property
    def participants(self):
        return self.present + self.walk_ins

    @property
    def source(self):
        return FiguresSource.ATTENDANCE if self.taken else FiguresSource.REGISTRATIONS


def attendance_of(event_id):
    """The attendance of one event (or its confirmed registrations when none was taken)."""
    rows = db.session.execute(
        select(Registration.attended, Registration.sector).where(
            Registration.event_id == event_id,
            Registration.status == RegistrationStatus.CONFIRMED,
        )
    ).all()
    taken = any(attended is not None for attended, _ in rows)
    people = [sector for attended, sector in rows if attended or not taken]
    groups = Counter(SECTOR_GROUP_OF[s] for s in people if s in SECTOR_GROUP_OF)
    return Attendance(taken=taken, present=len(people), sectors=dict(groups))
