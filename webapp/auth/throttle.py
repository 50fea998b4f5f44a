"""Budgets of the sign-in and reset forms, counted in the rate limiter's store (Redis when
several instances run, so every instance sees the same count).

Nothing here refuses a request: the views decide what a spent budget means (a sign-in
attempt that waits, a reset mail not sent). Without a limiter (RATELIMIT_ENABLED off) no
budget is ever spent.
"""

from webapp.limits import spend, spent  # noqa: F401  (the budgets live with the limits)
