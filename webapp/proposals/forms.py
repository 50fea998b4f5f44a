"""The proposal forms: the event fields that matter, and who proposes (the public form).

Whatever a submitter types reaches a moderator's screen, the submitter's own mails and,
once accepted, the public pages and feeds: one-line fields refuse line breaks, every field
refuses control characters, links are http(s), names hold no link.
"""

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from webapp.agenda.models import Bassin
from webapp.extensions import db
from webapp.formfields import (
    ClockField,
    DayField,
    MultiCheckboxField,
    address,
    local_datetime,
    required,
    text,
    typed,
    web_link,
)
from webapp.proposals.states import RegistrationWay
from webapp.registrations.forms import LINK_IN_NAME
from webapp.timezones import to_local, to_utc, utcnow
from webapp.vocabulary import AUDIENCES, KINDS

# What a partner proposes: its own meetings, trainings and webinars; the bassins' concertations,
# workshops and prevention rendez-vous are theirs, the Grand Bain has its own call.
PROPOSED_KINDS = ("rencontre", "formation", "webinaire", "autre")
PROPOSED_AUDIENCES = ("professionals", "public")
PHONE = re.compile(r"\A\+?[0-9][0-9 ./()-]{5,38}\Z")
POSTAL_CODE = re.compile(r"\A[0-9]{4}\Z")


def _no_link(form, field):
    if isinstance(field.data, str) and LINK_IN_NAME.search(field.data):
        raise ValidationError(_l("Un nom ne peut pas contenir d'adresse web ni d'e-mail."))


def _phone(form, field):
    if field.data and not PHONE.match(field.data):
        raise ValidationError(_l("Indiquez un numéro de téléphone (chiffres, espaces, +)."))


def _postal_code(form, field):
    if field.data and not POSTAL_CODE.match(field.data):
        raise ValidationError(_l("Un code postal belge a quatre chiffres."))


class EventFieldsForm(FlaskForm):
    """The event as a partner describes it (the public form, the service's form, the edit)."""

    title_fr = text(_l("Titre"), Length(max=250))
    title_nl = text(_l("Titre en néerlandais (facultatif)"), Length(max=250), optional=True)
    description_fr = text(_l("Description"), Length(max=5000), multiline=True, field=TextAreaField)
    kind = SelectField(_l("Type d'activité"), [required()], choices=[], validate_choice=False)
    audience = SelectField(_l("Pour qui"), [required()], choices=[], validate_choice=False)
    # InputRequired, not DataRequired: a date typed but not parsed keeps its own message.
    day = DayField(_l("Date"), [typed()])
    starts = ClockField(_l("Heure de début"), [typed()])
    ends = ClockField(_l("Heure de fin"), [typed()])
    venue_name = text(_l("Nom du lieu"), Length(max=200), optional=True)
    venue_address = text(_l("Adresse (rue et numéro)"), Length(max=300), optional=True)
    venue_postal_code = text(_l("Code postal"), Length(max=10), _postal_code, optional=True)
    venue_commune = text(_l("Commune"), Length(max=120), optional=True)
    online_url = text(_l("Lien de la réunion en ligne"), Length(max=500), web_link, optional=True)
    free = RadioField(
        _l("Prix"),
        [typed()],
        choices=[("yes", _l("Gratuit")), ("no", _l("Payant"))],
    )
    price_fr = text(_l("Prix (si payant)"), Length(max=200), optional=True)
    contact_email = text(_l("E-mail de contact pour le public"), Length(max=254), address)
    registration = RadioField(
        _l("Inscription"),
        [typed()],
        choices=[
            (RegistrationWay.LINK.value, _l("Sur notre site (lien ci-dessous)")),
            (RegistrationWay.NONE.value, _l("Sans inscription")),
        ],
    )
    registration_url = text(_l("Lien d'inscription"), Length(max=500), web_link, optional=True)
    bassins = MultiCheckboxField(_l("Pour l'agenda des bassins"), choices=[], validate_choice=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = [("", _l("Choisir un type"))] + [(k, KINDS[k]) for k in PROPOSED_KINDS]
        self.audience.choices = [("", _l("Choisir un public"))] + [
            (a, AUDIENCES[a]) for a in PROPOSED_AUDIENCES
        ]
        self.bassins.choices = [
            (bassin.slug, bassin.name)
            for bassin in db.session.scalars(select(Bassin).order_by(Bassin.slug))
        ]

    def validate_kind(self, field):
        if field.data not in PROPOSED_KINDS:
            raise ValidationError(_l("Choisissez un type de la liste."))

    def validate_audience(self, field):
        if field.data not in PROPOSED_AUDIENCES:
            raise ValidationError(_l("Choisissez un public de la liste."))

    def validate_bassins(self, field):
        known = {slug for slug, _label in field.choices}
        if not field.data:
            raise ValidationError(_l("Choisissez au moins un bassin."))
        if any(slug not in known for slug in field.data):
            raise ValidationError(_l("Choisissez des bassins de la liste."))

    def validate_starts(self, field):
        start = local_datetime(self.day.data, field.data)
        if start is not None and to_utc(start) < utcnow():
            raise ValidationError(_l("Cette date est passée."))

    def validate_ends(self, field):
        local_datetime(self.day.data, field.data)  # the hour skipped in March
        if self.starts.data and field.data and field.data <= self.starts.data:
            raise ValidationError(_l("La fin doit suivre le début."))

    def validate(self, extra_validators=None):
        """The fields, then what depends on several of them (an empty optional field stops
        its own validators, so these checks live here)."""
        valid = super().validate(extra_validators)
        needed = [
            (
                self.venue_name,
                not (self.venue_name.data or self.venue_address.data or self.online_url.data),
                _l("Indiquez un lieu ou un lien de réunion en ligne."),
            ),
            (
                self.price_fr,
                self.free.data == "no" and not self.price_fr.data,
                _l("Indiquez le prix."),
            ),
            (
                self.registration_url,
                self.registration.data == RegistrationWay.LINK and not self.registration_url.data,
                _l("Indiquez le lien d'inscription."),
            ),
        ]
        for field, missing, message in needed:
            if missing and not field.errors:
                field.errors = [*field.errors, message]
                valid = False
        return valid

    def details(self):
        """The typed values as rules.submit takes them (times in UTC)."""
        start = to_utc(local_datetime(self.day.data, self.starts.data))
        end = to_utc(local_datetime(self.day.data, self.ends.data))
        by_link = self.registration.data == RegistrationWay.LINK
        details = {
            "kind": self.kind.data,
            "audience": self.audience.data,
            "title_fr": self.title_fr.data,
            "title_nl": self.title_nl.data,
            "description_fr": self.description_fr.data,
            "start_at": start,
            "end_at": end,
            "online_url": self.online_url.data,
            "free": self.free.data == "yes",
            "price_fr": self.price_fr.data if self.free.data == "no" else None,
            "contact_email": self.contact_email.data,
            "registration_url": self.registration_url.data if by_link else None,
        }
        for name in ("venue_name", "venue_address", "venue_postal_code", "venue_commune"):
            details[name] = self[name].data
        return details

    def fill_from(self, proposal):
        """The form as the proposal stands (the submitter's edit, after changes were asked)."""
        event = proposal.event
        for name in ("title_fr", "title_nl", "description_fr", "kind", "audience", "online_url"):
            self[name].data = getattr(event, name)
        for name in ("venue_name", "venue_address", "venue_postal_code", "venue_commune"):
            self[name].data = getattr(proposal, name)
        start, end = to_local(event.start_at), to_local(event.end_at)
        self.day.data, self.starts.data = start.date(), start.time().replace(tzinfo=None)
        self.ends.data = end.time().replace(tzinfo=None)
        self.free.data = "yes" if event.free else "no"
        self.price_fr.data = event.price_fr
        self.contact_email.data = event.contact_email
        self.registration.data = (
            RegistrationWay.LINK.value if proposal.registration_url else RegistrationWay.NONE.value
        )
        self.registration_url.data = proposal.registration_url
        self.bassins.data = [bassin.slug for bassin in event.bassins]


class ProposalForm(EventFieldsForm):
    """The public form: who proposes, then the event, then consent."""

    submitter_name = text(_l("Votre nom"), Length(max=200), _no_link)
    submitter_email = text(_l("Votre adresse e-mail"), Length(max=254), address)
    organisation_name = text(_l("Votre organisation ou service"), Length(max=200))
    phone = text(_l("Téléphone (facultatif)"), Length(max=40), _phone, optional=True)
    consent = BooleanField(
        _l("J'accepte que ces coordonnées soient utilisées pour le suivi de cette proposition."),
        [InputRequired(message=_l("Votre accord est nécessaire pour envoyer une proposition."))],
    )
    # Honeypot: hidden from people, filled in by bots.
    website = StringField(_l("Ne pas remplir ce champ"), [Optional(), Length(max=0)])

    def details(self):
        details = super().details()
        for name in ("submitter_name", "submitter_email", "organisation_name", "phone"):
            details[name] = self[name].data
        return details
