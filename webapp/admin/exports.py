"""The back office's downloads: a spreadsheet as an HTTP answer with a safe file name.

The cells themselves (CSV for fr-BE, typed XLSX, nothing runs as a formula) are
`webapp.spreadsheets`'s, the one place every export goes through.
"""

import re
import unicodedata

from flask import Response

from webapp.spreadsheets import csv_bytes, spreadsheet, xlsx_bytes

__all__ = ["csv_bytes", "xlsx_bytes", "download", "download_name"]


def download(kind, title, headers, rows, filename):
    """The export of kind "csv" or "xlsx" as an attachment named `filename`."""
    body, content_type = spreadsheet(kind, title, headers, rows)
    return Response(
        body,
        content_type=content_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def download_name(prefix, title, extension):
    """An ASCII file name without quotes or line breaks, whatever the title holds."""
    folded = unicodedata.normalize("NFKD", title or "")
    ascii_title = folded.encode("ascii", "ignore").decode("ascii").lower()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title).strip("-")[:60].strip("-")
    return f"{prefix}-{slug}.{extension}" if slug else f"{prefix}.{extension}"
