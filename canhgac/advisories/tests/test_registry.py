"""The explicit registry of advisory formats: every id has a sample it recognises."""

from __future__ import annotations

from pathlib import Path

import pytest

from canhgac.advisories.feeds.registry import PARSERS, parser_for
from canhgac.core.exceptions import ParseError

SAMPLES = Path(__file__).parent / "samples"
SAMPLE_OF = {
    "nvd": "nvd-page-min.json",
    "nvd-cpe": "nvd-cpe-min.json",
    "kev": "kev-min.json",
    "kev-csv": "kev-min.csv",
    "epss": "epss-min.csv.gz",
    "msrc-cvrf": "msrc-cvrf-min.xml",
    "msrc-csaf": "msrc-csaf-min.json",
    "csaf": "csaf-min.json",
    "osv": "osv-min.json",
    "windows-kb-map": "windows-kb-map-min.json",
    "windows-versions": "windows-versions-min.json",
    "warning": "warning-min.yaml",
}


@pytest.mark.parametrize(("format_id", "name"), SAMPLE_OF.items())
def test_every_format_is_recognised_from_its_sample(format_id: str, name: str) -> None:
    assert parser_for(SAMPLES / name, source=name).id == format_id
    batch = parser_for(SAMPLES / name, source=name).parse(SAMPLES / name, source=name)
    assert batch.source_format == format_id


def test_registry_lists_exactly_the_sampled_formats() -> None:
    assert set(PARSERS.ids()) == set(SAMPLE_OF)


def test_unknown_file_is_refused(tmp_path: Path) -> None:
    odd = tmp_path / "odd.txt"
    odd.write_text("nothing", encoding="utf-8")
    with pytest.raises(ParseError, match="not in any advisory format canhgac reads"):
        parser_for(odd, source="odd.txt")


def test_real_nvd_record_is_recognised(samples_dir: Path) -> None:
    path = samples_dir / "advisories" / "nvd" / "CVE-2022-26809.json"
    assert parser_for(path, source=path.name).id == "nvd"
