"""The form of people added after a meeting: the date, then several rows of one person
each (a blank row is left out)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, FieldList, Form, FormField, SelectField
from wtforms.validators import Length, ValidationError

from webapp.formfields import address, text
from webapp.registrations.forms import _no_link
from webapp.vocabulary import current_language, label_in_language, sectors

ROWS = 5  # rows shown at first; "more rows" adds as many again
MAX_ROWS = 60


def _sector_choices():
    language = current_language()
    return [("", _l("Non précisé"))] + [
        (s["slug"], label_in_language(s, language)) for s in sectors()
    ]


class LateRowForm(Form):
    """One person of the paper sheet."""

    first_name = text(_l("Prénom"), Length(max=100), _no_link, optional=True)
    last_name = text(_l("Nom"), Length(max=100), _no_link, optional=True)
    email = text(_l("Adresse e-mail (facultatif)"), Length(max=254), address, optional=True)
    organisation = text(_l("Organisation ou service"), Length(max=200), optional=True)
    sector = SelectField(_l("Secteur"), choices=[], validate_choice=False)
    language = SelectField(
        _l("Langue"), choices=[("fr", "Français"), ("nl", "Nederlands")], default="fr"
    )
    present = BooleanField(_l("Présent·e"), default=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sector.choices = _sector_choices()

    @property
    def is_blank(self):
        return not any(
            (self.first_name.data, self.last_name.data, self.email.data, self.organisation.data)
        )

    def validate_sector(self, field):
        if field.data and field.data not in {s["slug"] for s in sectors()}:
            raise ValidationError(_l("Choisissez un secteur de la liste."))


class LateAdditionsForm(FlaskForm):
    on_date = SelectField(_l("Rencontre du"), choices=[])
    rows = FieldList(FormField(LateRowForm), min_entries=ROWS, max_entries=MAX_ROWS)

    def validate(self, extra_validators=None):
        # Not an inline validator: the name is optional on a blank row, which stops its checks.
        valid = super().validate(extra_validators)
        for _n, row in self.filled_rows():
            if not row.last_name.data:
                row.last_name.errors = [*row.last_name.errors, _l("Indiquez au moins le nom.")]
                valid = False
        return valid

    def filled_rows(self):
        """(index, row form) of the rows that name someone."""
        return [(n, entry.form) for n, entry in enumerate(self.rows) if not entry.form.is_blank]
