"""States as enums: each area declares its own StrEnum; this module makes their CHECKs.

A StrEnum member is its stored text ("published" == EventStatus.PUBLISHED), so stored values
and the JSON API do not change; code names states instead of spelling them.
"""

from enum import StrEnum

from sqlalchemy import CheckConstraint


def values_of(enum: type[StrEnum]) -> tuple[str, ...]:
    return tuple(member.value for member in enum)


def check_in(column: str, enum: type[StrEnum], name: str) -> CheckConstraint:
    """CHECK (column IN (...)) listing the enum's values, in declaration order."""
    listed = ", ".join(f"'{value}'" for value in values_of(enum))
    return CheckConstraint(f"{column} IN ({listed})", name=name)
