"""The slides shown at the demo's 9th Atelier du Changement, as the PDF its report attaches
(the *Retour sur* pages say "Voir support de présentation ici"): a few real pages of text,
made with fpdf2 and dated once, so the same bytes (and the same stored file) every run."""

from datetime import UTC, datetime

from fpdf import FPDF

# (title, lines) per slide: the morning's programme, as the report's sections tell it.
SLIDES = [
    (
        "9e Atelier du Changement - Bassin Sud",
        [
            "Tables de discussion et actualités du bassin",
            "Saint-Gilles, Centre culturel Jacques Franck",
        ],
    ),
    (
        "Au programme",
        [
            "Les Rendez-vous de la Prévention et la campagne vaccinale",
            "La matinée Intersection autour de l'isolement social",
            "Les journées portes ouvertes Melting Papot'",
            "La liaison ambulatoire-hôpital dans nos différents espaces",
            "Les Focus et lignes d'appel, par l'équipe régionale",
            "L'insécurité alimentaire, par l'appui scientifique",
        ],
    ),
    (
        "Tables de discussion",
        [
            "1. Liaison ambulatoire-hôpital : anticiper l'entrée et préparer la sortie",
            "2. Focus et lignes d'appel : des outils pour nos équipes",
            "3. Insécurité alimentaire : co-construire avec les bénéficiaires",
        ],
    ),
]
MADE_ON = datetime(2025, 10, 16, 9, tzinfo=UTC)
FILE_NAME = "atelier-du-changement-9-presentation.pdf"


def presentation_pdf():
    """The slides as PDF bytes (A4 landscape, one slide a page)."""
    pdf = FPDF(orientation="L", format="A4")
    pdf.set_creation_date(MADE_ON)
    pdf.set_title(SLIDES[0][0])
    pdf.set_author("Equipe d'appui du Bassin Sud")
    for title, lines in SLIDES:
        pdf.add_page()
        pdf.set_font("Helvetica", "B", 28)
        pdf.multi_cell(0, 14, title)
        pdf.ln(8)
        pdf.set_font("Helvetica", "", 18)
        for line in lines:
            pdf.multi_cell(0, 11, line)
            pdf.ln(2)
    return bytes(pdf.output())
