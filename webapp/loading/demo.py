"""demo-data: the demo agenda, its registrations, the Grand Bain editions, reports,
evaluations and a partner's proposal waiting for review."""

from webapp.agenda.demo import load_demo_agenda
from webapp.agenda.demo_reports import load_demo_reports
from webapp.audit import SYSTEM
from webapp.evaluations.defaults import ensure_default_templates
from webapp.evaluations.demo import load_demo_evaluations
from webapp.grandbain.demo import load_demo_grand_bain
from webapp.grandbain.demo_held import link_partner_offers, load_held_grand_bain
from webapp.loading.events import log_summary
from webapp.proposals.demo import load_demo_proposals
from webapp.registrations.demo import load_demo_registrations
from webapp.timezones import local_today


def load_demo_data(today=None):
    """Bassins, communes, the demo agenda dated around today and its registrations; running
    it again the same day changes nothing. Never commits. Returns each event's EventChange."""
    day = today or local_today()
    changes = load_demo_agenda(today, actor=SYSTEM)
    load_demo_registrations()
    ensure_default_templates()
    load_demo_grand_bain(day)
    load_held_grand_bain(day)
    link_partner_offers()
    load_demo_reports(SYSTEM)
    load_demo_evaluations(day)
    load_demo_proposals(day)
    log_summary("demo-data", changes)
    return changes
