"""The forms of the event actions: a reason (cancel, postpone), a new date and place (move),
the date of the next meeting, and a bare confirmation (delete).

Dates are typed as a day and two clock times in Brussels time; a day that does not exist
(31 February), the hour skipped in March and an end before the start get a message beside
their field. The venue is chosen among those of the account's scope.
"""

from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, TextAreaField
from wtforms.validators import Length, ValidationError

from webapp.formfields import ClockField, DayField, local_datetime, text, typed, web_link
from webapp.timezones import to_local, to_utc

REASON_MAX = 1000
NO_VENUE = 0


def _reason(label, optional=True):
    return text(
        label, Length(max=REASON_MAX), optional=optional, field=TextAreaField, multiline=True
    )


class ConfirmForm(FlaskForm):
    """A confirmation alone (delete a draft): its CSRF token is what it checks."""


class CancelForm(FlaskForm):
    reason_fr = _reason(_l("Raison (français)"), optional=False)
    reason_nl = _reason(_l("Raison (néerlandais)"))


class PostponeForm(FlaskForm):
    reason_fr = _reason(_l("Raison (français)"))
    reason_nl = _reason(_l("Raison (néerlandais)"))


class WhenForm(FlaskForm):
    """A day, a start and an end time in Brussels; `times()` gives them as UTC."""

    day = DayField(_l("Date"), [typed()])
    start = ClockField(_l("Début"), [typed()])
    end = ClockField(_l("Fin"), [typed()])

    def validate_start(self, field):
        local_datetime(self.day.data, field.data)

    def validate_end(self, field):
        local_datetime(self.day.data, field.data)
        if self.start.data and field.data and field.data <= self.start.data:
            raise ValidationError(_l("La fin doit être après le début."))

    def times(self):
        """(start_at, end_at) as aware UTC datetimes (after validation)."""
        return (
            to_utc(datetime.combine(self.day.data, self.start.data)),
            to_utc(datetime.combine(self.day.data, self.end.data)),
        )

    def fill_from(self, start_at, end_at):
        start, end = to_local(start_at), to_local(end_at)
        self.day.data, self.start.data, self.end.data = start.date(), start.time(), end.time()


class MoveForm(WhenForm):
    venue = SelectField(_l("Lieu"), coerce=int, choices=[], validate_choice=False)
    room = text(_l("Salle"), Length(max=120), optional=True)
    online_url = text(_l("Lien de la réunion en ligne"), Length(max=500), web_link, optional=True)
    reason_fr = _reason(_l("Raison (français)"))
    reason_nl = _reason(_l("Raison (néerlandais)"))

    def set_venues(self, venues):
        """The venues the account may choose (its scope's), and 'no venue'."""
        self.venue.choices = [(NO_VENUE, _l("Pas de lieu (en ligne ou à préciser)"))] + [
            (venue.id, venue_label(venue)) for venue in venues
        ]

    def validate_venue(self, field):
        if field.data not in {value for value, _label in field.choices}:
            raise ValidationError(_l("Choisissez un lieu de la liste."))

    @property
    def venue_id(self):
        return self.venue.data or None


class NextMeetingForm(WhenForm):
    """The date of the next meeting of a series."""


def venue_label(venue):
    commune = venue.commune.municipality if venue.commune else ""
    return ", ".join(part for part in (venue.name, venue.address, commune) if part)


def same_weekday_next_month(day: date):
    """The same weekday of the next month, in the same week of it ('third Tuesday' gives the
    third Tuesday; a fifth one gives the month's last)."""
    week = (day.day - 1) // 7
    first = (day.replace(day=1) + timedelta(days=32)).replace(day=1)
    candidate = first + timedelta(days=(day.weekday() - first.weekday()) % 7 + 7 * week)
    if candidate.month != first.month:
        candidate -= timedelta(days=7)
    return candidate
