"""The demo agenda: a believable year of the five bassins, dated relative to today.

Built as an import-events file, so the demo exercises the same path as a real import. Its
registrations come from the area above (webapp/loading/demo.py composes the two).
"""

from datetime import date, datetime, time, timedelta

from webapp.agenda.importer import save_entry, validate_entries
from webapp.agenda.territory import load_territory
from webapp.audit import SYSTEM
from webapp.timezones import app_zone, local_today

BASSINS = ("centre-ouest", "nord", "nord-est", "sud", "sud-est")

# One venue per bassin for its concertations (demo addresses).
VENUES = {
    "centre-ouest": {
        "name": "Maison communautaire du Peterbos",
        "address": "Parc du Peterbos 9",
        "commune": "Anderlecht",
        "postal_code": "1070",
    },
    "nord": {
        "name": "Centre culturel de Jette",
        "address": "Boulevard de Smet de Naeyer 145",
        "commune": "Jette",
        "postal_code": "1090",
    },
    "nord-est": {
        "name": "Maison des Associations de Schaerbeek",
        "address": "Rue Royale Sainte-Marie 155",
        "commune": "Schaerbeek",
        "postal_code": "1030",
    },
    "sud": {
        "name": "Maison de quartier Saint-Antoine",
        "address": "Rue du Charroi 33",
        "commune": "Forest",
        "postal_code": "1190",
    },
    "sud-est": {
        "name": "CPAS d'Etterbeek, salle du Conseil",
        "address": "Avenue des Casernes 29",
        "commune": "Etterbeek",
        "postal_code": "1040",
        "access_notes": "Salle au rez-de-chaussée, accessible en chaise roulante. Métro Pétillon ou bus 34, 36.",
    },
}

SECTOR_MIX = [
    {"hopital": 4, "domicile": 3, "sante-mentale": 2, "social": 2},
    {"hopital": 6, "domicile": 5, "premiere-ligne-soins": 3, "social": 4, "bas-seuil": 2},
    {"hopital": 5, "domicile": 4, "sante-mentale": 3, "social": 3, "premiere-ligne-soins": 3},
]

LIAISON_SUMMARIES = [
    "Initier une dynamique autour de l'articulation entre le secteur ambulatoire et hospitalier, "
    "en croisant les regards sur les besoins des habitant·es et les réalités des professionnel·les.\n\n"
    "Sortie d'hospitalisation et continuité du parcours : retours à domicile souvent ressentis comme "
    "précipités, sans préparation suffisante. RGPD : la mauvaise compréhension du cadre freine le "
    "partage d'information.",
    "Présentation du projet des Référents Hospitaliers et des trajets de sortie co-construits. "
    "Les participant·es ont identifié une priorité : mieux soutenir les personnes âgées isolées dans "
    "leur transition entre l'hôpital et le domicile.",
    "Présentation de dispositifs gratuits qui facilitent le maintien à domicile : Protocole 3, "
    "case management, services de coordination d'aide et de soins à domicile. Échanges autour de "
    "situations concrètes partagées.",
]


def _at(day: date, hour: int, minute: int = 0):
    return datetime.combine(day, time(hour, minute), tzinfo=app_zone()).isoformat()


def _weekday_after(day: date, weekday: int):
    """The first given weekday (0 = Monday) on or after day."""
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def _nth_weekday(year, month, weekday, n):
    return _weekday_after(date(year, month, 1), weekday) + timedelta(weeks=n - 1)


BASSIN_NAMES = {
    "centre-ouest": "Centre-Ouest",
    "nord": "Nord",
    "nord-est": "Nord-Est",
    "sud": "Sud",
    "sud-est": "Sud-Est",
}


def _liaison_series(today):
    entries = []
    for index, bassin in enumerate(BASSINS):
        name = BASSIN_NAMES[bassin]
        offsets = [
            -330 + 9 * index,
            -190 + 9 * index,
            -60 + 7 * index,
            35 + 8 * index,
            125 + 8 * index,
        ]
        for number, offset in enumerate(offsets, start=1):
            day = _weekday_after(today + timedelta(days=offset), 1 + index % 3)
            past = offset < 0
            entry = {
                "external_id": f"demo-{bassin}-liaison-{number}",
                "kind": "concertation",
                "title": f"Concertation liaison ambulatoire-hôpital #{number}",
                "title_nl": f"Overleg ambulante zorg-ziekenhuis #{number}",
                "description": (
                    "Les concertations thématiques des bassins visent à suivre les actualités et partager "
                    "les connaissances, assurer une fonction de veille des besoins de la population, "
                    "identifier les ajustements nécessaires en termes d'offre et de collaboration, "
                    "proposer des actions à mener collectivement. Elles sont ouvertes à tous·tes les "
                    "acteur·rices social-santé."
                ),
                "description_nl": (
                    "Het thematisch overleg van de zorgzones volgt de actualiteit op, deelt kennis, "
                    "signaleert de noden van de bevolking en stelt gezamenlijke acties voor. Het staat "
                    "open voor alle welzijns- en gezondheidsactoren."
                ),
                "bassins": [bassin],
                "series": f"{bassin}-liaison-ambulatoire-hopital",
                "series_title": f"Liaison ambulatoire-hôpital – Bassin {name}",
                "series_title_nl": f"Liaison ambulante zorg-ziekenhuis – Zorgzone {VENUES_NL[bassin]}",
                "series_theme": "liaison-ambulatoire-hopital",
                "series_number": number,
                "audience": "professionals",
                "start": _at(day, 13),
                "end": _at(day, 16),
                "venue": VENUES[bassin],
                "registration": "open",
                "capacity": 30 + 5 * (index % 3),
                "waitlist": True,
                "organiser": f"Équipe d'appui du Bassin {name}",
                "contact_email": f"info@bassin-{bassin}.brussels",
            }
            if past:
                entry["participants_count"] = [11, 20, 18][number - 1] + index
                entry["participant_sectors"] = SECTOR_MIX[number - 1]
                entry["report_summary"] = LIAISON_SUMMARIES[number - 1]
                entry["presentation_url"] = (
                    f"https://bassin-{bassin}.brussels/documents/liaison-{number}.pdf"
                )
            entries.append(entry)
    return entries


VENUES_NL = {
    "centre-ouest": "Centrum-West",
    "nord": "Noord",
    "nord-est": "Noord-Oost",
    "sud": "Zuid",
    "sud-est": "Zuid-Oost",
}


def _sud_est_concertations(today):
    themes = [
        (
            "sante-mentale",
            "Santé mentale",
            "Geestelijke gezondheid",
            14,
            "Repérer les ressources en santé mentale du Bassin Sud-Est, construire une carte partagée des "
            "services (SSM, équipes mobiles, psychologues de première ligne) et des lignes d'appel.",
        ),
        (
            "prevention-promotion-sante",
            "Prévention et promotion de la santé",
            "Preventie en gezondheidspromotie",
            28,
            "Les Rendez-vous de la Prévention, la campagne vaccinale, la santé des aidant·es proches : "
            "partager les actions menées dans les quatre communes du bassin.",
        ),
    ]
    entries = []
    for slug, title, title_nl, shift, description in themes:
        for number, offset in enumerate(
            (-150 + shift, -20 - shift // 2, 45 + shift, 150 + shift), start=1
        ):
            day = _weekday_after(today + timedelta(days=offset), 3)
            entry = {
                "external_id": f"demo-sud-est-{slug}-{number}",
                "kind": "concertation",
                "title": f"Concertation {title.lower()} #{number}",
                "title_nl": f"Overleg {title_nl.lower()} #{number}",
                "description": description,
                "bassins": ["sud-est"],
                "series": f"sud-est-{slug}",
                "series_title": f"{title} – Bassin Sud-Est",
                "series_title_nl": f"{title_nl} – Zorgzone Zuid-Oost",
                "series_theme": slug,
                "series_number": number,
                "audience": "professionals",
                "start": _at(day, 9, 30),
                "end": _at(day, 12, 30),
                "venue": VENUES["sud-est"],
                "registration": "open",
                "capacity": 25,
                "organiser": "Équipe d'appui du Bassin Sud-Est",
                "contact_email": "info@bassin-sud-est.brussels",
            }
            if offset < 0:
                entry["participants_count"] = 19 + number
                entry["participant_sectors"] = {
                    "sante-mentale": 6,
                    "social": 5,
                    "prevention": 4,
                    "premiere-ligne-soins": 3,
                    "domicile": 2,
                }
                entry["report_summary"] = (
                    "Une vingtaine de professionnel·les issu·es des secteurs social, santé mentale et "
                    "première ligne. " + description
                )
            entries.append(entry)
    return entries


def _ateliers(today):
    sud_venue = {
        "name": "Centre culturel Jacques Franck",
        "address": "Chaussée de Waterloo 94",
        "commune": "Saint-Gilles",
        "postal_code": "1060",
    }
    base = {
        "kind": "atelier-du-changement",
        "audience": "professionals",
        "registration": "open",
        "capacity": 40,
        "series_title": "Ateliers du Changement – Bassin Sud",
        "series_title_nl": "Veranderingsateliers – Zorgzone Zuid",
        "organiser": "Équipe d'appui du Bassin Sud",
        "contact_email": "info@bassin-sud.brussels",
    }
    ninth = _weekday_after(today - timedelta(days=37), 3)
    entries = [
        dict(
            base,
            **{
                "external_id": "demo-sud-adc-8",
                "title": "8ème Atelier du Changement du Bassin Sud",
                "title_nl": "8ste Veranderingsatelier van Zorgzone Zuid",
                "bassins": ["sud"],
                "series": "sud-ateliers-du-changement",
                "series_number": 8,
                "start": _at(_weekday_after(today - timedelta(days=220), 3), 9),
                "end": _at(_weekday_after(today - timedelta(days=220), 3), 13),
                "venue": sud_venue,
                "participants_count": 22,
                "participant_sectors": {
                    "social": 7,
                    "domicile": 5,
                    "sante-mentale": 4,
                    "hopital": 3,
                    "bas-seuil": 3,
                },
                "report_summary": "Tables de discussion sur l'isolement social des personnes âgées et sur l'accès aux soins des personnes sans chez-soi.",
            },
        ),
        dict(
            base,
            **{
                "external_id": "demo-sud-adc-9",
                "title": "9ème Atelier du Changement du Bassin Sud",
                "title_nl": "9de Veranderingsatelier van Zorgzone Zuid",
                "bassins": ["sud"],
                "series": "sud-ateliers-du-changement",
                "series_number": 9,
                "start": _at(ninth, 9),
                "end": _at(ninth, 13),
                "venue": sud_venue,
                "participants_count": 15,
                "participant_sectors": {
                    "social": 5,
                    "hopital": 3,
                    "domicile": 3,
                    "sante-mentale": 2,
                    "prevention": 2,
                },
                "presentation_url": "https://bassin-sud.brussels/documents/adc-9.pdf",
                "report_summary": (
                    "Le 9ème Atelier du Changement (ADC) du Bassin Sud a été l'occasion d'aborder les Rendez-vous "
                    "de la Prévention et la campagne vaccinale, la matinée Intersection autour de l'isolement "
                    "social, les journées portes ouvertes Melting Papot', la liaison ambulatoire-hôpital, les "
                    "Focus et lignes d'appel, et l'insécurité alimentaire.\n\n"
                    "Les participant·es ont mis en évidence un manque d'anticipation lors de l'entrée en "
                    "hospitalisation et une communication insuffisante tout au long du parcours de soins."
                ),
            },
        ),
        dict(
            base,
            **{
                "external_id": "demo-sud-adc-10",
                "title": "10ème Atelier du Changement du Bassin Sud",
                "title_nl": "10de Veranderingsatelier van Zorgzone Zuid",
                "bassins": ["sud"],
                "series": "sud-ateliers-du-changement",
                "series_number": 10,
                "start": _at(_weekday_after(today + timedelta(days=95), 3), 9),
                "end": _at(_weekday_after(today + timedelta(days=95), 3), 13),
                "venue": sud_venue,
                "description": "Plusieurs tables de discussion : liaison ambulatoire-hôpital, insécurité alimentaire, santé des aidant·es proches. Accueil café dès 8h45.",
            },
        ),
    ]
    postponed_day = _weekday_after(today + timedelta(days=20), 1)
    entries.append(
        {
            "external_id": "demo-nord-est-adc-4",
            "kind": "atelier-du-changement",
            "title": "4ème Atelier du Changement du Bassin Nord-Est",
            "title_nl": "4de Veranderingsatelier van Zorgzone Noord-Oost",
            "bassins": ["nord-est"],
            "audience": "professionals",
            "registration": "open",
            "capacity": 35,
            "start": _at(postponed_day, 9, 30),
            "end": _at(postponed_day, 12, 30),
            "venue": VENUES["nord-est"],
            "status": "postponed",
            "status_reason": "Reporté au printemps : la salle n'est plus disponible. La nouvelle date sera annoncée ici.",
            "status_reason_nl": "Uitgesteld tot de lente: de zaal is niet meer beschikbaar.",
            "organiser": "Équipe d'appui du Bassin Nord-Est",
        }
    )
    return entries


def _grand_bain(today):
    year = today.year + (1 if today.month >= 10 else 0)
    monday = _weekday_after(date(year, 10, 1), 0)
    return [
        {
            "external_id": f"demo-grand-bain-{year}",
            "kind": "grand-bain",
            "title": f"Grand Bain {year} : les services ouvrent leurs portes",
            "title_nl": f"Grand Bain {year}: diensten openen hun deuren",
            "description": (
                "Une semaine de journées portes ouvertes dans les cinq bassins : les services social-santé "
                "accueillent les professionnel·les pour une visite. En 2025 : 34 services, 86 visiteur·euses "
                "et plus de 150 visites. Les services peuvent proposer leurs créneaux dès l'appel du printemps."
            ),
            "bassins": list(BASSINS),
            "audience": "professionals",
            "start": _at(monday, 9),
            "end": _at(monday + timedelta(days=4), 17),
            "registration": "none",
            "organiser": "Les cinq bassins d'aide et de soins",
        }
    ]


PREVENTION_VENUES = [
    (
        "forest",
        "1WE",
        {
            "name": "Maison de Quartier St-Antoine",
            "address": "Rue du Charroi 33",
            "commune": "Forest",
            "postal_code": "1190",
        },
    ),
    (
        "etterbeek",
        "3MO",
        {
            "name": "Maison de Quartier Chambéry",
            "address": "Rue de Chambéry 24",
            "commune": "Etterbeek",
            "postal_code": "1040",
            "access_notes": "Entrée de plain-pied. Bus 34 et 36, arrêt Chambéry.",
            "step_free": True,
            "lift": False,
        },
    ),
    (
        "auderghem",
        "2TU",
        {
            "name": "Maison de quartier du Transvaal",
            "address": "Rue du Transvaal 63",
            "commune": "Auderghem",
            "postal_code": "1160",
        },
    ),
    (
        "woluwe-saint-lambert",
        "1TH",
        {
            "name": "Maison de quartier Gribaumont",
            "address": "Rue Gribaumont 1",
            "commune": "Woluwe-Saint-Lambert",
            "postal_code": "1200",
        },
    ),
    (
        "woluwe-saint-pierre",
        "4WE",
        {
            "name": "Centre communautaire du Chant d'Oiseau",
            "address": "Avenue du Chant d'Oiseau 40",
            "commune": "Woluwe-Saint-Pierre",
            "postal_code": "1150",
        },
    ),
]
WEEKDAYS = {"MO": 0, "TU": 1, "WE": 2, "TH": 3}
# The bassin of each commune that holds a monthly rendez-vous (Forest: Bassin Sud).
PREVENTION_BASSINS = {"forest": "sud"}
# Forest's rendez-vous came from the team's old spreadsheet, its organiser and place typed
# otherwise than the catalogue's ("St-Antoine"): two duplicates for the team to merge.
TYPED_ORGANISERS = {"forest": "Bassin Sud"}


# Where each commune's rendez-vous goes the month it moves to a partner's premises.
PARTNER_PREMISES = {
    "Forest": {"name": "Maison médicale Marconi", "address": "Rue Marconi 70"},
    "Etterbeek": {"name": "Maison médicale d'Etterbeek", "address": "Rue de l'Orient 22"},
    "Auderghem": {"name": "Maison médicale d'Auderghem", "address": "Rue Émile Idiers 15"},
    "Woluwe-Saint-Lambert": {
        "name": "Maison médicale Saint-Lambert",
        "address": "Rue Saint-Lambert 116",
    },
    "Woluwe-Saint-Pierre": {
        "name": "Maison médicale de Stockel",
        "address": "Rue de l'Église 98",
    },
}


def _prevention_rendez_vous(today):
    """Monthly rendez-vous in the four Sud-Est communes and in Forest (Bassin Sud), from six
    months ago to next year's end."""
    first_month = (today.replace(day=1) - timedelta(days=180)).replace(day=1)
    until = date(today.year + 1, 12, 31)
    entries = []
    for slug, byday, venue in PREVENTION_VENUES:
        nth, weekday = int(byday[0]), WEEKDAYS[byday[1:]]
        first = _nth_weekday(first_month.year, first_month.month, weekday, nth)
        summer_skip = _nth_weekday(today.year + 1, 8, weekday, nth)
        moved_month = (today.replace(day=28) + timedelta(days=40)).replace(day=1)
        moved = _nth_weekday(moved_month.year, moved_month.month, weekday, nth)
        bassin = PREVENTION_BASSINS.get(slug, "sud-est")
        entries.append(
            {
                "external_id": f"demo-rdv-prevention-{slug}",
                "kind": "rdv-prevention",
                "title": f"Rendez-vous de la Prévention santé – {venue['commune']}",
                "title_nl": f"Preventie-afspraak gezondheid – {venue['commune']}",
                "description": (
                    "Un moment convivial, ouvert à toutes et tous, gratuit et sans inscription : dépistages, "
                    "vaccination, conseils santé et orientation vers les services du quartier, avec les "
                    f"professionnel·les de la prévention du Bassin {BASSIN_NAMES[bassin]}."
                ),
                "description_nl": "Een gratis en vrij toegankelijk moment voor alle bewoners: screenings, vaccinatie, gezondheidsadvies.",
                "bassins": [bassin],
                "series": f"{bassin}-rendez-vous-prevention",
                "series_title": f"Rendez-vous de la Prévention santé – Bassin {BASSIN_NAMES[bassin]}",
                "series_title_nl": f"Preventie-afspraken gezondheid – Zorgzone {VENUES_NL[bassin]}",
                "series_theme": "prevention-promotion-sante",
                "audience": "public",
                "start": _at(first, 14),
                "end": _at(first, 16, 30),
                "venue": venue,
                "registration": "none",
                "languages": ["fr", "nl"],
                "free": True,
                "rrule": f"FREQ=MONTHLY;BYDAY={byday};UNTIL={until.strftime('%Y%m%d')}T235959Z",
                "exdates": [summer_skip.isoformat()],
                "overrides": [
                    {
                        "date": moved.isoformat(),
                        "start": _at(moved, 10),
                        "end": _at(moved, 12, 30),
                        # This month the rendez-vous moves to a partner's premises.
                        "venue": {
                            **PARTNER_PREMISES[venue["commune"]],
                            "commune": venue["commune"],
                        },
                    }
                ],
                "organiser": TYPED_ORGANISERS.get(
                    slug, f"Équipe d'appui du Bassin {BASSIN_NAMES[bassin]}"
                ),
            }
        )
    return entries


def _others(today):
    def day(offset, weekday=1):
        return _weekday_after(today + timedelta(days=offset), weekday)

    return [
        {
            "external_id": "demo-formation-diogene",
            "kind": "formation",
            "title": "Formation : accompagner les situations de syndrome de Diogène",
            "title_nl": "Vorming: begeleiding bij het Diogenessyndroom",
            "description": "Repérer, comprendre et accompagner les personnes vivant avec un syndrome de Diogène : "
            "une journée de formation avec des intervenant·es de terrain. Places limitées.",
            "bassins": ["nord-est"],
            "audience": "professionals",
            "start": _at(day(24, 3), 9, 30),
            "end": _at(day(24, 3), 16, 30),
            "venue": VENUES["nord-est"],
            "registration": "open",
            "capacity": 20,
            "waitlist": True,
            "organiser": "Équipe d'appui du Bassin Nord-Est",
        },
        {
            "external_id": "demo-webinaire-focus-accessibilite",
            "kind": "webinaire",
            "title": "Focus : l'accessibilité financière des soins de santé",
            "title_nl": "Focus: de financiële toegankelijkheid van gezondheidszorg",
            "description": "Webinaire annuel du Focus, en deux temps : présentation de la thématique, puis "
            "questions-réponses avec les lignes d'appel.",
            "bassins": list(BASSINS),
            "audience": "professionals",
            "start": _at(day(17, 1), 12, 30),
            "end": _at(day(17, 1), 13, 30),
            "mode": "online",
            "online_capacity": 150,
            "online_url": "https://webinaires.bassins.brussels/focus-accessibilite",
            "registration": "open",
            "organiser": "Équipe régionale des bassins",
        },
        {
            "external_id": "demo-perinatalite-parlons-en",
            "kind": "rencontre",
            "title": "Périnatalité, parlons-en !",
            "title_nl": "Perinatale zorg, laten we erover praten!",
            "description": "Une rencontre entre sages-femmes, ONE, centres de planning, crèches et services sociaux "
            "autour de l'accompagnement des futurs parents en situation de précarité.",
            "bassins": ["sud-est"],
            "audience": "professionals",
            "start": _at(day(52, 4), 13),
            "end": _at(day(52, 4), 16),
            "venue": VENUES["sud-est"],
            "mode": "hybrid",
            "online_url": "https://visio.bassins.brussels/perinatalite-parlons-en",
            "registration": "open",
            "capacity": 45,
            "online_capacity": 30,
            "organiser": "Équipe d'appui du Bassin Sud-Est",
        },
        {
            "external_id": "demo-communaute-de-pratique-nord",
            "kind": "rencontre",
            "title": "Communauté de pratique : travail de rue et santé mentale",
            "description": "Groupe fermé : les membres s'engagent pour un an, à raison d'une rencontre par trimestre. "
            "Candidature soumise à l'équipe d'appui.",
            "bassins": ["nord"],
            "audience": "closed-group",
            "start": _at(day(40, 2), 10),
            "end": _at(day(40, 2), 12),
            "venue": VENUES["nord"],
            "registration": "approval",
            "capacity": 15,
            "waitlist": False,
            "organiser": "Équipe d'appui du Bassin Nord",
        },
        {
            "external_id": "demo-conseil-action-centre-ouest",
            "kind": "autre",
            "title": "Conseil de l'Action du Bassin Centre-Ouest",
            "description": "Le Conseil réunit une vingtaine d'acteur·rices du bassin qui s'engagent pour un an à "
            "orienter les actions collectives. Participation sur candidature.",
            "bassins": ["centre-ouest"],
            "audience": "closed-group",
            "start": _at(day(60, 1), 17),
            "end": _at(day(60, 1), 19),
            "venue": VENUES["centre-ouest"],
            "registration": "approval",
            "capacity": 22,
            "waitlist": False,
            "organiser": "Équipe d'appui du Bassin Centre-Ouest",
        },
        {
            "external_id": "demo-nord-sante-mentale-2",
            "kind": "concertation",
            "title": "Concertation santé mentale #2",
            "bassins": ["nord"],
            "audience": "professionals",
            "series": "nord-sante-mentale",
            "series_title": "Santé mentale – Bassin Nord",
            "series_theme": "sante-mentale",
            "series_number": 2,
            "start": _at(day(12, 3), 13),
            "end": _at(day(12, 3), 16),
            "venue": VENUES["nord"],
            "registration": "open",
            "capacity": 30,
            "status": "cancelled",
            "status_reason": "Annulée en raison d'une grève des transports en commun. Les inscrit·es seront prévenu·es de la nouvelle date.",
            "status_reason_nl": "Geannuleerd wegens een staking van het openbaar vervoer.",
        },
        {
            "external_id": "demo-draft-intersection",
            "kind": "rencontre",
            "status": "draft",
            "title": "Matinée Intersection : isolement social (brouillon)",
            "bassins": ["sud"],
            "audience": "professionals",
            "start": _at(day(80, 4), 9),
            "end": _at(day(80, 4), 12),
            "registration": "open",
        },
    ]


# A Sud partner with its own service account in demos (create-user --role service
# --organisation): it organises an accredited training and an open day, and hosts visits at
# the Grand Bain (webapp/grandbain/demo.py links its offers to it).
PARTNER = "Maison médicale Les Primevères"
PARTNER_VENUE = {
    "name": "Maison médicale Les Primevères",
    "address": "Rue de Mérode 112",
    "commune": "Forest",
    "postal_code": "1190",
    "access_notes": "Salle de réunion au premier étage (ascenseur). Tram 82, arrêt Wiels.",
}


def _sud_work(today):
    """What a Sud team and its partner have on hand: an accredited training held three weeks
    ago, an open day coming, and a closed case-analysis group whose applicants await the
    team's approval."""

    def day(offset, weekday):
        return _weekday_after(today + timedelta(days=offset), weekday)

    training, open_day, group, again = day(-24, 1), day(18, 2), day(30, 3), day(38, 1)
    second_session = {
        "external_id": "demo-sud-formation-pied-diabetique-2",
        "title": "Formation accréditée : le pied diabétique en première ligne (2e session)",
        "title_nl": "Geaccrediteerde vorming: de diabetische voet in de eerste lijn (2de sessie)",
        "description": (
            "La première session était complète : l'équipe du groupe diabète la redonne. "
            "Réservée aux soignant·es de première ligne (médecins, infirmier·es, podologues) : "
            "la maison médicale confirme chaque inscription. Accréditation INAMI pour les "
            "médecins : indiquez votre numéro INAMI à l'inscription."
        ),
        "start": _at(again, 9),
        "end": _at(again, 12, 30),
        "registration": "approval",
        "capacity": 20,
        "waitlist": False,
    }
    return [
        {
            "external_id": "demo-sud-formation-pied-diabetique",
            "kind": "formation",
            "title": "Formation accréditée : le pied diabétique en première ligne",
            "title_nl": "Geaccrediteerde vorming: de diabetische voet in de eerste lijn",
            "description": (
                "Dépister et suivre le pied à risque des patient·es diabétiques : une matinée "
                "pour médecins généralistes, infirmier·es à domicile et podologues, avec "
                "l'équipe du groupe diabète de la Maison médicale Les Primevères. Accréditation "
                "INAMI pour les médecins : indiquez votre numéro INAMI à l'inscription."
            ),
            "bassins": ["sud"],
            "audience": "professionals",
            "start": _at(training, 9),
            "end": _at(training, 12, 30),
            "venue": PARTNER_VENUE,
            "registration": "open",
            "capacity": 24,
            "accreditation": "INAMI 26-0412 (3 CP, éthique et économie)",
            "organiser": PARTNER,
            "contact_email": "formation@mm-primeveres.be",
        },
        {
            "kind": "formation",
            "bassins": ["sud"],
            "audience": "professionals",
            "venue": PARTNER_VENUE,
            "accreditation": "INAMI 26-0412 (3 CP, éthique et économie)",
            "organiser": PARTNER,
            "contact_email": "formation@mm-primeveres.be",
            **second_session,
        },
        {
            "external_id": "demo-sud-melting-papot-primeveres",
            "kind": "rencontre",
            "title": "Melting Papot' : portes ouvertes de la Maison médicale Les Primevères",
            "title_nl": "Melting Papot': opendeur in Wijkgezondheidscentrum Les Primevères",
            "description": (
                "Un après-midi pour découvrir l'équipe, l'accueil sans rendez-vous et le groupe "
                "diabète, et faire connaissance entre professionnel·les du quartier. Café et "
                "petite restauration offerts."
            ),
            "bassins": ["sud"],
            "audience": "professionals",
            "start": _at(open_day, 14),
            "end": _at(open_day, 17),
            "venue": PARTNER_VENUE,
            "registration": "open",
            "capacity": 30,
            "organiser": PARTNER,
            "contact_email": "accueil@mm-primeveres.be",
        },
        {
            "external_id": "demo-sud-analyse-en-groupe",
            "kind": "rencontre",
            "title": "Analyse en groupe : une sortie d'hôpital qui s'est mal passée",
            "title_nl": "Groepsanalyse: een ontslag uit het ziekenhuis dat slecht verliep",
            "description": (
                "Une matinée de travail sur une situation concrète partagée, selon la méthode "
                "d'analyse en groupe (MAG) : un·e participant·e raconte, le groupe questionne et "
                "interprète. Douze places ; l'équipe d'appui confirme les candidatures pour "
                "réunir hôpital, domicile et social."
            ),
            "bassins": ["sud"],
            "audience": "closed-group",
            "start": _at(group, 9, 30),
            "end": _at(group, 12, 30),
            "venue": VENUES["sud"],
            "registration": "approval",
            "capacity": 12,
            "waitlist": False,
            "organiser": "Équipe d'appui du Bassin Sud",
            "contact_email": "info@bassin-sud.brussels",
        },
    ]


def demo_entries(today=None):
    """The demo agenda as import-events entries, dated around today."""
    today = today or local_today()
    return (
        _liaison_series(today)
        + _sud_est_concertations(today)
        + _ateliers(today)
        + _grand_bain(today)
        + _prevention_rendez_vous(today)
        + _others(today)
        + _sud_work(today)
    )


def load_demo_agenda(today=None, actor=SYSTEM):
    """Load the bassins, their communes and the demo agenda (no commit); running it again the
    same day changes nothing. Returns the operations' EventChange of each event.

    Moving a demo event mails no one: its registrants are made up.
    """
    load_territory()
    return [save_entry(spec, actor, notify=False) for spec in validate_entries(demo_entries(today))]
