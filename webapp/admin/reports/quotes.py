"""A report's quotes name nobody: a quote that holds the name of someone registered to the
meeting, or an e-mail address, is refused beside its field (a report is public and kept;
the people who spoke are not in it, only their sector group)."""

import re

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from webapp.extensions import db
from webapp.registrations.models import Registration

EMAIL = re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]+")
MIN_NAME_LENGTH = 3
NAMES_A_PERSON = _l("Une citation ne nomme personne : retirez le nom ou l'adresse.")


def names_of(event_id):
    """The first and last names of the people registered to the event (lowercase)."""
    rows = db.session.execute(
        select(Registration.first_name, Registration.last_name).where(
            Registration.event_id == event_id
        )
    )
    return {
        part.strip().lower()
        for first, last in rows
        for part in (first or "", last or "")
        if len(part.strip()) >= MIN_NAME_LENGTH
    }


def naming_a_person(text, names):
    """Whether a quote holds an e-mail address or, as a whole word, one of `names`."""
    if EMAIL.search(text):
        return True
    words = {w.lower() for w in re.findall(r"[\w'-]+", text)}
    return any(name in words or (" " in name and name in text.lower()) for name in names)


def check_quotes(form, event_id):
    """Put the message beside each kept quote naming someone; whether all name nobody."""
    names = None
    clean = True
    for row in form.quotes:
        quote = row.form
        if quote.remove.data or quote.is_blank:
            continue
        if names is None:
            names = names_of(event_id)
        if naming_a_person(quote.text.data, names):
            quote.text.errors = [*quote.text.errors, NAMES_A_PERSON]
            clean = False
    return clean
