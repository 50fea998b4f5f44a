"""French by default, Dutch on request (?lang=nl, remembered) or from the browser."""

import re

import pytest


@pytest.fixture
def event(make_event):
    return make_event(
        title="Concertation santé mentale #2", title_nl="Overleg geestelijke gezondheid #2"
    )


def test_french_is_the_default(client, event):
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="fr">' in page and "Tout l" in page and "Volledige agenda" not in page


def test_lang_nl_switches_and_is_remembered_in_the_session(client, event):
    page = client.get("/?lang=nl").get_data(as_text=True)
    assert '<html lang="nl">' in page and "Volledige agenda" in page
    assert "Overleg geestelijke gezondheid #2" in page
    again = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert '<html lang="nl">' in again and "Overleg geestelijke gezondheid #2" in again
    back = client.get("/?lang=fr").get_data(as_text=True)
    assert '<html lang="fr">' in back


def test_accept_language_is_honoured(client, event):
    page = client.get("/", headers={"Accept-Language": "nl-BE,nl;q=0.9,fr;q=0.5"}).get_data(
        as_text=True
    )
    assert '<html lang="nl">' in page


def test_an_unknown_language_falls_back_to_french(client, event):
    page = client.get("/?lang=de", headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert '<html lang="fr">' in page


def test_dutch_falls_back_to_french_where_no_translation_exists(client, make_event):
    event = make_event(title="Formation syndrome de Diogène")
    page = client.get(f"/events/{event.id}?lang=nl").get_data(as_text=True)
    assert "Formation syndrome de Diogène" in page


def test_dates_are_written_in_the_page_language(client, make_event):
    from tests.factories import local

    event = make_event(start=local(2030, 3, 18, 13))
    assert "lundi 18 mars 2030" in client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "maandag 18 maart 2030" in client.get(f"/events/{event.id}?lang=nl").get_data(
        as_text=True
    )


@pytest.mark.parametrize("path", ["/", "/archive/", "/bassins/sud/", "/privacy", "/nope"])
def test_every_page_has_the_language_switch(client, event, path):
    page = client.get(path).get_data(as_text=True)
    assert 'hreflang="nl"' in page and "lang=nl" in page


def test_a_french_fallback_on_a_dutch_page_is_marked_for_screen_readers(app, make_event):
    from flask_babel import force_locale

    from webapp.i18n import fallback_language, lang_attr

    only_french = make_event(title="Formation Diogène", description_fr="Inscription requise.")
    both = make_event(title="Overleg", title_nl="Overleg NL", description_fr="Texte")
    with app.test_request_context("/?lang=nl"), force_locale("nl"):
        assert fallback_language(only_french, "title") == "fr"
        assert str(lang_attr(only_french, "description")) == ' lang="fr"'
        assert fallback_language(both, "title") is None
        assert str(lang_attr(both, "title")) == ""
    with app.test_request_context("/"), force_locale("fr"):
        assert fallback_language(only_french, "title") is None


def test_every_string_of_the_code_and_templates_has_its_dutch_translation(tmp_path):
    """What a Dutch speaker reads is never French by oversight: every string extracted with
    the project's own babel.cfg (templates with jinja2.ext.do included) is translated."""
    import subprocess
    import sys
    from pathlib import Path

    from babel.messages.pofile import read_po

    root = Path(__file__).resolve().parent.parent
    template = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "-o",
            str(template),
            ".",
        ],
        cwd=root,
        check=True,
        capture_output=True,
    )
    with template.open("rb") as handle:
        extracted = read_po(handle)
    with (root / "translations/nl/LC_MESSAGES/messages.po").open("rb") as handle:
        dutch = read_po(handle)
    missing = [
        message.id
        for message in extracted
        if message.id
        and (
            dutch.get(message.id) is None
            or not dutch.get(message.id).string
            or dutch.get(message.id).fuzzy
        )
    ]
    assert missing == []


def test_a_dutch_page_marks_french_only_texts_and_not_the_dutch_ones(client, make_event):
    only_french = make_event(title="Formation Diogène", description_fr="Texte en français.")
    page = client.get(f"/events/{only_french.id}?lang=nl").get_data(as_text=True)
    assert '<span lang="fr">Formation Diogène</span>' in page
    assert '<div lang="fr"><p>Texte en français.</p></div>' in page
    translated = make_event(title="Overleg", title_nl="Overleg NL", description_fr="Texte")
    page = client.get(f"/events/{translated.id}?lang=nl").get_data(as_text=True)
    assert '<span lang="fr">Overleg NL</span>' not in page and "<span>Overleg NL</span>" in page
    listing = client.get("/?lang=nl").get_data(as_text=True)
    assert 'lang="fr">Formation Diogène</a>' in listing


def test_links_in_a_dutch_mail_carry_lang_nl(make_event):
    from sqlalchemy import select

    from tests.edge import rules
    from webapp.extensions import db
    from webapp.mail.models import OutboxMessage

    event = make_event(capacity=5)
    person = {"first_name": "Els", "last_name": "Peeters", "email": "els@example.org"}
    rules.register(event.id, person, language="nl")
    message = db.session.scalars(select(OutboxMessage)).one()
    links = re.findall(r"https?://\S+", message.body_text)
    assert links and all(link.endswith("?lang=nl") for link in links)
    assert f"/events/{event.id}?lang=nl" in message.ics
