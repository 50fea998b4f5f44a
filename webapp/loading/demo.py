"""demo-data: the demo agenda, then its registrations."""

from webapp.agenda.demo import load_demo_agenda
from webapp.audit import SYSTEM
from webapp.evaluations.defaults import ensure_default_templates
from webapp.loading.events import log_summary
from webapp.registrations.demo import load_demo_registrations


def load_demo_data(today=None):
    """Bassins, communes, the demo agenda dated around today and its registrations; running
    it again the same day changes nothing. Never commits. Returns each event's EventChange."""
    changes = load_demo_agenda(today, actor=SYSTEM)
    load_demo_registrations()
    ensure_default_templates()
    log_summary("demo-data", changes)
    return changes
