"""An offer sent twice (same service, address and slots in one edition) is flagged in the
moderation queue with a link to its twin; a near one (another slot, another service) is not."""

from tests.admin.conftest import make_staff, sign_in  # noqa: F401  (a fixture)
from webapp.grandbain import duplicates
from webapp.grandbain.states import OfferStatus

SLOTS = [(0, "09:00", "10:30", 5), (2, "14:00", "15:00", 5)]


def test_the_same_service_address_and_slots_are_twins_whatever_the_spelling(edition, make_offer):
    first = make_offer("Maison médicale du Midi", SLOTS, status=OfferStatus.SUBMITTED)
    again = make_offer(
        "  MAISON MEDICALE  du midi ", list(reversed(SLOTS)), status=OfferStatus.SUBMITTED
    )
    make_offer("Maison médicale du Midi", SLOTS[:1], email="x@x.be")  # a slot fewer
    make_offer("Le Méridien", SLOTS, email="m@x.be")  # another service
    twins = duplicates.of_edition(edition.id)
    assert {offer_id: [o.id for o in others] for offer_id, others in twins.items()} == {
        first.id: [again.id],
        again.id: [first.id],
    }


def test_another_editions_offer_is_no_twin(edition, make_offer):
    from datetime import timedelta

    from webapp.extensions import db
    from webapp.grandbain.models import Edition
    from webapp.unit_of_work import unit_of_work

    with unit_of_work("older"):
        older = Edition(
            year=edition.year - 1,
            week_start=edition.week_start - timedelta(days=7),
            week_end=edition.week_end - timedelta(days=7),
        )
        db.session.add(older)
    make_offer("Maison médicale du Midi", SLOTS)
    make_offer("Maison médicale du Midi", SLOTS, edition_=older)
    assert duplicates.of_edition(edition.id) == {}


def test_the_moderation_queue_links_each_twin_to_the_other(
    app,
    edition,
    make_offer,
    make_staff,  # noqa: F811
):
    first = make_offer("Maison médicale du Midi", SLOTS, status=OfferStatus.SUBMITTED)
    again = make_offer("Maison médicale du Midi", SLOTS, status=OfferStatus.SUBMITTED)
    alone = make_offer("Le Méridien", SLOTS, email="m@x.be", status=OfferStatus.SUBMITTED)
    staff = sign_in(app.test_client(), make_staff("bassin", bassins=("sud",)))
    page = staff.get(f"/admin/grand-bain/{edition.year}/").get_data(as_text=True)
    row = page.split(f'data-offer-id="{first.id}"', 1)[1].split("</tr>", 1)[0]
    assert f'data-duplicate-of="{again.id}"' in row
    assert f'href="/admin/grand-bain/offers/{again.id}"' in row
    other = page.split(f'data-offer-id="{again.id}"', 1)[1].split("</tr>", 1)[0]
    assert f'href="/admin/grand-bain/offers/{first.id}"' in other
    lone = page.split(f'data-offer-id="{alone.id}"', 1)[1].split("</tr>", 1)[0]
    assert "data-duplicate-of" not in lone
