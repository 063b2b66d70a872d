"""The parser interface every inventory format implements."""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path
from typing import ClassVar

from canhgac.inventory.importers.records import InventoryBatch


class InventoryParser(ABC):
    """A pure parser: bytes in, `InventoryBatch` out, or a located `ParseError`/`ValidationError`.

    Parsers never touch the database. They raise `canhgac.core.exceptions.ParseError` (one
    problem) or `ValidationError` (several, each with a `SourceLocation(path, line, field)`,
    where `line` is the row or XML line and `field` the column, element or JSON path).
    """

    id: ClassVar[str]  # "cyclonedx", "spdx", "nmap", "host-json", "csv", "xlsx"
    display_name: ClassVar[str]
    extensions: ClassVar[tuple[str, ...]]  # lower-case, with the dot: (".json", ".xml")

    @classmethod
    @abstractmethod
    def sniff(cls, head: bytes, name: str) -> bool:
        """Whether a file starting with `head` (its first 64 KiB) and named `name` is ours."""

    @abstractmethod
    def parse(self, path: Path, *, source: str) -> InventoryBatch:
        """Parse the whole file at `path`; `source` is the name to use in errors."""
