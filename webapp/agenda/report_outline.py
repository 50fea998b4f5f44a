"""The parts a report starts with, by kind of event, as the bassins write them.

A concertation's report follows the three moments of the meeting (seed 001: *Veille des
besoins de la population*, *Constats et ajustements de l'offre*, *Actions à mener
collectivement et perspectives*); an Atelier du changement's gives what came out of each
numbered discussion table (seed 003: 01, 02, 03). Other kinds start with no part. A part
left without text stays in the draft and is not shown to the public.
"""

from webapp.agenda.states import Kind

CONCERTATION_PARTS = (
    ("Veille des besoins de la population", "Opvolging van de noden van de bevolking"),
    ("Constats et ajustements de l'offre", "Vaststellingen en aanpassingen van het aanbod"),
    (
        "Actions à mener collectivement et perspectives",
        "Gezamenlijk te ondernemen acties en vooruitzichten",
    ),
)
DISCUSSION_TABLES = 3


def first_parts(kind):
    """[(French title, Dutch title)] of the parts a new report of this kind starts with."""
    if kind == Kind.CONCERTATION:
        return list(CONCERTATION_PARTS)
    if kind == Kind.ATELIER_DU_CHANGEMENT:
        return [
            (f"Table de discussion {n}", f"Discussietafel {n}")
            for n in range(1, DISCUSSION_TABLES + 1)
        ]
    return []


def numbered_tables(kind):
    """Whether the public page numbers the parts as discussion tables (01, 02...)."""
    return kind == Kind.ATELIER_DU_CHANGEMENT
