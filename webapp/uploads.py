"""Files staff upload, kept outside the database: a report's presentation (a PDF).

A file is stored once per content, under UPLOAD_DIR, named by the SHA-256 of its bytes
(`ab/abcdef…64 hex….pdf`): a name nobody types, that says nothing of the uploader, and that
the same slides uploaded twice share. Rows hold the digest; this module turns a digest into
a path only when it is 64 lowercase hex digits, so no value from a request can name a path
of its own (no `..`, no slash). A file is written to a temporary name in the same directory
and renamed into place: a reader never sees half a file.

What arrives is checked for what it says it is: a PDF starts with `%PDF-` (its magic bytes;
the name and the browser's Content-Type prove nothing) and weighs at most MAX_PDF_BYTES.
Files are removed when no row names them any more (`remove_unless_named`, `sweep`).
"""

import hashlib
import os
import re
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

MAX_PDF_BYTES = 20 * 1024 * 1024
PDF_MAGIC = b"%PDF-"
# A file uploaded with a form refused for another field waits for the form to come back;
# unnamed by any row after this long, it goes (sweep).
PENDING_SECONDS = 24 * 3600
CHUNK = 1024 * 1024
_DIGEST = re.compile(r"[0-9a-f]{64}")


# The request body a form with an upload may carry (the file and the form's text), where
# every other request keeps MAX_CONTENT_LENGTH (1 MB); nginx allows 25 MB on those URLs.
UPLOAD_REQUEST_LIMIT = 24 * 1024 * 1024


def takes_upload(view):
    """Mark a view whose form carries a file: its requests may weigh UPLOAD_REQUEST_LIMIT
    (webapp.hygiene.CleanRequest reads the mark before the body is parsed)."""
    view.max_request_bytes = UPLOAD_REQUEST_LIMIT
    return view


class UploadRefused(Exception):
    """The file is not kept: `reason` is "empty", "too-big" or "not-pdf"."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Stored:
    digest: str
    size: int


def upload_dir():
    return Path(current_app.config["UPLOAD_DIR"])


def is_digest(value):
    return isinstance(value, str) and _DIGEST.fullmatch(value) is not None


def path_of(digest):
    """The file of a digest, or None when the value is no digest or nothing is stored."""
    if not is_digest(digest):
        return None
    path = upload_dir() / digest[:2] / f"{digest}.pdf"
    return path if path.is_file() else None


def store_pdf(stream, limit=MAX_PDF_BYTES):
    """Keep the PDF read from `stream` (a file object); its Stored digest and size.
    Reads at most `limit` + 1 bytes: a bigger file is refused without being read whole."""
    folder = upload_dir()
    folder.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".upload-", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            first = stream.read(len(PDF_MAGIC))
            if not first:
                raise UploadRefused("empty")
            if first != PDF_MAGIC:
                raise UploadRefused("not-pdf")
            chunk = first
            while chunk:
                size += len(chunk)
                if size > limit:
                    raise UploadRefused("too-big")
                digest.update(chunk)
                out.write(chunk)
                chunk = stream.read(min(CHUNK, limit + 1 - size))
        name = digest.hexdigest()
        final = folder / name[:2] / f"{name}.pdf"
        final.parent.mkdir(exist_ok=True)
        os.replace(temporary, final)
        return Stored(name, size)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def remove(digest):
    """Delete the file of a digest (nothing when there is none)."""
    path = path_of(digest)
    if path is not None:
        path.unlink(missing_ok=True)


def sweep(named, now=None, pending_seconds=PENDING_SECONDS):
    """Delete the stored files no row names (`named`: the digests rows hold) once older than
    `pending_seconds`, and temporary files left by a crash; the digests deleted."""
    now = now or time.time()
    folder = upload_dir()
    if not folder.is_dir():
        return []
    removed = []
    for path in folder.glob("*/*.pdf"):
        digest = path.stem
        if (
            is_digest(digest)
            and digest not in named
            and now - path.stat().st_mtime > pending_seconds
        ):
            path.unlink(missing_ok=True)
            removed.append(digest)
    for path in folder.glob(".upload-*.part"):
        if now - path.stat().st_mtime > pending_seconds:
            path.unlink(missing_ok=True)
    return removed
