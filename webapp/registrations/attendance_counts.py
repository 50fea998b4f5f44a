"""How many came to a meeting and from which sector groups: what a report's draft starts from.

The one place the reports read attendance (the check-in may add walk-ins and tap times: this
function is what changes with it). When attendance was taken (a registered person was ticked
present or absent), the people present count; when it was not, the confirmed registrations
stand in, and `taken` says so. Walk-ins, at the door or added from a paper sheet afterwards,
count either way: adding four people to a meeting where nobody was ticked does not turn its
twenty registered people into absentees.
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


def attendance_mark():
    """SQL: a registered person (not a walk-in) whose attendance was marked, present or
    absent: the sign that attendance was taken at a meeting. The one definition, read by the
    reports' figures and the evaluation invitations too."""
    return Registration.walk_in.is_(False) & Registration.attended.is_not(None)


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

    Taken: a registered person of the event was ticked at the door (or marked, in imported
    data). Then those ticked present count, and people not ticked did not come. Not taken:
    the confirmed registrations stand in. Walk-ins ticked present count apart, either way."""
    rows = db.session.execute(
        select(Registration.attended, Registration.walk_in, Registration.sector).where(
            Registration.event_id == event_id,
            Registration.status == RegistrationStatus.CONFIRMED,
        )
    ).all()
    registered = [(attended, s) for attended, walk_in, s in rows if not walk_in]
    walk_ins = [s for attended, walk_in, s in rows if walk_in and attended]
    taken = any(attended is not None for attended, _s in registered)
    people = [s for attended, s in registered if attended or not taken] + walk_ins
    groups = Counter(SECTOR_GROUP_OF[s] for s in people if s in SECTOR_GROUP_OF)
    return Attendance(
        taken=taken,
        present=len(people) - len(walk_ins),
        walk_ins=len(walk_ins),
        sectors=dict(groups),
    )
