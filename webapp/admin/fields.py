"""Form fields the back office's forms share: a date, a time, a whole number, choices that
refuse (in the user's language) a value not offered, rows chosen by id, optional text."""

from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, RadioField, SelectField, TextAreaField, TimeField
from wtforms.validators import InputRequired, Length, ValidationError

from webapp.formfields import MultiCheckboxField, text


class DayField(DateField):
    """A date as browsers send it (YYYY-MM-DD); one that does not exist gets a message."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_l("Cette date n'existe pas (format attendu : AAAA-MM-JJ).")) from None


class ClockField(TimeField):
    """A time of day (HH:MM)."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, format=["%H:%M", "%H:%M:%S"], **kwargs)

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_l("Heure invalide (format attendu : HH:MM).")) from None


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


def typed():
    # InputRequired, not DataRequired: a date typed but impossible keeps its own message.
    return InputRequired(message=_l("Ce champ est obligatoire."))


def optional_text(label, size, *validators, multiline=False):
    field = TextAreaField if multiline else None
    extra = {"field": field} if field else {}
    return text(label, Length(max=size), *validators, optional=True, multiline=multiline, **extra)
