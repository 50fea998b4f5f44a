"""The attestation of participation as a one-page A4 PDF, in the person's language (fpdf2:
pure Python, from the package index), and several of them as one document for the team.

Text is real text (a reader or a search finds the name and the dates). The PDF's own
Helvetica prints Latin-1 (French and Dutch whole) in a small file; a name in another
alphabet is printed with DejaVu Sans when the machine has it (Debian's fonts-dejavu-core,
embedded as a subset), else folded to its nearest Latin letters: never an error.
"""

import logging
import unicodedata
from datetime import timedelta
from pathlib import Path

import segno
from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from webapp.timezones import local_today
from webapp.urls import absolute_url

# fontTools tells every step of embedding a font subset at INFO: not an operator's business.
logging.getLogger("fontTools").setLevel(logging.WARNING)

UNICODE_FONTS = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
)
# What Helvetica cannot print but French and Dutch texts hold often enough to spell out.
SPELLED_OUT = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2026": "...",
        "\u0153": "oe",
        "\u0152": "OE",
        "\u20ac": "EUR",
        "\u0142": "l",
        "\u0141": "L",
        "\u0111": "d",
        "\u0110": "D",
        "\u0131": "i",
    }
)
MARGIN = 22  # mm
INK = (29, 35, 48)
MUTED = (74, 82, 99)
ACCENT = (11, 92, 173)


def unicode_fonts_available():
    return all(path.is_file() for path in UNICODE_FONTS)


def latin_text(text):
    """`text` as Helvetica prints it: Latin-1, other letters folded (Ł -> L, ă -> a), what
    has no Latin form as '?'."""
    text = (text or "").translate(SPELLED_OUT)
    try:
        text.encode("latin-1")
        return text
    except UnicodeEncodeError:
        pass
    out = []
    for char in text:
        try:
            char.encode("latin-1")
            out.append(char)
        except UnicodeEncodeError:
            folded = unicodedata.normalize("NFKD", char)
            base = "".join(c for c in folded if not unicodedata.combining(c))
            out.append(base if base.isascii() and base else "?")
    return "".join(out)


class _Document(FPDF):
    """An A4 document whose text goes through one font choice."""

    def __init__(self, unicode_font):
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.set_auto_page_break(False)
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.unicode_font = unicode_font
        if unicode_font:
            self.add_font("DejaVu", "", str(UNICODE_FONTS[0]))
            self.add_font("DejaVu", "B", str(UNICODE_FONTS[1]))
        self.family = "DejaVu" if unicode_font else "helvetica"
        self.set_creator("Agenda des bassins d'aide et de soins")

    def text_of(self, text):
        return text if self.unicode_font else latin_text(text)

    def style(self, size, bold=False, colour=INK):
        self.set_font(self.family, "B" if bold else "", size)
        self.set_text_color(*colour)

    def block(self, width, height, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT):
        """`text` within `width` mm: one cell when it fits on a line (fpdf2's line breaking
        costs ten times more), else wrapped lines."""
        text = self.text_of(text)
        if "\n" not in text and self.get_string_width(text) <= width - 2 * self.c_margin:
            self.cell(width, height, text, new_x=new_x, new_y=new_y)
        else:
            self.multi_cell(width, height, text, align="L", new_x=new_x, new_y=new_y)

    def line_of(self, text, height):
        self.block(self.w - 2 * MARGIN, height, text)


def duration_text(duration: timedelta):
    """« 3 h », « 2 h 30 » (« 3 u », « 2 u 30 » in Dutch)."""
    minutes = int(duration.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    if minutes:
        return _("%(hours)d h %(minutes)02d", hours=hours, minutes=minutes)
    return _("%(hours)d h", hours=hours)


def meeting_text(meeting):
    """« mardi 23 mars 2027, de 13:00 à 16:00 (3 h) »."""
    return _(
        "%(day)s, de %(start)s à %(end)s (%(duration)s)",
        day=format_date(meeting.start.date(), "full"),
        start=meeting.start.strftime("%H:%M"),
        end=meeting.end.strftime("%H:%M"),
        duration=duration_text(meeting.duration),
    )


def _qr_code(pdf, url, x, y, size):
    """The verification link as a QR code: one filled path of a rectangle per dark run,
    written as PDF operators (fpdf2's rect() per run took a third of the page's time)."""
    # One mask for every code: choosing the best of eight took half the page's time, and any
    # mask reads (the choice only evens out light and dark areas).
    qr = segno.make(url, error="m", micro=False, mask=0)
    matrix = qr.matrix
    module = size / len(matrix) * pdf.k  # in points, as the content stream counts
    left, top = x * pdf.k, (pdf.h - y) * pdf.k
    runs = []
    for row, cells in enumerate(matrix):
        column = 0
        while column < len(cells):
            if not cells[column]:
                column += 1
                continue
            end = column
            while end < len(cells) and cells[end]:
                end += 1
            runs.append(
                f"{left + column * module:.2f} {top - (row + 1) * module:.2f} "
                f"{(end - column) * module:.2f} {module:.2f} re"
            )
            column = end
    pdf._out("q 0 g " + " ".join(runs) + " f Q")


def _facts(attestation):
    """(label, value) lines under the event's title."""
    facts = []
    if attestation.grand_bain_year:
        facts.append((_("Activité"), _("Grand Bain %(year)d", year=attestation.grand_bain_year)))
    dates = [meeting_text(m) for m in attestation.meetings]
    facts.append((_("Date") if len(dates) == 1 else _("Dates"), "\n".join(dates)))
    if len(dates) > 1:
        facts.append((_("Durée totale"), duration_text(attestation.duration)))
    if attestation.place:
        facts.append((_("Lieu"), attestation.place))
    if attestation.bassins:
        facts.append(
            (
                _("Bassin") if len(attestation.bassins) == 1 else _("Bassins"),
                ", ".join(attestation.bassins),
            )
        )
    if attestation.organiser:
        facts.append((_("Organisateur"), attestation.organiser))
    if attestation.accreditation:
        facts.append((_("Accréditation INAMI/RIZIV"), attestation.accreditation))
    return facts


def _page(pdf, attestation, issued_on):
    pdf.add_page()
    width = pdf.w - 2 * MARGIN
    pdf.set_draw_color(*ACCENT)
    pdf.set_line_width(1.2)
    pdf.line(MARGIN, MARGIN - 6, MARGIN + width, MARGIN - 6)
    pdf.set_y(MARGIN)
    pdf.style(10, colour=MUTED)
    pdf.line_of(_("Agenda des bassins d'aide et de soins"), 5)
    pdf.ln(10)
    pdf.style(24, bold=True, colour=ACCENT)
    pdf.line_of(_("Attestation de participation"), 11)
    pdf.ln(10)
    pdf.style(12)
    pdf.line_of(_("Nous attestons que"), 7)
    pdf.ln(2)
    pdf.style(18, bold=True)
    pdf.line_of(attestation.name or "-", 9)
    if attestation.organisation:
        pdf.style(12, colour=MUTED)
        pdf.line_of(attestation.organisation, 6)
    pdf.ln(4)
    pdf.style(12)
    pdf.line_of(
        _("a participé à la visite suivante :")
        if attestation.grand_bain_year
        else _("a participé à l'activité suivante :"),
        7,
    )
    pdf.ln(2)
    pdf.style(15, bold=True)
    pdf.line_of(attestation.title, 8)
    pdf.ln(6)
    label_width = 52
    for label, value in _facts(attestation):
        y = pdf.get_y()
        pdf.style(10, colour=MUTED)
        pdf.set_xy(MARGIN, y)
        pdf.block(label_width, 6, label)
        below_label = pdf.get_y()
        pdf.style(11)
        pdf.set_xy(MARGIN + label_width, y)
        pdf.block(width - label_width, 6, value)
        pdf.set_y(max(below_label, pdf.get_y()) + 2)
    url = absolute_url("attestations.verify", code=attestation.code)
    size = 34
    top = pdf.h - MARGIN - size - 12
    _qr_code(pdf, url, MARGIN, top, size)
    pdf.set_xy(MARGIN + size + 8, top + 2)
    beside = width - size - 8
    pdf.style(10, colour=MUTED)
    pdf.block(
        beside,
        5,
        _("Chacun peut vérifier cette attestation en lisant le code QR ou à l'adresse :"),
        new_x=XPos.LEFT,
    )
    pdf.style(10, colour=ACCENT)
    pdf.block(beside, 5, url, new_x=XPos.LEFT)
    pdf.set_xy(MARGIN + size + 8, pdf.get_y() + 2)
    pdf.style(11, bold=True)
    pdf.block(
        beside,
        6,
        _("Code de vérification : %(code)s", code=attestation.printed_code),
        new_x=XPos.LEFT,
    )
    pdf.set_xy(MARGIN, pdf.h - MARGIN - 6)
    pdf.style(9, colour=MUTED)
    pdf.line_of(_("Document établi le %(day)s.", day=format_date(issued_on, "long")), 5)


def _beyond_latin(text):
    try:
        (text or "").translate(SPELLED_OUT).encode("latin-1")
        return False
    except UnicodeEncodeError:
        return True


def needs_unicode_font(attestations):
    """Whether some text of `attestations` holds letters Helvetica cannot print."""
    return any(
        _beyond_latin(text)
        for a in attestations
        for text in (a.name, a.organisation, a.title, a.place, a.organiser, a.accreditation)
    )


def render(attestations, unicode_font=None):
    """One PDF holding a page per attestation, each in its person's language. Helvetica
    (small, fast) unless a text needs more letters and DejaVu Sans is on the machine;
    `unicode_font` forces the choice (tests)."""
    if unicode_font is None:
        unicode_font = needs_unicode_font(attestations) and unicode_fonts_available()
    pdf = _Document(unicode_font)
    issued_on = local_today()
    languages = {a.language for a in attestations}
    with force_locale(languages.pop() if len(languages) == 1 else "fr"):
        pdf.set_title(_("Attestation de participation"))
    for attestation in attestations:
        with force_locale(attestation.language):
            _page(pdf, attestation, issued_on)
    return bytes(pdf.output())
