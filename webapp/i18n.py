"""Language choice: ?lang= (remembered in the session), then Accept-Language, then French."""

from flask import current_app, g, has_request_context, request, session
from flask_babel import get_locale

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


def init_app(app):
    babel.init_app(app, locale_selector=select_locale)

    @app.context_processor
    def language_context():
        return {
            "current_language": str(get_locale() or "fr"),
            "languages": app.config["LANGUAGES"],
        }
