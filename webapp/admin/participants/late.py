"""/admin/events/<id>/participants/late: people added after the meeting from a paper sheet,
several rows in one form, their attendance ticked (registrations.late). What was typed is
kept beside any refusal; nothing is saved unless every row is."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from webapp.admin.access import actor, find_or_404, roles
from webapp.admin.blueprint import bp
from webapp.admin.participants.late_forms import MAX_ROWS, ROWS, LateAdditionsForm
from webapp.agenda.models import Event
from webapp.formfields import whole_number_in
from webapp.registrations import late
from webapp.unit_of_work import unit_of_work

REFUSALS = {
    "cancelled": _l("Cette activité est annulée."),
    "not-yet": _l(
        "Cette rencontre n'a pas encore commencé : inscrivez les personnes depuis la liste "
        "des participants, ou à l'accueil le jour même."
    ),
    "already-registered": _l("Cette adresse est déjà inscrite à cette activité."),
}


def _day_label(day):
    return format_date(day, "full")


@bp.route("/events/<int:event_id>/participants/late", methods=["GET", "POST"])
@roles("admin", "bassin", "service")
def participants_late(event_id):
    event = find_or_404(Event, event_id)
    dates = late.past_dates(event)
    wanted = whole_number_in(request.args.get("rows", ""), ROWS, MAX_ROWS) or ROWS
    form = LateAdditionsForm()
    while len(form.rows) < wanted:
        form.rows.append_entry()
    form.on_date.choices = [(d.isoformat(), _day_label(d)) for d in dates]
    if not dates:
        return _page(event, form, refusal=str(REFUSALS["not-yet"]))
    if request.method == "GET" or request.form.get("more_rows"):
        # More rows asked: the same page with what was typed, and nothing saved or checked.
        return _page(event, form)
    if not form.validate():
        return _page(event, form, status=422)
    filled = form.filled_rows()
    if not filled:
        form.rows[0].form.last_name.errors.append(_("Indiquez au moins une personne."))
        return _page(event, form, status=422)
    people = [
        late.LatePerson(
            first_name=row.first_name.data,
            last_name=row.last_name.data,
            email=row.email.data or None,
            organisation=row.organisation.data,
            sector=row.sector.data or None,
            language=row.language.data,
            present=bool(row.present.data),
        )
        for _n, row in filled
    ]
    on_date = next(d for d in dates if d.isoformat() == form.on_date.data)
    try:
        with unit_of_work("participants-late"):
            made = late.add_after_meeting(event.id, on_date, people, actor())
            count = len(made)
    except late.LateRefused as refused:
        if refused.reason not in REFUSALS:
            abort(404)
        for index in refused.rows:
            row = filled[index][1]
            row.email.errors.append(str(REFUSALS[refused.reason]))
        return _page(event, form, refusal=str(REFUSALS[refused.reason]), status=409)
    flash(
        ngettext(
            "%(num)d personne ajoutée à la rencontre.",
            "%(num)d personnes ajoutées à la rencontre.",
            count,
        ),
        "info",
    )
    return redirect(url_for("admin.participants", event_id=event.id, status="all"), 303)


def _page(event, form, refusal=None, status=200):
    return render_template(
        "admin/participants/late.html",
        event=event,
        form=form,
        refusal=refusal,
        more=min(len(form.rows) + ROWS, MAX_ROWS),
    ), status
