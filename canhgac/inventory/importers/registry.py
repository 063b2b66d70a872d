"""The inventory formats, listed explicitly (a duplicate id fails at import time)."""

from __future__ import annotations

from pathlib import Path

from canhgac.core.registry import AUTO, Registry, plugin_for_file
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


def format_ids() -> list[str]:
    return [AUTO, *PARSERS.ids()]


def parser_for(path: Path, *, source: str, format_id: str = AUTO) -> InventoryParser:
    """The parser for `format_id`, or (auto) the first one that recognises the file."""
    parser: InventoryParser = plugin_for_file(PARSERS, path, source=source, format_id=format_id)
    return parser
