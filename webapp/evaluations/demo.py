"""demo-data's evaluations: what people answered after two past Sud meetings and after the
visits of last year's Grand Bain, enough of them (MIN_ANSWERS and more) for the results,
charts and exports to show.

They go the way real ones do: the form copied from its kind's template the day after, one
personal link per person who came, an anonymous answer for most of them; no mail is queued
(the people are made up). An event or an offer whose form is there already is left alone.
"""

from sqlalchemy import select

from webapp.agenda.models import Event
from webapp.evaluations import invitations, visits
from webapp.evaluations.models import Answer, Invitation
from webapp.evaluations.states import AnswerChannel
from webapp.extensions import db
from webapp.grandbain.demo_held import held_year
from webapp.grandbain.models import Edition, Offer
from webapp.timezones import to_local, utcnow
from webapp.tokens import new_token

EVENTS = ("demo-sud-liaison-3", "demo-sud-formation-pied-diabetique")

USEFULNESS = ("5", "4", "4", "5", "3", "4", "5", "2")
SECTOR_GROUPS = ("hopital", "domicile", "social", "premiere-ligne-soins", "sante-mentale")
TAKEAWAYS = (
    "Je sais maintenant qui appeler au service social de l'hôpital avant une sortie.",
    "Le trajet de sortie co-construit : on va le tester avec deux patient·es.",
    "Les échanges entre hôpital et domicile, rares dans mon quotidien.",
    "",
    "Des contacts concrets pour les situations complexes à domicile.",
)
NEXT_TIMES = (
    "Plus de temps pour les situations concrètes en petits groupes.",
    "",
    "Inviter des médecins généralistes et des pharmacien·nes.",
    "Une rencontre en fin de journée pour celles et ceux qui consultent le matin.",
)
THEMES = ("Aidant·es proches", "", "RGPD et partage d'information", "Santé mentale", "")
VISIT_TAKEAWAYS = (
    "L'accueil sans rendez-vous et la réunion d'équipe du matin.",
    "Comment le service oriente vers le logement : je ne le savais pas.",
    "",
    "Une équipe pluridisciplinaire qui se connaît bien : cela donne envie.",
)
VISIT_NEXT_TIMES = ("Des visites un peu plus longues.", "", "Un temps d'échange entre visiteurs.")


def load_demo_evaluations(today, now=None):
    """The answers of the demo's evaluated meetings and of last year's Grand Bain visits."""
    now = now or utcnow()
    for external_id in EVENTS:
        event = db.session.scalar(select(Event).where(Event.external_id == external_id))
        if event is not None and event.end_at < now and invitations.form_of(event.id) is None:
            _evaluate_event(event)
    edition = db.session.scalar(select(Edition).where(Edition.year == held_year(today)))
    if edition is not None:
        for offer in db.session.scalars(
            select(Offer).where(Offer.edition_id == edition.id).order_by(Offer.id)
        ):
            ended = [slot for slot in offer.slots if slot.end_at < now]
            if ended and len(ended) == len(offer.slots) and visits.form_of(offer.id) is None:
                _evaluate_visits(offer)
    db.session.flush()


def _evaluate_event(event):
    opened = invitations.opening_time(event)
    form = invitations.open_form(event, now=opened)
    if form is None:
        return
    for n, registration in enumerate(invitations.recipients(event)):
        answered = n % 5 != 4  # four in five answer
        db.session.add(
            Invitation(
                registration_id=registration.id,
                form_id=form.id,
                token=new_token(),
                language=registration.language or "fr",
                answered=answered,
                sent_at=opened,
            )
        )
        if answered:
            values = {
                "usefulness": USEFULNESS[n % len(USEFULNESS)],
                "takeaway": TAKEAWAYS[n % len(TAKEAWAYS)],
                "next_time": NEXT_TIMES[n % len(NEXT_TIMES)],
                "future_themes": THEMES[n % len(THEMES)],
                "format_suited": "no" if n % 6 == 5 else "yes",
                "sector_group": SECTOR_GROUPS[n % len(SECTOR_GROUPS)],
            }
            _answer(form, {"event_id": event.id}, opened, n, values)


def _evaluate_visits(offer):
    opened = invitations.day_after(max(slot.end_at for slot in offer.slots))
    form = visits.open_form(offer, now=opened)
    if form is None:
        return
    n = 0
    for slot in sorted(offer.slots, key=lambda s: s.start_at):
        for booking in visits.recipients(slot):
            answered = n % 4 != 3  # three in four answer
            db.session.add(
                Invitation(
                    booking_id=booking.id,
                    form_id=form.id,
                    token=new_token(),
                    language=booking.visitor.language or "fr",
                    answered=answered,
                    sent_at=invitations.day_after(slot.end_at),
                )
            )
            if answered:
                values = {
                    "usefulness": USEFULNESS[(n + offer.id) % len(USEFULNESS)],
                    "takeaway": VISIT_TAKEAWAYS[n % len(VISIT_TAKEAWAYS)],
                    "contact_again": "no" if n % 5 == 4 else "yes",
                    "format_suited": "yes",
                    "next_time": VISIT_NEXT_TIMES[n % len(VISIT_NEXT_TIMES)],
                    "sector_group": SECTOR_GROUPS[(n + 2) % len(SECTOR_GROUPS)],
                }
                _answer(form, {"offer_id": offer.id}, opened, n, values)
            n += 1


def _answer(form, about, opened, n, values):
    """An anonymous answer given within a few days of the invitation (the day only)."""
    day = to_local(opened).date()
    db.session.add(
        Answer(
            **about,
            day=day.fromordinal(day.toordinal() + n % 4),
            channel=AnswerChannel.INVITED,
            values={key: value for key, value in values.items() if value},
        )
    )
