"""/admin/grand-bain/offers/<id>/organisation: the team links an offer to the organisation
that runs the service (one found by name or address, or a new one), so that the
organisation's service account finds the offer (grandbain/offer_organisation.py)."""

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField

from webapp.admin import access
from webapp.admin.blueprint import bp
from webapp.admin.grandbain.views import TEAMS, organisation_choices
from webapp.agenda.models import Organisation
from webapp.formfields import database_id, one_line_text
from webapp.grandbain import offer_organisation
from webapp.grandbain.models import Offer
from webapp.unit_of_work import unit_of_work

NEW = "new"


class LinkForm(FlaskForm):
    organisation = StringField(_l("Organisation"))
    new_name = StringField(_l("Nom de la nouvelle organisation"), filters=[one_line_text])


@bp.post("/grand-bain/offers/<int:offer_id>/organisation")
@access.roles(*TEAMS)
def grand_bain_offer_organisation(offer_id):
    offer = access.find_or_404(Offer, offer_id)
    form = LinkForm()
    back = redirect(url_for(".grand_bain_offer", offer_id=offer.id) + "#organisation", 303)
    if not form.validate_on_submit():
        flash(_("Le formulaire a expiré : recommencez."), "error")
        return back
    chosen, new_name = form.organisation.data, (form.new_name.data or "")[:200]
    organisation_id = None
    if chosen != NEW:
        chosen_id = database_id(chosen or "")
        if chosen_id is None:
            flash(_("Choisissez une organisation, ou créez-en une."), "error")
            return back
        matching = {found.id for found, _reasons in organisation_choices(offer)}
        if chosen_id not in matching:
            chosen_id = access.find_or_404(Organisation, chosen_id).id  # else within the scope
        organisation_id = chosen_id
    elif not new_name.strip():
        flash(_("Indiquez le nom de la nouvelle organisation."), "error")
        return back
    with unit_of_work("grand-bain-offer-organisation"):
        organisation = offer_organisation.link(
            offer.id, access.actor(), organisation_id=organisation_id, new_name=new_name.strip()
        )
        name = organisation.name
    flash(_("Offre rattachée à l'organisation « %(name)s ».", name=name), "info")
    return back
