"""The parser interface every advisory format implements (files and API pages alike)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path
from typing import ClassVar

from canhgac.advisories.feeds.records import AdvisoryBatch


class AdvisoryParser(ABC):
    """A pure parser: a file in, an `AdvisoryBatch` out, or a located ParseError/ValidationError.

    Parsers stream (never hold a whole NVD year as one Python object tree when the format
    allows streaming), never touch the database, and raise only
    `canhgac.core.exceptions.ValidationError` (ParseError is a subclass) for bad input.
    """

    id: ClassVar[str]  # "nvd", "kev", "epss", "msrc-cvrf", ...
    display_name: ClassVar[str]
    extensions: ClassVar[tuple[str, ...]]

    @classmethod
    @abstractmethod
    def sniff(cls, head: bytes, name: str) -> bool:
        """Whether a file starting with `head` (first 64 KiB, maybe gzip-compressed bytes)
        and named `name` is ours."""

    @abstractmethod
    def parse(self, path: Path, *, source: str) -> AdvisoryBatch:
        """Parse the whole file at `path`; `source` is the name to use in errors."""
