"""The advisory file formats, listed explicitly (a duplicate id fails at import time)."""

from __future__ import annotations

from pathlib import Path

from canhgac.advisories.feeds.csaf import CsafParser
from canhgac.advisories.feeds.epss import EpssParser
from canhgac.advisories.feeds.interface import AdvisoryParser
from canhgac.advisories.feeds.kev import KevCsvParser, KevJsonParser
from canhgac.advisories.feeds.msrc import MsrcCvrfParser
from canhgac.advisories.feeds.msrc_csaf import MsrcCsafParser
from canhgac.advisories.feeds.nvd import NvdParser
from canhgac.advisories.feeds.nvd_cpe import NvdCpeParser
from canhgac.advisories.feeds.osv import OsvParser
from canhgac.advisories.feeds.warning import WarningYamlParser
from canhgac.advisories.feeds.windows_kb import WindowsKbMapParser, WindowsVersionsParser
from canhgac.core.registry import AUTO, Registry, plugin_for_file

# Order matters for `auto`: the first parser whose sniff() accepts the file wins.
PARSERS: Registry[AdvisoryParser] = Registry(
    "advisory format",
    [
        NvdParser,
        NvdCpeParser,
        KevJsonParser,
        KevCsvParser,
        EpssParser,
        MsrcCvrfParser,
        MsrcCsafParser,
        CsafParser,
        OsvParser,
        WindowsKbMapParser,
        WindowsVersionsParser,
        WarningYamlParser,
    ],
)


def parser_for(path: Path, *, source: str, format_id: str = AUTO) -> AdvisoryParser:
    """The parser for `format_id`, or (auto) the first one that recognises the file."""
    parser: AdvisoryParser = plugin_for_file(PARSERS, path, source=source, format_id=format_id)
    return parser
