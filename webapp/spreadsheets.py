"""Every export's cells in one place: CSV as a Belgian-French spreadsheet reads it, and XLSX
with typed cells. Nothing a person wrote ever runs as a formula.

- CSV (UTF-8 with a BOM, `;` between cells, CRLF): a text that starts with what Excel or
  LibreOffice would read as a formula gets a leading quote (OWASP's advice for CSV
  injection); decimals take a comma (`16,3`), as fr-BE reads them; dates are ISO
  (`2027-03-23`, `2027-03-23 13:00`), which both programs read as dates in any language.
- XLSX: numbers are number cells, dates date cells, text string cells. A string cell is text
  by its type, so a text that looks like a formula needs no visible apostrophe. The header
  row is frozen.
- Labels, not codes: True/False are written Oui/Non (Ja/Nee), the caller gives sector and
  status labels.

A row is a list of Python values: None (empty), bool, int, float, Decimal, date, datetime
(aware ones are shown in Brussels time), or text.
"""

import csv
import io
import re
from datetime import date, datetime
from decimal import Decimal

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from webapp.timezones import to_local

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_FORMAT = "DD/MM/YYYY"
DATETIME_FORMAT = "DD/MM/YYYY HH:MM"


def as_text_cell(value):
    """The value as a CSV text that never runs as a formula (None: an empty cell)."""
    value = "" if value is None else str(value)
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def yes_no(value):
    """Oui / Non (Ja / Nee) for a truth, empty for None (not known)."""
    return None if value is None else (_("Oui") if value else _("Non"))


def _local(value):
    """A datetime as Brussels wall time without a zone (a spreadsheet has none)."""
    if value.tzinfo is not None:
        value = to_local(value).replace(tzinfo=None)
    return value.replace(second=0, microsecond=0)


def _decimal_text(value):
    text = format(Decimal(str(value)).normalize(), "f")
    return text.replace(".", ",")


def csv_cell(value):
    """One CSV cell as fr-BE reads it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (float, Decimal)):
        return _decimal_text(value)
    if isinstance(value, datetime):
        return _local(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return as_text_cell(value)


def csv_bytes(headers, rows):
    """UTF-8 with a BOM and `;` between cells: what Excel and Calc in fr-BE open as columns."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([csv_cell(h) for h in headers])
    for row in rows:
        writer.writerow([csv_cell(cell) for cell in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(title, headers, rows):
    """One sheet named `title`, typed cells, the header row frozen and in bold."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title(title)
    widths = {}
    for line in [headers, *rows]:
        sheet.append([_xlsx_value(value) for value in line])
        for cell, value in zip(sheet[sheet.max_row], line, strict=False):
            _type(cell, value)
            widths[cell.column_letter] = max(widths.get(cell.column_letter, 0), _width(value))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for letter, width in widths.items():
        sheet.column_dimensions[letter].width = min(max(width + 2, 8), 60)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _xlsx_value(value):
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, (int, float, Decimal)) or value is None:
        return value
    if value == "":
        return None
    if isinstance(value, datetime):
        return _local(value)
    if isinstance(value, date):
        return value
    # XML 1.0 has no place for most control characters: openpyxl would refuse them.
    return ILLEGAL_CHARACTERS_RE.sub(" ", str(value))


def _type(cell, value):
    """Text is a string cell whatever it starts with (openpyxl would take `=...` as a
    formula); dates get a format a fr-BE reader knows."""
    if isinstance(value, datetime):
        cell.number_format = DATETIME_FORMAT
    elif isinstance(value, date):
        cell.number_format = DATE_FORMAT
    elif isinstance(cell.value, str):
        cell.data_type = "s"


def _width(value):
    if isinstance(value, (date, datetime)):
        return 16
    return len(str(value)) if value is not None else 0


def sheet_title(title):
    """A sheet title holds at most 31 characters and none of []:*?/\\ ."""
    return re.sub(r"[\[\]:*?/\\]", " ", title or "")[:31].strip() or "Liste"


def spreadsheet(kind, title, headers, rows):
    """(body, content type) of an export, "csv" or "xlsx"."""
    if kind == "csv":
        return csv_bytes(headers, rows), CSV_CONTENT_TYPE
    return xlsx_bytes(title, headers, rows), XLSX_CONTENT_TYPE
