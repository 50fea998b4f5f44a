"""Static files under versioned URLs: `url_for('static', filename=...)` adds `v=` (the first
characters of the file's SHA-256), so a deploy that changes a stylesheet changes its URL and
browsers fetch it at once, while nginx may keep each version a year (deploy/nginx)."""

import hashlib
from pathlib import Path

VERSION_LENGTH = 12


def init_app(app):
    fingerprints = {}

    @app.url_defaults
    def version_static_files(endpoint, values):
        if endpoint != "static" or "filename" not in values or "v" in values:
            return
        version = fingerprint(Path(app.static_folder), values["filename"], fingerprints)
        if version:
            values["v"] = version


def fingerprint(folder, filename, known):
    """The file's version, recomputed when its size or time changes; None if it is missing
    (or outside the folder: the static view refuses those anyway)."""
    path = (folder / filename).resolve()
    if not path.is_relative_to(folder.resolve()) or not path.is_file():
        return None
    stat = path.stat()
    key = (path, stat.st_mtime_ns, stat.st_size)
    if key not in known:
        known[key] = hashlib.sha256(path.read_bytes()).hexdigest()[:VERSION_LENGTH]
    return known[key]
