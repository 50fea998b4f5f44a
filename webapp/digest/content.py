"""What a digest holds: the coming events of the period's window that match a subscriber's
choices, new ones (created since the last digest) first, and the *Save the date* of the
series that have no meeting in the window (their next one, within a year).

The events are read and written out once per run and language (`DigestContent`); each
subscriber's digest is then a choice among those ready-made items, so that thousands of
digests cost little more than one (bench/bench_digest.py).
"""

from dataclasses import dataclass, field, replace

from flask import current_app
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy.orm import selectinload

from webapp.agenda.models import EventOccurrence, Venue
from webapp.agenda.queries import EVENT_LOADS, AgendaFilters, agenda_statement
from webapp.agenda.states import EventStatus
from webapp.digest.periods import SAVE_THE_DATE, WINDOWS
from webapp.digest.states import DigestLanguage
from webapp.extensions import db
from webapp.templating import when
from webapp.urls import absolute_url
from webapp.vocabulary import KINDS


@dataclass(frozen=True)
class ItemText:
    """One event as a digest shows it, in one language."""

    title: str
    when: str
    place: str | None
    kind: str
    note: str | None  # cancelled, postponed, places left, other dates
    url: str
    text: str = ""  # the item as the plain-text part shows it
    html: str = ""  # and the HTML part (Markup), written once per run and language


@dataclass
class DigestItem:
    """One event of the window (its first date in it), with what the choices match on."""

    event_id: int
    created_at: object
    start_at: object
    kind: str
    bassins: frozenset
    themes: frozenset  # its series' slug and shared theme
    series_id: int | None
    texts: dict = field(default_factory=dict)  # language -> ItemText

    def matches(self, bassins, kinds, themes):
        """Whether a subscriber with these choices (empty: all) wants this event."""
        return (
            (not bassins or not self.bassins.isdisjoint(bassins))
            and (not kinds or self.kind in kinds)
            and (not themes or not self.themes.isdisjoint(themes))
        )


# A digest lists at most this many events (new ones first); the rest is "and N more".
MAX_EVENTS = 40


@dataclass
class Digest:
    """One subscriber's digest: empty when nothing matches (then no mail goes)."""

    new: list
    coming: list
    save_the_date: list
    more: int = 0  # matching events left out past MAX_EVENTS

    @property
    def empty(self):
        return not (self.new or self.coming or self.save_the_date)

    @property
    def count(self):
        return len(self.new) + len(self.coming) + self.more


class DigestContent:
    """The events of one frequency's window at `now`, ready for every subscriber."""

    def __init__(self, frequency, now):
        self.now = now
        self.until = now + WINDOWS[frequency]
        self.items = _items(self._dates(now, self.until), first_per="event")
        later = self._dates(self.until, now + SAVE_THE_DATE, in_series=True)
        self.save_the_date = _items(later, first_per="series")
        self._matches = {}
        # Bodies already written, by what they hold (webapp/digest/jobs.render_digest).
        self.bodies = {}

    @staticmethod
    def _dates(start, end, in_series=False):
        stmt = (
            agenda_statement(AgendaFilters(), start)
            .where(EventOccurrence.start_at < end, EventOccurrence.start_at >= start)
            .options(
                selectinload(EventOccurrence.event).options(*EVENT_LOADS),
                selectinload(EventOccurrence.venue).selectinload(Venue.commune),
            )
        )
        if in_series:
            stmt = stmt.where(EventOccurrence.series_id.is_not(None))
        return db.session.scalars(stmt).all()

    def _matching(self, bassins, kinds, themes):
        """(events, save-the-dates) for these choices, worked out once per set of choices."""
        key = (frozenset(bassins), frozenset(kinds), frozenset(themes))
        found = self._matches.get(key)
        if found is None:
            matched = [i for i in self.items if i.matches(*key)]
            in_window = {i.series_id for i in matched}
            later = [
                i for i in self.save_the_date if i.series_id not in in_window and i.matches(*key)
            ]
            found = self._matches[key] = (matched, later)
        return found

    def digest_for(self, bassins, kinds, themes, since):
        """The digest of one subscriber; `since`: when the last one went (new items after)."""
        matched, later = self._matching(bassins, kinds, themes)
        new = [i for i in matched if since is None or i.created_at > since]
        coming = [i for i in matched if not (since is None or i.created_at > since)]
        shown_new = new[:MAX_EVENTS]
        shown_coming = coming[: MAX_EVENTS - len(shown_new)]
        more = len(matched) - len(shown_new) - len(shown_coming)
        return Digest(shown_new, shown_coming, later, more)


def _items(dates, first_per):
    """One DigestItem per event (or per series), from its first date, in both languages."""
    firsts, others = {}, {}
    for occurrence in dates:
        event = occurrence.event
        key = event.id if first_per == "event" else event.series_id
        if key in firsts:
            others[key] = others.get(key, 0) + 1
        else:
            firsts[key] = occurrence
    items = []
    for key, occurrence in firsts.items():
        event, series = occurrence.event, occurrence.event.series
        extra = others.get(key) if first_per == "event" else None
        texts = {}
        for language in DigestLanguage:
            with force_locale(language):
                texts[language] = _text(occurrence, language, extra)
        items.append(
            DigestItem(
                event_id=event.id,
                created_at=event.created_at,
                start_at=occurrence.start_at,
                kind=event.kind,
                bassins=frozenset(b.slug for b in event.bassins),
                themes=frozenset(v for v in (series.slug, series.theme) if v)
                if series
                else frozenset(),
                series_id=event.series_id,
                texts=texts,
            )
        )
    return items


def _text(occurrence, language, other_dates):
    event = occurrence.event
    venue = occurrence.venue or event.venue
    place = None
    if venue is not None:
        place = venue.name + (f", {venue.commune.municipality}" if venue.commune else "")
    elif event.online_url:
        place = _("En ligne")
    notes = []
    if event.status == EventStatus.CANCELLED or occurrence.cancelled:
        notes.append(_("Annulé"))
    elif event.status == EventStatus.POSTPONED:
        notes.append(_("Reporté – date à confirmer"))
    elif event.places_left == 0:
        notes.append(
            _("Complet – liste d'attente ouverte") if event.waitlist_enabled else _("Complet")
        )
    elif event.places_left is not None:
        notes.append(
            ngettext("%(num)d place restante", "%(num)d places restantes", event.places_left)
        )
    if other_dates:
        notes.append(ngettext("et %(num)d autre date", "et %(num)d autres dates", other_dates))
    text = ItemText(
        title=event.localized("title", language),
        when=when(occurrence.start_at, occurrence.end_at),
        place=place,
        kind=str(KINDS.get(event.kind, event.kind)),
        note=" · ".join(notes) or None,
        url=absolute_url("agenda.event", event_id=event.id, lang=language),
    )
    return replace(
        text,
        text=render_mail("mail/_digest_item.txt", i=text),
        html=Markup(render_mail("mail/_digest_item.html", i=text)),
    )


def render_mail(name, **context):
    """A mail template rendered without the pages' context processors (request, session,
    language switch...), which a mail does not read: thousands of digests render faster."""
    return current_app.jinja_env.get_template(name).render(**context)
