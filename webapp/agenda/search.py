"""Text search of the agenda: one folding for the stored search text and for the query.

Each event keeps `search_text`: its titles and descriptions (FR/NL), its series' titles, its
venue's name and address, the commune's names and municipality (FR/NL) and its organiser,
folded (no accents, no case). agenda.changes refreshes it in the flush that changes any of
them, so a search is a plain LIKE on SQLite and PostgreSQL alike, without an extension.
"""

import unicodedata

from sqlalchemy import and_, true

from webapp.agenda.models import Commune, Event, Organisation, Series, Venue

# Migrations/versions/0010_search_text.py keeps a frozen copy of fold() and of the fields:
# change them together (and fill the column again in a new migration).
SEARCH_FIELDS = ("title_fr", "title_nl", "description_fr", "description_nl")


def fold(text):
    """Text without accents or case ("Hôpital" -> "hopital"), spaces made single."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


def search_text(event, venue=None, commune=None, series=None, organiser=None):
    """The folded text an event is found by (the related rows as the caller resolved them)."""
    parts = [getattr(event, name) for name in SEARCH_FIELDS]
    if series is not None:
        parts += [series.title_fr, series.title_nl]
    if venue is not None:
        parts += [venue.name, venue.address]
    if commune is not None:
        parts += [
            commune.name_fr,
            commune.name_nl,
            commune.municipality_fr,
            commune.municipality_nl,
        ]
    if organiser is not None:
        parts.append(organiser.name)
    return fold("\n".join(p for p in parts if p))


def refresh_search_text(session, event):
    """Recompute an event's search text from its rows as they stand in the session."""
    venue = _related(session, event, "venue", Venue)
    event.search_text = search_text(
        event,
        venue=venue,
        commune=_related(session, venue, "commune", Commune) if venue is not None else None,
        series=_related(session, event, "series", Series),
        organiser=_related(session, event, "organiser", Organisation),
    )


def _related(session, row, name, model):
    """The related row a row names, whether set by object or by id."""
    obj, key = getattr(row, name), getattr(row, f"{name}_id")
    if obj is not None and (key is None or obj.id in (None, key)):
        return obj
    return session.get(model, key) if key is not None else None


def _escape_like(text):
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def words(query):
    """The words a search looks for, folded; none when the query is blank."""
    return fold(query).split()


def matches(query):
    """The WHERE clause of a text search: every word of the query, anywhere, in any order."""
    return and_(
        *(Event.search_text.like(f"%{_escape_like(word)}%", escape="\\") for word in words(query))
    )


# What each catalogue row is found by, the name first: its folded text also orders the lists.
# Migrations/versions/0029_catalogue_search_text.py keeps a frozen copy: change them together.
CATALOGUE_FIELDS = {
    Venue: ("name", "address", "postal_code"),
    Organisation: ("name",),
    Series: ("title_fr", "title_nl", "slug"),
}


def catalogue_text(row):
    """The stored search text of a venue, organisation or series: each field folded, one a
    line, the name on the first (so sorting by it sorts by name, accents and case aside)."""
    return "\n".join(
        fold(value) for value in (getattr(row, f) for f in CATALOGUE_FIELDS[type(row)]) if value
    )


def catalogue_matches(model, query, also=None):
    """The WHERE clause of a catalogue search: every word of the query in the row's folded
    text, or, through `also(word)`, in a related row's (a commune's name, a sector's label)."""
    clauses = [true()]
    for word in words(query):
        found = model.search_text.like(f"%{_escape_like(word)}%", escape="\\")
        clauses.append(found | also(word) if also is not None else found)
    return and_(*clauses)


def in_any(word, *texts):
    """Whether a folded word stands in one of these texts (a commune's names, a label)."""
    return any(word in fold(text) for text in texts if text)
