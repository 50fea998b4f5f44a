"""The back office's Grand Bain forms: an edition's settings, a decision on an offer."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, DateTimeLocalField, IntegerField, TextAreaField
from wtforms.validators import Length, NumberRange, Optional, ValidationError

from webapp.formfields import MultiCheckboxField, required, text
from webapp.grandbain.editions import SETTINGS, WINDOWS
from webapp.timezones import exists_locally, to_utc

FIRST_YEAR, LAST_YEAR = 2015, 2100


def _moment(label):
    return DateTimeLocalField(
        label,
        [Optional()],
        format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
        render_kw={"step": 60},
    )


def _exists(form, field):
    if field.data and not exists_locally(field.data):
        raise ValidationError(_l("Cette heure n'existe pas ce jour-là (passage à l'heure d'été)."))


def _count(label, low, high, optional=False):
    first = [Optional()] if optional else [required()]
    return IntegerField(
        label,
        first + [NumberRange(low, high, message=_l("Entre %(min)s et %(max)s."))],
    )


class EditionForm(FlaskForm):
    year = _count(_l("Année"), FIRST_YEAR, LAST_YEAR)
    week_start = DateField(_l("Premier jour de la semaine"), [required()])
    week_end = DateField(_l("Dernier jour de la semaine"), [required()])
    bassins = MultiCheckboxField(_l("Bassins participants"))
    call_opens_at = _moment(_l("Ouverture de l'appel aux services"))
    call_closes_at = _moment(_l("Clôture de l'appel aux services"))
    booking_opens_at = _moment(_l("Ouverture des réservations"))
    booking_closes_at = _moment(_l("Clôture des réservations"))
    max_slots_per_offer = _count(_l("Créneaux par service, au plus"), 1, 20)
    max_visits_per_visitor = _count(_l("Visites par visiteur, au plus"), 1, 20)
    margin_minutes = _count(_l("Minutes entre deux visites"), 0, 240)
    reported_services = _count(_l("Services (saisis à la main)"), 0, 10000, optional=True)
    reported_visitors = _count(_l("Visiteurs (saisis à la main)"), 0, 100000, optional=True)
    reported_visits = _count(_l("Visites (saisies à la main)"), 0, 100000, optional=True)

    def __init__(self, *args, bassin_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.bassins.choices = list(bassin_choices)
        for name in ("call_opens_at", "call_closes_at", "booking_opens_at", "booking_closes_at"):
            self[name].validators = [*self[name].validators, _exists]

    def validate_week_end(self, field):
        if self.week_start.data and field.data and field.data < self.week_start.data:
            raise ValidationError(_l("La semaine se termine après son premier jour."))

    def validate_call_closes_at(self, field):
        if self.call_opens_at.data and field.data and field.data <= self.call_opens_at.data:
            raise ValidationError(_l("La clôture vient après l'ouverture."))

    def validate_booking_closes_at(self, field):
        if self.booking_opens_at.data and field.data and field.data <= self.booking_opens_at.data:
            raise ValidationError(_l("La clôture vient après l'ouverture."))

    def settings(self):
        """The settings as editions.save takes them (moments in UTC)."""
        moments = {name for window in WINDOWS for name in window}
        data = {name: self[name].data for name in SETTINGS}
        for name in moments:
            data[name] = to_utc(data[name])
        return data


class ReasonForm(FlaskForm):
    """Why changes are asked for, or why the offer is refused (sent to the service)."""

    reason = text(_l("Motif"), Length(max=2000), multiline=True, field=TextAreaField)
