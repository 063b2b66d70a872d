"""The explicit registry of inventory formats: every id has a sample it recognises."""

from __future__ import annotations

from pathlib import Path

import pytest

from canhgac.core.exceptions import ParseError
from canhgac.core.registry import DuplicatePluginError, Registry
from canhgac.inventory.importers.interface import InventoryParser
from canhgac.inventory.importers.registry import PARSERS, format_ids, parser_for
from canhgac.inventory.importers.spreadsheet import CsvParser

SAMPLES = Path(__file__).parent / "samples"
SAMPLE_OF = {
    "host-json": "host-windows-2019.json",
    "cyclonedx": "cyclonedx-min.xml",
    "spdx": "spdx-min.spdx",
    "nmap": "nmap-min.xml",
    "csv": "inventory-assets.csv",
}


def test_every_format_has_a_sample_recognised_automatically(tmp_path: Path) -> None:
    assert set(PARSERS.ids()) == {*SAMPLE_OF, "xlsx"}
    for format_id, name in SAMPLE_OF.items():
        assert parser_for(SAMPLES / name, source=name).id == format_id
    from canhgac.inventory.importers.template import write_template

    workbook = write_template(tmp_path)[0]
    assert parser_for(workbook, source=workbook.name).id == "xlsx"
    assert format_ids()[0] == "auto"


def test_unknown_content_and_unknown_format_are_refused(tmp_path: Path) -> None:
    odd = tmp_path / "notes.txt"
    odd.write_text("hello", encoding="utf-8")
    with pytest.raises(ParseError, match="not in any inventory format canhgac reads"):
        parser_for(odd, source="notes.txt")
    with pytest.raises(ParseError, match="unknown format 'pdf'"):
        parser_for(odd, source="notes.txt", format_id="pdf")


def test_forced_format_reports_the_mismatch() -> None:
    parser = parser_for(SAMPLES / "cyclonedx-min.xml", source="x.xml", format_id="nmap")
    with pytest.raises(ParseError):
        parser.parse(SAMPLES / "cyclonedx-min.xml", source="x.xml")


def test_duplicate_ids_fail_loudly() -> None:
    with pytest.raises(DuplicatePluginError, match="'csv'"):
        Registry[InventoryParser]("test", [CsvParser, CsvParser])
