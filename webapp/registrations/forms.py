"""The registration form: the contract's person fields, then the event's own questions."""

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    InputRequired,
    Length,
    Optional,
    ValidationError,
)

from webapp.agenda.places import mode_places
from webapp.formfields import MultiCheckboxField, address, one_line_text, printable, required
from webapp.registrations.inami import normalise_inami, printed_inami
from webapp.registrations.rules import PERSON_FIELDS
from webapp.vocabulary import (
    ACCOMMODATION_NEEDS,
    PLACE_MODES,
    current_language,
    label_in_language,
    sectors,
)

# A name is mailed back in our own words ("Bonjour <first name>"): whoever types a link
# there could have the service's address carry it to anyone. Names hold no link.
LINK_IN_NAME = re.compile(
    r"://|www\.|@|[\w-]\.(?:com|net|org|info|biz|be|eu|fr|nl|de|uk|io|ly|me|co|ru|cn|xyz|"
    r"site|online|link|app|club|top|shop|live|click)\b",
    re.IGNORECASE,
)


def _no_link(form, field):
    if isinstance(field.data, str) and LINK_IN_NAME.search(field.data):
        raise ValidationError(_l("Un nom ne peut pas contenir d'adresse web ni d'e-mail."))


def _text(label, *validators, optional=False, field=StringField):
    first = [Optional()] if optional else [required()]
    return field(label, first + list(validators) + [printable], filters=[one_line_text])


class PersonForm(FlaskForm):
    """The person fields shared by registrations and (later) visit bookings."""

    first_name = _text(_l("Prénom"), Length(max=100), _no_link)
    last_name = _text(_l("Nom"), Length(max=100), _no_link)
    email = _text(_l("Adresse e-mail"), Length(max=254), address)
    organisation = _text(_l("Organisation ou service"), Length(max=200))
    sector = SelectField(_l("Secteur"), [required()], choices=[], validate_choice=False)
    job_title = _text(_l("Fonction"), Length(max=150))
    commune = _text(_l("Commune de travail (facultatif)"), Length(max=100), optional=True)
    consent = BooleanField(
        _l("J'accepte que ces données soient utilisées pour l'organisation de cette activité."),
        [InputRequired(message=_l("Votre accord est nécessaire pour vous inscrire."))],
    )
    # Honeypot: hidden from people, filled in by bots.
    website = StringField(_l("Ne pas remplir ce champ"), [Optional(), Length(max=0)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        language = current_language()
        self.sector.choices = [("", _l("Choisir un secteur"))] + [
            (s["slug"], label_in_language(s, language)) for s in sectors()
        ]

    def validate_sector(self, field):
        if field.data not in {s["slug"] for s in sectors()}:
            raise ValidationError(_l("Choisissez un secteur de la liste."))

    def person(self):
        """The person fields present on this form, trimmed (the INAMI number, where the
        form asks it, as its 11 digits)."""
        person = {
            name: (self[name].data or "").strip() for name in PERSON_FIELDS if name in self._fields
        }
        if "inami_number" in self._fields:
            person["inami_number"] = normalise_inami(self.inami_number.data or "") or ""
        return person


def _inami_number(form, field):
    if field.data and normalise_inami(field.data) is None:
        raise ValidationError(
            _l("Un numéro INAMI compte 11 chiffres, par exemple 1-23456-78-901 ou 12345678901.")
        )


class InamiField(StringField):
    """A text field that shows a stored number grouped as it is printed (1-23456-78-901)."""

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return printed_inami(self.data) if normalise_inami(self.data or "") else (self.data or "")


def _inami_field():
    """The INAMI/RIZIV number of a care provider, for an accredited training: optional (a
    social worker has none), checked, stored as its 11 digits."""
    return InamiField(
        _l("Numéro INAMI/RIZIV (facultatif)"),
        [Optional(), Length(max=20), _inami_number],
        filters=[one_line_text],
        description=_l(
            "Pour les médecins et autres prestataires qui font valoir cette formation "
            "accréditée : 11 chiffres, par exemple 1-23456-78-901."
        ),
    )


def with_inami(form_class):
    """`form_class` asking the INAMI/RIZIV number too: the form of an accredited event,
    whoever fills it in (the person, or staff adding them)."""
    return type(form_class.__name__, (form_class,), {"inami_number": _inami_field()})


def _mode_choices(event):
    """A hybrid event's ways to attend that take someone, each with its places ("En ligne –
    12 places restantes")."""
    choices = []
    for mode, left, _capacity in mode_places(event):
        label = PLACE_MODES[mode]
        if left == 0 and not event.waitlist_enabled:
            continue  # full, and no one waits: not a choice
        if left == 0:
            label = _l("%(mode)s – complet : liste d'attente", mode=label)
        elif left is not None:
            label = _l("%(mode)s – %(num)d places restantes", mode=label, num=left)
        choices.append((mode.value, label))
    return choices


def registration_form_class(questions, edit=False, accredited=False, event=None):
    """A form class with one field per custom question of the event (and the INAMI number
    when the event is accredited); a hybrid event's form asks how the person attends; a new
    registration may ask for accommodations."""
    language = current_language()

    class RegistrationForm(with_inami(PersonForm) if accredited else PersonForm):
        pass

    if edit:
        # Changing one's details does not change one's email nor consent again.
        RegistrationForm.email = None
        RegistrationForm.consent = None
    else:
        choices = _mode_choices(event) if event is not None else []
        if choices:
            RegistrationForm.mode = RadioField(
                _l("Je participe"),
                [InputRequired(message=_l("Choisissez sur place ou en ligne."))],
                choices=choices,
            )
        RegistrationForm.needs = MultiCheckboxField(
            _l("J'ai besoin, pour participer (facultatif)"),
            [Optional()],
            choices=list(ACCOMMODATION_NEEDS.items()),
        )
    for question in questions:
        setattr(RegistrationForm, question.field_name, _question_field(question, language))
    return RegistrationForm


def _question_field(question, language):
    validators = [required()] if question.required else [Optional()]
    options = [(o["value"], o.get(language) or o["fr"]) for o in question.options or ()]
    label = question.localized("label", language)
    if question.kind == "short_text":
        return _text(label, Length(max=300), optional=not question.required)
    if question.kind == "long_text":
        return _text(label, Length(max=2000), optional=not question.required, field=TextAreaField)
    if question.kind == "choice":
        return RadioField(label, validators, choices=options)
    if question.kind == "choices":
        return MultiCheckboxField(label, validators, choices=options)
    return RadioField(label, validators, choices=[("yes", _l("Oui")), ("no", _l("Non"))])


def answers_from(form, questions):
    """The answers to the custom questions, keyed by question id (as strings)."""
    answers = {}
    for question in questions:
        value = getattr(form, question.field_name).data
        if value not in (None, "", []):
            answers[str(question.id)] = value
    return answers


def fill_answers(form, questions, answers):
    for question in questions:
        if str(question.id) in (answers or {}):
            getattr(form, question.field_name).data = answers[str(question.id)]
