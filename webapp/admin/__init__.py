"""The back office (/admin/...): one blueprint, a subpackage per part of the work (events,
participants, reports, catalogue, grandbain, evaluations, accounts), forms beside their views.

Every view here is for signed-in staff only (checked once, before each request) and never
kept by a browser or a proxy. Objects are loaded through `access.find_or_404`, within the
account's scope (auth.scopes): an object of another bassin answers 404, never its data.
"""

# The parts of the back office register their views on `bp` when imported.
from webapp.admin import digest_preview, home  # noqa: F401
from webapp.admin.accounts import audit_log, own, views  # noqa: F401
from webapp.admin.blueprint import bp  # noqa: E402
from webapp.admin.catalogue import lists, merge  # noqa: F401
from webapp.admin.catalogue import views as catalogue_views  # noqa: F401
from webapp.admin.evaluations import questions  # noqa: F401
from webapp.admin.evaluations import views as evaluation_views  # noqa: F401
from webapp.admin.events import actions, moderation, page, recurrence  # noqa: F401
from webapp.admin.events import views as event_views  # noqa: F401
from webapp.admin.grandbain import evaluations, host_results, organisation  # noqa: F401
from webapp.admin.grandbain import views as grand_bain_views  # noqa: F401
from webapp.admin.participants import (  # noqa: F401
    accommodations,
    attendance,
    attestations,
    late,
    mail_failures,
)
from webapp.admin.participants import views as participant_views  # noqa: F401
from webapp.admin.reports import (
    stats,  # noqa: F401
    synthesis,  # noqa: F401
)
from webapp.admin.reports import views as report_views  # noqa: F401

__all__ = ["bp"]
