"""Small helpers over sequences used by the bulk writers."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")


def chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    """`items` in slices of at most `size` (to keep SQL `IN (...)` lists and batches bounded)."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
