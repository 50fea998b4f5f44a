"""An event's attestations of participation for the team: all of them as one PDF to print
(/admin/events/<id>/attestations.pdf), and, for an accredited training, the attendance list
that its organiser uploads to INAMI/RIZIV (/admin/events/<id>/inami.csv)."""

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _

from webapp import audit
from webapp.admin import exports
from webapp.admin.access import actor, find_or_404, roles
from webapp.admin.blueprint import bp
from webapp.agenda.models import Event
from webapp.attestations import issue
from webapp.attestations.views import pdf_response
from webapp.audit_actions import AuditAction
from webapp.unit_of_work import unit_of_work

# The columns of the INAMI list: one row per care provider and date attended.
INAMI_HEADERS = ("numero_inami", "nom", "prenom", "date", "accreditation")


def _to_participants(event, message):
    flash(message, "error")
    return redirect(url_for("admin.participants", event_id=event.id), 303)


def _recorded(event, action, count):
    with unit_of_work(str(action)):
        audit.record(actor(), action, "event", event.id, None, {"count": count})


@bp.get("/events/<int:event_id>/attestations.pdf")
@roles("admin", "bassin")
def event_attestations(event_id):
    """Every attestation of the event, a page each in its person's language, by name."""
    event = find_or_404(Event, event_id)
    attestations = issue.for_event(event)
    if not attestations:
        return _to_participants(
            event,
            _(
                "Aucune attestation pour l'instant : elles existent dès le lendemain de la "
                "rencontre pour les personnes notées présentes."
            ),
        )
    _recorded(event, AuditAction.EVENT_ATTESTATIONS_DOWNLOADED, len(attestations))
    return pdf_response(
        attestations, exports.download_name(f"attestations-{event.id}", event.title_fr, "pdf")
    )


def inami_rows(event):
    """(INAMI number, last name, first name, ISO date, accreditation) per care provider who
    gave a number, per date attended, by name: what the upload to INAMI/RIZIV reads."""
    return [
        [
            person.inami_number,
            person.last_name or "",
            person.first_name or "",
            meeting.start.date().isoformat(),
            event.accreditation,
        ]
        for person, attestation in issue.attended_registrations(event)
        if person.inami_number
        for meeting in attestation.meetings
    ]


@bp.get("/events/<int:event_id>/inami.csv")
@roles("admin", "bassin")
def event_inami_list(event_id):
    """The attendance list of an accredited training for INAMI/RIZIV (CSV)."""
    event = find_or_404(Event, event_id)
    if not event.accreditation:
        abort(404)
    rows = inami_rows(event)
    if not rows:
        return _to_participants(
            event,
            _(
                "Aucune personne notée présente n'a donné de numéro INAMI (ou la rencontre "
                "n'a pas encore eu lieu)."
            ),
        )
    _recorded(event, AuditAction.EVENT_INAMI_LIST_EXPORTED, len(rows))
    name = exports.download_name(f"inami-{event.id}", event.title_fr, "csv")
    return exports.download("csv", event.title_fr, list(INAMI_HEADERS), rows, name)
