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
    """The attendance of one event (or its confirmed registrations when none was taken).

    Taken: someone of the event was ticked at the door (or marked, in imported data). Then
    the registered people ticked present count, and the walk-ins apart; people not ticked
    did not come. Not taken: the confirmed registrations stand in."""
    rows = db.session.execute(
        select(Registration.attended, Registration.walk_in, Registration.sector).where(
            Registration.event_id == event_id,
            Registration.status == RegistrationStatus.CONFIRMED,
        )
    ).all()
    taken = any(attended is not None for attended, _walk_in, _sector in rows)
    registered = [(bool(a), s) for a, walk_in, s in rows if not walk_in]
    walk_ins = [s for a, walk_in, s in rows if walk_in and a]
    people = [s for came, s in registered if came or not taken]
    if taken:
        people += walk_ins
    groups = Counter(SECTOR_GROUP_OF[s] for s in people if s in SECTOR_GROUP_OF)
    present = sum(1 for came, _s in registered if came or not taken)
    return Attendance(
        taken=taken,
        present=present,
        walk_ins=len(walk_ins) if taken else 0,
        sectors=dict(groups),
    )
