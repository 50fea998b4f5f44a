"""Form fields the back office's forms share: a whole number, choices that refuse (in the
user's language) a value not offered, rows chosen by id, optional text. The date and time
fields are webapp.formfields' (the public forms use them too)."""

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, RadioField, SelectField, TextAreaField
from wtforms.validators import Length, ValidationError

from webapp.formfields import ClockField, DayField, MultiCheckboxField, text, typed  # noqa: F401


class WholeNumberField(IntegerField):
    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_l("Indiquez un nombre entier.")) from None


class Listed:
    """A field of choices that refuses, in the user's language, a value not offered."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, validate_choice=False, **kwargs)

    def pre_validate(self, form):
        allowed = {value for value, _label in self.choices}
        values = self.data if isinstance(self.data, list) else [self.data]
        if any((value if value is not None else "") not in allowed for value in values):
            raise ValidationError(_l("Choisissez dans la liste."))


class ChoiceField(Listed, SelectField):
    pass


class OptionsField(Listed, RadioField):
    pass


class CheckboxesField(Listed, MultiCheckboxField):
    pass


class IdSelectField(ChoiceField):
    """A select of rows by id, or none (""): the view offers only those in scope."""

    @property
    def id_value(self):
        return int(self.data) if self.data else None


def optional_text(label, size, *validators, multiline=False):
    field = TextAreaField if multiline else None
    extra = {"field": field} if field else {}
    return text(label, Length(max=size), *validators, optional=True, multiline=multiline, **extra)
