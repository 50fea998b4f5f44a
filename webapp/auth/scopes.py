"""What an actor may see and change, written once as query filters.

Every back-office view loads its objects through these filters, so an object outside the
actor's scope is simply not found (404): no view can forget a permission check.

A scope is one of: everything (admins, the system, imports); some bassins (a bassin team);
one organisation (a service, a partner). Accounts and roles will build their scope from the
account (auth issue); today callers build one directly.
"""

from dataclasses import dataclass, field

from sqlalchemy import exists, false, select, true

from webapp.agenda.models import (
    Bassin,
    Commune,
    Event,
    OccurrenceOverride,
    Organisation,
    Series,
    Venue,
    event_bassins,
    series_bassins,
)
from webapp.grandbain.models import Offer
from webapp.registrations.models import Registration


@dataclass(frozen=True)
class Scope:
    """`everything`, or the bassins (slugs) and/or the organisation (id) an actor works for."""

    everything: bool = False
    bassins: frozenset[str] = field(default_factory=frozenset)
    organisation_id: int | None = None
    # The bassins' ids where the account's bassins were loaded anyway (scope_of): spares a
    # lookup to queries that filter on ids. Not part of what the scope is (equality, hash).
    bassin_ids: frozenset[int] = field(default_factory=frozenset, compare=False, hash=False)

    @classmethod
    def all(cls):
        return cls(everything=True)

    @classmethod
    def of_bassins(cls, *slugs):
        return cls(bassins=frozenset(slugs))

    @classmethod
    def of_organisation(cls, organisation_id):
        return cls(organisation_id=organisation_id)


def event_filter(scope: Scope):
    """A WHERE clause on Event: the events this scope reaches."""
    if scope.everything:
        return true()
    clauses = []
    if scope.bassins:
        clauses.append(
            exists()
            .where(event_bassins.c.event_id == Event.id)
            .where(event_bassins.c.bassin_id == Bassin.id)
            .where(Bassin.slug.in_(scope.bassins))
        )
    if scope.organisation_id is not None:
        clauses.append(Event.organiser_id == scope.organisation_id)
    return _any(clauses)


def reaches_event(scope: Scope, event):
    """Whether the scope reaches that loaded event: `event_filter` read on the object (its
    bassins already loaded), for pages that list many events and link those the reader
    manages without one query each."""
    if scope.everything:
        return True
    if scope.bassins and any(bassin.slug in scope.bassins for bassin in event.bassins):
        return True
    return scope.organisation_id is not None and event.organiser_id == scope.organisation_id


def registration_filter(scope: Scope):
    """A WHERE clause on Registration: the registrations of the events this scope reaches."""
    if scope.everything:
        return true()
    return Registration.event_id.in_(select(Event.id).where(event_filter(scope)))


def venue_filter(scope: Scope):
    """A WHERE clause on Venue: venues in the scope's communes, or used by its events."""
    if scope.everything:
        return true()
    clauses = [Venue.id.in_(select(Event.venue_id).where(event_filter(scope)))]
    if scope.bassins:
        clauses.append(Venue.commune_id.in_(_communes_of(scope.bassins)))
    return _any(clauses)


def venue_edit_filter(scope: Scope):
    """A WHERE clause on Venue: the venues this scope may change or merge away, within
    venue_filter (those it may see and choose for its events).

    A venue belongs to the bassin of its commune: a team that reaches another bassin's venue
    through a shared event may choose it, not rename or merge it. A venue without a commune
    belongs to the teams whose events alone use it (as the place or a moved date's place).
    """
    if scope.everything:
        return true()
    if not scope.bassins:
        return false()
    own = _all_bassins_within(scope.bassins)
    used_by_own = select(Event.venue_id).where(own)
    used_by_others = (
        select(Event.venue_id)
        .where(~own, Event.venue_id.is_not(None))
        .union(
            select(OccurrenceOverride.venue_id)
            .join(Event, OccurrenceOverride.event_id == Event.id)
            .where(~own, OccurrenceOverride.venue_id.is_not(None))
        )
    )
    return Venue.commune_id.in_(_communes_of(scope.bassins)) | (
        Venue.commune_id.is_(None) & Venue.id.in_(used_by_own) & ~Venue.id.in_(used_by_others)
    )


def _all_bassins_within(bassins):
    """A WHERE clause on Event: events of these bassins and of no other (shared ones out)."""
    return event_filter(Scope.of_bassins(*bassins)) & ~(
        exists()
        .where(event_bassins.c.event_id == Event.id)
        .where(event_bassins.c.bassin_id == Bassin.id)
        .where(Bassin.slug.not_in(bassins))
    )


def _communes_of(bassins):
    return (
        select(Commune.id)
        .join(Bassin, Commune.bassin_id == Bassin.id)
        .where(Bassin.slug.in_(bassins))
    )


def series_filter(scope: Scope):
    """A WHERE clause on Series: the series that have one of the scope's bassins."""
    if scope.everything:
        return true()
    if not scope.bassins:
        return false()
    return (
        exists()
        .where(series_bassins.c.series_id == Series.id)
        .where(series_bassins.c.bassin_id == Bassin.id)
        .where(Bassin.slug.in_(scope.bassins))
    )


def organisation_filter(scope: Scope):
    """A WHERE clause on Organisation: those in the scope's communes or organising its
    events, and an organisation's own row."""
    if scope.everything:
        return true()
    clauses = [Organisation.id.in_(select(Event.organiser_id).where(event_filter(scope)))]
    if scope.bassins:
        clauses.append(Organisation.commune_id.in_(_communes_of(scope.bassins)))
    if scope.organisation_id is not None:
        clauses.append(Organisation.id == scope.organisation_id)
    return _any(clauses)


def organisation_edit_filter(scope: Scope):
    """A WHERE clause on Organisation: those this scope may change or merge away, within
    organisation_filter (those it may see and choose as an organiser).

    An organisation belongs to the bassins of its events (imported ones have no commune): a
    team may change one whose every event it reaches (a shared one included: it edits that
    event too), not one that also organises another bassin's event it reached through a
    shared event. One that organises nothing yet is the bassin's of its commune; without a
    commune, an admin's. A service account changes none here (the catalogue is staff's).
    """
    if scope.everything:
        return true()
    if not scope.bassins:
        return false()
    elsewhere = select(Event.organiser_id).where(
        Event.organiser_id.is_not(None), ~event_filter(scope)
    )
    return organisation_filter(scope) & ~Organisation.id.in_(elsewhere)


def through_event(model, scope: Scope):
    """A WHERE clause on a row that belongs to an event (`model.event_id`: a partner's
    proposal...): reached when its event is. The areas above keep their own models; this
    layer needs to know none of them."""
    if scope.everything:
        return true()
    return model.event_id.in_(select(Event.id).where(event_filter(scope)))


def offer_filter(scope: Scope):
    """A WHERE clause on a Grand Bain Offer: those in the scope's communes (the bassin of
    the service's commune), and a service's own organisation's offers."""
    if scope.everything:
        return true()
    clauses = []
    if scope.bassins:
        clauses.append(Offer.commune_id.in_(_communes_of(scope.bassins)))
    if scope.organisation_id is not None:
        clauses.append(Offer.organisation_id == scope.organisation_id)
    return _any(clauses)


def _any(clauses):
    if not clauses:
        return false()
    clause = clauses[0]
    for other in clauses[1:]:
        clause = clause | other
    return clause


def events_in(scope: Scope):
    """SELECT of the events this scope reaches (add options, order, filters as needed)."""
    return select(Event).where(event_filter(scope))


def registrations_in(scope: Scope):
    return select(Registration).where(registration_filter(scope))


def venues_in(scope: Scope):
    return select(Venue).where(venue_filter(scope))


def editable_venues_in(scope: Scope):
    return select(Venue).where(venue_edit_filter(scope))


def series_in(scope: Scope):
    return select(Series).where(series_filter(scope))


def organisations_in(scope: Scope):
    return select(Organisation).where(organisation_filter(scope))


def editable_organisations_in(scope: Scope):
    return select(Organisation).where(organisation_edit_filter(scope))


FILTERS = {
    Event: event_filter,
    Registration: registration_filter,
    Venue: venue_filter,
    Series: series_filter,
    Organisation: organisation_filter,
    Offer: offer_filter,
}


def find(session, scope: Scope, model, object_id, within=None):
    """The object with that id if this scope reaches it, else None (the view's 404).
    `within`: a narrower filter of the scope than the model's own (venue_edit_filter,
    organisation_edit_filter). A model of an area above (a proposal) is reached through
    its event."""
    if within is not None:
        clause = within(scope)
    elif model in FILTERS:
        clause = FILTERS[model](scope)
    elif hasattr(model, "event_id"):
        clause = through_event(model, scope)
    else:
        raise LookupError(f"no scope filter for {model.__name__}")
    return session.scalar(select(model).where(model.id == object_id, clause))
