"""The bassins' questions, the default form of each kind of event; loaded on a fresh install
(demo-data and send-evaluations add the kinds that have none; an admin's edits stay)."""

from sqlalchemy import select

from webapp.evaluations.models import EvaluationTemplate
from webapp.evaluations.states import QuestionType
from webapp.extensions import db
from webapp.vocabulary import sector_groups

# The kinds that get a form; other kinds (rencontre, webinaire...) when an admin adds one.
KINDS = ("concertation", "atelier-du-changement", "formation", "grand-bain", "rdv-prevention")
SECTOR_KEY = "sector_group"


def _sector_question():
    return {
        "key": SECTOR_KEY,
        "type": QuestionType.CHOICE.value,
        "required": False,
        "fr": "Votre secteur (facultatif)",
        "nl": "Uw sector (optioneel)",
        "options": [{"value": g["slug"], "fr": g["fr"], "nl": g["nl"]} for g in sector_groups()],
    }


def default_questions():
    """The five questions the bassins ask after a meeting, plus the optional sector."""
    return [
        {
            "key": "usefulness",
            "type": QuestionType.SCALE.value,
            "required": True,
            "fr": "Cette rencontre vous a-t-elle été utile ?",
            "nl": "Was deze bijeenkomst nuttig voor u?",
            "low": {"fr": "Pas utile", "nl": "Niet nuttig"},
            "high": {"fr": "Très utile", "nl": "Zeer nuttig"},
        },
        {
            "key": "takeaway",
            "type": QuestionType.LONG_TEXT.value,
            "required": False,
            "fr": "Qu'en retenez-vous ?",
            "nl": "Wat neemt u mee?",
        },
        {
            "key": "next_time",
            "type": QuestionType.LONG_TEXT.value,
            "required": False,
            "fr": "Qu'aimeriez-vous la prochaine fois ?",
            "nl": "Wat zou u de volgende keer willen?",
        },
        {
            "key": "future_themes",
            "type": QuestionType.SHORT_TEXT.value,
            "required": False,
            "fr": "Quels thèmes pour les prochaines rencontres ?",
            "nl": "Welke thema's voor de volgende bijeenkomsten?",
        },
        {
            "key": "format_suited",
            "type": QuestionType.YES_NO.value,
            "required": False,
            "fr": "Le format vous a-t-il convenu ?",
            "nl": "Was de vorm geschikt voor u?",
        },
        _sector_question(),
    ]


def visit_questions():
    """After a Grand Bain visit: the same keys where the question is the same (usefulness,
    takeaway, format), and what the teams asked of the week: closer contact with the hosts."""
    return [
        {
            "key": "usefulness",
            "type": QuestionType.SCALE.value,
            "required": True,
            "fr": "Cette visite vous a-t-elle été utile ?",
            "nl": "Was dit bezoek nuttig voor u?",
            "low": {"fr": "Pas utile", "nl": "Niet nuttig"},
            "high": {"fr": "Très utile", "nl": "Zeer nuttig"},
        },
        {
            "key": "takeaway",
            "type": QuestionType.LONG_TEXT.value,
            "required": False,
            "fr": "Qu'avez-vous découvert de ce service ?",
            "nl": "Wat hebt u ontdekt over deze dienst?",
        },
        {
            "key": "contact_again",
            "type": QuestionType.YES_NO.value,
            "required": False,
            "fr": "Pensez-vous orienter des personnes vers ce service ou travailler avec lui ?",
            "nl": "Denkt u mensen naar deze dienst door te verwijzen of ermee samen te werken?",
        },
        {
            "key": "format_suited",
            "type": QuestionType.YES_NO.value,
            "required": False,
            "fr": "La durée et le déroulement de la visite vous ont-ils convenu ?",
            "nl": "Waren de duur en het verloop van het bezoek geschikt voor u?",
        },
        {
            "key": "next_time",
            "type": QuestionType.LONG_TEXT.value,
            "required": False,
            "fr": "Que changer pour la prochaine édition du Grand Bain ?",
            "nl": "Wat moet er anders bij de volgende editie van het Grand Bain?",
        },
        _sector_question(),
    ]


def questions_for(kind):
    """The default questions of a kind of event."""
    return visit_questions() if kind == "grand-bain" else default_questions()


def ensure_default_templates():
    """Add the default form of every kind that has none; returns how many were added."""
    present = set(db.session.scalars(select(EvaluationTemplate.kind)))
    missing = [kind for kind in KINDS if kind not in present]
    for kind in missing:
        db.session.add(EvaluationTemplate(kind=kind, questions=questions_for(kind)))
    db.session.flush()
    return len(missing)
