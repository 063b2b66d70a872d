"""Three-valued truth for facts the inventory may not know (Kleene's strong logic).

A platform condition such as "JDK ≥ 9" is YES, NO or UNKNOWN for a host: UNKNOWN when the
inventory does not say which JDK runs there. Combining follows Kleene: NO wins an AND, YES wins
an OR, otherwise UNKNOWN stays.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable


class Tri(enum.IntEnum):
    """Ordered NO < UNKNOWN < YES, so that Kleene AND is `min` and OR is `max` (an IntEnum:
    the matcher's hot path compares these millions of times)."""

    NO = 0
    UNKNOWN = 1
    YES = 2

    def __invert__(self) -> Tri:  # Kleene NOT, not bitwise
        return _NOT[self]

    @staticmethod
    def of(value: bool) -> Tri:
        return Tri.YES if value else Tri.NO


_NOT = {Tri.NO: Tri.YES, Tri.UNKNOWN: Tri.UNKNOWN, Tri.YES: Tri.NO}


def all_of(values: Iterable[Tri]) -> Tri:
    """Kleene AND (YES for no values)."""
    return min(values, default=Tri.YES)


def any_of(values: Iterable[Tri]) -> Tri:
    """Kleene OR (NO for no values)."""
    return max(values, default=Tri.NO)
