"""Merging two duplicate venues or organisations: the survivor is chosen on the duplicate's
page, a confirmation page lists what moves, and one POST moves it all (agenda.catalogue).

Both rows are loaded within the account's scope, the removed one among those it may change
(a venue or an organisation it only chooses, another bassin's, is not merged away); a bassin
account cannot move the events of another bassin (the merge is refused: an admin does it).
"""

from dataclasses import dataclass

from flask import flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l

from webapp.admin.access import actor, find_or_404, is_admin, roles, scope
from webapp.admin.blueprint import bp
from webapp.admin.catalogue.forms import MergeForm
from webapp.admin.catalogue.views import STAFF, row_label, survivor_choices
from webapp.agenda import catalogue
from webapp.agenda.models import Organisation, Venue
from webapp.auth import scopes
from webapp.auth.scopes import event_filter, organisation_edit_filter, venue_edit_filter
from webapp.extensions import db
from webapp.unit_of_work import unit_of_work

# What the confirmation page calls the rows that move (a column not named here: its name).
REFERENCE_LABELS = {
    "events.venue_id": _l("activités à ce lieu"),
    "occurrence_overrides.venue_id": _l("dates d'activités répétées déplacées à ce lieu"),
    "event_occurrences.venue_id": _l("dates à l'agenda"),
    "events.organiser_id": _l("activités organisées"),
    "accounts.organisation_id": _l("comptes de service"),
}


@dataclass(frozen=True)
class Mergeable:
    model: type
    operation: object
    edit_endpoint: str
    id_arg: str
    same_row: object
    done: object
    # The rows the account may change and merge away (the survivor: any row it reaches).
    removable: object
    list_endpoint: str


KINDS = {
    "venue": Mergeable(
        Venue,
        catalogue.merge_venues,
        "admin.venue_edit",
        "venue_id",
        _l("Choisissez un autre lieu que celui-ci."),
        _l("Les deux lieux sont fusionnés."),
        venue_edit_filter,
        "admin.venues",
    ),
    "organisation": Mergeable(
        Organisation,
        catalogue.merge_organisations,
        "admin.organisation_edit",
        "organisation_id",
        _l("Choisissez une autre organisation que celle-ci."),
        _l("Les deux organisations sont fusionnées."),
        organisation_edit_filter,
        "admin.organisations",
    ),
}
MERGE_REFUSALS = {
    "foreign-events": _l(
        "Des activités d'autres bassins y sont liées : demandez cette fusion à un·e "
        "administrateur·rice régional·e."
    ),
    "conflict": _l(
        "Des données liées aux deux lignes se chevauchent : elles ne peuvent pas être "
        "fusionnées automatiquement."
    ),
}


@bp.route("/venues/<int:venue_id>/merge", methods=["GET", "POST"])
@roles(*STAFF)
def venue_merge(venue_id):
    return _merge_page(KINDS["venue"], venue_id)


@bp.route("/organisations/<int:organisation_id>/merge", methods=["GET", "POST"])
@roles(*STAFF)
def organisation_merge(organisation_id):
    return _merge_page(KINDS["organisation"], organisation_id)


def _merge_page(kind, row_id):
    """GET ?survivor=: what would move; POST: the merge. A bad choice: 422, nothing moved."""
    removed = find_or_404(kind.model, row_id, within=kind.removable)
    formdata = request.form if request.method == "POST" else request.args
    # The choice arrives by GET (a safe read: the confirmation page), the merge by POST.
    form = MergeForm(
        formdata=formdata if "survivor" in formdata else None,
        meta={} if request.method == "POST" else {"csrf": False},
    )
    form.survivor.set_rows(survivor_choices(kind.model, removed))
    chosen = form.survivor.data if "survivor" in formdata and form.validate() else None
    if "survivor" in formdata and form.survivor.data == removed.id:
        form.survivor.errors = [kind.same_row]
        chosen = None
    if chosen is not None and request.method == "POST":
        survivor = find_or_404(kind.model, chosen)
        try:
            with unit_of_work(request.endpoint):
                kind.operation(
                    removed.id, survivor.id, actor(), None if is_admin() else event_filter(scope())
                )
        except catalogue.CatalogueRefused as refused:
            message = MERGE_REFUSALS.get(refused.reason, kind.same_row)
            form.survivor.errors = [*form.survivor.errors, message]
            chosen = None
        else:
            flash(str(kind.done), "info")
            return redirect(_after_merge(kind, survivor.id), 303)
    survivor = find_or_404(kind.model, chosen) if chosen is not None else None
    moves = _moves(kind.model, removed.id) if survivor is not None else []
    status = 422 if form.survivor.errors else 200
    return render_template(
        "admin/catalogue/merge.html",
        kind=kind,
        removed=removed,
        survivor=survivor,
        form=form,
        moves=moves,
        row_label=row_label,
        edit_url=url_for(kind.edit_endpoint, **{kind.id_arg: removed.id}),
        action_url=url_for(request.endpoint, **{kind.id_arg: removed.id}),
    ), status


def _after_merge(kind, survivor_id):
    """The survivor's page; the list when the account may choose the survivor but not change
    it (another bassin's venue or organisation that its duplicate was merged into)."""
    if scopes.find(db.session, scope(), kind.model, survivor_id, kind.removable) is None:
        return url_for(kind.list_endpoint)
    return url_for(kind.edit_endpoint, **{kind.id_arg: survivor_id})


def _moves(model, row_id):
    """(label, count) of the rows that would move, as the confirmation page lists them."""
    return [
        (REFERENCE_LABELS.get(reference.name, reference.name), reference.count)
        for reference in catalogue.references(model, row_id)
        if reference.count
    ]
