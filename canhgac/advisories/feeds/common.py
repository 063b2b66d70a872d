"""Helpers shared by the advisory feed parsers: located problems, dates, gzip, JSON types."""

from __future__ import annotations

import re
import zlib
from datetime import UTC, date, datetime
from typing import Protocol

from canhgac.core.exceptions import ParseError, Problem, SourceLocation, ValidationError

GZIP_MAGIC = b"\x1f\x8b"
MAX_PROBLEMS = 100
CVE_ID = re.compile(r"CVE-\d{4}-\d{4,}", re.IGNORECASE)


def gunzip_head(head: bytes) -> bytes:
    """The first decompressed bytes of a gzip `head` (itself possibly cut short), else `head`."""
    if not head.startswith(GZIP_MAGIC):
        return head
    try:
        return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, 65536)
    except zlib.error:
        return b""


class Readable(Protocol):
    def read(self, size: int, /) -> bytes: ...


class Problems:
    """What is wrong in one file: errors (the file is refused) and warnings (kept), located."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.errors: list[Problem] = []
        self.warnings: list[Problem] = []

    def add(self, message: str, field: str | None, line: int | None = None) -> None:
        self.errors.append(Problem(message, SourceLocation(self.source, line, field)))
        if len(self.errors) >= MAX_PROBLEMS:
            raise ValidationError(
                f"{self.source}: {MAX_PROBLEMS} problems; stopped reading", problems=self.errors
            )

    def warn(self, message: str, field: str | None, line: int | None = None) -> None:
        self.warnings.append(Problem(message, SourceLocation(self.source, line, field)))

    def raise_if_any(self) -> None:
        if len(self.errors) == 1 and self.errors[0].location is not None:
            raise ParseError(self.errors[0].message, source=self.errors[0].location)
        if self.errors:
            raise ValidationError(
                f"{self.source}: {len(self.errors)} problems", problems=self.errors
            )


def nvd_datetime(text: str) -> datetime:
    """NVD writes UTC times without a zone ('2022-04-01T23:15:13.870'); ValueError if not one."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}T[0-9:.]+(Z|[+-]\d{2}:?\d{2})?", text):
        raise ValueError(text)
    moment = datetime.fromisoformat(text)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def iso_date(text: str) -> date:
    """A 'YYYY-MM-DD' date; ValueError otherwise."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        raise ValueError(text)
    return date.fromisoformat(text)
