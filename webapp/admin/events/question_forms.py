"""The custom questions on the event form, without JavaScript: the existing ones and two empty
rows; options typed one per line, "[value] French label | Dutch label", the value in brackets
shown for existing options so that an edit of a label keeps the answers given to it."""

import re

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, Form, HiddenField
from wtforms.validators import ValidationError

from webapp.admin.fields import ChoiceField, optional_text
from webapp.registrations.states import QuestionKind

QUESTION_KINDS = {
    QuestionKind.SHORT_TEXT: _l("Réponse courte"),
    QuestionKind.LONG_TEXT: _l("Réponse longue"),
    QuestionKind.CHOICE: _l("Un choix dans une liste"),
    QuestionKind.CHOICES: _l("Plusieurs choix dans une liste"),
    QuestionKind.YES_NO: _l("Oui ou non"),
}
# One option per line: "[value] French label | Dutch label" (value and Dutch optional).
OPTION_LINE = re.compile(r"^(?:\[(?P<value>[^\]]*)\]\s*)?(?P<fr>[^|]*?)\s*(?:\|\s*(?P<nl>.*))?$")


class QuestionForm(Form):
    """One custom question; a row left empty is ignored."""

    id = HiddenField()
    remove = BooleanField(_l("Supprimer cette question"))
    kind = ChoiceField(
        _l("Type de réponse"), choices=list(QUESTION_KINDS.items()), default="short_text"
    )
    label_fr = optional_text(_l("Question (français)"), 300)
    label_nl = optional_text(_l("Question (néerlandais)"), 300)
    required = BooleanField(_l("Réponse obligatoire"))
    options = optional_text(_l("Options"), 4000, multiline=True)

    @property
    def is_blank(self):
        return not (self.id.data or self.label_fr.data or self.label_nl.data or self.options.data)

    def validate_id(self, field):
        if field.data and not (field.data.isascii() and field.data.isdigit()):
            raise ValidationError(_l("Choisissez dans la liste."))

    def validate(self, extra_validators=None):
        # Here rather than inline: the fields' Optional() stops their own chain when empty.
        valid = super().validate(extra_validators)
        if self.is_blank:
            for field in self:
                field.errors = []  # an empty row is ignored, whatever its select says
            return True
        if self.remove.data:
            return valid
        if not self.label_fr.data and not self.label_fr.errors:
            self.label_fr.errors.append(_l("Ce champ est obligatoire."))
        if self.kind.data in ("choice", "choices") and not self.options.errors:
            parsed = parse_options(self.options.data)
            if parsed is None:
                self.options.errors.append(
                    _l("Une option par ligne : libellé français | libellé néerlandais.")
                )
            elif not parsed:
                self.options.errors.append(_l("Indiquez au moins une option, une par ligne."))
        return valid and not self.label_fr.errors and not self.options.errors


def parse_options(typed):
    """[{"value"?, "fr", "nl"}] of the typed lines, or None when a line cannot be read."""
    options = []
    for line in (typed or "").splitlines():
        if not line.strip():
            continue
        match = OPTION_LINE.match(line.strip())
        if match is None or not match["fr"] or "|" in (match["nl"] or ""):
            return None
        if len(match["fr"]) > 200 or len(match["nl"] or "") > 200:
            return None
        option = {"fr": match["fr"], "nl": (match["nl"] or "").strip() or None}
        if match["value"] is not None:
            option["value"] = match["value"].strip()
        options.append(option)
    return options


def options_text(options):
    """The options as the form shows them: their value kept in brackets, then FR | NL."""
    return "\n".join(
        f"[{o['value']}] {o['fr']}" + (f" | {o['nl']}" if o.get("nl") else "")
        for o in options or ()
    )
