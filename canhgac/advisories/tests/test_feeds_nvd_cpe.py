"""The NVD Products (CPE) parser: the golden sample, deprecations merged from both directions,
resolve() over chains and cycles, gzip, every kind of bad input with its location, other formats
refused, mutations, streaming a large page, and format recognition."""

from __future__ import annotations

import gzip
import json
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import strategies as st

from canhgac.advisories.feeds import json_stream
from canhgac.advisories.feeds.nvd import NvdParser
from canhgac.advisories.feeds.nvd_cpe import NvdCpeParser, resolve
from canhgac.advisories.feeds.records import AdvisoryBatch, CpeRecord
from canhgac.advisories.feeds.registry import PARSERS
from canhgac.core.exceptions import ParseError, SourceLocation
from canhgac.core.golden import assert_matches_golden
from canhgac.core.tests.mutation import check_mutated, mutate_bytes, shuffle_json
from canhgac.core.tests.parsing import located, parse_error, rejected, write

SAMPLES = Path(__file__).parent / "samples"
SAMPLE = SAMPLES / "nvd-cpe-min.json"
WINDOWS_10 = "cpe:2.3:o:microsoft:windows_10:21h2:*:*:*:*:*:*:*"
WINDOWS_10_21H2 = "cpe:2.3:o:microsoft:windows_10_21h2:-:*:*:*:*:*:*:*"
OLD_APP = "cpe:2.3:a:example:old_app:1.0:*:*:*:*:*:*:*"
RENAMED_APP = "cpe:2.3:a:example:renamed_app:1.0:*:*:*:*:*:*:*"
CORP_APP = "cpe:2.3:a:example_corp:app:1.0:*:*:*:*:*:*:*"
TELERIK = "cpe:2.3:a:telerik:kendo_ui_for_vue:0.5.0:*:*:*:*:*:*:*"
PROGRESS = "cpe:2.3:a:progress:kendo_ui_for_vue:0.5.0:*:*:*:*:*:*:*"
WITHDRAWN = "cpe:2.3:a:example:withdrawn_tool:3.2:*:*:*:*:*:*:*"
SUITE = "cpe:2.3:a:example:suite:2.0:*:*:*:*:*:*:*"
SUITE_SERVER = "cpe:2.3:a:example:suite_server:2.0:*:*:*:*:*:*:*"
SUITE_CLIENT = "cpe:2.3:a:example:suite_client:2.0:*:*:*:*:*:*:*"
NAME_ID = "0F1E2D3C-4B5A-4968-8776-655443322103"


def parse(path: Path) -> AdvisoryBatch:
    return NvdCpeParser().parse(path, source=path.name)


def warnings_of(batch: AdvisoryBatch) -> list[str]:
    return [str(warning) for warning in batch.warnings]


def product(name: str = "cpe:2.3:a:example:app:1.0:*:*:*:*:*:*:*", **fields: Any) -> dict[str, Any]:
    """A small valid `{"cpe": …}` element; `fields` replace or (with None) remove keys."""
    cpe: dict[str, Any] = {
        "deprecated": False,
        "cpeName": name,
        "cpeNameId": NAME_ID,
        "lastModified": "2024-01-02T03:04:05.678",
        "created": "2023-01-02T03:04:05.678",
        "titles": [{"title": "Example App 1.0", "lang": "en"}],
    }
    for key, value in fields.items():
        if value is None:
            cpe.pop(key, None)
        else:
            cpe[key] = value
    return {"cpe": cpe}


def links(*names: str) -> list[dict[str, str]]:
    return [{"cpeName": name, "cpeNameId": NAME_ID} for name in names]


def page(*products: Any, **header: Any) -> str:
    document: dict[str, Any] = {
        "resultsPerPage": len(products),
        "startIndex": 0,
        "totalResults": len(products),
        "format": "NVD_CPE",
        "version": "2.0",
        "timestamp": "2025-01-01T00:00:00.000",
    }
    document.update(header)
    document["products"] = list(products)
    return json.dumps(document, indent=1)


def pairs(batch: AdvisoryBatch) -> list[tuple[str, tuple[str, ...]]]:
    return [(record.name, record.deprecated_by) for record in batch.cpes]


# --- the sample -----------------------------------------------------------------------------


def test_sample_matches_golden() -> None:
    batch = parse(SAMPLE)
    assert (batch.source_format, batch.source_name) == ("nvd-cpe", "nvd-cpe-min.json")
    assert_matches_golden(batch, SAMPLE)


def test_sample_keeps_only_deprecations_merged_from_both_directions() -> None:
    batch = parse(SAMPLE)
    assert (batch.catalog_version, batch.warnings) == ("2025-11-12T23:52:32.6906851", ())
    assert (batch.vulnerabilities, batch.kev, batch.epss) == ((), (), ())
    # log4j, windows_10_21h2, example_corp:app and progress:kendo are current: not kept.
    # windows_10:21h2 is named by its own deprecatedBy and by the successor's deprecates: once.
    assert pairs(batch) == [
        (WINDOWS_10, (WINDOWS_10_21H2,)),
        (OLD_APP, (RENAMED_APP,)),
        (RENAMED_APP, (CORP_APP,)),
        (TELERIK, (PROGRESS,)),  # only in progress:kendo's `deprecates`
        (WITHDRAWN, ()),
        (SUITE, (SUITE_SERVER, SUITE_CLIENT)),
    ]
    assert all(record.deprecated for record in batch.cpes)
    windows, old_app, _, telerik, _, _ = batch.cpes
    assert windows == CpeRecord(
        name=WINDOWS_10,
        location=SourceLocation("nvd-cpe-min.json", 30, "$.products[1].cpe"),
        deprecated=True,
        deprecated_by=(WINDOWS_10_21H2,),
        title="Microsoft Windows 10 21H2",  # the English title, not the first
        last_modified=datetime(2023, 11, 2, 14, 5, 51, 160000, tzinfo=UTC),
    )
    assert old_app.location == SourceLocation("nvd-cpe-min.json", 82, "$.products[3].cpe")
    assert telerik == CpeRecord(
        name=TELERIK,
        location=SourceLocation("nvd-cpe-min.json", 151, "$.products[6].cpe.deprecates[0]"),
        deprecated=True,
        deprecated_by=(PROGRESS,),
    )


def test_sample_resolves_to_current_names() -> None:
    deprecations = {record.name: record.deprecated_by for record in parse(SAMPLE).cpes}
    assert resolve(OLD_APP, deprecations) == (CORP_APP,)  # A → B → C
    assert resolve(RENAMED_APP, deprecations) == (CORP_APP,)
    assert resolve(WINDOWS_10, deprecations) == (WINDOWS_10_21H2,)
    assert resolve(TELERIK, deprecations) == (PROGRESS,)
    assert resolve(SUITE, deprecations) == (SUITE_SERVER, SUITE_CLIENT)
    assert resolve(WITHDRAWN, deprecations) == (WITHDRAWN,)
    assert resolve(CORP_APP, deprecations) == (CORP_APP,)


def test_own_entry_after_a_deprecates_mention_gives_its_location_and_title(tmp_path: Path) -> None:
    text = page(
        product(PROGRESS, deprecates=links(TELERIK)),
        product(TELERIK, deprecated=True, deprecatedBy=links(PROGRESS, CORP_APP)),
        product(CORP_APP, deprecates=links(TELERIK)),
    )
    batch = parse(write(tmp_path, "p.json", text))
    (telerik,) = batch.cpes
    assert telerik.deprecated_by == (PROGRESS, CORP_APP)
    assert telerik.location.field == "$.products[1].cpe"
    assert (telerik.title, telerik.last_modified) == (
        "Example App 1.0",
        datetime(2024, 1, 2, 3, 4, 5, 678000, tzinfo=UTC),
    )
    assert batch.warnings == ()


# --- resolve() ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("deprecations", "name", "expected"),
    [
        ({}, "a", ("a",)),
        ({"b": ("c",)}, "a", ("a",)),
        ({"a": ()}, "a", ("a",)),  # deprecated without a successor
        ({"a": ("b",)}, "a", ("b",)),
        ({"a": ("b",), "b": ("c",)}, "a", ("c",)),
        ({"a": ("b",), "b": ("c",), "c": ("d",)}, "b", ("d",)),
        ({"a": ("b", "c")}, "a", ("b", "c")),
        ({"a": ("b", "c"), "b": ("d",)}, "a", ("d", "c")),
        ({"a": ("b", "c"), "b": ("d",), "c": ("d",)}, "a", ("d",)),  # diamond: once
        ({"a": ("b", "b")}, "a", ("b",)),
        ({"a": ("a",)}, "a", ("a",)),  # names itself
        ({"a": ("b",), "b": ("a",)}, "a", ("a",)),  # a cycle with no way out
        ({"a": ("b",), "b": ("a",)}, "b", ("b",)),
        ({"a": ("b",), "b": ("c",), "c": ("a",)}, "b", ("b",)),
        ({"a": ("b",), "b": ("a", "c")}, "a", ("c",)),  # a cycle with a way out
        ({"a": ("b",), "b": ("a", "c")}, "b", ("c",)),
        ({"a": ("b", "x"), "b": ("a",)}, "a", ("x",)),
    ],
)
def test_resolve(
    deprecations: dict[str, tuple[str, ...]], name: str, expected: tuple[str, ...]
) -> None:
    assert resolve(name, deprecations) == expected


def test_resolve_a_long_chain_without_recursion() -> None:
    deprecations = {f"n{index}": (f"n{index + 1}",) for index in range(50_000)}
    assert resolve("n0", deprecations) == ("n50000",)
    deprecations["n50000"] = ("n0",)
    assert resolve("n0", deprecations) == ("n0",)


# --- gzip, chunks ---------------------------------------------------------------------------


def test_gzip(tmp_path: Path) -> None:
    path = write(tmp_path, "nvd-cpe-min.json", gzip.compress(SAMPLE.read_bytes(), mtime=0))
    assert parse(path) == parse(SAMPLE)
    assert NvdCpeParser.sniff(path.read_bytes(), path.name)
    assert NvdCpeParser.sniff(path.read_bytes()[:200], path.name)  # a head cut short


@pytest.mark.parametrize("chunk", [1, 7, 300])
def test_stream_across_chunk_boundaries(
    monkeypatch: pytest.MonkeyPatch, chunk: int, tmp_path: Path
) -> None:
    expected = parse(SAMPLE)
    monkeypatch.setattr(json_stream, "CHUNK", chunk)
    assert parse(SAMPLE) == expected
    minified = json.dumps(json.loads(SAMPLE.read_bytes()), ensure_ascii=False)
    one_line = parse(write(tmp_path, "nvd-cpe-min.json", "\ufeff" + minified))
    assert pairs(one_line) == pairs(expected)
    assert {record.location.line for record in one_line.cpes} == {1}


# --- located errors -------------------------------------------------------------------------


def test_every_problem_is_reported_with_its_location(tmp_path: Path) -> None:
    bad = product(
        deprecated=True,
        cpeNameId=7,
        lastModified="yesterday",
        created="2023",
        titles=[{"title": 1, "lang": "en"}, "x"],
        deprecatedBy=[{"cpeName": "cpe:2.3:a:example::1.0:*:*:*:*:*:*:*"}, "x", {"cpeNameId": "y"}],
        deprecates={"cpeName": OLD_APP},
    )
    text = page(
        product(),
        bad,
        5,
        {},
        {"cpe": []},
        product("cpe:2.3:a:example:app:1.0", deprecated="yes", deprecates=[{"cpeName": "cpe:/"}]),
        product(deprecated=None),
    )
    error = rejected(NvdCpeParser, write(tmp_path, "p.json", text))
    assert not isinstance(error, ParseError)
    assert error.message == "p.json: 16 problems"
    where = "p.json:24 [$.products[1].cpe"
    assert located(error) == [
        f"{where}.deprecatedBy[1]]: entry is a string, not an object",
        f"{where}.deprecatedBy[0].cpeName]: cpeName 'cpe:2.3:a:example::1.0:*:*:*:*:*:*:*' is "
        "not a CPE 2.3 name",
        f"{where}.deprecatedBy[2].cpeName]: cpeName is missing",
        f"{where}.deprecates]: deprecates is an object, not a list",
        f"{where}.cpeNameId]: cpeNameId is a number, not a string",
        f"{where}.lastModified]: lastModified 'yesterday' is not a date-time",
        f"{where}.created]: created '2023' is not a date-time",
        f"{where}.titles[1]]: entry is a string, not an object",
        f"{where}.titles[0].title]: title is a number, not a string",
        "p.json:52 [$.products[2]]: element is a number, not an object",
        "p.json:53 [$.products[3].cpe]: missing the 'cpe' object",
        "p.json:54 [$.products[4].cpe]: cpe is a list, not an object",
        "p.json:57 [$.products[5].cpe.cpeName]: cpeName 'cpe:2.3:a:example:app:1.0' is not a "
        "CPE 2.3 name",
        "p.json:57 [$.products[5].cpe.deprecated]: deprecated is a string, not true or false",
        "p.json:57 [$.products[5].cpe.deprecates[0].cpeName]: cpeName 'cpe:/' is not a CPE 2.3 "
        "name",
        "p.json:77 [$.products[6].cpe.deprecated]: deprecated is missing",
    ]


def test_fields_of_current_products_are_not_read(tmp_path: Path) -> None:
    current = product(
        CORP_APP, cpeNameId=7, lastModified=None, titles="x", deprecates=links(OLD_APP)
    )
    batch = parse(write(tmp_path, "p.json", page(current)))
    assert pairs(batch) == [(OLD_APP, (CORP_APP,))]


@pytest.mark.parametrize(
    "name",
    [
        "cpe:2.3:a:example:app:1.0:*:*:*:*:*:*",  # 10 components
        "cpe:2.3:a:example:app:1.0:*:*:*:*:*:*:*:*",  # 12 components
        "cpe:2.3:x:example:app:1.0:*:*:*:*:*:*:*",  # no such part
        "cpe:2.3:a:example:app:1 0:*:*:*:*:*:*:*",  # white space
        "cpe:2.3:a:example:app:1.0:*:*:*:*:*:*:*\\",  # a lone backslash
        "cpe:2.2:a:example:app:1.0:*:*:*:*:*:*:*",
        "CPE:2.3:a:example:app:1.0:*:*:*:*:*:*:*",
        "cpe:/a:example",  # a 2.2 URI without a product
        "cpe:/x:example:app",
        "",
        " ",
    ],
)
def test_bad_cpe_names(tmp_path: Path, name: str) -> None:
    text = page(product(name, deprecated=True))
    error = parse_error(NvdCpeParser, write(tmp_path, "p.json", text))
    assert error.source == SourceLocation("p.json", 9, "$.products[0].cpe.cpeName")
    expected = (
        "cpeName is missing" if not name.strip() else f"cpeName '{name}' is not a CPE 2.3 name"
    )
    assert located(error) == [f"p.json:9 [$.products[0].cpe.cpeName]: {expected}"]


def test_good_cpe_names_with_escapes(tmp_path: Path) -> None:
    names = [
        "cpe:2.3:o:cisco:ios:12.1\\(14\\)e7:*:*:*:*:*:*:*",
        "cpe:2.3:a:example:app\\:pro:1.0:*:*:*:*:*:*:*",  # an escaped colon is no separator
        "cpe:2.3:a:example:app:1.0\\\\:*:*:*:*:*:*:*",  # an escaped backslash
        "cpe:2.3:h:example:router:-:*:*:*:*:*:*:*",
    ]
    text = page(*(product(name, deprecated=True) for name in names))
    assert [record.name for record in parse(write(tmp_path, "p.json", text)).cpes] == names


def test_cpe_22_uris_are_converted(tmp_path: Path) -> None:
    text = page(
        product(
            "cpe:/a:example:app:1.0", deprecated=True, deprecatedBy=links("cpe:/a:example:app2")
        ),
        product("cpe:/o:example:os:2~x", deprecates=links("cpe:/o:example:os:1")),
    )
    batch = parse(write(tmp_path, "p.json", text))
    assert pairs(batch) == [
        ("cpe:2.3:a:example:app:1.0:*:*:*:*:*:*:*", ("cpe:2.3:a:example:app2:*:*:*:*:*:*:*:*",)),
        ("cpe:2.3:o:example:os:1:*:*:*:*:*:*:*", ("cpe:2.3:o:example:os:2~x:*:*:*:*:*:*:*",)),
    ]
    where = "p.json:9 [$.products[0].cpe"
    assert warnings_of(batch)[:2] == [
        f"{where}.cpeName]: cpeName 'cpe:/a:example:app:1.0' is a CPE 2.2 URI; read as "
        "'cpe:2.3:a:example:app:1.0:*:*:*:*:*:*:*'",
        f"{where}.deprecatedBy[0].cpeName]: cpeName 'cpe:/a:example:app2' is a CPE 2.2 URI; "
        "read as 'cpe:2.3:a:example:app2:*:*:*:*:*:*:*:*'",
    ]
    assert len(batch.warnings) == 4


def test_a_long_bad_name_is_shortened(tmp_path: Path) -> None:
    name = "cpe:2.3:a:" + "x" * 500
    error = parse_error(NvdCpeParser, write(tmp_path, "p.json", page(product(name))))
    assert located(error) == [
        f"p.json:9 [$.products[0].cpe.cpeName]: cpeName '{name[:100]}…' is not a CPE 2.3 name"
    ]


def test_problems_stop_at_one_hundred(tmp_path: Path) -> None:
    text = page(*[product("nope") for _ in range(150)])
    error = rejected(NvdCpeParser, write(tmp_path, "p.json", text))
    assert error.message == "p.json: 100 problems; stopped reading"
    assert len(error.problems) == 100


def test_malformed_and_truncated_json(tmp_path: Path) -> None:
    head = '{"format": "NVD_CPE", "version": "2.0", "timestamp": "2025-01-01T00:00:00",\n'
    text = head + '"products": [{"cpe": {"cpeName": "x",}}]}'
    assert located(parse_error(NvdCpeParser, write(tmp_path, "p.json", text))) == [
        "p.json:2: invalid JSON: Expecting property name enclosed in double quotes (column 38)"
    ]
    text = head + '"products": [{"cpe": {}} {"cpe": {}}]}'
    assert located(parse_error(NvdCpeParser, write(tmp_path, "p.json", text))) == [
        "p.json:2: invalid JSON: Expecting ',' delimiter (column 26)"
    ]
    text = head + '"products": []}\n{"more": 1}\n'
    assert located(parse_error(NvdCpeParser, write(tmp_path, "p.json", text))) == [
        "p.json:3: invalid JSON: Extra data (column 1)"
    ]
    raw = SAMPLE.read_bytes()
    error = parse_error(NvdCpeParser, write(tmp_path, "p.json", raw.rstrip()[:-1]))
    assert located(error) == ["p.json:223: invalid JSON: Expecting ',' delimiter (column 1)"]
    for text in ("", "   \n", "NVD"):
        assert located(parse_error(NvdCpeParser, write(tmp_path, "p.json", text)))[0].startswith(
            "p.json:"
        )


def test_non_utf8_and_broken_gzip(tmp_path: Path) -> None:
    text = page(product("cpe:2.3:a:cafe:app:1.0:*:*:*:*:*:*:*")).replace("cafe", "caf\xe9")
    content = text.encode("latin-1")
    offset = content.index(b"\xe9")
    assert located(parse_error(NvdCpeParser, write(tmp_path, "p.json", content))) == [
        f"p.json:12: not UTF-8 text (byte {offset}); save the file as UTF-8"
    ]
    broken = gzip.compress(SAMPLE.read_bytes())[:-100]
    assert located(parse_error(NvdCpeParser, write(tmp_path, "cut.json.gz", broken)))[0].startswith(
        "cut.json.gz: cannot decompress the file: Compressed file ended"
    )


def test_decompressed_size_is_limited(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    bomb = gzip.compress(page(*[product(deprecated=True)] * 20_000).encode())
    path = write(tmp_path, "bomb.json.gz", bomb)
    monkeypatch.setenv("CANHGAC_IMPORT_MAX_BYTES", "1000000")
    assert path.stat().st_size < 1_000_000
    assert located(parse_error(NvdCpeParser, path)) == [
        "bomb.json.gz: the content is larger than the limit of 1000000 bytes"
    ]


# --- other formats --------------------------------------------------------------------------


def test_an_nvd_cve_page_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    assert located(parse_error(NvdCpeParser, SAMPLES / "nvd-page-min.json")) == [
        "nvd-page-min.json [$.format]: not an NVD CPE document: this is an NVD CVE file "
        "(format 'NVD_CVE'); use the NVD CVE parser (format 'nvd')"
    ]
    gzipped = gzip.compress((SAMPLES / "nvd-page-min.json").read_bytes())
    assert "NVD_CVE" in str(parse_error(NvdCpeParser, write(tmp_path, "c.json.gz", gzipped)))
    # a CVE page is decoded no further than its header: the same answer for a cut-off one
    cut = (SAMPLES / "nvd-page-min.json").read_bytes()[:400]
    assert "use the NVD CVE parser" in str(
        parse_error(NvdCpeParser, write(tmp_path, "c.json", cut))
    )
    text = '{"vulnerabilities": [{"cve": {"id": "CVE-2024-0001"}}], "format": "NVD_CVE"}'
    assert located(parse_error(NvdCpeParser, write(tmp_path, "c.json", text))) == [
        "c.json [$.vulnerabilities]: not an NVD CPE document: it holds 'vulnerabilities', not "
        "'products'"
    ]
    text = '{"products": [], "format": "NVD_CVE", "version": "2.0"}'  # format after the list
    assert "this is an NVD CVE file" in str(
        parse_error(NvdCpeParser, write(tmp_path, "c.json", text))
    )


def test_other_formats_are_refused(samples_dir: Path, tmp_path: Path) -> None:
    kev = samples_dir / "advisories/kev_known_exploited_vulnerabilities.json"
    assert located(parse_error(NvdCpeParser, kev)) == [
        "kev_known_exploited_vulnerabilities.json [$]: not an NVD CPE document: this looks like "
        "a CISA KEV catalogue (format 'kev')"
    ]
    assert located(parse_error(NvdCpeParser, SAMPLES / "epss-min.csv.gz")) == [
        "epss-min.csv.gz:1: invalid JSON: Expecting value (column 1)"
    ]
    record = samples_dir / "advisories/nvd/CVE-2022-22965.json"
    assert located(parse_error(NvdCpeParser, record)) == [
        "CVE-2022-22965.json [$]: not an NVD CPE document: no 'products' list"
    ]
    match = '{"format": "NVD_CPEMatchString", "version": "2.0", "matchStrings": []}'
    expected = [
        "m.json [$.matchStrings]: not an NVD CPE document: this is an NVD CPE match criteria "
        "file (matchStrings), which canhgac does not read"
    ]
    assert located(parse_error(NvdCpeParser, write(tmp_path, "m.json", match))) == expected
    match = '{"resultsPerPage": 1, "matchStrings": []}'
    assert located(parse_error(NvdCpeParser, write(tmp_path, "m.json", match))) == expected
    for text, kind in (("[]", "a list"), ('"CPE"', "a string"), ("12", "a number")):
        assert located(parse_error(NvdCpeParser, write(tmp_path, "p.json", text))) == [
            f"p.json [$]: not an NVD CPE document: the document is {kind}, not an object"
        ]


def test_unknown_format_or_version(tmp_path: Path) -> None:
    cases = [
        (page(product(), version="3.0"), "$.version", "version is '3.0', expected '2.0'"),
        (
            page(product(), format="NVD_CPE_X"),
            "$.format",
            "format is 'NVD_CPE_X', expected 'NVD_CPE'",
        ),
        ('{"products": []}', "$.format", "format is missing, expected 'NVD_CPE'"),
        (
            '{"format": "NVD_CPE", "products": []}',
            "$.version",
            "version is missing, expected '2.0'",
        ),
        ('{"products": [], "version": 2}', "$.version", "version is 2, expected '2.0'"),
    ]
    for text, field, message in cases:
        assert located(parse_error(NvdCpeParser, write(tmp_path, "p.json", text))) == [
            f"p.json [{field}]: not an NVD CPE API 2.0 document: {message}"
        ]
    # the format is checked before any product problem, even when it follows the list
    text = '{"products": [{"cpe": {"cpeName": "x"}}], "format": "NVD_CPE", "version": "1.0"}'
    assert located(parse_error(NvdCpeParser, write(tmp_path, "p.json", text))) == [
        "p.json [$.version]: not an NVD CPE API 2.0 document: version is '1.0', expected '2.0'"
    ]
    text = '{"format": "NVD_CPE", "version": "2.0", "products": {"cpe": {}}}'
    assert located(parse_error(NvdCpeParser, write(tmp_path, "p.json", text))) == [
        "p.json [$.products]: products is an object, not a list"
    ]
    text = '{"format": "NVD_CPE", "version": "2.0", "products": [], "products": []}'
    assert located(parse_error(NvdCpeParser, write(tmp_path, "p.json", text))) == [
        "p.json [$.products]: products is given twice"
    ]


# --- warnings -------------------------------------------------------------------------------


def test_warnings(tmp_path: Path) -> None:
    text = page(
        product(OLD_APP, deprecatedBy=links(RENAMED_APP)),  # deprecated false
        product(RENAMED_APP, deprecates=links(RENAMED_APP, OLD_APP)),  # names itself
        product(OLD_APP, deprecated=True, deprecatedBy=links(CORP_APP, RENAMED_APP)),  # twice
        product(CORP_APP),
        resultsPerPage=2000,
        timestamp="yesterday",
    )
    batch = parse(write(tmp_path, "p.json", text))
    assert pairs(batch) == [(OLD_APP, (RENAMED_APP, CORP_APP))]
    assert batch.catalog_version == "yesterday"
    assert warnings_of(batch) == [
        "p.json:9 [$.products[0].cpe.deprecated]: deprecated is false but deprecatedBy is not "
        "empty; read as deprecated",
        "p.json:30 [$.products[1].cpe.deprecates[0].cpeName]: deprecates names the product "
        "itself; ignored",
        f"p.json:55 [$.products[2].cpe]: {OLD_APP} is listed twice, at $.products[0].cpe and at "
        "$.products[2].cpe; merged",
        "p.json [$.resultsPerPage]: resultsPerPage is 2000 but the page holds 4 products",
        "p.json [$.timestamp]: timestamp 'yesterday' is not a date-time",
    ]
    empty = parse(write(tmp_path, "p.json", page()))
    assert (empty.cpes, empty.catalog_version, empty.warnings) == (
        (),
        "2025-01-01T00:00:00.000",
        (),
    )


# --- mutations ------------------------------------------------------------------------------

TOKENS = [b"{", b"}", b"[", b"]", b'"', b",", b":", b"null", b"1e999", b"NaN", b"\n", b"\\"]
TOKENS += [b"\x00", b"\xff", b"\xc3", b"\xef\xbb\xbf", b'"cpe":', b"cpe:2.3:", b"cpe:/a:x:y", b'""']
ODD_VALUES: list[Any] = [None, 0, -1.5, True, "", "x", "cpe:/a:b:c", [], {}, [{}], {"cpe": 1}]


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    original = SAMPLE.read_bytes()
    if draw(st.booleans()):
        chance = draw(st.randoms(use_true_random=False))
        original = json.dumps(shuffle_json(json.loads(original), chance, ODD_VALUES)).encode()
        if draw(st.booleans()):
            return original
    data = mutate_bytes(draw, original, TOKENS)
    return gzip.compress(data, mtime=0) if draw(st.booleans()) else data


def test_mutated_sample_raises_only_validation_errors(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    def check_batch(batch: AdvisoryBatch) -> None:
        assert batch.source_format == "nvd-cpe"
        for record in batch.cpes:
            assert record.deprecated
            assert record.name.startswith("cpe:2.3:")
            assert all(name.startswith("cpe:2.3:") for name in record.deprecated_by)
            assert record.name not in record.deprecated_by
            assert len(set(record.deprecated_by)) == len(record.deprecated_by)
        assert len({record.name for record in batch.cpes}) == len(batch.cpes)

    path = tmp_path_factory.mktemp("mutated") / "nvd-cpe-min.json"
    check_mutated(path, NvdCpeParser, mutated(), check_batch)


# --- streaming ------------------------------------------------------------------------------

PRODUCT_COUNT = 200_000


def large_page(directory: Path) -> Path:
    """200,000 products (one in fifty deprecated), about 48 MB, written piece by piece; the
    current ones without titles and refs (never read) to keep the test short."""
    path = directory / "nvdcpe-large.json"
    with path.open("w", encoding="utf-8") as handle:
        handle.write(
            f'{{"resultsPerPage": {PRODUCT_COUNT}, "startIndex": 0, "totalResults": '
            f'{PRODUCT_COUNT}, "format": "NVD_CPE", "version": "2.0", '
            '"timestamp": "2025-11-12T23:52:32.690", "products": [\n'
        )
        for index in range(PRODUCT_COUNT):
            name = f"cpe:2.3:a:vendor{index % 997}:product{index}:1.{index}:*:*:*:*:*:*:*"
            extra = ""
            if index % 50 == 0:
                new = name.replace(":product", ":renamed_product")
                extra = (
                    f', "titles": [{{"title": "Product {index}", "lang": "en"}}], '
                    f'"deprecatedBy": [{{"cpeName": "{new}", "cpeNameId": "{NAME_ID}"}}]'
                )
            handle.write(
                ("," if index else "")
                + f'{{"cpe": {{"deprecated": {"true" if extra else "false"}, '
                f'"cpeName": "{name}", "cpeNameId": "{NAME_ID}", '
                '"lastModified": "2024-01-02T03:04:05.678", "created": "2023-01-02T03:04:05.678"'
                f"{extra}}}}}\n"
            )
        handle.write("]}\n")
    return path


@pytest.mark.slow
def test_a_large_page_streams_with_bounded_memory(tmp_path: Path) -> None:
    """What is held is one chunk, one product and the records kept: about 8 MB for this 48 MB
    page, where json.loads would peak near 190 MB."""
    path = large_page(tmp_path)
    size = path.stat().st_size
    assert size > 40_000_000
    tracemalloc.start()
    try:
        batch = parse(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(batch.cpes) == PRODUCT_COUNT // 50
    last = batch.cpes[-1]
    assert last.name == "cpe:2.3:a:vendor550:product199950:1.199950:*:*:*:*:*:*:*"
    assert last.deprecated_by == (
        "cpe:2.3:a:vendor550:renamed_product199950:1.199950:*:*:*:*:*:*:*",
    )
    assert last.location == SourceLocation("nvdcpe-large.json", 199_952, "$.products[199950].cpe")
    assert peak < size // 5


# --- format recognition ---------------------------------------------------------------------


def head_of(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(64 * 1024)


def test_sniff() -> None:
    assert NvdCpeParser.sniff(head_of(SAMPLE), SAMPLE.name)
    head = head_of(SAMPLE)
    others = [parser for parser in PARSERS if parser.id != NvdCpeParser.id]
    assert [parser.id for parser in others if parser.sniff(head, SAMPLE.name)] == []
    for path in sorted(SAMPLES.iterdir()):
        if path != SAMPLE and not path.name.startswith("nvd-cpe"):
            assert not NvdCpeParser.sniff(head_of(path), path.name), path
    assert NvdCpeParser.sniff(b'{"resultsPerPage":0,"format" : "NVD_CPE"', "x.json")
    assert NvdCpeParser.sniff(b'{"products": [ {\n "cpe": {', "x.json")
    assert not NvdCpeParser.sniff(b'{"format": "NVD_CPEMatchString", "matchStrings": [', "x.json")
    assert not NvdCpeParser.sniff(b'{"products": ["cpe"]}', "x.json")
    assert not NvdParser.sniff(page(product()).encode(), "x.json")


def test_sniff_shared_files(samples_dir: Path) -> None:
    for path in sorted((samples_dir / "advisories").rglob("*")):
        if path.is_file():
            assert not NvdCpeParser.sniff(head_of(path), path.name), path
