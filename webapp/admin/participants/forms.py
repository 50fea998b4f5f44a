"""The forms of the participants and check-in pages, and the labels they show."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, TextAreaField
from wtforms.validators import Length, ValidationError

from webapp.formfields import text
from webapp.registrations.forms import PersonForm, _no_link, with_inami
from webapp.vocabulary import PLACE_MODES, current_language, label_in_language, sectors

REGISTRATION_STATUSES = {
    "confirmed": _l("Confirmé·e"),
    "waitlisted": _l("Liste d'attente"),
    "pending": _l("À valider"),
    "cancelled": _l("Annulé·e"),
}
# Who a message goes to: everyone active, or one status group.
GROUPS = {
    "active": (
        _l("Toutes les personnes inscrites (sauf annulées)"),
        ("confirmed", "waitlisted", "pending"),
    ),
    "confirmed": (_l("Les personnes confirmées"), ("confirmed",)),
    "waitlisted": (_l("La liste d'attente"), ("waitlisted",)),
    "pending": (_l("Les demandes à valider"), ("pending",)),
}


class AddPersonForm(PersonForm):
    """A person added by staff: the person fields, and how they attend a hybrid event;
    staff hold the consent, no honeypot."""

    consent = None
    website = None
    mode = SelectField(_l("Participation"), choices=list(PLACE_MODES.items()), default="onsite")


def add_person_form(event, **kwargs):
    """The form to add a person to `event`: with the INAMI number on an accredited one."""
    form_class = with_inami(AddPersonForm) if event.accreditation else AddPersonForm
    return form_class(prefix="add", **kwargs)


class MessageForm(FlaskForm):
    group = SelectField(_l("Destinataires"), choices=[])
    subject = text(_l("Objet"), Length(max=200))
    body = text(_l("Message"), Length(max=5000), multiline=True, field=TextAreaField)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.group.choices = [(key, label) for key, (label, _statuses) in GROUPS.items()]


class RefuseForm(FlaskForm):
    reason = text(_l("Motif du refus"), Length(max=500))


class DecisionForm(FlaskForm):
    """Several pending requests at once (the ids are posted as `registration`)."""

    decision = SelectField(
        _l("Décision"), choices=[("approve", _l("Accepter")), ("refuse", _l("Refuser"))]
    )
    reason = text(_l("Motif (pour un refus)"), Length(max=500), optional=True)

    def validate(self, extra_validators=None):
        # Not an inline validator: the field is optional, which stops its own checks.
        valid = super().validate(extra_validators)
        if valid and self.decision.data == "refuse" and not self.reason.data:
            self.reason.errors = [_l("Indiquez le motif du refus.")]
            return False
        return valid


class WalkInForm(FlaskForm):
    """Someone at the door who did not register."""

    first_name = text(_l("Prénom"), Length(max=100), _no_link)
    last_name = text(_l("Nom"), Length(max=100), _no_link)
    organisation = text(_l("Organisation ou service"), Length(max=200), optional=True)
    sector = SelectField(_l("Secteur"), choices=[], validate_choice=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        language = current_language()
        self.sector.choices = [("", _l("Non précisé"))] + [
            (s["slug"], label_in_language(s, language)) for s in sectors()
        ]

    def validate_sector(self, field):
        if field.data and field.data not in {s["slug"] for s in sectors()}:
            raise ValidationError(_l("Choisissez un secteur de la liste."))
