"""Links of the *Ajouter à mon agenda* block: webcal, https, Google Calendar, Outlook."""

from urllib.parse import quote, urlencode

from webapp.urls import absolute_url


def subscription_links(endpoint, name, **values):
    """The ways to subscribe to one feed, as absolute URLs."""
    values = {k: v for k, v in values.items() if v}
    https = absolute_url(endpoint, **values)
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
    return absolute_url("api.embed_bassin", bassin=bassin_slug, **values)


def init_app(app):
    app.jinja_env.globals.update(subscription_links=subscription_links, embed_url=embed_url)
