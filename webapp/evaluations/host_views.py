"""/grand-bain/offers/<token>/evaluation: a host's visits evaluated, by the host's personal
link (the offer's token), beside the edition's; scores and yes/no counts only
(host_results). Private like every page of this blueprint."""

from flask import abort, render_template

from webapp.evaluations import host_results
from webapp.evaluations.views import bp
from webapp.grandbain.models import Offer
from webapp.grandbain.states import OfferStatus
from webapp.tokens import find_by_token
from webapp.vocabulary import current_language


@bp.get("/grand-bain/offers/<token>/evaluation")
def host_evaluation(token):
    offer = find_by_token(Offer.token, token)
    if offer is None or offer.status != OfferStatus.ACCEPTED:
        abort(404)
    return render_template(
        "evaluations/host_results.html", **host_results.page(offer, current_language())
    )
