"""The results of an event's form, of a Grand Bain offer's, or of several offers' together
(an edition, within a team's bassins): invited, answered, rate, per-question counts, means
and distributions, free texts, the series trend.

Small groups would name people, so:
- answers by personal links and by the open link (which anyone holding the QR code can fill
  in, the team too) are two groups, counted and shown apart; each meets MIN_ANSWERS alone,
  so answers added by the open link never lift the invited ones over the threshold;
- a filtered subset (a sector) is shown only when it and the rest of its group both reach
  MIN_ANSWERS, and what no filter shows (the answers of smaller sectors, or of none) does
  too: else the whole minus the subsets shown names the few of the rest (shown_sectors);
- free texts are shuffled and named on the page by a digest of (answer, question), so the
  texts of one answer cannot be put back together, nor with its other values.
"""

import hashlib
import random
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import func, select

from webapp.agenda.models import Event
from webapp.evaluations.defaults import SECTOR_KEY
from webapp.evaluations.forms import options_of
from webapp.evaluations.models import Answer, EvaluationForm, Invitation
from webapp.evaluations.states import SCALE_VALUES, TEXT_TYPES, AnswerChannel, QuestionType
from webapp.extensions import db

MIN_ANSWERS = 5
CHANNELS = tuple(AnswerChannel)

_shuffle = random.SystemRandom().shuffle


@dataclass
class QuestionResult:
    question: dict
    label: str
    count: int = 0
    mean: float | None = None
    distribution: list = field(default_factory=list)  # (label, count)
    texts: list = field(default_factory=list)  # (text handle, text, quoted text or None)


@dataclass
class Group:
    """The answers of one channel: counted, shown or hidden apart from the other's."""

    channel: AnswerChannel
    answered: int  # answers of the group that the results count
    shown: int  # answers of the filtered subset
    hidden: bool
    questions: list


@dataclass
class Results:
    form: EvaluationForm | None  # None: not opened yet, or several forms together
    invited: int
    answered: int  # answers by personal links
    open_answered: int | None  # answers by the open link (None: the form has none)
    groups: list  # one Group per channel, invited first

    @property
    def rate(self):
        return self.answered / self.invited if self.invited else None

    @property
    def hidden(self):
        """Nothing is shown (every group under the threshold, or filtered away)."""
        return all(group.hidden for group in self.groups)

    def group(self, channel):
        return next((g for g in self.groups if g.channel == channel), None)


def shown_sectors(answers):
    """The sector groups whose filtered view of `answers` may be shown: each counts
    MIN_ANSWERS or more, and the answers left unshown (of the other sector groups, and those
    without one) count none or MIN_ANSWERS or more; so no difference between the whole and
    any of these views (all = 7, hopital = 5, or all = 15, hopital = 5, social = 9) singles
    out fewer than MIN_ANSWERS answers."""
    counts = Counter(a.values.get(SECTOR_KEY) for a in answers)
    unshown = counts.pop(None, 0)
    shown = {sector: n for sector, n in counts.items() if n >= MIN_ANSWERS}
    unshown += sum(n for sector, n in counts.items() if sector not in shown)
    while 0 < unshown < MIN_ANSWERS and shown:
        smallest = min(shown, key=lambda sector: (shown[sector], sector))
        unshown += shown.pop(smallest)
    return set(shown)


def visible(answers, sector=None):
    """Whether the results of `answers` (a group), filtered by `sector` if given, may be
    shown."""
    if len(answers) < MIN_ANSWERS:
        return False
    return not sector or sector in shown_sectors(answers)


def in_sector(answers, sector):
    """The answers of one sector group (all of them when `sector` is None)."""
    if not sector:
        return list(answers)
    return [a for a in answers if a.values.get(SECTOR_KEY) == sector]


def invited_count(form):
    return db.session.scalar(
        select(func.count()).select_from(Invitation).where(Invitation.form_id == form.id)
    )


def _answers(where):
    return db.session.scalars(select(Answer).where(where).order_by(Answer.id)).all()


def answers_of(event_id, channel=None):
    """The answers about an event (of one channel if given)."""
    answers = _answers(Answer.event_id == event_id)
    return [a for a in answers if channel is None or a.channel == channel]


def offers_answers(offer_ids):
    """The invited answers about these Grand Bain offers (their forms have no open link)."""
    answers = _answers(Answer.offer_id.in_(list(offer_ids)))
    return [a for a in answers if a.channel == AnswerChannel.INVITED]


def _group(channel, members, questions, language, sector):
    subset = in_sector(members, sector)
    hidden = not visible(members, sector)
    shown = [] if hidden else [summarise(q, subset, language) for q in questions]
    return Group(channel, len(members), len(subset), hidden, shown)


def _empty():
    return Results(None, 0, 0, None, [])


def event_results(event, language, sector=None):
    """The results of `event`'s form, per channel, filtered by sector group if given."""
    form = db.session.scalar(select(EvaluationForm).where(EvaluationForm.event_id == event.id))
    if form is None:
        return _empty()
    answers = answers_of(event.id)
    by_channel = {c: [a for a in answers if a.channel == c] for c in CHANNELS}
    groups = [_group(c, by_channel[c], form.questions, language, sector) for c in CHANNELS]
    invited, walk_ins = by_channel[AnswerChannel.INVITED], by_channel[AnswerChannel.OPEN_LINK]
    return Results(form, invited_count(form), len(invited), len(walk_ins), groups)


def offer_results(offer_id, language, sector=None):
    """The results of one Grand Bain offer's form (all its visits), filtered by sector."""
    form = db.session.scalar(select(EvaluationForm).where(EvaluationForm.offer_id == offer_id))
    if form is None:
        return _empty()
    answers = offers_answers([offer_id])
    group = _group(AnswerChannel.INVITED, answers, form.questions, language, sector)
    return Results(form, invited_count(form), len(answers), None, [group])


def _by_offer(answers):
    by_offer = {}
    for answer in answers:
        by_offer.setdefault(answer.offer_id, []).append(answer)
    return list(by_offer.values())


def pooled(answers):
    """The answers an edition counts: those of the offers shown on their own (MIN_ANSWERS or
    more), and those of the smaller ones only when they reach MIN_ANSWERS together; else the
    edition minus the offers shown would be the few answers of the small ones."""
    offers = _by_offer(answers)
    large = [a for group in offers if len(group) >= MIN_ANSWERS for a in group]
    small = [a for group in offers if len(group) < MIN_ANSWERS for a in group]
    return large + (small if len(small) >= MIN_ANSWERS else [])


def pooled_in_sector(answers, sector):
    """An edition filtered by sector: the sector's answers of the offers whose own filtered
    view is shown (shown_sectors), so it adds nothing to what those pages show together and
    no difference with them, or with the whole edition, singles out a few."""
    return [
        answer
        for group in _by_offer(answers)
        if sector in shown_sectors(group)
        for answer in in_sector(group, sector)
    ]


def offers_results(offer_ids, questions, language, sector=None):
    """The results of several offers' forms together (an edition, within a scope), by the
    stable keys of `questions` (the template's), over the pooled answers."""
    invited = db.session.scalar(
        select(func.count())
        .select_from(Invitation)
        .join(EvaluationForm, Invitation.form_id == EvaluationForm.id)
        .where(EvaluationForm.offer_id.in_(list(offer_ids)))
    )
    answers = offers_answers(offer_ids)
    counted = pooled(answers)
    subset = pooled_in_sector(counted, sector) if sector else counted
    hidden = len(counted) < MIN_ANSWERS or len(subset) < MIN_ANSWERS
    shown = [] if hidden else [summarise(q, subset, language) for q in questions]
    group = Group(AnswerChannel.INVITED, len(counted), len(subset), hidden, shown)
    return Results(None, invited, len(answers), None, [group])


def text_handle(answer_id, key):
    """How a page names one free text (to quote it): a digest of (answer, question), so two
    texts of one answer share nothing on the page. Answer ids are never shown."""
    return hashlib.sha256(f"{answer_id}|{key}".encode()).hexdigest()[:32]


def summarise(question, answers, language):
    """Counts, mean (scales) and distribution (choices) or the shuffled texts of one
    question."""
    key = question["key"]
    result = QuestionResult(question, question.get(language) or question["fr"])
    values = [a.values[key] for a in answers if a.values.get(key) not in (None, "", [])]
    result.count = len(values)
    if question["type"] in TEXT_TYPES:
        result.texts = [
            (text_handle(a.id, key), a.values[key], a.quote_text if a.quote_key == key else None)
            for a in answers
            if a.values.get(key)
        ]
        _shuffle(result.texts)
        return result
    if question["type"] == QuestionType.SCALE:
        numbers = [int(v) for v in values]
        result.mean = round(sum(numbers) / len(numbers), 2) if numbers else None
        result.distribution = [(v, numbers.count(int(v))) for v in SCALE_VALUES]
        return result
    flat = [v for value in values for v in (value if isinstance(value, list) else [value])]
    result.distribution = [
        (str(label), flat.count(value)) for value, label in options_of(question, language)
    ]
    return result


def _mean(answers, key):
    numbers = [int(a.values[key]) for a in answers if a.values.get(key)]
    if len(answers) < MIN_ANSWERS or not numbers:
        return None
    return round(sum(numbers) / len(numbers), 2)


def series_trend(event, key):
    """(meeting, [(answers, mean or None when hidden) per channel]) of one scale question
    across the meetings of the event's series, in order (#1 to #n); each channel meets the
    threshold alone."""
    if event.series_id is None:
        return []
    meetings = db.session.scalars(
        select(Event)
        .where(Event.series_id == event.series_id)
        .order_by(Event.series_number, Event.start_at)
    ).all()
    trend = []
    for meeting in meetings:
        answers = answers_of(meeting.id)
        if not answers:
            continue
        by_channel = [[a for a in answers if a.channel == c] for c in CHANNELS]
        trend.append((meeting, [(len(group), _mean(group, key)) for group in by_channel]))
    return trend


def quotable(event_id, handle, key):
    """The answer behind a text handle of a shown group of the event, or None."""
    answers = answers_of(event_id)
    for answer in answers:
        if isinstance(answer.values.get(key), str) and text_handle(answer.id, key) == handle:
            group = [a for a in answers if a.channel == answer.channel]
            return answer if visible(group) else None
    return None


def choose_quote(event_id, handle, key, text):
    """Keep a trimmed text of an answer as a quote for the report (None text: unchosen).
    The report (back office) reads quotes() to show them with at most the sector."""
    answer = quotable(event_id, handle, key)
    original = answer.values.get(key) if answer else None
    if not isinstance(original, str) or (text and text not in original):
        return None  # a quote is cut from what was written, never rewritten
    answer.quote_key = key if text else None
    answer.quote_text = text or None
    db.session.flush()
    return answer


def quote_sector(answer):
    """The sector group a quote may name: the answer's, when that sector's filtered view of
    its channel may be shown (shown_sectors); else None, a text is not tied to a few."""
    sector = answer.values.get(SECTOR_KEY)
    group = answers_of(answer.event_id, answer.channel)
    return sector if sector and sector in shown_sectors(group) else None


def quotes(event_id):
    """(text, sector group or None) of the quotes chosen for the event's report."""
    chosen = db.session.scalars(
        select(Answer).where(Answer.event_id == event_id, Answer.quote_text.is_not(None))
    ).all()
    return [(a.quote_text, quote_sector(a)) for a in chosen]


def counts_by_offer(offer_ids):
    """{offer id: (invited, answered)} of these offers' forms (counts only, never values)."""
    ids = list(offer_ids)
    invited = db.session.execute(
        select(EvaluationForm.offer_id, func.count(Invitation.id))
        .join(Invitation, Invitation.form_id == EvaluationForm.id)
        .where(EvaluationForm.offer_id.in_(ids))
        .group_by(EvaluationForm.offer_id)
    ).all()
    answered = db.session.execute(
        select(Answer.offer_id, func.count())
        .where(Answer.offer_id.in_(ids))
        .group_by(Answer.offer_id)
    ).all()
    counts = {offer_id: [0, 0] for offer_id in ids}
    for offer_id, count in invited:
        counts[offer_id][0] = count
    for offer_id, count in answered:
        counts[offer_id][1] = count
    return {offer_id: tuple(pair) for offer_id, pair in counts.items()}
