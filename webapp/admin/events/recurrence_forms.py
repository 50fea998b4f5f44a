"""The recurrence editor's forms: the shape of a series (never a typed RRULE), one changed date.

Dates and times are typed as text (an <input type="date"> sends ISO; a person may type
31/12/2027): their messages are ours, in the user's language.
"""

import re
from datetime import date, datetime, time

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField, SubmitField, TextAreaField
from wtforms.validators import Length, ValidationError

from webapp.agenda.recurrence import ORDINALS as ORDINAL_WORDS
from webapp.agenda.recurrence import WEEKDAYS
from webapp.agenda.repetition import (
    MAX_DATES,
    MAX_INTERVAL,
    ORDINALS,
    Frequency,
    Repetition,
)
from webapp.formfields import (
    MultiCheckboxField,
    local_datetime,
    printable,
    strip,
    text,
    whole_number_in,
)
from webapp.vocabulary import current_language

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
LOCAL_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
CLOCK = re.compile(r"^(\d{1,2})[:hH.](\d{2})$")
# Why a plan was refused (agenda.repetition reasons), said beside its field.
REFUSALS = {
    "interval-out-of-range": _l("Indiquez un nombre entre 1 et %(n)s.", n=MAX_INTERVAL),
    "weekday-required": _l("Choisissez au moins un jour."),
    "ordinal-required": _l("Choisissez lequel dans le mois."),
    "until-before-first": _l("La date de fin doit suivre la première date de la série."),
    "until-and-count": _l("Indiquez une date de fin ou un nombre de dates, pas les deux."),
    "too-many-dates": _l("Plus de %(n)s dates : choisissez une fin plus proche.", n=MAX_DATES),
    "dates-required": _l("Indiquez au moins une date."),
    "hour-skipped": _l(
        "L'heure de la série n'existe pas un de ces jours (passage à l'heure d'été)."
    ),
}


def parse_day(value):
    """A date typed as 2027-12-31 or 31/12/2027; ValueError if it is no date."""
    value = (value or "").strip()
    if ISO_DATE.match(value):
        return date.fromisoformat(value)
    found = LOCAL_DATE.match(value)
    if found:
        day, month, year = (int(part) for part in found.groups())
        return date(year, month, day)
    raise ValueError(value)


def parse_clock(value):
    found = CLOCK.match((value or "").strip())
    if not found:
        raise ValueError(value)
    return time(int(found.group(1)), int(found.group(2)))


def _not_a_date(value):
    return ValidationError(_l("« %(value)s » n'est pas une date (JJ/MM/AAAA).", value=value[:20]))


def day_field(label, optional=False):
    return text(label, Length(max=20), optional=optional, render_kw={"type": "date"})


def clock_field(label):
    return text(label, Length(max=5), render_kw={"type": "time"})


def number_field(label):
    return text(label, Length(max=4), optional=True, render_kw={"inputmode": "numeric"})


def _whole_number(field, low, high):
    """The field's whole number in [low, high], or None when empty; ValidationError else."""
    if not field.data:
        return None
    number = whole_number_in(field.data, low, high)
    if number is None:
        raise ValidationError(
            _l("Indiquez un nombre entre %(low)s et %(high)s.", low=low, high=high)
        )
    return number


class RepetitionForm(FlaskForm):
    """How the event repeats: the editor offers shapes, the domain writes the rule."""

    frequency = RadioField(
        _l("Répétition"),
        choices=[
            (Frequency.NONE, _l("Ne se répète pas")),
            (Frequency.WEEKLY, _l("Chaque semaine (ou toutes les n semaines)")),
            (Frequency.MONTHLY, _l("Un jour donné du mois (par exemple le 2e mardi)")),
            (Frequency.DATES, _l("À des dates choisies")),
        ],
        default=Frequency.NONE,
        validate_choice=False,
    )
    weekdays = MultiCheckboxField(_l("Jours de la semaine"), choices=[], validate_choice=False)
    ordinal = SelectField(_l("Quel jour du mois"), choices=[], validate_choice=False)
    weekday = SelectField(_l("Jour de la semaine"), choices=[], validate_choice=False)
    interval = number_field(_l("Toutes les combien de semaines ou de mois"))
    until = day_field(_l("Jusqu'au (facultatif)"), optional=True)
    count = number_field(_l("Ou nombre de dates (facultatif)"))
    dates = TextAreaField(
        _l("Dates choisies"), [Length(max=MAX_DATES * 12), printable], filters=[strip]
    )
    preview = SubmitField(_l("Voir les prochaines dates"))
    save = SubmitField(_l("Enregistrer"))
    # What the field checks read (left as they are when a check stops on an empty field).
    interval_value = None
    count_value = None
    until_value = None
    dates_value = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        language = current_language()
        days = [(str(n), name.capitalize()) for n, name in enumerate(WEEKDAYS[language])]
        self.weekdays.choices = days
        self.weekday.choices = days
        self.ordinal.choices = [(str(n), ORDINAL_WORDS[language][n]) for n in ORDINALS]

    def validate_frequency(self, field):
        if field.data not in set(Frequency):
            raise ValidationError(_l("Choisissez une des possibilités."))

    def validate_weekdays(self, field):
        if not set(field.data or ()) <= {str(n) for n in range(7)}:
            raise ValidationError(_l("Choisissez des jours de la liste."))

    def validate_weekday(self, field):
        if field.data not in {str(n) for n in range(7)}:
            raise ValidationError(_l("Choisissez un jour de la liste."))

    def validate_ordinal(self, field):
        if field.data not in {str(n) for n in ORDINALS}:
            raise ValidationError(_l("Choisissez un jour de la liste."))

    def validate_interval(self, field):
        self.interval_value = _whole_number(field, 1, MAX_INTERVAL)

    def validate_count(self, field):
        self.count_value = _whole_number(field, 1, MAX_DATES)

    def validate_until(self, field):
        try:
            self.until_value = parse_day(field.data) if field.data else None
        except ValueError:
            raise _not_a_date(field.data) from None

    def validate_dates(self, field):
        days = []
        for line in re.split(r"[\s,;]+", field.data or ""):
            if not line:
                continue
            try:
                days.append(parse_day(line))
            except ValueError:
                raise _not_a_date(line) from None
        self.dates_value = tuple(sorted(set(days)))

    def validate(self, extra_validators=None):
        # Fields the chosen shape does not use are not checked (their hidden values stay).
        wanted = {
            Frequency.WEEKLY: {"weekdays", "interval", "until", "count"},
            Frequency.MONTHLY: {"ordinal", "weekday", "interval", "until", "count"},
            Frequency.DATES: {"dates"},
        }.get(self.frequency.data, set())
        super().validate(extra_validators)
        unused = {"weekdays", "ordinal", "weekday", "interval", "until", "count", "dates"} - wanted
        for name in unused:
            self[name].errors = []
        return all(not self[name].errors for name in self._fields)

    def repetition(self):
        """The Repetition the (validated) form says."""
        frequency = Frequency(self.frequency.data)
        if frequency == Frequency.NONE:
            return Repetition()
        if frequency == Frequency.DATES:
            return Repetition(frequency, dates=self.dates_value)
        common = {
            "interval": self.interval_value or 1,
            "until": self.until_value,
            "count": self.count_value,
        }
        if frequency == Frequency.WEEKLY:
            weekdays = tuple(sorted({int(d) for d in self.weekdays.data or ()}))
            return Repetition(frequency, weekdays=weekdays, **common)
        return Repetition(
            frequency, ordinal=int(self.ordinal.data), weekday=int(self.weekday.data), **common
        )

    def refuse(self, refused):
        """Show a RepetitionRefused beside its field."""
        field = self[refused.field] if refused.field in self._fields else self.frequency
        field.errors = [*field.errors, REFUSALS[refused.reason]]


def initial_data(repetition, local_start):
    """The form's values for a saved repetition (defaults from the first date otherwise)."""
    weekday = local_start.weekday()
    data = {
        "frequency": repetition.frequency.value,
        "weekdays": [str(d) for d in repetition.weekdays] or [str(weekday)],
        "ordinal": str(repetition.ordinal or min((local_start.day - 1) // 7 + 1, 4)),
        "weekday": str(repetition.weekday if repetition.weekday is not None else weekday),
        "interval": str(repetition.interval) if repetition.interval != 1 else "",
        "until": repetition.until.isoformat() if repetition.until else "",
        "count": str(repetition.count) if repetition.count else "",
        "dates": "\n".join(d.strftime("%d/%m/%Y") for d in repetition.dates),
    }
    return data


class SkipForm(FlaskForm):
    """One date of the list to skip or to bring back."""

    day = day_field(_l("Date"))
    day_value = None

    def validate_day(self, field):
        try:
            self.day_value = parse_day(field.data)
        except ValueError:
            raise _not_a_date(field.data) from None


class OccurrenceForm(FlaskForm):
    """One date of the series moved, at another venue or room, or cancelled."""

    day = day_field(_l("Date"))
    start = clock_field(_l("Début"))
    end = clock_field(_l("Fin"))
    venue = SelectField(_l("Lieu"), choices=[], validate_choice=False)
    room = text(_l("Salle (facultatif)"), Length(max=120), optional=True)
    cancelled = BooleanField(_l("Cette date est annulée"))
    note_fr = text(_l("Note (français, facultatif)"), Length(max=500), optional=True)
    note_nl = text(_l("Note (néerlandais, facultatif)"), Length(max=500), optional=True)
    save = SubmitField(_l("Enregistrer cette date"))
    undo = SubmitField(_l("Revenir à la date de la série"))
    day_value = start_value = end_value = None

    def __init__(self, venues, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.venue.choices = [("", _l("Le lieu de la série"))] + [
            (str(v.id), v.name) for v in venues
        ]

    def validate_day(self, field):
        try:
            self.day_value = parse_day(field.data)
        except ValueError:
            raise _not_a_date(field.data) from None

    def validate_venue(self, field):
        if field.data and field.data not in {value for value, _ in self.venue.choices}:
            raise ValidationError(_l("Choisissez un lieu de la liste."))

    def validate_start(self, field):
        self.start_value = self._moment(field)

    def validate_end(self, field):
        self.end_value = self._moment(field)
        start = self.start_value
        if start and self.end_value and self.end_value <= start:
            raise ValidationError(_l("La fin doit suivre le début."))

    def _moment(self, field):
        try:
            clock = parse_clock(field.data)
        except ValueError:
            raise ValidationError(_l("Indiquez une heure (HH:MM).")) from None
        day = self.day_value
        return local_datetime(day, clock) if day else None

    @property
    def venue_id(self):
        return int(self.venue.data) if self.venue.data else None


def clock_text(value: datetime):
    return value.strftime("%H:%M")
