"""/admin/audit: the audit log, for admins, newest first, filtered by event, person, account
and action.

Audit lines hold ids, never addresses: a person is found through the registrations table
(their registrations' lines, and what they did through their personal link), so once their
data is erased or purged their lines no longer answer to their address.
"""

from dataclasses import dataclass

from flask import current_app, render_template, request, url_for
from flask_babel import format_datetime
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import and_, func, or_, select
from wtforms import SelectField, StringField
from wtforms.validators import Optional, ValidationError

from webapp.addresses import AddressRefused, mail_address
from webapp.admin.access import roles
from webapp.admin.accounts.audit_values import changes
from webapp.admin.blueprint import bp
from webapp.agenda.models import Event
from webapp.audit import Actor, AuditEntry
from webapp.audit_actions import AuditAction, label_of
from webapp.auth.models import Account
from webapp.extensions import db
from webapp.formfields import database_id, printable, strip
from webapp.registrations.models import Registration

PAGE_SIZE = 50
MAX_ID = 2**31 - 1  # the databases' INTEGER

# What each line is about, in words (the stored subject_type is a table's key).
SUBJECTS = {
    "event": _l("Activité"),
    "registration": _l("Inscription"),
    "series": _l("Série"),
    "venue": _l("Lieu"),
    "organisation": _l("Organisation"),
    "account": _l("Compte"),
    "proposal": _l("Proposition"),
    "theme_synthesis": _l("Synthèse thématique"),
    "evaluation_template": _l("Modèle d'évaluation"),
    "grand_bain_edition": _l("Grand Bain : édition"),
    "grand_bain_offer": _l("Grand Bain : offre"),
    "grand_bain_slot": _l("Grand Bain : créneau"),
    "grand_bain_booking": _l("Grand Bain : visite"),
    "grand_bain_visitor": _l("Grand Bain : visiteur·se"),
    "outbox": _l("File d'envoi"),
}

ACTORS = {
    Actor.IMPORT: _l("import"),
    Actor.SYSTEM: _l("système"),
    Actor.PERSONAL_LINK: _l("lien personnel"),
}


def _number(text):
    """ASCII digits within the databases' INTEGER, as an int; else None."""
    return database_id(text)


def _event_number(form, field):
    if field.data and _number(field.data) is None:
        raise ValidationError(_l("Indiquez le numéro d'une activité (des chiffres)."))


def _account_or_address(form, field):
    """An account's id (digits) or an address; the account itself is looked up later."""
    if not field.data or _number(field.data) is not None:
        return
    try:
        field.data = mail_address(field.data)
    except AddressRefused:
        raise ValidationError(_l("Indiquez le numéro ou l'adresse e-mail d'un compte.")) from None


def _address(form, field):
    if not field.data:
        return
    try:
        field.data = mail_address(field.data)
    except AddressRefused:
        raise ValidationError(_l("Adresse e-mail invalide.")) from None


class AuditFilters(FlaskForm):
    """The filters, read from the query string (a GET form: no CSRF token)."""

    class Meta:
        csrf = False

    event = StringField(
        _l("Activité (numéro)"), [Optional(), printable, _event_number], filters=[strip]
    )
    person = StringField(
        _l("Personne (adresse e-mail)"), [Optional(), printable, _address], filters=[strip]
    )
    account = StringField(
        _l("Compte (numéro ou adresse e-mail)"),
        [Optional(), printable, _account_or_address],
        filters=[strip],
    )
    action = SelectField(_l("Action"), [Optional()], validate_choice=False)


@dataclass
class Line:
    entry: AuditEntry
    when: str
    who: str
    who_url: str | None
    what: str
    subject: str
    subject_url: str | None
    changes: list  # [(label, before, after)], in words (audit_values.changes)


@bp.get("/audit")
@roles("admin")
def audit():
    filters = AuditFilters(request.args)
    filters.action.choices = [("", _l("Toutes"))] + [(a.value, a.label) for a in AuditAction]
    valid = filters.validate() if request.args else True
    entries, more, page = [], False, 1
    if valid:
        where = _conditions(filters)
        if where is not None:
            page = min(_number(request.args.get("page")) or 1, 10_000)
            entries = db.session.scalars(
                select(AuditEntry)
                .where(*where)
                .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
                .offset((page - 1) * PAGE_SIZE)
                .limit(PAGE_SIZE + 1)
            ).all()
            more, entries = len(entries) > PAGE_SIZE, entries[:PAGE_SIZE]
    status = 200 if valid else 400
    return render_template(
        "admin/audit.html",
        filters=filters,
        lines=_lines(entries),
        page=page,
        more=more,
        kept={k: v for k, v in request.args.items() if k != "page" and v},
    ), status


def _conditions(filters):
    """The WHERE clauses of the filters; None when a filter names nothing that exists."""
    where = []
    if filters.event.data:
        event_id = _number(filters.event.data)
        of_event = select(Registration.id).where(Registration.event_id == event_id)
        where.append(
            or_(
                _about("event", event_id),
                and_(
                    AuditEntry.subject_type == "registration", AuditEntry.subject_id.in_(of_event)
                ),
            )
        )
    if filters.person.data:
        theirs = select(Registration.id).where(
            func.lower(Registration.email) == filters.person.data.lower()
        )
        where.append(
            or_(
                and_(AuditEntry.subject_type == "registration", AuditEntry.subject_id.in_(theirs)),
                and_(AuditEntry.actor_kind == Actor.PERSONAL_LINK, AuditEntry.actor_id.in_(theirs)),
            )
        )
    if filters.account.data:
        account_id = _account_id(filters.account.data)
        if account_id is None:
            filters.account.errors = [_l("Aucun compte ne correspond.")]
            return None
        where.append(
            and_(AuditEntry.actor_kind == Actor.ACCOUNT, AuditEntry.actor_id == account_id)
        )
    if filters.action.data:
        where.append(AuditEntry.action == filters.action.data)
    return where


def _matching(column, id_or_ids):
    """column = id, or column IN (a SELECT of ids)."""
    return column == id_or_ids if isinstance(id_or_ids, int) else column.in_(id_or_ids)


def _about(subject_type, id_or_ids):
    """Lines about that subject (an id, or a SELECT of ids)."""
    return and_(
        AuditEntry.subject_type == subject_type, _matching(AuditEntry.subject_id, id_or_ids)
    )


def _by(actor_kind, id_or_ids):
    """Lines by that actor (an id, or a SELECT of ids)."""
    return and_(AuditEntry.actor_kind == actor_kind, _matching(AuditEntry.actor_id, id_or_ids))


def _account_id(typed):
    number = _number(typed)
    if number is not None:
        return number if db.session.get(Account, number) else None
    return db.session.scalar(select(Account.id).where(func.lower(Account.email) == typed.lower()))


def _lines(entries):
    """The page's lines: who in words, the subject linked where it still exists."""
    accounts = _ids_to(Account.id, Account.email, _ids(entries, actor=Actor.ACCOUNT))
    events = set(_ids_to(Event.id, Event.id, _ids(entries, subject="event")))
    registrations = _ids_to(
        Registration.id, Registration.event_id, _ids(entries, subject="registration")
    )
    events |= set(registrations.values())
    return [_line(entry, accounts, events, registrations) for entry in entries]


def _ids(entries, actor=None, subject=None):
    if actor:
        return {e.actor_id for e in entries if e.actor_kind == actor and e.actor_id}
    return {e.subject_id for e in entries if e.subject_type == subject}


def _ids_to(key, value, ids):
    if not ids:
        return {}
    return dict(db.session.execute(select(key, value).where(key.in_(ids))).all())


def _line(entry, accounts, events, registrations):
    who, who_url = _who(entry, accounts)
    return Line(
        entry=entry,
        when=format_datetime(entry.at, "short"),
        who=who,
        who_url=who_url,
        what=str(label_of(entry.action)),
        subject=_subject(entry),
        subject_url=_subject_url(entry, events, registrations, accounts),
        changes=changes(entry),
    )


def _who(entry, accounts):
    if entry.actor_kind == Actor.ACCOUNT:
        email = accounts.get(entry.actor_id)
        if email is None:
            return f"#{entry.actor_id}", None
        return email, url_for(".audit", account=entry.actor_id)
    return str(ACTORS.get(entry.actor_kind, entry.actor_kind)), None


def _subject(entry):
    """'Inscription 12': the subject in words, its number where it names one row."""
    name = str(SUBJECTS.get(entry.subject_type, _l("Objet")))
    return f"{name} {entry.subject_id}" if entry.subject_id else name


def _subject_url(entry, events, registrations, accounts):
    if entry.subject_type == "event" and entry.subject_id in events:
        return _event_url(entry.subject_id)
    if entry.subject_type == "registration" and entry.subject_id in registrations:
        event_id = registrations[entry.subject_id]
        if "admin.participants" in current_app.view_functions:
            return url_for(".participants", event_id=event_id)
        return _event_url(event_id)
    if entry.subject_type == "account" and entry.subject_id in accounts:
        return url_for(".audit", account=entry.subject_id)
    return None


def _event_url(event_id):
    return url_for(".event", event_id=event_id)
