"""The forms of series, venues and organisations, and the choice of a merge's survivor.

Choices that name rows (bassins, communes, the survivor) are given by the view from the
account's scope; a value posted outside them is refused beside its field, like any bad input.
"""

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, TextAreaField
from wtforms.validators import Length, Regexp, ValidationError

from webapp.formfields import (
    MultiCheckboxField,
    address,
    database_id,
    required,
    text,
    web_link,
)
from webapp.vocabulary import KINDS, current_language, label_in_language, sectors

SLUG_MESSAGE = _l(
    "Lettres minuscules sans accent, chiffres et traits d'union (ex. : sante-mentale)."
)
SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
PHONE = re.compile(r"^[0-9+()./ -]{6,40}$")
# Three answers for a venue's step-free access and lift: not known is not "no".
ACCESS_CHOICES = [("unknown", _l("Inconnu")), ("yes", _l("Oui")), ("no", _l("Non"))]
ACCESS_VALUES = {"unknown": None, "yes": True, "no": False}


def long_text(label, limit):
    """An optional text of several lines (descriptions, access notes)."""
    return text(label, Length(max=limit), optional=True, multiline=True, field=TextAreaField)


def access_choice(value):
    """The radio value of a venue's step_free or lift (None, True, False)."""
    return {None: "unknown", True: "yes", False: "no"}[value]


def _id_or_none(value):
    """A posted id as an int; anything else (blank, letters, huge) as None."""
    if isinstance(value, int):
        return value
    return database_id(value)


class RowChoice(SelectField):
    """A select of rows by id: its data is an int or None; the view sets the choices."""

    def __init__(self, label, validators=(), blank=None, **kwargs):
        super().__init__(label, validators, coerce=_id_or_none, validate_choice=False, **kwargs)
        self.blank = blank

    def set_rows(self, rows):
        """(id, label) pairs; a blank first option when the field has one."""
        self.choices = ([("", self.blank)] if self.blank else []) + [
            (str(row_id), label) for row_id, label in rows
        ]

    def allowed(self):
        return {int(value) for value, _label in self.choices if value}


def _within_choices(message):
    def check(form, field):
        if field.data is not None and field.data not in field.allowed():
            raise ValidationError(message)
        if field.data is None and field.raw_data and field.raw_data[0] not in ("", None):
            raise ValidationError(message)

    return check


class SeriesForm(FlaskForm):
    slug = text(
        _l("Adresse publique (slug)"),
        Length(max=120),
        Regexp(SLUG_PATTERN, message=SLUG_MESSAGE),
    )
    theme = text(
        _l("Thème commun à plusieurs bassins (facultatif)"),
        Length(max=120),
        Regexp(SLUG_PATTERN, message=SLUG_MESSAGE),
        optional=True,
    )
    kind = SelectField(_l("Type d'activité"), [required()], choices=[], validate_choice=False)
    title_fr = text(_l("Titre (français)"), Length(max=200))
    title_nl = text(_l("Titre (néerlandais)"), Length(max=200), optional=True)
    description_fr = long_text(_l("Description (français)"), 5000)
    description_nl = long_text(_l("Description (néerlandais)"), 5000)
    bassins = MultiCheckboxField(_l("Bassins"), choices=[], validate_choice=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = list(KINDS.items())

    def validate_kind(self, field):
        if field.data not in KINDS:
            raise ValidationError(_l("Choisissez un type de la liste."))

    def validate_bassins(self, field):
        allowed = {value for value, _label in field.choices}
        if any(value not in allowed for value in field.data or ()):
            raise ValidationError(_l("Choisissez parmi les bassins proposés."))
        if not field.data:
            raise ValidationError(_l("Choisissez au moins un bassin."))


class PlaceForm(FlaskForm):
    """What venues and organisations share: a commune chosen among the account's."""

    commune = RowChoice(
        _l("Commune"),
        [_within_choices(_l("Choisissez une commune de la liste."))],
        blank=_l("Choisir une commune"),
    )
    # A bassin account's rows must stay within its communes: it chooses one.
    commune_required = False

    def validate_commune(self, field):
        if self.commune_required and field.data is None and not field.errors:
            raise ValidationError(_l("Ce champ est obligatoire."))


class VenueForm(PlaceForm):
    name = text(_l("Nom du lieu"), Length(max=200))
    address = text(_l("Adresse (rue et numéro)"), Length(max=300), optional=True)
    postal_code = text(_l("Code postal"), Length(max=10), optional=True)
    access_notes_fr = long_text(_l("Accès (français)"), 2000)
    access_notes_nl = long_text(_l("Accès (néerlandais)"), 2000)
    step_free = RadioField(_l("Accès de plain-pied"), choices=ACCESS_CHOICES, default="unknown")
    lift = RadioField(_l("Ascenseur"), choices=ACCESS_CHOICES, default="unknown")

    def __init__(self, *args, postal_codes=None, **kwargs):
        super().__init__(*args, **kwargs)
        # {commune id: its postal codes}: a code must be one of Brussels', and of the commune.
        self.postal_codes = postal_codes or {}

    def validate_postal_code(self, field):
        if not field.data:
            return
        every = set().union(*self.postal_codes.values()) if self.postal_codes else set()
        if field.data not in every:
            raise ValidationError(_l("Indiquez un code postal bruxellois (ex. : 1190)."))
        own = self.postal_codes.get(self.commune.data)
        if own and field.data not in own:
            raise ValidationError(
                _l("Ce code postal n'est pas celui de la commune choisie (%(codes)s).")
                % {"codes": ", ".join(sorted(own))}
            )


class OrganisationForm(PlaceForm):
    name = text(_l("Nom de l'organisation"), Length(max=200))
    sector = SelectField(_l("Secteur"), choices=[], validate_choice=False)
    email = text(_l("Adresse e-mail"), Length(max=254), address, optional=True)
    phone = text(_l("Téléphone"), Length(max=40), optional=True)
    website = text(_l("Site web"), Length(max=300), web_link, optional=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        language = current_language()
        self.sector.choices = [("", _l("Choisir un secteur"))] + [
            (s["slug"], label_in_language(s, language)) for s in sectors()
        ]

    def validate_sector(self, field):
        if field.data and field.data not in {s["slug"] for s in sectors()}:
            raise ValidationError(_l("Choisissez un secteur de la liste."))

    def validate_phone(self, field):
        if field.data and not PHONE.match(field.data):
            raise ValidationError(
                _l("Un numéro de téléphone : chiffres, espaces, +, points et barres obliques.")
            )


class MergeForm(FlaskForm):
    survivor = RowChoice(
        _l("Garder plutôt"),
        [required(), _within_choices(_l("Choisissez dans la liste."))],
        blank=_l("Choisir"),
    )
