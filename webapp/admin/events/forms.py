"""The back office's event form: every field of an event in French and Dutch, its dates in
Brussels time, and its custom questions (admin/question_forms.py).

The choices of bassins, venues, series and organisers are those of the account's scope, set
by the view; a value outside them is refused beside its field, so no foreign id is ever
written. Lengths are the columns' sizes.
"""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, FieldList, Form, FormField, HiddenField
from wtforms.validators import Length, NumberRange, Optional, ValidationError

from webapp.admin.events.question_forms import QuestionForm, options_text, parse_options
from webapp.admin.fields import (
    CheckboxesField,
    ChoiceField,
    ClockField,
    DayField,
    IdSelectField,
    OptionsField,
    WholeNumberField,
    optional_text,
    typed,
)
from webapp.formfields import MultiCheckboxField, address, local_datetime, text, web_link
from webapp.timezones import to_local, to_utc
from webapp.vocabulary import (
    AUDIENCES,
    KINDS,
    MEETING_MODES,
    REGISTRATION_MODES,
    sector_group_label,
    sector_groups,
)

# A long text (a description) is a Text column: a bound all the same, for what a page shows.
LONG_TEXT = 20000
# Bounds of the numbers typed in: far beyond any real meeting, within the databases' INTEGER.
MAX_PLACES = 100_000
MAX_SERIES_NUMBER = 10_000
MAX_COUNT = 100_000
MEETING_LANGUAGES = {"fr": _l("français"), "nl": _l("néerlandais"), "en": _l("anglais")}
NEW_QUESTION_ROWS = 2
# The event's columns the form shows and sets as they are (empty text: None).
PLAIN_FIELDS = (
    "title_fr",
    "title_nl",
    "description_fr",
    "description_nl",
    "kind",
    "audience",
    "registration_mode",
    "mode",
    "room",
    "online_url",
    "contact_email",
    "accreditation",
    "price_fr",
    "price_nl",
    "interpreting_fr",
    "interpreting_nl",
    "presentation_url",
    "report_url",
    "report_summary_fr",
    "report_summary_nl",
)
MULTILINE = ("description_fr", "description_nl", "report_summary_fr", "report_summary_nl")
NUMBERS = ("capacity", "online_capacity", "series_number", "participants_count")
TIME_COLUMNS = {
    "start_at": "start_at",
    "end_at": "end_at",
    "opens": "registration_opens_at",
    "closes": "registration_closes_at",
}


def _within(low, high):
    return NumberRange(low, high, message=_l("Entre %(min)s et %(max)s."))


class SectorCountsForm(Form):
    """Participants per sector group, as a meeting's report lists them."""


for _group in sector_groups():
    setattr(
        SectorCountsForm,
        _group["slug"],
        WholeNumberField(_group["fr"], [Optional(), _within(0, MAX_COUNT)]),
    )


def _not_below_taken(field, taken):
    """Places are never fewer than those already taken (each way to attend's own)."""
    if field.data is not None and field.data < taken:
        raise ValidationError(
            _l(
                "Places déjà prises : %(count)d. Le nombre de places ne peut pas être plus petit.",
                count=taken,
            )
        )


class EventForm(FlaskForm):
    title_fr = text(_l("Titre (français)"), Length(max=250))
    title_nl = optional_text(_l("Titre (néerlandais)"), 250)
    description_fr = optional_text(_l("Description (français)"), LONG_TEXT, multiline=True)
    description_nl = optional_text(_l("Description (néerlandais)"), LONG_TEXT, multiline=True)
    kind = ChoiceField(_l("Type d'activité"), choices=list(KINDS.items()))
    audience = ChoiceField(_l("Public"), choices=list(AUDIENCES.items()))
    bassins = MultiCheckboxField(_l("Bassins"), choices=[], validate_choice=False)

    start_day = DayField(_l("Date de début"), [typed()])
    start_time = ClockField(_l("Heure de début"), [typed()])
    end_day = DayField(_l("Date de fin"), [typed()])
    end_time = ClockField(_l("Heure de fin"), [typed()])

    mode = ChoiceField(
        _l("Sur place ou en ligne"), choices=list(MEETING_MODES.items()), default="onsite"
    )
    venue_id = IdSelectField(_l("Lieu"))
    room = optional_text(_l("Salle"), 120)
    online_url = optional_text(_l("Lien de la réunion en ligne"), 500, web_link)
    online_url_public = BooleanField(
        _l("Publier le lien sur la page de l'activité (seulement sans inscription)")
    )

    series_id = IdSelectField(_l("Série"))
    series_number = WholeNumberField(
        _l("Numéro dans la série"), [Optional(), _within(1, MAX_SERIES_NUMBER)]
    )
    organiser_id = IdSelectField(_l("Organisateur"))
    contact_email = optional_text(_l("Adresse e-mail de contact"), 254, address)
    accreditation = optional_text(_l("Numéro d'accréditation INAMI/RIZIV"), 60)

    registration_mode = ChoiceField(_l("Inscription"), choices=list(REGISTRATION_MODES.items()))
    capacity = WholeNumberField(_l("Places sur place"), [Optional(), _within(0, MAX_PLACES)])
    online_capacity = WholeNumberField(_l("Places en ligne"), [Optional(), _within(0, MAX_PLACES)])
    waitlist_enabled = BooleanField(_l("Liste d'attente quand c'est complet"))
    opens_day = DayField(_l("Ouverture des inscriptions : date"), [Optional()])
    opens_time = ClockField(_l("Ouverture des inscriptions : heure"), [Optional()])
    closes_day = DayField(_l("Clôture des inscriptions : date"), [Optional()])
    closes_time = ClockField(_l("Clôture des inscriptions : heure"), [Optional()])

    languages = CheckboxesField(
        _l("Langues de la rencontre"), choices=list(MEETING_LANGUAGES.items())
    )
    free = OptionsField(
        _l("Participation"),
        choices=[("", _l("Non précisé")), ("yes", _l("Gratuit")), ("no", _l("Payant"))],
        default="",
    )
    price_fr = optional_text(_l("Prix (français)"), 200)
    price_nl = optional_text(_l("Prix (néerlandais)"), 200)
    interpreting_fr = optional_text(_l("Interprétation (français)"), 200)
    interpreting_nl = optional_text(_l("Interprétation (néerlandais)"), 200)

    presentation_url = optional_text(_l("Lien vers la présentation"), 500, web_link)
    report_url = optional_text(_l("Lien vers le compte rendu"), 500, web_link)
    report_summary_fr = optional_text(_l("Synthèse (français)"), LONG_TEXT, multiline=True)
    report_summary_nl = optional_text(_l("Synthèse (néerlandais)"), LONG_TEXT, multiline=True)
    participants_count = WholeNumberField(
        _l("Nombre de participant·es"), [Optional(), _within(0, MAX_COUNT)]
    )
    participant_sectors = FormField(SectorCountsForm, label=_l("Participant·es par secteur"))

    questions = FieldList(FormField(QuestionForm), max_entries=60)
    # The event's last change when the form was opened: a newer one is never overwritten.
    updated_at = HiddenField()

    def __init__(self, *args, places_taken=0, online_taken=0, own_bassins=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.places_taken = places_taken
        self.online_taken = online_taken
        self.own_bassins = own_bassins
        self.times = {}
        for count in self.participant_sectors:
            count.label.text = sector_group_label(count.short_name)

    def validate_bassins(self, field):
        allowed = {value for value, _label in field.choices}
        if any(slug not in allowed for slug in field.data or ()):
            raise ValidationError(_l("Choisissez parmi vos bassins."))
        if not set(field.data or ()) & set(self.own_bassins):
            raise ValidationError(_l("Choisissez au moins un de vos bassins."))

    def validate_capacity(self, field):
        _not_below_taken(field, self.places_taken)

    def validate_online_capacity(self, field):
        _not_below_taken(field, self.online_taken)

    def validate_online_url_public(self, field):
        # An event with registration gives its link to its confirmed online participants
        # alone (agenda/meeting_links.py): the box would promise what never happens.
        if field.data and self.registration_mode.data != "none":
            raise ValidationError(
                _l(
                    "Le lien d'une activité avec inscription n'est jamais public : seules les "
                    "personnes inscrites en ligne et confirmées le reçoivent."
                )
            )
        if field.data and self.mode.data == "onsite":
            raise ValidationError(_l("Une activité sur place n'a pas de lien à publier."))

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        start = self._moment("start", required=True)
        end = self._moment("end", required=True)
        if start and end and end <= start:
            self.end_time.errors.append(_l("La fin doit venir après le début."))
        opens = self._moment("opens")
        closes = self._moment("closes")
        if opens and closes and closes <= opens:
            self.closes_time.errors.append(
                _l("La clôture des inscriptions doit venir après leur ouverture.")
            )
        self.times = {"start_at": start, "end_at": end, "opens": opens, "closes": closes}
        return valid and not self.errors

    def _moment(self, name, required=False):
        """The UTC moment of a date and a time typed apart, or None (with a message)."""
        day, clock = self[f"{name}_day"], self[f"{name}_time"]
        if day.errors or clock.errors:
            return None
        if (day.data is None) != (clock.data is None) and not required:
            missing = clock if clock.data is None else day
            missing.errors.append(_l("Indiquez la date et l'heure."))
            return None
        try:
            local = local_datetime(day.data, clock.data)
        except ValidationError as problem:
            clock.errors.append(problem.args[0])
            return None
        return to_utc(local)

    def fill_from(self, event):
        """Show an event's values (times in Brussels) and its questions."""
        for name in PLAIN_FIELDS + NUMBERS + ("waitlist_enabled", "online_url_public"):
            self[name].data = getattr(event, name)
        for prefix, value in (
            ("start", event.start_at),
            ("end", event.end_at),
            ("opens", event.registration_opens_at),
            ("closes", event.registration_closes_at),
        ):
            local = to_local(value)
            self[f"{prefix}_day"].data = local.date() if local else None
            self[f"{prefix}_time"].data = local.time().replace(tzinfo=None) if local else None
        self.bassins.data = [bassin.slug for bassin in event.bassins]
        for name in ("venue_id", "series_id", "organiser_id"):
            value = getattr(event, name)
            self[name].data = str(value) if value else ""
        self.languages.data = event.language_codes
        for count in self.participant_sectors:
            count.data = (event.participant_sectors or {}).get(count.short_name)
        self.free.data = {True: "yes", False: "no"}.get(event.free, "")
        self.updated_at.data = event.updated_at.isoformat() if event.updated_at else ""
        for question in event.questions:
            self.questions.append_entry(
                {
                    "id": str(question.id),
                    "kind": question.kind,
                    "label_fr": question.label_fr,
                    "label_nl": question.label_nl or "",
                    "required": question.required,
                    "options": options_text(question.options),
                }
            )

    def add_blank_questions(self):
        for _n in range(NEW_QUESTION_ROWS):
            self.questions.append_entry()

    def event_data(self, bassins, event=None):
        """The operation's data: the columns this form sets, and the bassins' rows.

        A time shown to the minute and sent back unchanged keeps the event's own value (an
        imported time with seconds is not "moved" by an edit of its title).
        """
        for key, column in TIME_COLUMNS.items():
            old = getattr(event, column) if event is not None else None
            if old is not None and old.replace(second=0, microsecond=0) == self.times[key]:
                self.times[key] = old
        data = {name: self[name].data or None for name in PLAIN_FIELDS}
        for name in MULTILINE:
            # Browsers send line breaks as CRLF: stored as typed elsewhere (import), "\n".
            if data[name]:
                data[name] = data[name].replace("\r\n", "\n").replace("\r", "\n")
        data.update({name: self[name].data for name in NUMBERS})
        data.update(
            waitlist_enabled=bool(self.waitlist_enabled.data),
            online_url_public=bool(self.online_url_public.data),
            venue_id=self.venue_id.id_value,
            series_id=self.series_id.id_value,
            organiser_id=self.organiser_id.id_value,
            start_at=self.times["start_at"],
            end_at=self.times["end_at"],
            registration_opens_at=self.times["opens"],
            registration_closes_at=self.times["closes"],
            languages=",".join(c for c in MEETING_LANGUAGES if c in self.languages.data) or None,
            free={"yes": True, "no": False}.get(self.free.data),
            participant_sectors={
                count.short_name: count.data for count in self.participant_sectors if count.data
            }
            or None,
            bassins=bassins,
        )
        return data

    def question_items(self):
        """The questions to keep, in order: [{"id", "kind", "label_fr", ...}]."""
        items = []
        for row in self.questions:
            sub = row.form
            if sub.remove.data or sub.is_blank:
                continue
            items.append(
                {
                    "id": int(sub.id.data) if sub.id.data else None,
                    "kind": sub.kind.data,
                    "label_fr": sub.label_fr.data,
                    "label_nl": sub.label_nl.data or None,
                    "required": bool(sub.required.data),
                    "options": parse_options(sub.options.data) or [],
                }
            )
        return items

    def stale(self, event):
        """Whether the event changed since this form was opened."""
        if not self.updated_at.data or event.updated_at is None:
            return False
        try:
            opened = datetime.fromisoformat(self.updated_at.data)
        except ValueError:
            return True
        return opened != event.updated_at
