"""demo-data's written reports: the 9th Atelier du Changement of Bassin Sud and the latest
past liaison meeting of two bassins, with numbered sections and quotes (from the bassins'
own *Retour sur* pages), published; the 8th Atelier's, begun and left a draft; and the liaison
theme's synthesis for their year."""

import io

from sqlalchemy import select

from webapp import uploads
from webapp.agenda import report_operations
from webapp.agenda.demo_slides import FILE_NAME as SLIDES_NAME
from webapp.agenda.demo_slides import presentation_pdf
from webapp.agenda.models import Event
from webapp.agenda.report_operations import Attachment, Quote, Section, ThemeRow
from webapp.agenda.reports import Report
from webapp.extensions import db
from webapp.timezones import utcnow

ADC_SECTIONS = [
    Section(
        "Liaison ambulatoire-hôpital",
        "Les participant·es ont mis en évidence un manque d'anticipation lors de l'entrée en "
        "hospitalisation, ainsi qu'une communication insuffisante entre les intervenant·es tout "
        "au long du parcours de soins, de l'admission jusqu'à la sortie.\n\n"
        "Plusieurs initiatives positives ont été partagées : réunions préparatoires à la sortie "
        "associant le réseau du·de la patient·e, visites anticipées pendant l'hospitalisation.",
        "Liaison ambulante zorg-ziekenhuis",
        "De deelnemers wezen op een gebrek aan voorbereiding bij een ziekenhuisopname en op "
        "onvoldoende communicatie tussen de betrokkenen, van de opname tot het ontslag.",
    ),
    Section(
        "Focus et Lignes d'Appel : des outils pour renforcer les pratiques",
        "Les participant·es ont salué la clarté et l'utilité de ces outils, qu'ils souhaitent "
        "diffuser largement dans leurs équipes. Sujets proposés pour de nouveaux Focus : aidants "
        "proches, logement, violences intrafamiliales, assuétudes.",
        "Focus en hulplijnen: instrumenten om de praktijk te versterken",
        None,
    ),
    Section(
        "Insécurité alimentaire",
        "Les professionnel·les du social-santé appellent à co-construire les solutions avec les "
        "bénéficiaires, à déstigmatiser l'aide alimentaire et à simplifier l'accès aux "
        "dispositifs.",
        "Voedselonzekerheid",
        None,
    ),
]

LIAISON_SECTIONS = [
    Section(
        "Veille des besoins de la population",
        "**Sortie d'hospitalisation et continuité du parcours** : retours à domicile souvent "
        "ressentis comme précipités, sans préparation suffisante.\n\n"
        "- **RGPD** : l'accès aux données et une mauvaise compréhension du cadre freinent le "
        "partage d'information.\n"
        "- **Professionnel·les épuisé·es** : charge de travail, instabilité des équipes et "
        "manque de temps.",
        "Noden van de bevolking",
        "Ontslag uit het ziekenhuis en continuïteit van zorg: de terugkeer naar huis voelt vaak "
        "overhaast aan.",
    ),
    Section(
        "Constats et ajustements de l'offre",
        "Les données d'hospitalisation du bassin confirment la pertinence du travail à cette "
        "échelle. La fonction de **référent hospitalier** reste peu visible dans les services "
        "sociaux hospitaliers.",
        "Vaststellingen en aanpassingen van het aanbod",
        None,
    ),
    Section(
        "Actions à mener collectivement et perspectives",
        "- Renforcer la **coordination en amont** de l'hospitalisation.\n"
        "- Collaborer avec un service hospitalier du bassin pour **co-construire un trajet de "
        "sortie** renforcé.\n"
        "- Favoriser l'identification des **aidant·es proches** dès l'entrée à l'hôpital.",
        "Gezamenlijk te ondernemen acties en vooruitzichten",
        None,
    ),
]

QUOTES = [
    Quote("On découvre enfin qui appeler à l'hôpital avant la sortie.", "domicile"),
    Quote("Le relais social manque encore trop souvent au moment du retour.", "hopital"),
    Quote("Ces tables nous font gagner des mois de coordination.", None),
]

SYNTHESIS = {
    "text_fr": (
        "Les concertations thématiques des bassins visent à suivre les actualités et partager "
        "les connaissances, assurer une fonction de veille des besoins de la population, "
        "identifier les ajustements nécessaires en termes d'offre et de collaboration, proposer "
        "des actions à mener collectivement. Elles sont ouvertes à tous·tes les acteur·rices "
        "social-santé."
    ),
    "needs_fr": (
        "- **Manque de coordination et d'anticipation** dans les transitions entre hospitalier "
        "et ambulatoire.\n"
        "- **Sorties précipitées et mal préparées** : ressenties comme un facteur de rupture "
        "des soins.\n"
        "- **Défis structurels persistants** : RGPD, fracture numérique, manque de temps des "
        "professionnel·les."
    ),
    "actions_fr": (
        "- **Créer des groupes de discussion intersectoriels récurrents**, en particulier dans "
        "les secteurs gériatrique et psychiatrique.\n"
        "- **Co-construire des trajets de sortie** renforcés avec certains services.\n"
        "- **Soutenir les aidant·es proches** dès l'entrée à l'hôpital."
    ),
    "perspectives_fr": (
        "Les concertations thématiques liaison ambulatoire-hôpital se poursuivent dans les 5 "
        "bassins. Les dates des concertations de l'an prochain sont à l'agenda des sites des "
        "bassins."
    ),
}
SYNTHESIS_THEMES = [
    ("Préparation de la sortie d'hôpital", ("centre-ouest", "nord", "nord-est", "sud", "sud-est")),
    ("Soutien aux aidant·es proches", ("sud-est", "nord-est")),
    ("Accessibilité de l'information et outils partagés", ("nord", "sud", "nord-est")),
]


def load_demo_reports(actor):
    """Write and publish the demo's reports once (an event that has one keeps it)."""
    published = []
    adc = _by_external_id("demo-sud-adc-9")
    if adc is not None:
        published.append(_publish(adc, 15, ADC_SECTIONS, QUOTES[:2], actor, _stored_slides))
    # The ADC before it has its full report begun, slides attached, not published yet:
    # the dashboard's "reports in draft" has one to show.
    previous = _by_external_id("demo-sud-adc-8")
    if previous is not None:
        _publish(previous, 22, ADC_SECTIONS, QUOTES[:1], actor, _stored_slides, publish=False)
    for bassin in ("sud", "nord"):
        meeting = _latest_past_liaison(bassin)
        if meeting is not None:
            published.append(_publish(meeting, None, LIAISON_SECTIONS, QUOTES, actor))
    meetings = [event for event in published if event is not None]
    if meetings:
        year = meetings[-1].local_start.year
        theme = "liaison-ambulatoire-hopital"
        rows = [ThemeRow(label, bassins) for label, bassins in SYNTHESIS_THEMES]
        synthesis = report_operations.save_synthesis(
            theme, year, {**SYNTHESIS, "themes": rows}, actor
        )
        if not synthesis.is_published:
            report_operations.publish_synthesis(theme, year, actor)


def _stored_slides():
    """The ADC's slides kept as an upload (the same bytes, so the same file, every run)."""
    content = presentation_pdf()
    stored = uploads.store_pdf(io.BytesIO(content))
    return Attachment(stored.digest, SLIDES_NAME, stored.size)


def _publish(event, count, sections, quotes, actor, attach=None, publish=True):
    """`attach`: makes the presentation file to attach, called only for a new report;
    `publish`: False leaves it a draft."""
    if db.session.scalar(select(Report.id).where(Report.event_id == event.id)):
        return event
    slides = attach() if attach else None
    data = {
        "participants_count": count if count is not None else event.participants_count,
        "participant_sectors": event.participant_sectors or {},
        # Attached slides stand for the link to them.
        "presentation_url": None if slides else event.presentation_url,
        "sections": sections,
        "quotes": quotes,
    }
    if slides is not None:
        data["presentation_file"] = slides
    report_operations.save_draft(event.id, data, actor)
    if publish:
        report_operations.publish(event.id, actor)
    return event


def _by_external_id(external_id):
    return db.session.scalar(select(Event).where(Event.external_id == external_id))


def _latest_past_liaison(bassin):
    return db.session.scalar(
        select(Event)
        .where(
            Event.external_id.like(f"demo-{bassin}-liaison-%"),
            Event.end_at <= utcnow(),
        )
        .order_by(Event.start_at.desc())
        .limit(1)
    )
