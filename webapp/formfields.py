"""Pieces every form of the app shares: required, trimmed, printable text, mail addresses,
safe links, local date and time, several checkboxes.

Whatever a person types may reach a mail header, an `.ics` line, a CSV cell or a log line:
one-line fields refuse line breaks, every field refuses other control characters, links are
http(s) only. One-line fields lose the characters that change how a text reads without
showing (bidirectional overrides, zero-width ones); `mixed_alphabets` tells the moderators
of a name whose letters come from several alphabets (a Cyrillic а among Latin letters).
Messages are in the user's language (lazy strings).
"""

import unicodedata
from datetime import datetime
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectMultipleField, StringField, TimeField
from wtforms.validators import DataRequired, InputRequired, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from webapp.addresses import AddressRefused, mail_address
from webapp.timezones import exists_locally

# The databases' INTEGER: no id or count typed in a form goes beyond it.
DATABASE_INTEGER_MAX = 2**31 - 1


def whole_number_in(text, low, high):
    """The whole number that `text` spells in ASCII digits when it lies in [low, high]; None
    otherwise (five thousand digits are no number here, not an error)."""
    if not isinstance(text, str) or not text.isascii() or not text.isdigit():
        return None
    if len(text.lstrip("0")) > len(str(high)):
        return None
    value = int(text)
    return value if low <= value <= high else None


def database_id(text):
    """A posted id as an int, or None unless it is ASCII digits within the databases' INTEGER."""
    return whole_number_in(text, 1, DATABASE_INTEGER_MAX)


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class _BlankOrValid:
    """A typed field whose empty value is None and whose wrong one gets our message (`invalid`)."""

    invalid = None

    def process_formdata(self, valuelist):
        if valuelist and not "".join(valuelist).strip():
            self.data = None
            return
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(self.invalid) from None


class DayField(_BlankOrValid, DateField):
    """A date as browsers send it (YYYY-MM-DD); one that does not exist (31 February) gets
    our message, an empty one is no date."""

    invalid = _l("Cette date n'existe pas (format attendu : AAAA-MM-JJ).")


class ClockField(_BlankOrValid, TimeField):
    """A time of day (HH:MM, or HH:MM:SS as some browsers send it)."""

    invalid = _l("Heure invalide (format attendu : HH:MM).")

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, format=["%H:%M", "%H:%M:%S"], **kwargs)


def typed():
    # InputRequired, not DataRequired: a date typed but impossible keeps its own message.
    return InputRequired(message=_l("Ce champ est obligatoire."))


def required():
    # DataRequired after the strip filter: a field of spaces is an empty field.
    return DataRequired(message=_l("Ce champ est obligatoire."))


def strip(value):
    return value.strip() if isinstance(value, str) else value


# Bidirectional embeddings, overrides, isolates and marks; zero-width spaces and joiners, the
# word joiner, invisible operators, the byte order mark: a name that reads otherwise than it
# is written ("Équipe" reversed by U+202E) in the queue, a mail, a badge, a CSV cell.
INVISIBLE = frozenset(
    "\u061c\u180e\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
    "\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069\ufeff"
)
_WITHOUT_INVISIBLE = dict.fromkeys(map(ord, INVISIBLE))


def without_invisibles(value):
    """The text without INVISIBLE characters (anything else as is)."""
    return value.translate(_WITHOUT_INVISIBLE) if isinstance(value, str) else value


def one_line_text(value):
    """The filter of every one-line field: invisible characters removed, then trimmed."""
    return strip(without_invisibles(value))


def alphabets(value):
    """The scripts of the letters of a text (LATIN, CYRILLIC, GREEK...), by Unicode name."""
    found = set()
    for char in value or "":
        if char.isalpha():
            script = unicodedata.name(char, "UNNAMED").split(" ", 1)[0]
            if script != "MODIFIER":
                found.add(script)
    return found


def mixed_alphabets(value):
    """The alphabets a name mixes (sorted), or [] when its letters share one: a name that
    looks Latin but holds a Cyrillic or Greek look-alike is flagged for the moderators."""
    found = alphabets(value)
    return sorted(found) if len(found) > 1 else []


def printable(form, field):
    """Refuse control characters (NUL and the like); line breaks are fine in long texts."""
    value = field.data if isinstance(field.data, str) else ""
    if any(ord(c) < 32 and c not in "\n\r\t" or ord(c) == 127 for c in value):
        raise ValidationError(_l("Ce champ contient des caractères non autorisés."))


def one_line(form, field):
    """Refuse line breaks and tabs in a field that is one line (titles, names, rooms)."""
    value = field.data if isinstance(field.data, str) else ""
    if any(c in value for c in "\r\n\t\x0b\x0c\x85\u2028\u2029"):
        raise ValidationError(_l("Ce champ tient sur une ligne."))


def address(form, field):
    """A usable mail address, kept in its ASCII form (see webapp/addresses.py)."""
    if not field.data:
        return
    try:
        field.data = mail_address(field.data)
    except AddressRefused as refused:
        if refused.reason == "needs-smtputf8":
            raise ValidationError(
                _l(
                    "Les lettres accentuées ou non latines avant le @ ne passent pas par tous "
                    "les serveurs de messagerie : indiquez une adresse sans elles."
                )
            ) from None
        raise ValidationError(_l("Adresse e-mail invalide.")) from None


def web_link(form, field):
    """An http(s) address with a host: never javascript:, data: or a relative path."""
    if not field.data:
        return
    parts = urlsplit(field.data)
    if parts.scheme not in ("http", "https") or not parts.netloc or " " in field.data:
        raise ValidationError(_l("Indiquez une adresse web complète (https://…)."))


def text(label, *validators, optional=False, field=StringField, multiline=False, **kwargs):
    """A trimmed text field: required unless `optional`, printable, one line unless
    `multiline`."""
    first = [Optional()] if optional else [required()]
    checks = first + list(validators) + [printable] + ([] if multiline else [one_line])
    return field(label, checks, filters=[strip if multiline else one_line_text], **kwargs)


def local_datetime(day, clock):
    """The naive local datetime of a date and a time typed apart, or a ValidationError when
    the clock skips that hour (the last Sunday of March in Brussels)."""
    if day is None or clock is None:
        return None
    value = datetime.combine(day, clock)
    if not exists_locally(value):
        raise ValidationError(_l("Cette heure n'existe pas ce jour-là (passage à l'heure d'été)."))
    return value
