"""import-events: the agenda's entries through its operations, then their registrations."""

import logging
from collections import Counter

from webapp.agenda.importer import save_entry, validate_entries
from webapp.agenda.territory import load_territory
from webapp.audit import IMPORT
from webapp.registrations.importing import check_registrations, save_registrations

logger = logging.getLogger(__name__)

# The keys of an entry that the registrations area reads, after the agenda's own.
REGISTRATION_KEYS = {"registrations": check_registrations}


def import_events(data, notify=True, actor=IMPORT):
    """Create or update (by external_id) the events of a parsed JSON file and their
    registrations; never commits (the command's unit of work holds the whole file).

    Every entry is checked before anything is written: ImportProblem names the bad entry and
    field. A moved, re-timed or cancelled event notifies its active registrants once, unless
    `notify` is False (loading history). Returns the EventChange of each entry, in order.
    """
    load_territory()
    specs = validate_entries(data, extras=REGISTRATION_KEYS)
    changes = []
    for spec in specs:
        change = save_entry(spec, actor, notify=notify)
        save_registrations(change.event, spec["registrations"])
        changes.append(change)
    log_summary("import-events", changes)
    return changes


def log_summary(name, changes):
    """One line for the operator: how many events were created, updated, left as they were."""
    counts = Counter(
        "created" if c.created else "updated" if c.changed_fields else "unchanged" for c in changes
    )
    logger.info(
        "%s: %d event(s): %d created, %d updated, %d unchanged; %d notice(s) queued",
        name,
        len(changes),
        counts["created"],
        counts["updated"],
        counts["unchanged"],
        sum(c.notices_queued for c in changes),
    )
