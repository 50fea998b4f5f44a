"""The life of an event as its page (/admin/events/<id>) shows it: steps (prepare,
registrations, the day, afterwards), each with its state in words and the links to the pages
where the work is done.

A step is a function of the event and its facts (`EventFacts`, read once for the page) that
returns a `Step`, or None when the step does not apply (no check-in for an event without
registration). The page shows them in the order of STEPS; a new step (attestations, an
online meeting's link...) is one more function decorated with `@step(position)`. A link is
shown only to an account whose role may open its page (`access.may_open`).
"""

from dataclasses import dataclass, field

from flask import url_for
from flask_babel import format_date, format_time, ngettext
from flask_babel import gettext as _

from webapp.admin import access
from webapp.agenda.states import EventStatus, ReportStatus
from webapp.timezones import to_local
from webapp.vocabulary import EVENT_STATUSES


@dataclass(frozen=True)
class Link:
    label: str
    endpoint: str
    values: dict = field(default_factory=dict)
    anchor: str | None = None

    @property
    def url(self):
        return url_for(self.endpoint, **self.values) + (f"#{self.anchor}" if self.anchor else "")


@dataclass(frozen=True)
class Step:
    """One step of the event's life: its title, its state in words, where to act."""

    key: str
    title: str
    states: list
    links: list
    # "done", "todo" (something waits here), or "" (nothing to say yet).
    mark: str = ""


@dataclass
class EventFacts:
    """What the steps say, read in a few queries for the whole page (events/page.py: facts)."""

    counts: dict  # {RegistrationStatus value: n}, walk-ins left out
    walk_ins: int
    present: int  # registrations marked present at least once
    questions: int
    report_status: str | None  # None: no report saved yet
    report_slides: bool  # the report has its presentation attached as a PDF
    evaluation_open: bool  # an evaluation form exists
    answers: int
    undelivered: int
    is_past: bool
    started: bool
    starts_today: bool = False  # not begun, but today (local): the check-in is open
    next_days: list = field(default_factory=list)  # a repeating event's next dates (local)


STEPS = []  # [(position, function)], kept sorted


def step(position):
    """Register a step function at that position (10 prepare, 20 registrations, 30 the
    day, 40 afterwards; between them for steps that fall between)."""

    def register(function):
        STEPS.append((position, function))
        STEPS.sort(key=lambda item: item[0])
        return function

    return register


def steps_of(event, facts):
    """The steps of that event that apply, in order, each with the links the account may
    open (a step left with no link and nothing to say is dropped)."""
    shown = []
    for _position, function in STEPS:
        made = function(event, facts)
        if made is None:
            continue
        links = [link for link in made.links if access.may_open(link.endpoint)]
        if links or made.states:
            shown.append(Step(made.key, made.title, made.states, links, made.mark))
    return shown


def _ids(event):
    return {"event_id": event.id}


@step(10)
def prepare(event, facts):
    status = EVENT_STATUSES.get(event.status, event.status)
    states = [_("Statut : %(status)s", status=status)]
    if facts.questions:
        states.append(
            ngettext(
                "%(num)d question propre à l'inscription",
                "%(num)d questions propres à l'inscription",
                facts.questions,
            )
        )
    links = [
        Link(_("Modifier l'activité"), "admin.event_edit", _ids(event)),
        Link(
            _("Questions du formulaire d'inscription"),
            "admin.event_edit",
            _ids(event),
            "questions-heading",
        ),
        Link(_("Aperçu de la page publique"), "admin.event_preview", _ids(event)),
    ]
    if event.is_recurring:
        links.append(Link(_("Répétition"), "admin.event_recurrence", _ids(event)))
        # The coming dates, each one click from its own page (moved, another room, cancelled).
        links.extend(
            Link(
                _("Date du %(day)s", day=format_date(day, "EEEE d MMMM")),
                "admin.event_occurrence",
                {**_ids(event), "day": day.isoformat()},
            )
            for day in facts.next_days
        )
    mark = "todo" if event.status == EventStatus.DRAFT else "done"
    return Step("prepare", _("Préparer"), states, links, mark)


@step(20)
def registrations(event, facts):
    if not event.takes_registrations and not facts.counts:
        return Step(
            "registrations",
            _("Inscriptions"),
            [_("Sans inscription.")],
            [Link(_("Modifier l'activité"), "admin.event_edit", _ids(event))],
        )
    confirmed = facts.counts.get("confirmed", 0)
    pending = facts.counts.get("pending", 0)
    waitlisted = facts.counts.get("waitlisted", 0)
    if event.capacity is not None:
        states = [
            _("%(taken)d / %(capacity)d places prises", taken=confirmed, capacity=event.capacity)
        ]
    else:
        states = [ngettext("%(num)d personne inscrite", "%(num)d personnes inscrites", confirmed)]
    if waitlisted:
        states.append(
            ngettext(
                "%(num)d personne sur la liste d'attente",
                "%(num)d personnes sur la liste d'attente",
                waitlisted,
            )
        )
    if pending:
        states.append(
            ngettext(
                "%(num)d demande à valider",
                "%(num)d demandes à valider",
                pending,
            )
        )
    links = [Link(_("Participants"), "admin.participants", _ids(event))]
    if pending:
        links.append(
            Link(
                _("Valider les demandes"),
                "admin.participants",
                dict(_ids(event), status="pending"),
            )
        )
    links.append(
        Link(_("Écrire aux participants"), "admin.participants", _ids(event), "message-heading")
    )
    if facts.undelivered:
        states.append(
            ngettext(
                "%(num)d message non remis",
                "%(num)d messages non remis",
                facts.undelivered,
            )
        )
        links.append(Link(_("Messages non remis"), "admin.event_mail_failures", _ids(event)))
    # Interpreting or step-free access asked at registration (issue 26): answered there.
    links.append(Link(_("Demandes d'aménagement"), "admin.accommodations_page", _ids(event)))
    return Step("registrations", _("Inscriptions"), states, links, "todo" if pending else "")


@step(30)
def the_day(event, facts):
    if not event.takes_registrations and not facts.counts:
        return None
    if facts.present or facts.walk_ins:
        states = [
            ngettext(
                "%(num)d présent·e relevé·e",
                "%(num)d présent·es relevé·es",
                facts.present,
            )
        ]
        if facts.walk_ins:
            states.append(
                ngettext(
                    "dont %(num)d venu·e sans inscription",
                    "dont %(num)d venu·es sans inscription",
                    facts.walk_ins,
                )
            )
        mark = "done"
    elif facts.started:
        states, mark = [_("Présences pas encore relevées.")], "todo"
    elif facts.starts_today:
        starts = format_time(to_local(event.start_at), "short")
        states = [
            _("Aujourd'hui : l'accueil est ouvert, la rencontre commence à %(time)s.", time=starts)
        ]
        mark = "todo"
    else:
        states, mark = [_("L'accueil s'ouvre le jour de la rencontre.")], ""
    links = [
        Link(_("Accueil et présences"), "admin.attendance", _ids(event)),
        Link(_("Feuille de présence à imprimer"), "admin.attendance_sheet", _ids(event)),
    ]
    if facts.is_past:
        links.append(
            Link(
                _("Ajouter des personnes après la rencontre"),
                "admin.participants_late",
                _ids(event),
            )
        )
    return Step("day", _("Le jour même"), states, links, mark)


REPORT_STATES = {
    None: lambda: _("Compte rendu : pas encore commencé"),
    "draft": lambda: _("Compte rendu : brouillon"),
    "published": lambda: _("Compte rendu : publié"),
}


@step(40)
def afterwards(event, facts):
    states = [REPORT_STATES.get(facts.report_status, REPORT_STATES[None])()]
    if facts.evaluation_open:
        states.append(
            ngettext(
                "Évaluation : %(num)d réponse",
                "Évaluation : %(num)d réponses",
                facts.answers,
            )
        )
    else:
        states.append(_("Évaluation : les invitations partent après la rencontre."))
    links = [
        Link(_("Compte rendu"), "admin.event_report", _ids(event)),
    ]
    if facts.report_status is not None:
        links.append(Link(_("Aperçu du compte rendu"), "admin.event_report_preview", _ids(event)))
    if facts.report_slides:
        links.append(
            Link(_("Présentation jointe (PDF)"), "admin.event_report_presentation", _ids(event))
        )
    links.append(Link(_("Résultats de l'évaluation"), "admin.evaluation", _ids(event)))
    if event.series is not None and event.series.theme:
        theme = {"theme": event.series.theme, "year": event.local_start.year}
        links.append(Link(_("Synthèse thématique de l'année"), "admin.theme_synthesis", theme))
        links.append(
            Link(_("Aperçu public de la synthèse"), "admin.theme_synthesis_preview", theme)
        )
    if facts.evaluation_open:  # its questions are the form's copy, made when it opens
        links.append(
            Link(_("Questions de l'évaluation"), "admin.evaluation_questions", _ids(event))
        )
    if facts.is_past and (facts.present or facts.walk_ins):
        # Those marked present have theirs from the day after (webapp/attestations/).
        links.append(
            Link(_("Attestations de participation (PDF)"), "admin.event_attestations", _ids(event))
        )
        if event.accreditation:
            links.append(
                Link(
                    _("Liste des présences pour l'INAMI (CSV)"),
                    "admin.event_inami_list",
                    _ids(event),
                )
            )
    if facts.report_status == ReportStatus.PUBLISHED:
        mark = "done"
    elif facts.is_past and event.status == EventStatus.PUBLISHED:
        mark = "todo"
    else:
        mark = ""
    return Step("afterwards", _("Après la rencontre"), states, links, mark)
