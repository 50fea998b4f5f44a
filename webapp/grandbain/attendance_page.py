"""The "Qui est venu ?" form of each started visit, as the host's personal page and the back
office show it and save it: read the ticks, record them in one unit of work, say why a
recording is refused. The caller has found the offer (its token, or the account's scope)."""

from dataclasses import dataclass

from flask import abort, request
from flask_babel import lazy_gettext as _l

from webapp.grandbain import attendance
from webapp.grandbain.attendance import AttendanceRefused, SlotAttendance
from webapp.grandbain.forms import AttendanceForm
from webapp.timezones import utcnow
from webapp.unit_of_work import unit_of_work

# Why nothing was recorded, said beside the slot's form (with the answer's status).
REFUSALS = {
    "not-started": (
        _l("Cette visite n'a pas encore commencé : vous noterez qui est venu dès son début."),
        409,
    ),
    "no-visitors": (_l("Aucun visiteur confirmé pour cette visite : rien à noter."), 409),
    "not-confirmed": (
        _l("La liste des visiteurs a changé : vérifiez les cases puis enregistrez à nouveau."),
        409,
    ),
    "malformed": (_l("Cochez les visiteurs dans la liste de cette visite."), 422),
}


@dataclass(frozen=True)
class Section:
    """One started slot's form: where it posts, what was recorded, and what to say."""

    url: str
    counts: SlotAttendance
    problem: str | None = None
    saved: bool = False


def sections(offer, url_of, problem=None, saved=None, now=None):
    """slot id -> Section for each slot of the offer that has started. `url_of(slot)` is
    where its form posts; `problem` is (slot id, message) after a refusal; `saved` the id
    of the slot just recorded."""
    now = now or utcnow()
    started = [slot for slot in offer.slots if slot.start_at <= now]
    counts = attendance.attendance_by_slot([slot.id for slot in started])
    return {
        slot.id: Section(
            url=url_of(slot),
            counts=counts[slot.id],
            problem=problem[1] if problem and problem[0] == slot.id else None,
            saved=saved == slot.id,
        )
        for slot in started
    }


def save(offer, slot_id, actor):
    """Record the ticks posted for that slot of the offer. Returns (SlotAttendance, None,
    200) once recorded, or (None, message, status) when nothing was; a slot that is not the
    offer's is not found (404)."""
    if slot_id not in {slot.id for slot in offer.slots}:
        abort(404)
    form = AttendanceForm()
    came_ids = form.came_ids(request.form) if form.validate_on_submit() else None
    if came_ids is None:
        message, status = REFUSALS["malformed"]
        return None, str(message), status
    try:
        with unit_of_work("grand-bain-attendance"):
            counts = attendance.record(offer.id, slot_id, came_ids, actor)
    except AttendanceRefused as refused:
        if refused.reason == "not-found":
            abort(404)
        message, status = REFUSALS[refused.reason]
        return None, str(message), status
    return counts, None, 200
