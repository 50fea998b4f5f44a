"""The forms of a meeting's report and of a theme's synthesis (admin/reports.py).

Sections and quotes are rows of a list that works without JavaScript: the rows saved, then
two empty ones; a number orders them, a checkbox removes one. An empty row is no row.
"""

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from sqlalchemy import select
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    SelectField,
    StringField,
)
from wtforms import TextAreaField as Area
from wtforms.validators import Length, Optional, StopValidation, ValidationError

from webapp.agenda.models import Bassin
from webapp.agenda.report_operations import (
    MAX_THEME_ROWS,
    SYNTHESIS_MAX_LENGTH,
    THEME_LABEL_MAX_LENGTH,
)
from webapp.agenda.reports import (
    QUOTE_MAX_LENGTH,
    SECTION_TEXT_MAX_LENGTH,
    SECTION_TITLE_MAX_LENGTH,
)
from webapp.extensions import db
from webapp.formfields import MultiCheckboxField, strip, text, web_link, whole_number_in
from webapp.vocabulary import label_in_language, sector_groups

MAX_ROWS = 60
MAX_COUNT = 100_000
TOO_LONG = _l("%(max)d caractères au plus.")


def whole_number(form, field):
    """A count typed by hand: digits only, 0 to MAX_COUNT; kept as an int."""
    if field.data in (None, ""):
        field.data = None
        return
    raw = str(field.data)
    number = whole_number_in(raw, 0, MAX_COUNT)
    if number is None:
        field.data = raw
        raise ValidationError(_l("Indiquez un nombre entier positif ou zéro."))
    field.data = number


def empty_as_none(value):
    """A count left empty is no count (None), never the empty string handed on."""
    value = strip(value)
    return None if value == "" else value


def a_count(form, field):
    """A count that must be given (blank, spaces only: not given)."""
    if field.data is None:
        field.errors[:] = []
        raise StopValidation(_l("Indiquez un nombre (0 si personne n'est venu)."))


def count(label, required=False):
    first = a_count if required else Optional(strip_whitespace=True)
    return StringField(label, [first, whole_number], filters=[empty_as_none])


def position():
    return count(_l("Ordre"))


def known_choice(form, field):
    """One of the list (WTForms' own message is not translated)."""
    field.data = field.data or ""
    if field.data not in {value for value, _ in field.choices}:
        raise ValidationError(_l("Choisissez un secteur de la liste."))


class SectionRow(Form):
    position = position()
    title_fr = text(
        _l("Titre"), Length(max=SECTION_TITLE_MAX_LENGTH, message=TOO_LONG), optional=True
    )
    title_nl = text(
        _l("Titre en néerlandais"),
        Length(max=SECTION_TITLE_MAX_LENGTH, message=TOO_LONG),
        optional=True,
    )
    text_fr = text(
        _l("Texte"),
        Length(max=SECTION_TEXT_MAX_LENGTH, message=TOO_LONG),
        optional=True,
        field=Area,
        multiline=True,
    )
    text_nl = text(
        _l("Texte en néerlandais"),
        Length(max=SECTION_TEXT_MAX_LENGTH, message=TOO_LONG),
        optional=True,
        field=Area,
        multiline=True,
    )
    remove = BooleanField(_l("Retirer cette partie"))

    @property
    def is_blank(self):
        fields = (self.title_fr, self.title_nl, self.text_fr, self.text_nl)
        return not any(f.data for f in fields)

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        # A part waiting for its text is kept in the draft (not shown to the public); a text
        # needs its French title.
        if valid and not self.remove.data and not self.is_blank and not self.title_fr.data:
            self.title_fr.errors = [_l("Donnez un titre en français à cette partie.")]
            valid = False
        return valid


class QuoteRow(Form):
    position = position()
    text = text(_l("Citation"), Length(max=QUOTE_MAX_LENGTH, message=TOO_LONG), optional=True)
    sector_group = SelectField(
        _l("Secteur de la personne"), [known_choice], validate_choice=False, default=""
    )
    remove = BooleanField(_l("Retirer cette citation"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sector_group.choices = [("", _l("Non précisé"))] + [
            (g["slug"], label_in_language(g)) for g in sector_groups()
        ]

    @property
    def is_blank(self):
        return not self.text.data


class ReportForm(FlaskForm):
    participants_count = count(_l("Nombre de participant·es"), required=True)
    presentation_url = text(
        _l("Lien du support de présentation"),
        Length(max=500, message=TOO_LONG),
        web_link,
        optional=True,
    )
    report_url = text(
        _l("Lien du compte rendu complet"),
        Length(max=500, message=TOO_LONG),
        web_link,
        optional=True,
    )
    # The presentation as a PDF (webapp/uploads.py). A file received with a form refused for
    # another field is kept and named in `presentation_pending` (its digest) and
    # `presentation_pending_name`, so the form sent again still has it.
    presentation_upload = FileField(_l("Support de présentation en PDF (20 Mo au plus)"))
    presentation_pending = HiddenField()
    presentation_pending_name = HiddenField()
    presentation_remove = BooleanField(_l("Retirer le PDF joint"))
    sections = FieldList(FormField(SectionRow), max_entries=MAX_ROWS)
    quotes = FieldList(FormField(QuoteRow), max_entries=MAX_ROWS)

    def sector_fields(self):
        """(group slug, field) of the breakdown by sector group, in the vocabulary's order."""
        return [(g["slug"], self[f"sector_{g['slug']}"]) for g in sector_groups()]


# One count per sector group, named sector_<slug>.
for _group in sector_groups():
    _label = LazyString(lambda group=_group: label_in_language(group))
    setattr(ReportForm, f"sector_{_group['slug']}", count(_label))


class ReportActionForm(FlaskForm):
    """Unpublish: a button, its CSRF token and nothing else."""


def synthesis_text(label):
    return text(
        label,
        Length(max=SYNTHESIS_MAX_LENGTH, message=TOO_LONG),
        optional=True,
        field=Area,
        multiline=True,
    )


class ThemeRowForm(Form):
    """A line of the table *thématique × bassins concernés*."""

    position = position()
    label_fr = text(
        _l("Thématique"), Length(max=THEME_LABEL_MAX_LENGTH, message=TOO_LONG), optional=True
    )
    label_nl = text(
        _l("Thématique en néerlandais"),
        Length(max=THEME_LABEL_MAX_LENGTH, message=TOO_LONG),
        optional=True,
    )
    bassins = MultiCheckboxField(_l("Bassins concernés"), choices=[], validate_choice=False)
    remove = BooleanField(_l("Retirer cette ligne"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.bassins.choices = bassin_choices()

    @property
    def is_blank(self):
        return not self.label_fr.data and not self.label_nl.data

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        known = {slug for slug, _name in self.bassins.choices}
        if not set(self.bassins.data or []) <= known:
            self.bassins.errors = [_l("Choisissez des bassins de la liste.")]
            valid = False
        if valid and not self.remove.data and not self.is_blank and not self.label_fr.data:
            self.label_fr.errors = [_l("Donnez la thématique en français.")]
            valid = False
        return valid


class SynthesisForm(FlaskForm):
    """The yearly synthesis of a theme, in the parts of seed 000."""

    text_fr = synthesis_text(_l("Introduction"))
    text_nl = synthesis_text(_l("Introduction en néerlandais"))
    needs_fr = synthesis_text(_l("Veille des besoins"))
    needs_nl = synthesis_text(_l("Veille des besoins en néerlandais"))
    actions_fr = synthesis_text(_l("Pistes d'actions"))
    actions_nl = synthesis_text(_l("Pistes d'actions en néerlandais"))
    perspectives_fr = synthesis_text(_l("Perspectives"))
    perspectives_nl = synthesis_text(_l("Perspectives en néerlandais"))
    themes = FieldList(FormField(ThemeRowForm), max_entries=MAX_THEME_ROWS)


def too_many_rows(formdata):
    """More rows posted than the list keeps (WTForms would drop the rest without a word)."""
    for prefix in ("sections-", "quotes-", "themes-"):
        indices = {key.split("-")[1] for key in formdata if key.startswith(prefix)}
        if len(indices) > (MAX_THEME_ROWS if prefix == "themes-" else MAX_ROWS):
            return True
    return False


def ordered(rows):
    """The kept rows (not blank, not removed) in the order their numbers give, then as typed."""
    kept = [
        (index, row.form)
        for index, row in enumerate(rows)
        if not row.form.remove.data and not row.form.is_blank
    ]
    kept.sort(key=lambda pair: (pair[1].position.data or MAX_COUNT + 1, pair[0]))
    return [form for _, form in kept]


def bassin_choices():
    """(slug, name) of the five bassins, by name."""
    return [
        (b.slug, b.name_fr) for b in db.session.scalars(select(Bassin).order_by(Bassin.name_fr))
    ]
