"""Budgets of the sign-in and reset forms: counted in the rate limiter's store by
webapp/budgets.py (shared with the digest's subscribe form), which see the README."""

from webapp.budgets import spend, spent  # noqa: F401  (auth's views name them from here)
