"""The results of an event's form, of a Grand Bain offer's, or of several offers' together
(an edition, within a team's bassins): invited, answered, rate, per-question counts, means
and distributions, free texts, the series trend. Nothing is shown of a set (a form, several,
or any filtered subset) of fewer than MIN_ANSWERS answers: small groups would name people."""

from dataclasses import dataclass, field

from sqlalchemy import func, select

from webapp.agenda.models import Event
from webapp.evaluations.defaults import SECTOR_KEY
from webapp.evaluations.forms import options_of
from webapp.evaluations.models import Answer, EvaluationForm, Invitation
from webapp.evaluations.states import SCALE_VALUES, TEXT_TYPES, QuestionType
from webapp.extensions import db

MIN_ANSWERS = 5


@dataclass
class QuestionResult:
    question: dict
    label: str
    count: int = 0
    mean: float | None = None
    distribution: list = field(default_factory=list)  # (label, count)
    texts: list = field(default_factory=list)  # (answer id, text, quoted text or None)


@dataclass
class Results:
    form: EvaluationForm | None  # None: not opened yet, or several forms together
    invited: int
    answered: int  # answers of the whole form (links and open link)
    shown: int  # answers of the filtered subset
    rate: float | None
    hidden: bool
    questions: list


def invited_count(form):
    return db.session.scalar(
        select(func.count()).select_from(Invitation).where(Invitation.form_id == form.id)
    )


def _answers(where, sector=None):
    answers = db.session.scalars(select(Answer).where(where).order_by(Answer.day, Answer.id)).all()
    if sector:
        answers = [a for a in answers if a.values.get(SECTOR_KEY) == sector]
    return answers


def answers_of(event_id, sector=None):
    return _answers(Answer.event_id == event_id, sector)


def offers_answers(offer_ids, sector=None):
    """The answers about these Grand Bain offers (one offer's, or an edition's in scope)."""
    return _answers(Answer.offer_id.in_(list(offer_ids)), sector)


def _results(form, invited, all_answers, subset, questions, language):
    rate = len(all_answers) / invited if invited else None
    hidden = len(subset) < MIN_ANSWERS
    shown = [] if hidden else [summarise(q, subset, language) for q in questions]
    return Results(form, invited, len(all_answers), len(subset), rate, hidden, shown)


def event_results(event, language, sector=None):
    """The results of `event`'s form, filtered by sector group if given."""
    form = db.session.scalar(select(EvaluationForm).where(EvaluationForm.event_id == event.id))
    if form is None:
        return Results(None, 0, 0, 0, None, True, [])
    all_answers = answers_of(event.id)
    subset = answers_of(event.id, sector) if sector else all_answers
    return _results(form, invited_count(form), all_answers, subset, form.questions, language)


def offer_results(offer_id, language, sector=None):
    """The results of one Grand Bain offer's form (all its visits), filtered by sector."""
    form = db.session.scalar(select(EvaluationForm).where(EvaluationForm.offer_id == offer_id))
    if form is None:
        return Results(None, 0, 0, 0, None, True, [])
    all_answers = offers_answers([offer_id])
    subset = offers_answers([offer_id], sector) if sector else all_answers
    return _results(form, invited_count(form), all_answers, subset, form.questions, language)


def offers_results(offer_ids, questions, language, sector=None):
    """The results of several offers' forms together (an edition, within a scope), by the
    stable keys of `questions` (the template's): the threshold applies to the whole set."""
    invited = db.session.scalar(
        select(func.count())
        .select_from(Invitation)
        .join(EvaluationForm, Invitation.form_id == EvaluationForm.id)
        .where(EvaluationForm.offer_id.in_(list(offer_ids)))
    )
    all_answers = offers_answers(offer_ids)
    subset = offers_answers(offer_ids, sector) if sector else all_answers
    return _results(None, invited, all_answers, subset, questions, language)


def summarise(question, answers, language):
    """Counts, mean (scales) and distribution (choices) or the texts of one question."""
    key = question["key"]
    result = QuestionResult(question, question.get(language) or question["fr"])
    values = [a.values[key] for a in answers if a.values.get(key) not in (None, "", [])]
    result.count = len(values)
    if question["type"] in TEXT_TYPES:
        result.texts = [
            (a.id, a.values[key], a.quote_text if a.quote_key == key else None)
            for a in answers
            if a.values.get(key)
        ]
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


def series_trend(event, key):
    """(meeting title, number of answers, mean or None when hidden) of one scale question
    across the meetings of the event's series, in order (#1 to #n)."""
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
        numbers = [int(a.values[key]) for a in answers if a.values.get(key)]
        if not answers:
            continue
        shown = len(answers) >= MIN_ANSWERS and numbers
        mean = round(sum(numbers) / len(numbers), 2) if shown else None
        trend.append((meeting, len(answers), mean))
    return trend


def choose_quote(event_id, answer_id, key, text):
    """Keep a trimmed text of an answer as a quote for the report (None text: unchosen).
    The report (back office) reads quotes() to show them with at most the sector."""
    answer = db.session.scalar(
        select(Answer).where(Answer.id == answer_id, Answer.event_id == event_id)
    )
    original = answer.values.get(key) if answer else None
    if not isinstance(original, str) or (text and text not in original):
        return None  # a quote is cut from what was written, never rewritten
    answer.quote_key = key if text else None
    answer.quote_text = text or None
    db.session.flush()
    return answer


def quotes(event_id):
    """(text, sector group or None) of the quotes chosen for the event's report."""
    chosen = db.session.scalars(
        select(Answer).where(Answer.event_id == event_id, Answer.quote_text.is_not(None))
    ).all()
    return [(a.quote_text, a.values.get(SECTOR_KEY)) for a in chosen]


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
