"""The retention purge of every area at once: registrations, Grand Bain visitors and hosts'
contact persons, partners' proposals, digest subscriptions never confirmed, old mail (and
the API's old records of removed events). The composition lives here, above all of them
(tests/test_layering.py); `purge-personal-data` and the worker's nightly job both run it."""

from dataclasses import dataclass
from datetime import timedelta

from webapp.agenda.removals import purge_removals
from webapp.digest.rules import purge_unconfirmed
from webapp.grandbain.personal_data import purge_offer_contacts, purge_visitors
from webapp.proposals.personal_data import purge_proposals
from webapp.registrations.personal_data import purge_personal_data
from webapp.timezones import utcnow
from webapp.unit_of_work import unit_of_work


@dataclass(frozen=True)
class Purged:
    """How many rows the purge anonymised, per area."""

    registrations: int
    visitors: int
    offer_contacts: int
    proposals: int
    digest_subscriptions: int = 0
    removals: int = 0

    @property
    def total(self):
        return (
            self.registrations
            + self.visitors
            + self.offer_contacts
            + self.proposals
            + self.digest_subscriptions
        )


def purge(older_than_months, outbox_retention=timedelta(days=30), now=None):
    """Anonymise what the retention period has passed, everywhere, in one unit of work (all
    or nothing); delete sent and failed mail older than `outbox_retention`. Idempotent."""
    now = now or utcnow()
    with unit_of_work("purge-personal-data"):
        return Purged(
            registrations=purge_personal_data(older_than_months, now, outbox_retention),
            visitors=purge_visitors(older_than_months, now),
            offer_contacts=purge_offer_contacts(older_than_months, now),
            proposals=purge_proposals(older_than_months, now),
            digest_subscriptions=purge_unconfirmed(now),
            removals=purge_removals(now),
        )
