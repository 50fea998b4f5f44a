"""The editor of a list of questions (a kind's template or one event's copy), without
JavaScript: one row per question plus two empty rows, a remove box and an order number.

Keys are stable: an existing row posts its key back (a hidden field) and it is never changed;
a new row gets a key made from its French wording, unique among every key the list ever had.
Options are typed one per line, "FR | NL"; a line keeps the value of the option whose French
(or else Dutch) wording it still has, so answers already given keep their meaning.
"""

import re
import unicodedata

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    SelectField,
    TextAreaField,
)
from wtforms.validators import Length

from webapp.evaluations.states import QuestionType
from webapp.formfields import text, whole_number_in

EMPTY_ROWS = 2
LABEL_LENGTH = 300
KEY_LENGTH = 40  # Answer.quote_key
MAX_OPTIONS = 20
MAX_ORDER = 999
MAX_ROWS = 60

TYPE_LABELS = {
    QuestionType.SCALE: _l("Échelle de 1 à 5"),
    QuestionType.CHOICE: _l("Un seul choix"),
    QuestionType.CHOICES: _l("Plusieurs choix"),
    QuestionType.YES_NO: _l("Oui / non"),
    QuestionType.SHORT_TEXT: _l("Texte court"),
    QuestionType.LONG_TEXT: _l("Texte long"),
}
CHOICE_TYPES = (QuestionType.CHOICE, QuestionType.CHOICES)


class QuestionRow(Form):
    key = HiddenField()
    remove = BooleanField(_l("Retirer cette question"))
    order = text(_l("Ordre"), optional=True)
    type = SelectField(
        _l("Type"),
        choices=[(t.value, label) for t, label in TYPE_LABELS.items()],
        validate_choice=False,
    )
    required = BooleanField(_l("Réponse obligatoire"))
    fr = text(_l("Question en français"), Length(max=LABEL_LENGTH), optional=True)
    nl = text(_l("Question en néerlandais"), Length(max=LABEL_LENGTH), optional=True)
    low = text(_l("Libellé du 1 (FR | NL)"), Length(max=2 * LABEL_LENGTH), optional=True)
    high = text(_l("Libellé du 5 (FR | NL)"), Length(max=2 * LABEL_LENGTH), optional=True)
    options = text(
        _l("Réponses proposées, une par ligne (FR | NL)"),
        Length(max=MAX_OPTIONS * 2 * LABEL_LENGTH),
        optional=True,
        field=TextAreaField,
        multiline=True,
    )


class QuestionsEditor(FlaskForm):
    rows = FieldList(FormField(QuestionRow), max_entries=MAX_ROWS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.list_errors = []


def _pair(labels):
    if not labels:
        return ""
    return f"{labels['fr']} | {labels['nl']}" if labels.get("nl") else labels["fr"]


def _row_data(question, position):
    return {
        "key": question["key"],
        "order": str(position),
        "type": question["type"],
        "required": bool(question.get("required")),
        "fr": question["fr"],
        "nl": question.get("nl") or "",
        "low": _pair(question.get("low")),
        "high": _pair(question.get("high")),
        "options": "\n".join(_pair(o) for o in question.get("options") or ()),
    }


def editor_form(questions):
    """The editor of `questions`: posted data when there is some, else the questions and
    two empty rows (their order numbers after the last)."""
    rows = [_row_data(q, n) for n, q in enumerate(questions, 1)]
    rows += [
        {"order": str(len(questions) + n), "type": "short_text"} for n in range(1, EMPTY_ROWS + 1)
    ]
    return QuestionsEditor(data={"rows": rows})


def key_from(label, taken):
    """A key made of the French wording ('Qu'en retenez-vous ?' -> 'qu_en_retenez_vous'),
    unique among `taken`."""
    ascii_text = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_")[: KEY_LENGTH - 4]
    base = base.strip("_") or "question"
    key, n = base, 1
    while key in taken:
        n += 1
        key = f"{base}_{n}"
    return key


def _split_pair(line):
    fr, _sep, nl = line.partition("|")
    return {"fr": " ".join(fr.split()), "nl": " ".join(nl.split())}


def _options(row, original):
    """The options typed in `row` with their values, or None after an error on the field."""
    lines = [line for line in (row.options.data or "").splitlines() if line.strip()]
    labels = [_split_pair(line) for line in lines]
    if len(labels) < 2:
        row.options.errors.append(_l("Indiquez au moins deux réponses, une par ligne."))
        return None
    if len(labels) > MAX_OPTIONS:
        row.options.errors.append(_l("Vingt réponses au plus."))
        return None
    if any(not pair["fr"] or len(pair["fr"]) > LABEL_LENGTH for pair in labels):
        row.options.errors.append(_l("Chaque ligne commence par la réponse en français."))
        return None
    if len({pair["fr"].casefold() for pair in labels}) != len(labels):
        row.options.errors.append(_l("Deux réponses ont le même libellé."))
        return None
    old = (original or {}).get("options") or []
    by_fr = {o["fr"]: o["value"] for o in old}
    by_nl = {o.get("nl"): o["value"] for o in old if o.get("nl")}
    taken = {o["value"] for o in old}
    used, options = set(), []
    for pair in labels:
        value = by_fr.get(pair["fr"]) or by_nl.get(pair["nl"])
        if value is None or value in used:
            value = key_from(pair["fr"], taken | used)
        used.add(value)
        options.append({"value": value, "fr": pair["fr"], "nl": pair["nl"]})
    return options


def _ends(row):
    ends = {}
    for name in ("low", "high"):
        field = row[name]
        pair = _split_pair(field.data or "")
        if not pair["fr"]:
            field.errors.append(_l("Une échelle a un libellé à chaque bout."))
        ends[name] = pair
    return None if row.low.errors or row.high.errors else ends


def _order(row, position):
    value = row.order.data or ""
    if not value:
        return MAX_ORDER + position
    number = whole_number_in(value, 1, MAX_ORDER)
    if number is None:
        row.order.errors.append(_l("Un nombre de 1 à 999."))
    return number


def _is_blank(row):
    return not any(row[name].data for name in ("key", "fr", "nl", "low", "high", "options"))


def questions_from(form, original, fixed_types=()):
    """The questions the editor posted, or None when a field is refused (its message is
    beside it). `original`: the questions before the edit (their keys, types and option
    values); `fixed_types`: keys whose type may no longer change (answers exist)."""
    if not form.validate():
        return None
    before = {q["key"]: q for q in original}
    taken = set(before)
    seen, ordered = set(), []
    for position, entry in enumerate(form.rows):
        row = entry.form
        key = row.key.data or ""
        if key and (key not in before or key in seen):
            form.list_errors.append(_l("Une question envoyée n'existe pas : rechargez la page."))
            return None
        seen.add(key)
        if row.remove.data or _is_blank(row):
            continue
        question = _question(row, before.get(key), fixed_types)
        order = _order(row, position)
        if question is None or order is None:
            continue
        if not key:
            question["key"] = key = key_from(question["fr"], taken)
        taken.add(key)
        ordered.append((order, position, question))
    if _has_errors(form):
        return None
    if not ordered:
        form.list_errors.append(_l("Le formulaire garde au moins une question."))
        return None
    return [question for _order_, _position, question in sorted(ordered)]


def _has_errors(form):
    return any(field.errors for entry in form.rows for field in entry.form)


def _question(row, original, fixed_types):
    kind = row.type.data
    if kind not in TYPE_LABELS:
        row.type.errors.append(_l("Choisissez un type de la liste."))
        return None
    if original and kind != original["type"] and original["key"] in fixed_types:
        row.type.errors.append(
            _l("Des réponses existent : le type ne change plus (ajoutez une autre question).")
        )
        return None
    if not row.fr.data:
        row.fr.errors.append(_l("Ce champ est obligatoire."))
        return None
    question = {
        "key": original["key"] if original else "",
        "type": kind,
        "required": bool(row.required.data),
        "fr": row.fr.data,
        "nl": row.nl.data or "",
    }
    if kind == QuestionType.SCALE:
        ends = _ends(row)
        if ends is None:
            return None
        question.update(ends)
    if kind in CHOICE_TYPES:
        options = _options(row, original)
        if options is None:
            return None
        question["options"] = options
    return question
