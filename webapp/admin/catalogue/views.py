"""Series, venues and organisations: create, edit (their lists: admin/catalogue_lists.py;
merging two duplicates: admin/catalogue_merge.py). Admins and bassin teams; a bassin account
reaches the rows of its bassins (auth.scopes) and chooses among its own bassins and communes.
It edits the venues of its communes only (scopes.venue_edit_filter) and the organisations
whose every event it reaches (scopes.organisation_edit_filter): another bassin's venue or
organisation reached through a shared event is listed apart, to be chosen, not changed.
"""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from webapp.admin.access import actor, find_or_404, is_admin, roles, scope
from webapp.admin.blueprint import bp
from webapp.admin.catalogue.forms import (
    ACCESS_VALUES,
    SLUG_MESSAGE,
    MergeForm,
    OrganisationForm,
    SeriesForm,
    VenueForm,
    access_choice,
)
from webapp.agenda import catalogue
from webapp.agenda.models import (
    Bassin,
    Commune,
    Organisation,
    Series,
    Venue,
)
from webapp.auth.scopes import (
    organisation_edit_filter,
    organisations_in,
    venue_edit_filter,
    venues_in,
)
from webapp.extensions import db
from webapp.unit_of_work import unit_of_work

STAFF = ("admin", "bassin")

# What a refusal of agenda.catalogue says, beside the field it names.
REFUSALS = {
    "invalid-slug": lambda: str(SLUG_MESSAGE),
    "slug-taken": lambda: _("Cette adresse est déjà celle d'une autre série."),
    "slug-in-public-use": lambda: _(
        "Cette série a des activités publiées : son adresse figure dans des liens et des "
        "agendas abonnés, elle ne peut plus changer."
    ),
    "bassin-needed": lambda: _("Choisissez au moins un bassin."),
    "unknown-kind": lambda: _("Choisissez un type de la liste."),
    "venue-exists": lambda: _("Un lieu de ce nom existe déjà à cette adresse."),
    "name-taken": lambda: _("Une organisation porte déjà ce nom."),
    "unknown-sector": lambda: _("Choisissez un secteur de la liste."),
}


def refusal_message(refused):
    return REFUSALS.get(refused.reason, lambda: _("Cette modification est refusée."))()


def save_or_show(form, template, save, saved_message, context):
    """Run `save` in a unit of work when the form is valid (then back to the list, 303);
    otherwise the page again with the messages beside the fields (422 on a POST)."""
    if form.validate_on_submit():
        try:
            with unit_of_work(request.endpoint):
                save()
        except catalogue.CatalogueRefused as refused:
            if refused.field in form:
                field = form[refused.field]
                field.errors = [*field.errors, refusal_message(refused)]
            else:
                flash(refusal_message(refused), "error")
        else:
            flash(saved_message, "info")
            return redirect(url_for(context["back"]), 303)
    status = 422 if request.method == "POST" else 200
    return render_template(template, form=form, **context), status


# Series (the lists: admin/catalogue_lists.py).


@bp.route("/series/new", methods=["GET", "POST"])
@roles(*STAFF)
def series_new():
    form = SeriesForm()
    return _series_page(form, None)


@bp.route("/series/<int:series_id>/edit", methods=["GET", "POST"])
@roles(*STAFF)
def series_edit(series_id):
    series = find_or_404(Series, series_id)
    form = SeriesForm(obj=series if request.method == "GET" else None)
    if request.method == "GET":
        form.bassins.data = [b.slug for b in series.bassins]
    return _series_page(form, series)


def _series_page(form, series):
    own = _choosable_bassins()
    form.bassins.choices = [(b.slug, b.name) for b in own]
    # Bassins of the series the account does not work for stay as they are.
    others = [b for b in (series.bassins if series else []) if b not in own]

    def save():
        chosen = [b for b in own if b.slug in form.bassins.data]
        data = {name: form[name].data or None for name in catalogue.SERIES_COLUMNS}
        data["bassins"] = chosen + others
        catalogue.save_series(series.id if series else None, data, actor())

    return save_or_show(
        form,
        "admin/catalogue/series_form.html",
        save,
        _("La série est enregistrée."),
        {"series": series, "other_bassins": others, "back": "admin.series_list"},
    )


def _choosable_bassins():
    query = select(Bassin).order_by(Bassin.slug)
    if not is_admin():
        query = query.where(Bassin.slug.in_(scope().bassins))
    return db.session.scalars(query).all()


# Venues (the list: admin/catalogue_lists.py).


@bp.route("/venues/new", methods=["GET", "POST"])
@roles(*STAFF)
def venue_new():
    return _venue_page(None)


@bp.route("/venues/<int:venue_id>/edit", methods=["GET", "POST"])
@roles(*STAFF)
def venue_edit(venue_id):
    return _venue_page(find_or_404(Venue, venue_id, within=venue_edit_filter))


def _venue_page(venue):
    communes = _communes()
    codes = {c.id: set(filter(None, c.postal_codes.split(","))) for c in communes}
    form = VenueForm(postal_codes=codes)
    if venue is not None and request.method == "GET":
        form.process(obj=venue)
        form.commune.data = venue.commune_id
        form.step_free.data = access_choice(venue.step_free)
        form.lift.data = access_choice(venue.lift)
    _offer_communes(form, communes, venue)

    def save():
        data = {
            "name": form.name.data,
            "address": form.address.data or "",
            "postal_code": form.postal_code.data or None,
            "commune_id": form.commune.data,
            "access_notes_fr": form.access_notes_fr.data or None,
            "access_notes_nl": form.access_notes_nl.data or None,
            "step_free": ACCESS_VALUES.get(form.step_free.data),
            "lift": ACCESS_VALUES.get(form.lift.data),
        }
        catalogue.save_venue(venue.id if venue else None, data, actor())

    return save_or_show(
        form,
        "admin/catalogue/venue_form.html",
        save,
        _("Le lieu est enregistré."),
        {
            "venue": venue,
            "merge_form": _merge_form(Venue, venue),
            "twins": merge_twins(Venue, venue, "admin.venue_merge", "venue_id"),
            "back": "admin.venues",
        },
    )


def _communes():
    return db.session.scalars(
        select(Commune).options(selectinload(Commune.bassin)).order_by(Commune.name_fr)
    ).all()


def _offer_communes(form, communes, row):
    """Admins choose any commune; a bassin account those of its bassins (and the row's own),
    so what it saves stays within its reach."""
    own_bassins = None if is_admin() else scope().bassins
    offered = [
        c
        for c in communes
        if own_bassins is None
        or c.bassin.slug in own_bassins
        or (row is not None and c.id == row.commune_id)
    ]
    form.commune.set_rows((c.id, c.name) for c in offered)
    form.commune_required = own_bassins is not None


# Organisations (the list: admin/catalogue_lists.py).


@bp.route("/organisations/new", methods=["GET", "POST"])
@roles(*STAFF)
def organisation_new():
    return _organisation_page(None)


@bp.route("/organisations/<int:organisation_id>/edit", methods=["GET", "POST"])
@roles(*STAFF)
def organisation_edit(organisation_id):
    return _organisation_page(
        find_or_404(Organisation, organisation_id, within=organisation_edit_filter)
    )


def _organisation_page(organisation):
    communes = _communes()
    form = OrganisationForm()
    if organisation is not None and request.method == "GET":
        form.process(obj=organisation)
        form.commune.data = organisation.commune_id
    _offer_communes(form, communes, organisation)

    def save():
        data = {name: form[name].data or None for name in ("name", "sector", "email", "phone")}
        data["website"] = form.website.data or None
        data["commune_id"] = form.commune.data
        catalogue.save_organisation(organisation.id if organisation else None, data, actor())

    return save_or_show(
        form,
        "admin/catalogue/organisation_form.html",
        save,
        _("L'organisation est enregistrée."),
        {
            "organisation": organisation,
            "merge_form": _merge_form(Organisation, organisation),
            "twins": merge_twins(
                Organisation, organisation, "admin.organisation_merge", "organisation_id"
            ),
            "back": "admin.organisations",
        },
    )


def _merge_form(model, row):
    """The "Fusionner avec…" form of a row's page: the other rows within reach."""
    if row is None:
        return None
    form = MergeForm(formdata=None, meta={"csrf": False})  # sent by GET: a confirmation page
    form.survivor.set_rows(survivor_choices(model, row))
    return form


def _others(model, row):
    listing = venues_in if model is Venue else organisations_in
    return db.session.scalars(
        listing(scope()).where(model.id != row.id).order_by(func.lower(model.name), model.id)
    ).all()


def survivor_choices(model, row):
    """(id, label) of the rows within reach that could absorb `row`."""
    return [(other.id, row_label(other)) for other in _others(model, row)]


def merge_twins(model, row, endpoint, id_arg):
    """[(label, reasons, url)]: the rows within reach that look like `row` (same name or
    address), each with the link to the confirmation page of merging `row` into it, so a
    duplicate left by an import is one click from its merge."""
    if row is None:
        return []
    return [
        (row_label(other), reasons, url_for(endpoint, **{id_arg: row.id}, survivor=other.id))
        for other, reasons in catalogue.probable_twins(row, _others(model, row))
    ]


def row_label(row):
    """A venue or an organisation as a choice names it."""
    if isinstance(row, Venue):
        return " — ".join(part for part in (row.name, row.address) if part)
    return row.name
