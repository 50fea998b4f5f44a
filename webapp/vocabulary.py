"""The project's controlled words: slugs used in URLs, the API and feeds, with their labels."""

import json
from functools import cache
from pathlib import Path

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

DATA_DIR = Path(__file__).resolve().parent / "data"

KINDS = {
    "concertation": _l("Concertation thématique"),
    "atelier-du-changement": _l("Atelier du Changement"),
    "grand-bain": _l("Grand Bain"),
    "rdv-prevention": _l("Rendez-vous de la Prévention santé"),
    "formation": _l("Formation"),
    "rencontre": _l("Rencontre"),
    "webinaire": _l("Webinaire"),
    "autre": _l("Autre"),
}

AUDIENCES = {
    "professionals": _l("Professionnel·les social-santé"),
    "public": _l("Tout public, habitant·es"),
    "closed-group": _l("Groupe fermé, sur candidature"),
}

REGISTRATION_MODES = {
    "open": _l("Inscription ouverte"),
    "approval": _l("Inscription soumise à validation"),
    "none": _l("Sans inscription"),
}

# How people meet (agenda.states.MeetingMode), and how one person attends (PlaceMode).
MEETING_MODES = {
    "onsite": _l("Sur place"),
    "online": _l("En ligne"),
    "hybrid": _l("Sur place et en ligne"),
}
PLACE_MODES = {
    "onsite": _l("Sur place"),
    "online": _l("En ligne"),
}

# What a person may ask for, at registration, to take part (registrations.states
# .AccommodationNeed), and where the team's answer stands.
ACCOMMODATION_NEEDS = {
    "interpreting-fr-nl": _l("Interprétation français ↔ néerlandais"),
    "sign-lsfb": _l("Interprétation en langue des signes (LSFB)"),
    "sign-vgt": _l("Interprétation en langue des signes (VGT)"),
    "step-free": _l("Accès de plain-pied (fauteuil roulant, mobilité réduite)"),
}
ACCOMMODATION_STATUSES = {
    "requested": _l("Demandé"),
    "arranged": _l("Organisé"),
    "not-possible": _l("Pas possible"),
}

# A staff account's role (auth.models.AccountRole), as the accounts page and the audit log say it.
ACCOUNT_ROLES = {
    "admin": _l("Administration (tous les bassins)"),
    "bassin": _l("Équipe de bassin"),
    "service": _l("Compte de service"),
}

EVENT_STATUSES = {
    "draft": _l("Brouillon"),
    "published": _l("Publié"),
    "cancelled": _l("Annulé"),
    "postponed": _l("Reporté"),
}
# Statuses shown to the public (a cancelled or postponed event stays listed, marked so). Here,
# below the agenda, because content_state's SQL needs them too.
PUBLIC_STATUSES = ("published", "cancelled", "postponed")


@cache
def _sector_data():
    return json.loads((DATA_DIR / "sectors.json").read_text(encoding="utf-8"))


def sectors():
    """The sector vocabulary: a list of dicts with slug, group, fr, nl."""
    return _sector_data()["sectors"]


def sector_groups():
    return _sector_data()["groups"]


SECTOR_SLUGS = frozenset(s["slug"] for s in _sector_data()["sectors"])
SECTOR_GROUP_SLUGS = frozenset(g["slug"] for g in _sector_data()["groups"])


def current_language():
    locale = get_locale()
    return locale.language if locale else "fr"


def label_in_language(entry, language=None):
    """The 'fr' or 'nl' label of a vocabulary entry from the data files."""
    language = language or current_language()
    return entry.get(language) or entry["fr"]


def sector_label(slug, language=None):
    for entry in sectors():
        if entry["slug"] == slug:
            return label_in_language(entry, language)
    return slug


def sector_group_label(slug, language=None):
    for entry in sector_groups():
        if entry["slug"] == slug:
            return label_in_language(entry, language)
    return slug


@cache
def _bassin_data():
    return json.loads((DATA_DIR / "bassins.json").read_text(encoding="utf-8"))


def bassin_facts():
    """The five bassins and their communes, as the shared data file gives them."""
    return _bassin_data()["bassins"]


def bassin_names(language=None):
    """(slug, name) of the five bassins, without a database round trip (also for error pages)."""
    language = language or current_language()
    return [(b["slug"], b[f"name_{language}"] or b["name_fr"]) for b in bassin_facts()]
