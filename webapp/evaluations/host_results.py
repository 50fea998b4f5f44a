"""What a Grand Bain host sees of its visits' evaluation (its personal link, or a service
account in the back office): the scores and yes/no counts of its own offer beside the
whole edition's, each shown from results.MIN_ANSWERS answers, and never a free text (one
could name a visitor), nor the answers' sectors (the host knows who came from where).
Its visit figures (slots, places, visits, no-shows) stand beside the edition's too."""

from dataclasses import dataclass

from sqlalchemy import select

from webapp.evaluations import results, visits
from webapp.evaluations.invitations import template_of
from webapp.evaluations.states import QuestionType
from webapp.extensions import db
from webapp.grandbain import figures
from webapp.grandbain.models import Offer
from webapp.grandbain.states import OfferStatus

# What a host is shown: scores and yes/no counts; texts and sectors never.
SHOWN_TYPES = (QuestionType.SCALE, QuestionType.YES_NO)


@dataclass
class Row:
    """One question: the host's own result and the edition's (None: hidden)."""

    label: str
    kind: str
    own: results.QuestionResult | None
    edition: results.QuestionResult | None


@dataclass
class HostResults:
    own: results.Results
    edition: results.Results
    rows: list
    own_figures: figures.Figures
    edition_figures: figures.Figures

    @property
    def own_answers(self):
        return self.own.answered

    @property
    def own_hidden(self):
        return self.own.hidden

    @property
    def edition_hidden(self):
        return self.edition.hidden


def _shown(group_questions):
    return {
        item.question["key"]: item
        for item in group_questions
        if item.question["type"] in SHOWN_TYPES
    }


def _edition_offer_ids(edition_id):
    return db.session.scalars(
        select(Offer.id).where(Offer.edition_id == edition_id, Offer.status == OfferStatus.ACCEPTED)
    ).all()


def of_offer(offer, language):
    """The host's view of its offer's evaluation and figures, beside its edition's."""
    own = results.offer_results(offer.id, language)
    template = template_of(visits.KIND)
    questions = own.form.questions if own.form else (template.questions if template else [])
    edition = results.offers_results(_edition_offer_ids(offer.edition_id), questions, language)
    own_items = _shown(own.groups[0].questions) if own.groups else {}
    edition_items = _shown(edition.groups[0].questions) if edition.groups else {}
    rows = [
        Row(
            question.get(language) or question["fr"],
            question["type"],
            own_items.get(question["key"]),
            edition_items.get(question["key"]),
        )
        for question in questions
        if question["type"] in SHOWN_TYPES
    ]
    return HostResults(
        own,
        edition,
        rows,
        figures.edition_figures(offer.edition, offer_id=offer.id),
        figures.edition_figures(offer.edition),
    )


def page(offer, language):
    """What a host's results page shows (the host's own link and its service account)."""
    return {
        "offer": offer,
        "edition": offer.edition,
        "view": of_offer(offer, language),
        "minimum": results.MIN_ANSWERS,
    }
