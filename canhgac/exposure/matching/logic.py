"""Three-valued truth for facts the inventory may not know (Kleene's strong logic).

A platform condition such as "JDK ≥ 9" is YES, NO or UNKNOWN for a host: UNKNOWN when the
inventory does not say which JDK runs there. Combining follows Kleene: NO wins an AND, YES wins
an OR, otherwise UNKNOWN stays.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable


class Tri(enum.Enum):
    NO = 0
    UNKNOWN = 1
    YES = 2

    def __invert__(self) -> Tri:
        return Tri(2 - self.value)

    @staticmethod
    def of(value: bool) -> Tri:
        return Tri.YES if value else Tri.NO


def all_of(values: Iterable[Tri]) -> Tri:
    """Kleene AND (YES for no values)."""
    return Tri(min((value.value for value in values), default=Tri.YES.value))


def any_of(values: Iterable[Tri]) -> Tri:
    """Kleene OR (NO for no values)."""
    return Tri(max((value.value for value in values), default=Tri.NO.value))
