"""Every back-office route against every role and against another bassin's objects.

The table is built from the URL map, so a new route is checked the day it is added: a route
with a parameter this file cannot fill fails `test_every_admin_parameter_is_known` until the
parameter gets a row in OBJECTS. For each route and method:
- signed out: sent to the sign-in page, nothing else;
- a Nord coordinator with Sud's objects in the URL: 403 or 404, never the object's data, and
  nothing of Sud changed (rows and audit log compared before and after);
- a service account: 403 or 404 on everything but the pages meant for it.
Ids posted in form fields and bulk actions are tried by each part's own tests and here by
posting every known id field, filled with Sud's ids, to Nord's own objects.
"""

import re

import pytest
from sqlalchemy import select

from tests.admin.conftest import sign_in
from tests.edge import rules
from tests.factories import PERSON
from tests.proposals.factory import submitted
from webapp.agenda.models import Event, Organisation, Series, Venue
from webapp.audit import AuditEntry
from webapp.extensions import db
from webapp.proposals.models import Proposal
from webapp.registrations.models import Registration

SECRET_TITLE = "Concertation confidentielle Sud 7341"
SECRET_PERSON = "Zénobie Vandersmissen"

# Pages a service account may open (its own things); everything else answers 403 or 404.
SERVICE_PAGES = {
    "admin.dashboard",
    "admin.account",
    "admin.events",
    "admin.propose_as_service",
    "admin.my_proposals",
    "admin.grand_bain",
}


@pytest.fixture
def world(app, make_event, make_staff):
    """Sud's objects (with a registrant) and Nord's; accounts of each role."""
    sud = make_event(title=SECRET_TITLE, bassins=("sud",), series_slug="liaison-sud", capacity=20)
    nord = make_event(
        title="Concertation Nord",
        bassins=("nord",),
        commune="schaerbeek",
        series_slug="liaison-nord",
    )
    organisation = Organisation(name="Service confidentiel Sud")
    db.session.add(organisation)
    sud.organiser = organisation
    db.session.commit()
    registration = rules.register(
        sud.id, dict(PERSON, first_name="Zénobie", last_name="Vandersmissen")
    ).registration
    proposal = submitted(("sud",), title_fr=SECRET_TITLE + " (proposition)")
    offers = grand_bain_offers()
    # An event Sud shares with Nord, at a Sud venue, organised by a Sud service (no commune,
    # as imported) that organises a Sud-only event too: Nord chooses both, changes neither.
    shared_organiser = Organisation(name="Service Sud partagé")
    shared = make_event(
        title="Concertation Sud et Nord", bassins=("sud", "nord"), organiser=shared_organiser
    )
    make_event(title="Permanence Sud", bassins=("sud",), organiser=shared_organiser)
    nord.organiser = Organisation(name="Service Nord")
    db.session.commit()
    sud_coordinator = make_staff("bassin", bassins=("sud",))
    return {
        "sud": {
            "event_id": sud.id,
            "series_id": sud.series_id,
            "venue_id": sud.venue_id,
            "organisation_id": organisation.id,
            "registration_id": registration.id,
            "proposal_id": proposal.id,
            "theme": "liaison-ambulatoire-hopital",
            "year": 2027,
            "kind": "concertation",  # evaluation templates: admins only
            "offer_id": offers["sud"]["offer_id"],
            "slot_id": offers["sud"]["slot_id"],
            "account_id": sud_coordinator.id,  # accounts: admins only
        },
        "nord": {
            "event_id": nord.id,
            "series_id": nord.series_id,
            "venue_id": nord.venue_id,
            "organisation_id": None,
            "registration_id": None,
            "proposal_id": submitted(("nord",)).id,
            "theme": "liaison-ambulatoire-hopital",
            "year": 2027,
            "kind": "concertation",
            "offer_id": offers["nord"]["offer_id"],
            "slot_id": offers["nord"]["slot_id"],
            "account_id": None,
        },
        "nord_coordinator": make_staff("bassin", bassins=("nord",)),
        "service": make_staff("service", organisation="Infor-Jeunes Bruxelles"),
        "sud_booking_id": offers["sud"]["booking_id"],
        "shared": {"venue_id": shared.venue_id, "organisation_id": shared_organiser.id},
        # Rows of Nord's own, offered as the one to keep when merging a shared one away.
        "nord_own": {"venue_id": nord.venue_id, "organisation_id": nord.organiser_id},
    }


# Arguments that name no object: one valid value each.
FIXED = {"extension": "csv", "action": "cancel"}


def grand_bain_offers():
    """A Grand Bain offer (accepted) of a service in Forest (Sud) and one in Ganshoren (Nord:
    Nord's coordinator reaches it), each with a visit that has started and one confirmed
    visitor, whose attendance is not taken."""
    from datetime import date, timedelta

    from webapp.agenda.models import Commune
    from webapp.grandbain.models import Booking, Edition, Offer, Slot, Visitor
    from webapp.grandbain.states import BookingStatus, OfferStatus
    from webapp.timezones import utcnow

    edition = Edition(year=2031, week_start=date(2031, 10, 13), week_end=date(2031, 10, 17))
    found = {}
    for bassin, commune in (("sud", "forest"), ("nord", "ganshoren")):
        slot = Slot(
            start_at=utcnow() - timedelta(hours=3),
            end_at=utcnow() - timedelta(hours=2),
            capacity=5,
            booked_count=1,
        )
        offer = Offer(
            edition=edition,
            name=SECRET_TITLE + " (Grand Bain)" if bassin == "sud" else "Service Nord",
            sector="maison-medicale",
            address="Rue 1",
            commune=db.session.scalar(select(Commune).where(Commune.slug == commune)),
            discover_fr="x",
            contact_name="A",
            contact_email="a@example.org",
            status=OfferStatus.ACCEPTED,
            slots=[slot],
        )
        visitor = Visitor(
            edition=edition,
            email=f"visiteur-{bassin}@example.org",
            first_name="Zénobie" if bassin == "sud" else "Nora",
            last_name="Vandersmissen" if bassin == "sud" else "Nord",
        )
        booking = Booking(slot=slot, visitor=visitor, status=BookingStatus.CONFIRMED)
        db.session.add_all([offer, visitor, booking])
        db.session.flush()
        found[bassin] = {"offer_id": offer.id, "slot_id": slot.id, "booking_id": booking.id}
    db.session.commit()
    return found


def admin_rules(app):
    return sorted(
        (rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/admin")),
        key=lambda rule: rule.rule,
    )


def fill(rule, ids):
    """The rule's URL with each parameter taken from `ids` (None when one is unknown)."""
    values = {}
    for name in rule.arguments:
        if name in ids and ids[name] is not None:
            values[name] = ids[name]
        elif name in ("date", "day"):
            values[name] = "2027-01-12"
        elif name in FIXED:
            values[name] = FIXED[name]
        else:
            return None
    url = rule.rule
    for name, value in values.items():
        url = re.sub(rf"<(?:[a-z]+(?:\([^)]*\))?:)?{name}>", str(value), url)
    return url


def snapshot(ids, sud_booking_id):
    """What Sud's objects are, to compare before and after a foreign request."""
    db.session.expire_all()
    event = db.session.get(Event, ids["event_id"])
    registration = db.session.get(Registration, ids["registration_id"])
    return {
        "event": {c.name: getattr(event, c.name) for c in Event.__table__.columns},
        "registration": (registration.status, registration.last_name),
        "series": db.session.get(Series, ids["series_id"]).title_fr,
        "venue": db.session.get(Venue, ids["venue_id"]).name,
        "organisation": db.session.get(Organisation, ids["organisation_id"]).name,
        "proposal": db.session.get(Proposal, ids["proposal_id"]).status,
        "grand bain offer": _offer_status(ids["offer_id"]),
        "grand bain attendance": _attended(sud_booking_id),
        "audit about Sud": db.session.scalars(
            select(AuditEntry.id).where(
                (AuditEntry.subject_type == "event") & (AuditEntry.subject_id == ids["event_id"])
                | (AuditEntry.subject_type == "registration")
                & (AuditEntry.subject_id == ids["registration_id"])
                | (AuditEntry.subject_type == "proposal")
                & (AuditEntry.subject_id == ids["proposal_id"])
                | (AuditEntry.subject_type == "venue") & (AuditEntry.subject_id == ids["venue_id"])
                | (AuditEntry.subject_type == "series")
                & (AuditEntry.subject_id == ids["series_id"])
                | (AuditEntry.subject_type == "grand_bain_slot")
                & (AuditEntry.subject_id == ids["slot_id"])
            )
        ).all(),
    }


def _offer_status(offer_id):
    from webapp.grandbain.models import Offer

    offer = db.session.get(Offer, offer_id)
    return (offer.status, offer.reason)


def _attended(booking_id):
    from webapp.grandbain.models import Booking

    booking = db.session.get(Booking, booking_id)
    return (booking.status, booking.attended)


def methods(rule):
    return sorted(rule.methods - {"HEAD", "OPTIONS"})


def test_every_admin_parameter_is_known(app, world):
    unknown = [
        rule.rule
        for rule in admin_rules(app)
        if rule.arguments and fill(rule, world["sud"]) is None
    ]
    assert unknown == [], "give these parameters a row in the `world` fixture"


def test_signed_out_visitors_are_sent_to_sign_in(app, client, world):
    for rule in admin_rules(app):
        url = fill(rule, world["sud"])
        for method in methods(rule):
            response = client.open(url, method=method)
            assert response.status_code == 302, (method, url)
            assert "/login" in response.headers["Location"]


def test_another_bassins_objects_are_never_reached(app, client, world):
    sign_in(client, world["nord_coordinator"])
    before = snapshot(world["sud"], world["sud_booking_id"])
    checked = 0
    for rule in admin_rules(app):
        if not rule.arguments:
            continue
        url = fill(rule, world["sud"])
        for method in methods(rule):
            data = {name: str(value) for name, value in world["sud"].items()}
            response = client.open(url, method=method, data=data if method == "POST" else None)
            assert response.status_code in (403, 404), (method, url, response.status_code)
            body = response.get_data(as_text=True)
            assert SECRET_TITLE not in body and "Vandersmissen" not in body, (method, url)
            checked += 1
    assert snapshot(world["sud"], world["sud_booking_id"]) == before
    assert checked >= 1


def test_foreign_ids_posted_to_ones_own_objects_change_nothing_of_them(app, client, world):
    """Nord's coordinator posts Sud's ids in every id field of every form on Nord's objects."""
    sign_in(client, world["nord_coordinator"])
    before = snapshot(world["sud"], world["sud_booking_id"])
    sud = world["sud"]
    forged = {name: str(value) for name, value in sud.items()}
    forged.update(
        {
            "registration_ids": str(sud["registration_id"]),
            "registration": str(sud["registration_id"]),
            "venue": str(sud["venue_id"]),
            "series": str(sud["series_id"]),
            "organiser": str(sud["organisation_id"]),
            "survivor": str(sud["venue_id"]),
            "target_event_id": str(sud["event_id"]),
            "came": str(world["sud_booking_id"]),
        }
    )
    for rule in admin_rules(app):
        if "POST" not in rule.methods:
            continue
        url = fill(rule, world["nord"]) if rule.arguments else rule.rule
        if url is None:
            continue
        response = client.post(url, data=forged)
        assert response.status_code < 500, (url, response.status_code)
        assert SECRET_TITLE not in response.get_data(as_text=True), url
    assert snapshot(world["sud"], world["sud_booking_id"]) == before


@pytest.mark.parametrize("arg, model", [("venue_id", Venue), ("organisation_id", Organisation)])
def test_another_bassins_row_of_a_shared_event_is_never_changed(app, client, world, arg, model):
    """Every route naming a venue or an organisation, with Sud's row that an event Sud shares
    with Nord uses: Nord's coordinator reaches that event (and may choose the row for it) but
    not the row's pages."""
    sign_in(client, world["nord_coordinator"])
    row_id = world["shared"][arg]

    def columns():
        db.session.expire_all()
        row = db.session.get(model, row_id)
        return {c.name: getattr(row, c.name) for c in model.__table__.c}

    before = columns()
    checked = 0
    for rule in admin_rules(app):
        if arg not in rule.arguments:
            continue
        url = fill(rule, {**world["nord"], arg: row_id})
        for method in methods(rule):
            data = {"name": "Renommé", "survivor": str(world["nord_own"][arg])}
            response = client.open(url, method=method, data=data if method == "POST" else None)
            assert response.status_code in (403, 404), (method, url, response.status_code)
            checked += 1
    assert columns() == before
    assert checked >= 4  # edit and merge, GET and POST


def test_a_service_account_reaches_only_its_own_pages(app, client, world):
    sign_in(client, world["service"])
    for rule in admin_rules(app):
        url = fill(rule, world["sud"]) if rule.arguments else rule.rule
        for method in methods(rule):
            response = client.open(url, method=method)
            body = response.get_data(as_text=True)
            assert SECRET_TITLE not in body and "Vandersmissen" not in body, (method, url)
            if rule.endpoint in SERVICE_PAGES and not rule.arguments:
                continue
            assert response.status_code in (302, 303, 403, 404, 405), (method, url)
