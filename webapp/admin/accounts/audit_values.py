"""An audit line's "before → after" in words, in the reader's language: each key's label
(webapp/audit_fields.py), each value as the pages say it (Oui/Non, a local date and time, a
status's label, a bassin's or sector's name).

Stored keys and values are data: whatever they hold comes out as text for the template to
escape, cut at VALUE_LENGTH, and never looked up in the database (the page shows 50 lines;
an id stays a number under its label).
"""

import ast
import re
from datetime import date, datetime

from flask import g
from flask_babel import format_date, format_time
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from webapp.admin.events.forms import MEETING_LANGUAGES
from webapp.admin.grandbain.views import OFFER_STATES
from webapp.admin.participants.forms import REGISTRATION_STATUSES
from webapp.audit_actions import AuditAction
from webapp.audit_fields import FIELDS
from webapp.audit_fields import label_of as field_label
from webapp.proposals.states import state_labels as proposal_states
from webapp.timezones import to_local
from webapp.vocabulary import (
    ACCOMMODATION_NEEDS,
    ACCOMMODATION_STATUSES,
    ACCOUNT_ROLES,
    AUDIENCES,
    EVENT_STATUSES,
    KINDS,
    MEETING_MODES,
    REGISTRATION_MODES,
    bassin_names,
    sector_group_label,
    sector_label,
)

VALUE_LENGTH = 160  # a long description is cut on the page; the row keeps it whole
NOTHING = "—"
YES, NO = _l("Oui"), _l("Non")
LITERAL_LENGTH = 2000  # a {sector group: count} repr is far shorter

# The shapes _jsonable gives dates and times (isoformat); anything else stays text.
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})?")

REPORT_STATUSES = {state: EVENT_STATUSES[state] for state in ("draft", "published")}
FIGURES_SOURCES = {
    "attendance": _l("Présences notées"),
    "registrations": _l("Inscriptions confirmées"),
    "manual": _l("Saisis à la main"),
}
# What a participants' export names its columns (admin/participants/views.columns).
EXPORT_COLUMNS = {
    **FIELDS,
    "status": _l("Statut"),
    "mode": _l("Participation"),
    "position": _l("Place en liste d'attente"),
    "registered_at": _l("Inscrit·e le"),
    "attended": _l("Présent·e"),
}
QUESTION_COLUMN = re.compile(r"question_(\d{1,10})")

# A status's words depend on what the line is about.
STATUSES_OF_SUBJECT = {
    "event": EVENT_STATUSES,
    "registration": REGISTRATION_STATUSES,
    "grand_bain_booking": REGISTRATION_STATUSES,  # confirmed, waitlisted, cancelled
    "grand_bain_offer": OFFER_STATES,
    "theme_synthesis": REPORT_STATUSES,
}
REPORT_ACTIONS = {
    AuditAction.REPORT_PUBLISHED,
    AuditAction.REPORT_UNPUBLISHED,
    AuditAction.THEME_SYNTHESIS_PUBLISHED,
    AuditAction.THEME_SYNTHESIS_UNPUBLISHED,
}


def changes(entry):
    """[(label, before, after)] of the keys the line holds, each as short text."""
    before = entry.before if isinstance(entry.before, dict) else {}
    after = entry.after if isinstance(entry.after, dict) else {}
    words = _words_for(entry)
    keys = list(dict.fromkeys([*before, *after]))
    return [
        (
            _said(field_label(key)),
            _cut(_worded(before.get(key), words.get(key))),
            _cut(_worded(after.get(key), words.get(key))),
        )
        for key in keys
    ]


def _words_for(entry):
    """Key -> how its values read (a mapping of labels, or a function of one value)."""
    return {
        "status": _statuses(entry),
        "statuses": REGISTRATION_STATUSES,
        "kind": KINDS,
        "audience": AUDIENCES,
        "registration_mode": REGISTRATION_MODES,
        "mode": MEETING_MODES,
        "languages": MEETING_LANGUAGES,
        "need": ACCOMMODATION_NEEDS,
        "bassins": dict(bassin_names()),
        "sector": sector_label,
        "sector_group": sector_group_label,
        "participant_sectors": _sector_counts,
        "role": ACCOUNT_ROLES,
        "figures_source": FIGURES_SOURCES,
        "fields": FIELDS,
        "columns": _column,
    }


def _statuses(entry):
    if entry.action == AuditAction.REGISTRATION_ACCOMMODATION_ANSWERED:
        return ACCOMMODATION_STATUSES
    if entry.action in REPORT_ACTIONS:
        return REPORT_STATUSES
    if entry.subject_type == "proposal":
        return proposal_states()
    return STATUSES_OF_SUBJECT.get(entry.subject_type, {})


def _worded(value, words=None):
    """One stored value in words; a list item by item; a dict as 'label: value' pairs."""
    if value is None or value == "":
        return NOTHING
    if isinstance(value, bool):
        return _said(YES if value else NO)
    if isinstance(value, list):
        return ", ".join(_worded(item, words) for item in value) or NOTHING
    if words is _sector_counts:  # a whole {sector group: count}, or its old repr
        return _sector_counts(value)
    if isinstance(value, dict):
        return ", ".join(f"{_key(k)} : {_worded(v)}" for k, v in value.items()) or NOTHING
    if isinstance(value, str):
        if isinstance(words, dict) and value in words:
            return _said(words[value])
        if callable(words):  # a function of one slug or key
            return str(words(value))
        return _moment(value) or value
    return str(value)  # a number, an id


def _key(key):
    """A key inside a value (an override's, a question's): its label when it has one."""
    return _said(FIELDS[key]) if key in FIELDS else str(key)


def _moment(text):
    """An ISO date or date-time as the reader's local date (and time), or None."""
    try:
        if ISO_DATE.fullmatch(text):
            return format_date(date.fromisoformat(text), "medium")
        if ISO_MOMENT.fullmatch(text):
            local = to_local(datetime.fromisoformat(text.replace("Z", "+00:00")))
            return f"{format_date(local, 'medium')} {format_time(local, 'short')}"
    except ValueError:  # 2027-02-31: not a date after all
        return None
    return None


def _sector_counts(counts):
    """{sector group: count}; a line written before dicts were kept holds its repr."""
    if isinstance(counts, str):
        counts = _literal(counts)
    if not isinstance(counts, dict):
        return _worded(counts) if isinstance(counts, str) else _worded(str(counts))
    return ", ".join(f"{sector_group_label(str(k))} : {_worded(v)}" for k, v in counts.items())


def _literal(text):
    """A short Python literal read back (never run), or the text as it is."""
    if len(text) > LITERAL_LENGTH:
        return text
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return text


def _column(key):
    found = QUESTION_COLUMN.fullmatch(key)
    if found:
        return _("Question %(number)s", number=found.group(1))
    return _said(EXPORT_COLUMNS.get(key, field_label(key)))


def _said(label):
    """A lazy label's text, translated once per request: a page of 50 lines repeats the same
    few hundred labels (each gettext costs a lookup of the request's locale)."""
    said = g.setdefault("audit_labels_said", {})
    found = said.get(id(label))
    if found is None:
        found = said[id(label)] = (label, str(label))  # the label kept: its id stays its own
    return found[1]


def _cut(text):
    return text if len(text) <= VALUE_LENGTH else text[: VALUE_LENGTH - 1] + "…"
