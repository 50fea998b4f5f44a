"""The free texts of an event's evaluation that its report may quote, one click each.

Only the texts the results page shows (groups of MIN_ANSWERS answers or more), each with
the sector group it may name (results.quote_sector: a sector whose own view is shown, so a
quote is never tied to fewer than MIN_ANSWERS people) and nothing else of its answer: no
day, no channel, no name (an answer holds none). Texts come shuffled as on the results page.
"""

from dataclasses import dataclass

from webapp.evaluations import results
from webapp.evaluations.defaults import SECTOR_KEY


@dataclass(frozen=True)
class QuotableText:
    handle: str  # results.text_handle: names the text on the page, never the answer
    key: str  # the question's key
    question: str  # the question as asked, in the page's language
    text: str
    sector_group: str | None


def quotable_texts(event, language):
    """[QuotableText] of the event's shown free texts."""
    outcome = results.event_results(event, language)
    if outcome.form is None:
        return []
    answers = results.answers_of(event.id)
    shown = {
        channel: results.shown_sectors([a for a in answers if a.channel == channel])
        for channel in results.CHANNELS
    }
    sector_of = {}
    for answer in answers:
        sector = answer.values.get(SECTOR_KEY)
        for key, value in answer.values.items():
            if isinstance(value, str):
                named = sector if sector in shown[answer.channel] else None
                sector_of[results.text_handle(answer.id, key)] = named
    found = []
    for group in outcome.groups:
        if group.hidden:
            continue
        for item in group.questions:
            for handle, text, _quoted in item.texts:
                key = item.question["key"]
                found.append(QuotableText(handle, key, item.label, text, sector_of.get(handle)))
    return found


def find(texts, pick):
    """The text a button names ("handle:key"), or None."""
    handle, _, key = (pick or "").partition(":")
    return next((t for t in texts if t.handle == handle and t.key == key), None)
