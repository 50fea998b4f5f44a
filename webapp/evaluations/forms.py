"""The evaluation form, built from an event's questions. Every value posted is checked
against the question: a tampered choice or an out-of-range scale is refused with a message
beside the field, and nothing is stored."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField, TextAreaField
from wtforms.validators import Length, Optional, ValidationError

from webapp.evaluations.states import SCALE_VALUES, YES_NO_VALUES, QuestionType
from webapp.formfields import MultiCheckboxField, required, text

SHORT_TEXT_LENGTH = 300
LONG_TEXT_LENGTH = 2000


def _among(allowed):
    """The posted value(s) must be offered ones (a RadioField's own check speaks English)."""

    def check(form, field):
        values = field.data if isinstance(field.data, list) else [field.data]
        if any(value not in allowed for value in values if value not in (None, "")):
            raise ValidationError(_l("Choisissez parmi les réponses proposées."))

    return check


def _label(question, language):
    return question.get(language) or question["fr"]


def options_of(question, language):
    """(value, label) of a question's offered answers, in the language."""
    kind = question["type"]
    if kind == QuestionType.SCALE:
        return [(value, value) for value in SCALE_VALUES]
    if kind == QuestionType.YES_NO:
        return [("yes", _l("Oui")), ("no", _l("Non"))]
    return [(o["value"], o.get(language) or o["fr"]) for o in question.get("options") or ()]


def _field(question, language):
    label = _label(question, language)
    kind = question["type"]
    presence = [required()] if question.get("required") else [Optional()]
    if kind == QuestionType.SHORT_TEXT:
        return text(label, Length(max=SHORT_TEXT_LENGTH), optional=not question.get("required"))
    if kind == QuestionType.LONG_TEXT:
        return text(
            label,
            Length(max=LONG_TEXT_LENGTH),
            optional=not question.get("required"),
            field=TextAreaField,
            multiline=True,
        )
    allowed = [value for value, _label_text in options_of(question, language)]
    if kind == QuestionType.CHOICES:
        return MultiCheckboxField(
            label, presence + [_among(allowed)], choices=[], validate_choice=False
        )
    if kind == QuestionType.SCALE:
        allowed = list(SCALE_VALUES)
    elif kind == QuestionType.YES_NO:
        allowed = list(YES_NO_VALUES)
    return RadioField(label, presence + [_among(allowed)], choices=[], validate_choice=False)


class EvaluationBase(FlaskForm):
    # Honeypot: hidden from people, filled in by bots (the open link).
    website = StringField(_l("Ne pas remplir ce champ"), [Optional(), Length(max=0)])


def evaluation_form(questions, language):
    """A form instance with one field per question (named by its stable key)."""

    class EvaluationForm(EvaluationBase):
        pass

    for question in questions:
        setattr(EvaluationForm, f"q_{question['key']}", _field(question, language))
    form = EvaluationForm()
    for question in questions:
        field = form[f"q_{question['key']}"]
        if question["type"] not in (QuestionType.SHORT_TEXT, QuestionType.LONG_TEXT):
            field.choices = options_of(question, language)
    return form


def values_from(form, questions):
    """{question key: value} of what was answered (empty answers left out)."""
    values = {}
    for question in questions:
        value = form[f"q_{question['key']}"].data
        if value not in (None, "", []):
            values[question["key"]] = value
    return values
