"""/admin/grand-bain/offers/<id>/results: a host's visits evaluated, beside its edition, as
the host sees them by its personal link (scores and yes/no counts, never a free text:
evaluations.host_results). For every staff role, a `service` account too: the offer is
loaded within the account's scope (its organisation's offers), another one is a 404."""

from flask import render_template

from webapp.admin import access
from webapp.admin.blueprint import bp
from webapp.admin.grandbain.views import STAFF
from webapp.evaluations import host_results
from webapp.grandbain.models import Offer
from webapp.vocabulary import current_language


@bp.get("/grand-bain/offers/<int:offer_id>/results")
@access.roles(*STAFF)
def grand_bain_host_results(offer_id):
    offer = access.find_or_404(Offer, offer_id)
    return render_template(
        "admin/grand_bain/host_results.html", **host_results.page(offer, current_language())
    )
