"""Static files under versioned URLs: the version follows the file's content."""

import hashlib
import re
from pathlib import Path

from webapp import static_urls


def version_of(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[: static_urls.VERSION_LENGTH]


def test_pages_link_their_stylesheet_with_the_files_version(client, territory):
    html = client.get("/").get_data(as_text=True)
    href = re.search(r'href="(/static/css/site\.css\?v=([0-9a-f]+))"', html)
    assert href, "the stylesheet link carries no version"
    assert href.group(2) == version_of(Path(client.application.static_folder) / "css/site.css")
    response = client.get(href.group(1))
    assert response.status_code == 200 and b".admin-table" in response.data


def test_the_version_changes_with_the_content_and_a_missing_file_has_none(tmp_path):
    known = {}
    style = tmp_path / "style.css"
    style.write_text("body { color: black; }")
    first = static_urls.fingerprint(tmp_path, "style.css", known)
    style.write_text("body { color: navy; }  /* longer */")
    second = static_urls.fingerprint(tmp_path, "style.css", known)
    assert first and second and first != second
    assert second == version_of(style)
    assert static_urls.fingerprint(tmp_path, "missing.css", known) is None
    assert static_urls.fingerprint(tmp_path, "../outside.css", known) is None
