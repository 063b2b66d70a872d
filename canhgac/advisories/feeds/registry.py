"""The advisory file formats, listed explicitly (a duplicate id fails at import time)."""

from __future__ import annotations

from pathlib import Path

from canhgac.advisories.feeds.epss import EpssParser
from canhgac.advisories.feeds.interface import AdvisoryParser
from canhgac.advisories.feeds.kev import KevCsvParser, KevJsonParser
from canhgac.advisories.feeds.msrc import MsrcCvrfParser
from canhgac.advisories.feeds.msrc_csaf import MsrcCsafParser
from canhgac.advisories.feeds.nvd import NvdParser
from canhgac.advisories.feeds.warning import WarningYamlParser
from canhgac.core.exceptions import ParseError, SourceLocation
from canhgac.core.registry import Registry

# Order matters for `auto`: the first parser whose sniff() accepts the file wins.
PARSERS: Registry[AdvisoryParser] = Registry(
    "advisory format",
    [
        NvdParser,
        KevJsonParser,
        KevCsvParser,
        EpssParser,
        MsrcCvrfParser,
        MsrcCsafParser,
        WarningYamlParser,
    ],
)
AUTO = "auto"
SNIFF_BYTES = 64 * 1024


def parser_for(path: Path, *, source: str, format_id: str = AUTO) -> AdvisoryParser:
    """The parser for `format_id`, or (auto) the first one that recognises the file."""
    if format_id != AUTO:
        if format_id not in PARSERS:
            known = ", ".join([AUTO, *PARSERS.ids()])
            raise ParseError(
                f"unknown format {format_id!r} (known: {known})", source=SourceLocation(source)
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
        f"not an advisory format canhgac reads; give the format (one of "
        f"{', '.join(PARSERS.ids())})",
        source=SourceLocation(source),
    )
