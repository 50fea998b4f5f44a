"""Budgets counted in the rate limiter's store (Redis when several instances run, so every
instance sees the same count), for the forms that must answer the same page whatever
happens: the sign-in and reset forms (auth/throttle.py), the digest's subscribe form.

Nothing here refuses a request: the views decide what a spent budget means (a sign-in
attempt that waits, a mail not sent). Without a limiter (RATELIMIT_ENABLED off) no budget
is ever spent. The budgets themselves are constants of webapp/limits.py.
"""

from limits import parse

from webapp.extensions import limiter


def _counting():
    return limiter.enabled and limiter.initialized


def spent(budget, *key):
    """Whether `budget` (a string of webapp.limits) is used up under `key` (counts nothing)."""
    if not _counting():
        return False
    return not limiter.limiter.test(parse(budget), *key)


def spend(budget, *key):
    """Count one use of `budget` under `key`."""
    if _counting():
        limiter.limiter.hit(parse(budget), *key)
