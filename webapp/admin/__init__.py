"""The back office (/admin/...): one blueprint, one module per part of the work.

Every view here is for signed-in staff only (checked once, before each request) and never
kept by a browser or a proxy. Objects are loaded through `access.find_or_404`, within the
account's scope (auth.scopes): an object of another bassin answers 404, never its data.
"""

# The parts of the back office register their views on `bp` when imported.
from webapp.admin import (  # noqa: E402, F401
    account,
    accounts,
    attendance,
    audit_log,
    catalogue,
    catalogue_lists,
    catalogue_merge,
    evaluation_questions,
    evaluations,
    event_actions,
    events,
    grand_bain,
    grand_bain_evaluations,
    grand_bain_host_results,
    mail_failures,
    moderation,
    participants,
    recurrence,
    reports,
    stats,
)
from webapp.admin.blueprint import bp

__all__ = ["bp"]
