"""An event's accommodation requests (/admin/events/<id>/accommodations): what registrants
asked for to take part (interpreting, sign language, step-free access) and the team's answer,
arranged or not possible, which mails the person (registrations/accommodations.py).
Linked from the participants page.
"""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from webapp.admin.access import actor, find_or_404, roles
from webapp.admin.blueprint import bp
from webapp.agenda.models import Event
from webapp.registrations import accommodations
from webapp.registrations.states import AccommodationStatus
from webapp.unit_of_work import unit_of_work
from webapp.vocabulary import ACCOMMODATION_NEEDS, ACCOMMODATION_STATUSES


@bp.get("/events/<int:event_id>/accommodations")
@roles("admin", "bassin")
def accommodations_page(event_id):
    event = find_or_404(Event, event_id)
    return render_template(
        "admin/participants/accommodations.html",
        event=event,
        requests=accommodations.requests_of(event.id),
        needs=ACCOMMODATION_NEEDS,
        statuses=ACCOMMODATION_STATUSES,
    )


@bp.post("/events/<int:event_id>/accommodations/<int:accommodation_id>")
@roles("admin", "bassin")
def accommodation_answer(event_id, accommodation_id):
    event = find_or_404(Event, event_id)
    status = request.form.get("status", "")
    if status not in accommodations.ANSWERS:
        abort(400)
    try:
        with unit_of_work("accommodation-answer"):
            accommodations.answer(event.id, accommodation_id, AccommodationStatus(status), actor())
    except accommodations.AccommodationRefused as refused:
        if refused.reason == "not-found":
            abort(404)
        flash(_("Cette inscription est annulée : la demande n'attend plus de réponse."), "error")
        return redirect(url_for("admin.accommodations_page", event_id=event.id), 303)
    flash(_("Réponse enregistrée : la personne est prévenue par e-mail."), "info")
    return redirect(url_for("admin.accommodations_page", event_id=event.id), 303)
