"""GET /api/v1/grand-bain/<year>/offers: an edition's published offers and their slots."""

from flask import jsonify
from flask_babel import gettext as _

from webapp.api import bp
from webapp.grandbain.queries import accepted_offers, edition_of_year
from webapp.timezones import to_local
from webapp.urls import absolute_url


def _iso(value):
    return to_local(value).isoformat()


@bp.get("/api/v1/grand-bain/<int:year>/offers")
def grand_bain_offers(year):
    edition = edition_of_year(year)
    if edition is None:
        return jsonify(error=_("Édition introuvable"), status=404), 404
    return jsonify(
        year=edition.year,
        week_start=edition.week_start.isoformat(),
        week_end=edition.week_end.isoformat(),
        items=[
            {
                "id": offer.id,
                "name": offer.name,
                "sector": offer.sector,
                "address": offer.address,
                "commune": offer.commune.slug,
                "languages": offer.language_codes,
                "discover": offer.discover,
                "url": absolute_url("grandbain.offer", year=edition.year, offer_id=offer.id),
                "slots": [
                    {
                        "id": slot.id,
                        "start": _iso(slot.start_at),
                        "end": _iso(slot.end_at),
                        "capacity": slot.capacity,
                        "booked": slot.booked_count,
                    }
                    for slot in offer.slots
                ],
            }
            for offer in accepted_offers(edition)
        ],
    )
