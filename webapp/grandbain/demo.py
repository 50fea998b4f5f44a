"""Demo Grand Bain: the coming edition (about 40 services, 150 slots, some bookings), and the
totals of the two editions held before, as the teams reported them."""

import random
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from webapp.agenda.models import Bassin, Commune, Event
from webapp.extensions import db
from webapp.grandbain.models import Booking, Edition, Offer, Slot, Visitor
from webapp.grandbain.states import BookingStatus, OfferStatus
from webapp.timezones import app_zone, utcnow

# (name, sector, commune slug, street, what visitors discover)
SERVICES = [
    (
        "Maison médicale Les Primevères",
        "maison-medicale",
        "forest",
        "Rue de Mérode 112",
        "L'accueil sans rendez-vous, la réunion d'équipe pluridisciplinaire du matin.",
    ),
    (
        "Maison médicale du Midi",
        "maison-medicale",
        "saint-gilles",
        "Rue de la Victoire 34",
        "Un cabinet au forfait : médecins, infirmières, kinés et assistante sociale sous un toit.",
    ),
    (
        "Maison médicale Marconi",
        "maison-medicale",
        "forest",
        "Rue Marconi 70",
        "Les consultations de prévention et le groupe diabète.",
    ),
    (
        "Maison médicale Le Gué",
        "maison-medicale",
        "anderlecht",
        "Rue du Bien-Être 15",
        "La fonction d'accueil, pivot de la maison médicale.",
    ),
    (
        "Maison médicale Norman Bethune",
        "maison-medicale",
        "molenbeek-saint-jean",
        "Rue Piers 68",
        "Un projet de santé communautaire dans le quartier Maritime.",
    ),
    (
        "Maison médicale des Marolles",
        "maison-medicale",
        "bruxelles-ville-pentagone",
        "Rue Blaes 120",
        "Le travail en réseau avec les services du quartier.",
    ),
    (
        "Maison médicale Esseghem",
        "maison-medicale",
        "jette",
        "Rue Esseghem 29",
        "Les suivis de patient·es âgé·es à domicile.",
    ),
    (
        "Maison médicale Santé Plurielle",
        "maison-medicale",
        "schaerbeek",
        "Rue Josaphat 210",
        "L'interprétariat en consultation et l'accueil multilingue.",
    ),
    (
        "CPAS de Forest – service social général",
        "cpas",
        "forest",
        "Rue du Curé 35",
        "Le premier accueil, l'instruction d'une demande d'aide, la permanence logement.",
    ),
    (
        "CPAS d'Etterbeek – cellule énergie",
        "cpas",
        "etterbeek",
        "Avenue d'Auderghem 113",
        "La guidance énergétique et les aides au paiement des factures.",
    ),
    (
        "CPAS de Schaerbeek – antenne Nord",
        "cpas",
        "schaerbeek",
        "Rue Vandeweyer 63",
        "L'accompagnement des personnes sans chez-soi vers un logement.",
    ),
    (
        "CPAS de Jette – service seniors",
        "cpas",
        "jette",
        "Chaussée de Wemmel 100",
        "Les repas à domicile et le service de petits travaux.",
    ),
    (
        "Service social de l'hôpital Molière Longchamp",
        "hopital",
        "forest",
        "Rue Marconi 142",
        "La préparation des sorties d'hospitalisation avec les soins à domicile.",
    ),
    (
        "Service social des Cliniques de l'Europe – Sainte-Élisabeth",
        "hopital",
        "uccle",
        "Avenue De Fré 206",
        "La liaison avec les médecins généralistes et les maisons de repos.",
    ),
    (
        "Hôpital Brugmann – équipe de liaison gériatrique",
        "hopital",
        "bruxelles-ville-laeken",
        "Place Van Gehuchten 4",
        "Le dépistage de la fragilité aux urgences et le retour à domicile.",
    ),
    (
        "Clinique Saint-Jean – service social",
        "hopital",
        "bruxelles-ville-pentagone",
        "Boulevard du Jardin Botanique 32",
        "L'accueil des patient·es sans couverture.",
    ),
    (
        "Centre de santé mentale Le Méridien",
        "sante-mentale",
        "saint-josse-ten-noode",
        "Rue du Méridien 68",
        "Les consultations en langue maternelle et le travail avec les exilé·es.",
    ),
    (
        "Centre de santé mentale Rivage-den Zaet",
        "sante-mentale",
        "saint-gilles",
        "Rue de l'Église 107",
        "Le service pour enfants, adolescent·es et familles.",
    ),
    (
        "Centre de santé mentale Le Grès",
        "sante-mentale",
        "ixelles",
        "Rue Malibran 49",
        "L'équipe mobile et les premiers rendez-vous rapides.",
    ),
    (
        "SSM Le Chien Vert",
        "sante-mentale",
        "woluwe-saint-pierre",
        "Rue du Bemel 73",
        "Les groupes thérapeutiques pour adultes.",
    ),
    (
        "Projet Lama – centre de soins en assuétudes",
        "assuetudes",
        "anderlecht",
        "Rue Liverpool 2",
        "Les traitements de substitution et l'accueil bas seuil.",
    ),
    (
        "Transit – centre d'hébergement",
        "assuetudes",
        "bruxelles-ville-haren",
        "Rue Stephenson 96",
        "L'hébergement de crise et l'accès aux soins.",
    ),
    (
        "DoucheFLUX",
        "bas-seuil",
        "anderlecht",
        "Rue des Vétérinaires 84",
        "Douches, lessive, consigne : un accueil de jour pour les personnes précarisées.",
    ),
    (
        "Restojet – restaurant social",
        "bas-seuil",
        "jette",
        "Rue Léon Theodor 192",
        "Le repas de midi et le lien social autour de la table.",
    ),
    (
        "La Rencontre – accueil de jour",
        "bas-seuil",
        "schaerbeek",
        "Rue Royale Sainte-Marie 54",
        "La permanence sociale et les ateliers collectifs.",
    ),
    (
        "Aide et soins à domicile Bruxelles – antenne Sud",
        "aide-domicile-coordination",
        "uccle",
        "Chaussée d'Alsemberg 781",
        "La coordination d'un maintien à domicile.",
    ),
    (
        "Centre de coordination Soins Chez Soi",
        "aide-domicile-coordination",
        "evere",
        "Avenue Henri Conscience 171",
        "La concertation autour d'une personne qui rentre chez elle.",
    ),
    (
        "Infirmières à domicile – Soins Bruxelles Nord",
        "soins-infirmiers-domicile",
        "koekelberg",
        "Rue Herkoliers 12",
        "Une tournée du matin, de la préparation au retour.",
    ),
    (
        "Palliabru – équipe de soutien",
        "soins-palliatifs",
        "woluwe-saint-lambert",
        "Avenue Georges Henri 242",
        "Le soutien des soignant·es de première ligne en fin de vie.",
    ),
    (
        "Résidence Les Tilleuls – maison de repos",
        "personnes-agees",
        "watermael-boitsfort",
        "Avenue des Tritons 9",
        "Le projet de vie des résident·es et la collaboration avec les familles.",
    ),
    (
        "Maison de repos Val des Roses",
        "personnes-agees",
        "berchem-sainte-agathe",
        "Rue de Grand-Bigard 180",
        "Le Snoezelen et l'unité adaptée.",
    ),
    (
        "Planning familial Rosa",
        "planning-familial",
        "bruxelles-ville-pentagone",
        "Rue Saint-Laurent 36",
        "Les consultations gynécologiques et l'accueil des jeunes.",
    ),
    (
        "Planning familial de Saint-Gilles",
        "planning-familial",
        "saint-gilles",
        "Rue de la Victoire 26",
        "Les animations EVRAS dans les écoles.",
    ),
    (
        "ONE – consultation pour enfants du Peterbos",
        "perinatalite-petite-enfance",
        "anderlecht",
        "Parc du Peterbos 9",
        "Le suivi préventif des tout-petits et des familles.",
    ),
    (
        "Maison de la naissance Aquarelle",
        "perinatalite-petite-enfance",
        "bruxelles-ville-axe-sud",
        "Rue Haute 322",
        "L'accompagnement des futures mères sans couverture.",
    ),
    (
        "Mutualité – service social",
        "mutualite",
        "ixelles",
        "Rue Malibran 10",
        "Les droits sociaux en cas de maladie de longue durée.",
    ),
    (
        "Agence immobilière sociale d'Etterbeek",
        "logement",
        "etterbeek",
        "Rue de Theux 54",
        "La mise en location de logements à loyer modéré.",
    ),
    (
        "Service d'accompagnement Le 8ème jour",
        "handicap",
        "auderghem",
        "Boulevard du Souverain 280",
        "L'accompagnement d'adultes porteurs de handicap.",
    ),
    (
        "Pharmacie de quartier Saint-Antoine",
        "paramedical-pharmacie",
        "neder-over-heembeek",
        "Rue de Ransbeek 5",
        "Le rôle du pharmacien dans le suivi des traitements chroniques.",
    ),
    (
        "Service de prévention de Ganshoren",
        "prevention-promotion-sante",
        "ganshoren",
        "Avenue de Villegas 31",
        "Les actions de prévention de quartier avec les habitant·es.",
    ),
    (
        "Maison de quartier Chambéry",
        "prevention-promotion-sante",
        "etterbeek",
        "Rue de Chambéry 24",
        "Les Rendez-vous de la Prévention santé avec les habitant·es.",
    ),
]
ACCESS = [
    "Sonnez à l'interphone, premier étage (ascenseur).",
    "Entrée de plain-pied par la cour. Tram 82, arrêt Wiels.",
    "Accès par la porte latérale, rez-de-chaussée accessible en fauteuil.",
    "Deuxième étage sans ascenseur. Métro Clemenceau.",
    None,
]
CLOCKS = [
    ("09:00", "10:30"),
    ("10:00", "11:00"),
    ("11:00", "12:30"),
    ("13:30", "15:00"),
    ("14:00", "15:30"),
    ("15:30", "16:30"),
]
FIRST = ["Anne", "Karim", "Sofia", "Luc", "Fatima", "Jan", "Marie", "Youssef", "Els", "Nadia"]
LAST = ["Peeters", "El Amrani", "Dubois", "Janssens", "Lambert", "Maes", "Diallo", "Claes"]
SECTORS = ["hopital", "cpas", "maison-medicale", "sante-mentale", "aide-domicile-coordination"]


def coming_year(today):
    """The edition the demo agenda announces (its `grand-bain` event)."""
    return today.year + (1 if today.month >= 10 else 0)


def _week(year):
    first = date(year, 10, 1)
    monday = first + timedelta(days=(7 - first.weekday()) % 7)
    return monday, monday + timedelta(days=4)


def load_demo_grand_bain(today):
    """The coming edition with its offers, slots and a few visitors; earlier editions'
    totals. Does nothing for an edition already there. Never commits."""
    _reported(2024, 50, 131, 182)
    _reported(2025, 34, 86, 150)
    year = coming_year(today)
    if db.session.scalar(select(Edition.id).where(Edition.year == year)):
        return None
    edition = _edition(year)
    rng = random.Random(year)
    slots = [
        slot for n, service in enumerate(SERVICES) for slot in _offer(edition, n, service, rng)
    ]
    db.session.flush()
    _visitors(edition, [s for s in slots if s.offer.status == OfferStatus.ACCEPTED], rng)
    db.session.flush()
    return edition


def _reported(year, services, visitors, visits):
    if db.session.scalar(select(Edition.id).where(Edition.year == year)):
        return
    start, end = _week(year)
    db.session.add(
        Edition(
            year=year,
            week_start=start,
            week_end=end,
            reported_services=services,
            reported_visitors=visitors,
            reported_visits=visits,
        )
    )


def _edition(year):
    start, end = _week(year)
    now = utcnow()
    edition = Edition(
        year=year,
        week_start=start,
        week_end=end,
        call_opens_at=now - timedelta(days=60),
        call_closes_at=now + timedelta(days=30),
        booking_opens_at=now - timedelta(days=7),
        booking_closes_at=datetime.combine(start, time(0), tzinfo=app_zone()),
        max_slots_per_offer=4,
        max_visits_per_visitor=4,
        margin_minutes=30,
        bassins=db.session.scalars(select(Bassin).order_by(Bassin.slug)).all(),
        event=db.session.scalar(
            select(Event).where(Event.external_id == f"demo-grand-bain-{year}")
        ),
    )
    db.session.add(edition)
    return edition


def _offer(edition, n, service, rng):
    name, sector, commune_slug, street, discover = service
    commune = db.session.scalar(
        select(Commune).where(Commune.slug.in_([commune_slug, f"bruxelles-ville-{commune_slug}"]))
    )
    status = OfferStatus.SUBMITTED if n % 13 == 12 else OfferStatus.ACCEPTED
    offer = Offer(
        edition=edition,
        name=name,
        sector=sector,
        address=street,
        commune=commune,
        discover_fr=discover,
        access_notes_fr=ACCESS[n % len(ACCESS)],
        languages="fr,nl" if n % 3 == 0 else ("fr,en" if n % 3 == 1 else "fr"),
        contact_name=f"{FIRST[n % len(FIRST)]} {LAST[n % len(LAST)]}",
        contact_email=f"grand-bain-{n + 1}@example.org",
        status=status,
    )
    days = rng.sample(range(5), 3 + (n % 2))
    for day in sorted(days):
        start, end = rng.choice(CLOCKS)
        when = edition.week_start + timedelta(days=day)
        offer.slots.append(
            Slot(
                start_at=datetime.combine(when, time.fromisoformat(start), tzinfo=app_zone()),
                end_at=datetime.combine(when, time.fromisoformat(end), tzinfo=app_zone()),
                capacity=rng.choice((4, 6, 8, 10, 12)),
            )
        )
    db.session.add(offer)
    return offer.slots


def _visitors(edition, slots, rng):
    """Twenty-four professionals with two visits each, kept apart as the rules want."""
    for n in range(24):
        visitor = Visitor(
            edition=edition,
            email=f"visiteur-{n + 1}@example.org",
            first_name=FIRST[n % len(FIRST)],
            last_name=LAST[(n * 3) % len(LAST)],
            organisation="Service social",
            sector=SECTORS[n % len(SECTORS)],
            job_title="Assistant·e social·e",
            consent_at=utcnow(),
        )
        db.session.add(visitor)
        chosen = []
        for slot in rng.sample(slots, len(slots)):
            if len(chosen) == 2:
                break
            apart = all(slot.start_at.date() != other.start_at.date() for other in chosen)
            if apart and slot.booked_count < slot.capacity:
                chosen.append(slot)
                slot.booked_count += 1
                db.session.add(
                    Booking(
                        slot=slot,
                        visitor=visitor,
                        status=BookingStatus.CONFIRMED,
                        confirmed_at=utcnow(),
                    )
                )
