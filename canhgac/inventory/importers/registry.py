"""The inventory formats, listed explicitly (a duplicate id fails at import time)."""

from __future__ import annotations

from pathlib import Path

from canhgac.core.exceptions import ParseError, SourceLocation
from canhgac.core.registry import Registry
from canhgac.inventory.importers.cyclonedx import CycloneDxParser
from canhgac.inventory.importers.host_json import HostJsonParser
from canhgac.inventory.importers.interface import InventoryParser
from canhgac.inventory.importers.nmap import NmapParser
from canhgac.inventory.importers.spdx import SpdxParser
from canhgac.inventory.importers.spreadsheet import CsvParser, XlsxParser

# Order matters for `auto`: the first parser whose sniff() accepts the file wins.
PARSERS: Registry[InventoryParser] = Registry(
    "inventory format",
    [HostJsonParser, CycloneDxParser, SpdxParser, NmapParser, XlsxParser, CsvParser],
)
AUTO = "auto"
SNIFF_BYTES = 64 * 1024


def format_ids() -> list[str]:
    return [AUTO, *PARSERS.ids()]


def parser_for(path: Path, *, source: str, format_id: str = AUTO) -> InventoryParser:
    """The parser for `format_id`, or (auto) the first one that recognises the file."""
    if format_id != AUTO:
        if format_id not in PARSERS:
            raise ParseError(
                f"unknown format {format_id!r} (known: {', '.join(format_ids())})",
                source=SourceLocation(source),
            )
        return PARSERS.get(format_id)()
    try:
        with path.open("rb") as handle:
            head = handle.read(SNIFF_BYTES)
    except OSError as error:
        raise ParseError(
            f"cannot read the file: {error.strerror}", source=SourceLocation(source)
        ) from None
    for parser in PARSERS:
        if parser.sniff(head, source):
            return parser()
    raise ParseError(
        f"not a format canhgac reads; give the format explicitly (one of "
        f"{', '.join(PARSERS.ids())})",
        source=SourceLocation(source),
    )
