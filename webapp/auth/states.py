"""Staff roles."""

from enum import StrEnum


class AccountRole(StrEnum):
    ADMIN = "admin"  # the five bassins
    BASSIN = "bassin"  # the events of the bassins on the account (and those shared with them)
    SERVICE = "service"  # its organisation's submissions (and, later, Grand Bain offers)
