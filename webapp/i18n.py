"""Language choice: ?lang= (remembered in the session), then Accept-Language, then French."""

from flask import current_app, g, has_request_context, request, session
from flask_babel import get_locale
from markupsafe import Markup

from webapp.extensions import babel


def select_locale():
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # commands and workers: French unless force_locale says
        return languages[0]
    asked = request.args.get("lang")
    if asked in languages:
        # Partner iframes and feeds must stay cookieless: only remember in ordinary pages.
        if not g.get("cookieless"):
            session["lang"] = asked
        return asked
    if session.get("lang") in languages:
        return session["lang"]
    return request.accept_languages.best_match(languages) or languages[0]


def fallback_language(obj, name, language=None):
    """The language `obj.localized(name)` is really written in, when it is not the page's.

    Dutch pages show French where no Dutch text exists: screen readers must be told, or
    they read French words with Dutch sounds. Returns None when the text is in `language`.
    """
    language = language or str(get_locale() or "fr")
    source = current_app.config["LANGUAGES"][0]
    if language == source or not getattr(obj, f"{name}_{source}", None):
        return None
    return None if getattr(obj, f"{name}_{language}", None) else source


def lang_attr(obj, name):
    """` lang="fr"` for an element holding a French fallback on a Dutch page, else nothing."""
    fallback = fallback_language(obj, name)
    return Markup(f' lang="{fallback}"') if fallback else Markup("")


def init_app(app):
    babel.init_app(app, locale_selector=select_locale)
    app.add_template_global(lang_attr)

    @app.context_processor
    def language_context():
        return {
            "current_language": str(get_locale() or "fr"),
            "languages": app.config["LANGUAGES"],
        }
