"""Lists written as CSV (Excel set to Belgian French) and XLSX, safe to open in a spreadsheet.

Whatever a person typed may start with `=`, `+`, `-`, `@`, a tab or a carriage return, which a
spreadsheet would run as a formula (CSV injection): such a cell gets a leading quote, as OWASP
advises. Every text cell goes through `neutralised`, headers included (question labels are
typed too); numbers stay numbers.
"""

import csv
import io
import re
import unicodedata

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from webapp.spreadsheets import as_text_cell


def neutralised(value):
    """A cell's value: numbers as they are, text that cannot run as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)):
        return value
    return as_text_cell(value)


def csv_bytes(headers, rows):
    """UTF-8 with a BOM and `;` between cells: what Excel in Belgian French opens as columns."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([neutralised(h) for h in headers])
    for row in rows:
        writer.writerow([neutralised(cell) for cell in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(title, headers, rows):
    """One sheet; every cell a text or a number, never a formula."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_sheet_title(title))
    sheet.append([_xlsx_cell(h) for h in headers])
    for row in rows:
        sheet.append([_xlsx_cell(cell) for cell in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _xlsx_cell(value):
    value = neutralised(value)
    if isinstance(value, str):
        # XML 1.0 has no place for most control characters: openpyxl would refuse them.
        return ILLEGAL_CHARACTERS_RE.sub(" ", value)
    return value


def _sheet_title(title):
    # A sheet title holds at most 31 characters and none of []:*?/\ .
    return re.sub(r"[\[\]:*?/\\]", " ", title)[:31].strip() or "Liste"


def download_name(prefix, title, extension):
    """An ASCII file name without quotes or line breaks, whatever the title holds."""
    folded = unicodedata.normalize("NFKD", title or "")
    ascii_title = folded.encode("ascii", "ignore").decode("ascii").lower()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title).strip("-")[:60].strip("-")
    return f"{prefix}-{slug}.{extension}" if slug else f"{prefix}.{extension}"
