"""The agenda by mail: subscriptions (double opt-in), the weekly or monthly digest, one-click
unsubscribe. Subscribers are personal data: kept only while subscribed, never shown."""

from webapp.digest import models  # noqa: F401,E402  (its table is part of the schema)
