"""Demo registrations: attendance on past meetings, a nearly full training with a waitlist."""

import random

from sqlalchemy import select

from webapp.agenda.models import Event
from webapp.extensions import db
from webapp.registrations.importing import save_registrations
from webapp.registrations.states import RegistrationStatus

CONFIRMED, WAITLISTED, PENDING = (
    RegistrationStatus.CONFIRMED,
    RegistrationStatus.WAITLISTED,
    RegistrationStatus.PENDING,
)

FIRST_NAMES = [
    "Anne",
    "Karim",
    "Sofia",
    "Luc",
    "Fatima",
    "Jan",
    "Marie",
    "Youssef",
    "Els",
    "Nadia",
    "Pierre",
    "Aïcha",
    "Tom",
    "Inès",
    "Bart",
    "Chloé",
    "Mehmet",
    "Lotte",
    "Sarah",
    "David",
]
LAST_NAMES = [
    "Peeters",
    "El Idrissi",
    "Janssens",
    "Dubois",
    "Benali",
    "Maes",
    "Lambert",
    "Yilmaz",
    "Claes",
    "Nguyen",
    "Dupont",
    "Wouters",
    "Mertens",
    "Diallo",
    "Leroy",
]
SECTORS = [
    "hopital",
    "cpas",
    "aide-domicile-coordination",
    "sante-mentale",
    "maison-medicale",
    "service-social",
    "soins-infirmiers-domicile",
    "bas-seuil",
    "medecine-generale",
]


def _people(rng, count, prefix, statuses, attended=None):
    return [
        {
            "first_name": rng.choice(FIRST_NAMES),
            "last_name": rng.choice(LAST_NAMES),
            "email": f"{prefix}.{n}@example.org",
            "organisation": "Service de démonstration",
            "sector": rng.choice(SECTORS),
            "job_title": "Assistant·e social·e",
            "commune": None,
            "status": statuses[n] if n < len(statuses) else statuses[-1],
            "attended": attended if attended is None else rng.random() < attended,
        }
        for n in range(count)
    ]


def load_demo_registrations():
    """Registrations for some demo events (by external_id); running it again changes nothing.
    No commit: the caller's unit of work holds it."""
    rng = random.Random(7)
    events = {
        e.external_id: e
        for e in db.session.scalars(select(Event).where(Event.external_id.like("demo-%")))
    }
    plan = [
        ("demo-sud-liaison-3", 18, [CONFIRMED], 0.85),
        ("demo-sud-est-liaison-3", 22, [CONFIRMED], 0.8),
        ("demo-formation-diogene", 23, [CONFIRMED] * 20 + [WAITLISTED], None),
        ("demo-sud-liaison-4", 12, [CONFIRMED], None),
        (
            "demo-communaute-de-pratique-nord",
            6,
            [CONFIRMED] * 4 + [PENDING],
            None,
        ),
        ("demo-sud-formation-pied-diabetique", 16, [CONFIRMED], 0.9),
        ("demo-sud-melting-papot-primeveres", 9, [CONFIRMED], None),
        ("demo-sud-analyse-en-groupe", 8, [CONFIRMED] * 5 + [PENDING], None),
        ("demo-sud-formation-pied-diabetique-2", 7, [CONFIRMED] * 4 + [PENDING], None),
    ]
    for external_id, count, statuses, attended in plan:
        event = events.get(external_id)
        if event is not None:
            people = _people(rng, count, external_id.removeprefix("demo-"), statuses, attended)
            if event.accreditation:
                _doctors_give_inami_numbers(people)
            save_registrations(event, people)


def _doctors_give_inami_numbers(people):
    """At an accredited training, every other person is a general practitioner who typed
    their INAMI number (11 digits: profession, serial, two check digits, qualification)."""
    for n, person in enumerate(people[::2]):
        serial = 10_300 + 37 * n
        check = 97 - (100_000 + serial) % 97
        person.update(
            sector="medecine-generale",
            job_title="Médecin généraliste",
            inami_number=f"1{serial:05d}{check:02d}004",
        )
