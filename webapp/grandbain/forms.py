"""The booking form (the registration's person fields, a question per host) and the call's
form (a service's offer and a few slots)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import Length, NumberRange, Optional, ValidationError

from webapp import formfields
from webapp.formfields import MultiCheckboxField, database_id, local_datetime, required, text
from webapp.grandbain.models import MAX_SLOT_CAPACITY
from webapp.grandbain.offers import OFFER_FIELDS, SlotRequest
from webapp.registrations.forms import PersonForm
from webapp.vocabulary import current_language, label_in_language, sectors

LANGUAGE_CHOICES = [("fr", _l("français")), ("nl", _l("néerlandais")), ("en", _l("anglais"))]


def booking_form_class(slots):
    """The person fields, whether to wait for a full slot, and one question per slot."""

    class BookingForm(PersonForm):
        waitlist = BooleanField(
            _l(
                "Si une visite est complète, m'inscrire sur sa liste d'attente plutôt que de "
                "tout refuser."
            )
        )

    for slot in slots:
        setattr(
            BookingForm,
            question_field(slot.id),
            text(
                _l("Une question pour %(host)s (facultatif)", host=slot.offer.name),
                Length(max=500),
                optional=True,
                multiline=True,
                field=TextAreaField,
            ),
        )
    return BookingForm


def question_field(slot_id):
    return f"question_{slot_id}"


class SlotForm(Form):
    """One slot as the host types it: an empty row is no slot."""

    day = DateField(_l("Jour"), [Optional()])
    start = TimeField(_l("Début"), [Optional()])
    end = TimeField(_l("Fin"), [Optional()])
    places = IntegerField(
        _l("Places"),
        [
            Optional(),
            NumberRange(
                min=1,
                max=MAX_SLOT_CAPACITY,
                message=_l("Entre %(min)d et %(max)d places.", min=1, max=MAX_SLOT_CAPACITY),
            ),
        ],
    )

    def is_empty(self):
        return not any((self.day.data, self.start.data, self.end.data, self.places.data))

    def validate(self, extra_validators=None):
        if not super().validate(extra_validators):
            return False
        if self.is_empty():
            return True
        missing = [f for f in (self.day, self.start, self.end, self.places) if f.data in (None, "")]
        for f in missing:
            f.errors = [_l("Indiquez le jour, le début, la fin et le nombre de places.")]
        if missing:
            return False
        try:
            self.start_local = local_datetime(self.day.data, self.start.data)
            self.end_local = local_datetime(self.day.data, self.end.data)
        except ValidationError as error:
            self.start.errors = [str(error)]
            return False
        if self.end_local <= self.start_local:
            self.end.errors = [_l("La fin doit venir après le début.")]
            return False
        return True


class ApplyForm(FlaskForm):
    """A service answers the call: who it is, what visitors discover, where, and its slots."""

    name = text(_l("Nom du service"), Length(max=200))
    sector = SelectField(_l("Secteur"), [required()], choices=[], validate_choice=False)
    address = text(_l("Adresse (rue et numéro)"), Length(max=300))
    commune_id = SelectField(_l("Commune"), [required()], choices=[], validate_choice=False)
    discover_fr = text(
        _l("Ce que les visiteurs découvriront"),
        Length(max=3000),
        multiline=True,
        field=TextAreaField,
    )
    discover_nl = text(
        _l("Ce que les visiteurs découvriront, en néerlandais (facultatif)"),
        Length(max=3000),
        optional=True,
        multiline=True,
        field=TextAreaField,
    )
    access_notes_fr = text(
        _l("Accès : comment entrer, étage, accessibilité (facultatif)"),
        Length(max=1000),
        optional=True,
        multiline=True,
        field=TextAreaField,
    )
    access_notes_nl = text(
        _l("Accès, en néerlandais (facultatif)"),
        Length(max=1000),
        optional=True,
        multiline=True,
        field=TextAreaField,
    )
    languages = MultiCheckboxField(
        _l("Langues parlées pendant la visite"), [required()], choices=LANGUAGE_CHOICES
    )
    contact_name = text(_l("Personne de contact"), Length(max=150))
    contact_email = text(
        _l("E-mail de la personne de contact"), Length(max=254), formfields.address
    )
    contact_phone = text(_l("Téléphone (facultatif)"), Length(max=40), optional=True)
    slots = FieldList(FormField(SlotForm), min_entries=1)
    # Honeypot: hidden from people, filled in by bots.
    website = StringField(_l("Ne pas remplir ce champ"), [Optional(), Length(max=0)])

    def __init__(self, *args, communes=(), slot_rows=3, **kwargs):
        super().__init__(*args, **kwargs)
        language = current_language()
        self.sector.choices = [("", _l("Choisir un secteur"))] + [
            (s["slug"], label_in_language(s, language)) for s in sectors()
        ]
        self.commune_id.choices = [("", _l("Choisir une commune"))] + [
            (str(c.id), c.localized("name", language)) for c in communes
        ]
        self._commune_ids = {str(c.id) for c in communes}
        while len(self.slots) < slot_rows:
            self.slots.append_entry()
        self.slot_rows = slot_rows

    def validate_sector(self, field):
        if field.data not in {s["slug"] for s in sectors()}:
            raise ValidationError(_l("Choisissez un secteur de la liste."))

    def validate_commune_id(self, field):
        if field.data not in self._commune_ids:
            raise ValidationError(_l("Choisissez une commune de la liste."))

    def validate_slots(self, field):
        filled = [entry for entry in field.entries if not entry.form.is_empty()]
        if not filled:
            raise ValidationError(_l("Proposez au moins un créneau."))
        if len(filled) > self.slot_rows:
            raise ValidationError(
                _l("Au plus %(count)d créneaux par service.", count=self.slot_rows)
            )

    def offer_data(self):
        data = {name: self[name].data for name in OFFER_FIELDS if name in self._fields}
        data["commune_id"] = int(self.commune_id.data)
        data["languages"] = ",".join(self.languages.data or [])
        return data

    def slot_requests(self):
        return [
            SlotRequest(e.form.start_local, e.form.end_local, e.form.places.data)
            for e in self.slots.entries
            if not e.form.is_empty()
        ]


class HostMessageForm(FlaskForm):
    """One message from a host to its booked visitors (each receives it alone)."""

    subject = text(_l("Objet"), Length(max=150))
    body = text(_l("Message"), Length(max=3000), multiline=True, field=TextAreaField)


class AttendanceForm(FlaskForm):
    """Who came to one visit: one box per confirmed visitor, named `came`, valued by the
    booking's id (drawn by grandbain/_attendance.html; the rules refuse an id that is not a
    confirmed booking of the slot)."""

    def came_ids(self, formdata):
        """The booking ids ticked, or None when a value is not an id or there are more than
        a slot can hold (a tampered form)."""
        values = formdata.getlist("came")
        if len(values) > MAX_SLOT_CAPACITY:
            return None
        ids = {database_id(value) for value in values}
        return None if None in ids else ids
