"""Links of the *Ajouter à mon agenda* block: webcal, https, Google Calendar, Outlook."""

from urllib.parse import quote, urlencode

from flask import current_app, url_for


def subscription_links(endpoint, name, **values):
    """The ways to subscribe to one feed, as absolute URLs."""
    values = {k: v for k, v in values.items() if v}
    https = current_app.config["BASE_URL"] + url_for(endpoint, **values)
    webcal = "webcal://" + https.split("://", 1)[1]
    return {
        "https": https,
        "webcal": webcal,
        "google": "https://calendar.google.com/calendar/render?" + urlencode({"cid": webcal}),
        "outlook": "https://outlook.live.com/calendar/0/addfromweb?"
        + urlencode({"url": https, "name": str(name)}, quote_via=quote),
        "outlook365": "https://outlook.office.com/calendar/0/addfromweb?"
        + urlencode({"url": https, "name": str(name)}, quote_via=quote),
    }


def embed_url(bassin_slug, **filters):
    values = {k: v for k, v in filters.items() if v}
    return current_app.config["BASE_URL"] + url_for(
        "api.embed_bassin", bassin=bassin_slug, **values
    )


def init_app(app):
    app.jinja_env.globals.update(subscription_links=subscription_links, embed_url=embed_url)
