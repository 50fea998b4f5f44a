"""The digest's controlled words."""

from enum import StrEnum


class Frequency(StrEnum):
    WEEKLY = "weekly"
    MONTHLY = "monthly"


class DigestLanguage(StrEnum):
    FR = "fr"
    NL = "nl"
