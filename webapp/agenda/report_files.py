"""A report's presentation file: what the report keeps of an upload (webapp/uploads.py holds
the bytes), the file's name as served, and the files no report names any more.

The name shown in Content-Disposition is the uploaded one, cut to one safe line: no path
(a browser may send `C:\\Users\\…\\support.pdf`), no control or invisible characters, no
quotes, at most 200 characters, ending in `.pdf`.
"""

import unicodedata

from flask import abort, send_file
from sqlalchemy import select

from webapp import uploads
from webapp.agenda.reports import Report
from webapp.extensions import db

NAME_MAX_LENGTH = 200


def clean_name(name):
    """A file name to show and to send back in Content-Disposition."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(
        c
        for c in unicodedata.normalize("NFC", name)
        if unicodedata.category(c)[0] not in ("C", "Z") or c == " "
    )
    name = name.replace('"', "").replace(";", "").strip(" .") or "presentation"
    if not name.lower().endswith(".pdf"):
        name = f"{name}.pdf"
    if len(name) > NAME_MAX_LENGTH:
        name = name[: NAME_MAX_LENGTH - 4] + ".pdf"
    return name


def named_digests():
    """The digests of every report's presentation (drafts too)."""
    return set(
        db.session.scalars(
            select(Report.presentation_file).where(Report.presentation_file.is_not(None))
        )
    )


def remove_unless_named(digest):
    """Delete a presentation's file once no report names it (after the unit of work that
    took it from its report has committed: a rolled-back change still finds its file)."""
    if digest and digest not in named_digests():
        uploads.remove(digest)


def sweep(now=None):
    """Delete the files no report names (uploads of forms never saved, reports deleted
    with their event); the digests deleted."""
    return uploads.sweep(named_digests(), now=now)


def presentation_response(report, public=True):
    """The report's PDF: application/pdf, shown inline under its uploaded name (Content-
    Disposition, RFC 6266 with filename* for accents), never sniffed as anything else."""
    path = uploads.path_of(report.presentation_file)
    if path is None:
        abort(404)
    response = send_file(
        path,
        mimetype="application/pdf",
        as_attachment=False,
        download_name=report.presentation_file_name or "presentation.pdf",
        conditional=True,
        etag=report.presentation_file,
        max_age=3600 if public else None,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    if not public:
        response.headers["Cache-Control"] = "private, no-store"
    return response
