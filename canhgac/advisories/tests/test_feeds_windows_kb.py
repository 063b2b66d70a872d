"""The windows-version-feed parsers: the real June 2025 CVE → KB map and the release list,
counted independently from the raw JSON; golden samples; located errors; byte mutations."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import strategies as st

from canhgac.advisories.feeds.interface import AdvisoryParser
from canhgac.advisories.feeds.records import (
    AdvisoryBatch,
    MsrcDocumentRecord,
    MsrcRemediationRecord,
    ScoreRecord,
    WindowsReleaseRecord,
)
from canhgac.advisories.feeds.windows_kb import (
    WindowsKbMapParser,
    WindowsVersionsParser,
    four_part_build,
    kb_map_document_id,
    product_id,
)
from canhgac.core.exceptions import ParseError, SourceLocation
from canhgac.core.golden import assert_matches_golden
from canhgac.core.tests.mutation import check_mutated, mutate_bytes, replace_random_value
from canhgac.core.tests.parsing import located, rejected, write

SAMPLES = Path(__file__).parent / "samples"
INVENTORY_SAMPLES = Path(__file__).parents[2] / "inventory" / "tests" / "samples"
KB_MAP_SAMPLE = SAMPLES / "windows-kb-map-min.json"
VERSIONS_SAMPLE = SAMPLES / "windows-versions-min.json"
OWN_SAMPLES: list[tuple[str, type[AdvisoryParser]]] = [
    ("windows-kb-map-min.json", WindowsKbMapParser),
    ("windows-versions-min.json", WindowsVersionsParser),
]
REAL_KB_MAP = "advisories/windows-build-kb/CVE_KB_Mapping_2025-Jun.json"
REAL_VERSIONS = "advisories/windows-build-kb/windows-versions.json"
PROVIDER = "windows-version-feed"
NOTHING_WRONG = "Publicly Disclosed:No;Exploited:No;Latest Software Release:Exploitation Unlikely"


def parse(parser: type[AdvisoryParser], path: Path, source: str | None = None) -> AdvisoryBatch:
    return parser().parse(path, source=source or path.name)


def only_document(batch: AdvisoryBatch) -> MsrcDocumentRecord:
    (document,) = batch.msrc_documents
    return document


def patch(**changes: Any) -> dict[str, Any]:
    values = {
        "os": "Windows Server 2019",
        "version": "2019",
        "kb": "KB5060531",
        "fixedBuild": "17763.7434",
        "severity": "7.8",
        "exploitStatus": NOTHING_WRONG,
    }
    return {key: value for key, value in {**values, **changes}.items() if value is not None}


def kb_map(directory: Path, entries: Any, name: str = "CVE_KB_Mapping_2025-Jun.json") -> Path:
    return write(directory, name, json.dumps(entries))


def release(**changes: Any) -> dict[str, Any]:
    values = {
        "os": "Windows Server 2019",
        "version": "2019",
        "build": "17763.9121",
        "latestKB": "KB5120238",
        "releaseDate": "2026-08-11",
    }
    return {key: value for key, value in {**values, **changes}.items() if value is not None}


# --- golden samples -------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "parser"), OWN_SAMPLES)
def test_own_samples_match_golden(name: str, parser: type[AdvisoryParser]) -> None:
    assert_matches_golden(parse(parser, SAMPLES / name), SAMPLES / name)


def test_kb_map_sample_choices() -> None:
    batch = parse(WindowsKbMapParser, KB_MAP_SAMPLE)
    document = only_document(batch)
    # The sample's name is not the feed's: the document id falls back, with a warning.
    assert document.document_id == "kbmap"
    assert [str(problem) for problem in batch.warnings] == [
        "windows-kb-map-min.json [$]: the file name is not CVE_KB_Mapping_<YYYY>-<Mon>.json; "
        "the document is called 'kbmap'"
    ]
    named = parse(WindowsKbMapParser, KB_MAP_SAMPLE, source="CVE_KB_Mapping_2025-Jun.json")
    assert only_document(named).document_id == "kbmap-2025-Jun"
    assert named.warnings == ()
    assert document.title == ""
    assert document.released is None
    assert [product.name for product in document.products] == [
        "Windows 11 Version 22H2",
        "Windows 11 Version 23H2",
        "Windows Server 2022",
        "Windows Server 2025",
        "Windows 10 Version 21H2",
        "Windows 10 Version 22H2",
        "Windows Server 2016",
        "Windows Server 2019",
    ]
    assert [record.cve_id for record in document.vulnerabilities] == [
        "CVE-2025-29828",
        "CVE-2025-47969",
        "CVE-2025-33053",
    ]
    exploited = document.vulnerabilities[2]
    assert (exploited.exploited, exploited.publicly_disclosed) == ("Yes", "No")
    assert exploited.scores == (
        ScoreRecord(system="cvss", base_score=8.8, provider="windows-version-feed"),
    )
    assert exploited.location == SourceLocation("windows-kb-map-min.json", None, "$[2]")
    assert set(exploited.product_ids) == {product.product_id for product in document.products}
    assert exploited.remediations[4] == MsrcRemediationRecord(
        product_ids=(product_id("Windows Server 2016"),),
        kb="5061010",
        kind="Vendor Fix",
        fixed_build="10.0.14393.8148",
    )


def test_versions_sample_choices() -> None:
    batch = parse(WindowsVersionsParser, VERSIONS_SAMPLE)
    assert batch.source_format == "windows-versions"
    assert batch.msrc_documents == ()
    assert batch.warnings == ()
    assert batch.windows_releases[0] == WindowsReleaseRecord(
        product="Microsoft .NET Framework 3.5 on Windows Server 2012",
        location=SourceLocation("windows-versions-min.json", None, "$[0]"),
        version="2012",
        build="2.0.50727.8984 & 3.0.30729.8980",
        latest_kb="5120716",
        released=date(2026, 8, 11),
    )
    # Builds are kept as written (no "10.0." here: this is reference data, not a fix).
    assert batch.windows_releases[-1].build == "26100.33296"


def test_helpers() -> None:
    assert product_id("Windows Server 2022") == "kb:b45159e47b7f"
    assert len(product_id("x" * 500)) == len("kb:") + 12
    assert four_part_build("22621.5472") == "10.0.22621.5472"
    assert four_part_build("10240.16384") == "10.0.10240.16384"
    assert four_part_build("9600.22620") == "9600.22620"  # Windows 8.1 / Server 2012 R2
    assert four_part_build("6.3.9600.22620") == "6.3.9600.22620"
    assert four_part_build("10.0.17763.2803") == "10.0.17763.2803"
    assert four_part_build("") == ""
    assert kb_map_document_id("CVE_KB_Mapping_2025-Jun.json") == "kbmap-2025-Jun"
    assert kb_map_document_id("/feeds/cve_kb_mapping_2024-DEC.json") == "kbmap-2024-Dec"
    assert kb_map_document_id("CVE_KB_Mapping_2025-Jux.json") == ""
    assert kb_map_document_id("CVE_KB_Mapping_2025-Jun (1).json") == ""


# --- the real files -------------------------------------------------------------------------


def test_real_kb_map(samples_dir: Path) -> None:
    path = samples_dir / REAL_KB_MAP
    raw: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    batch = parse(WindowsKbMapParser, path)
    document = only_document(batch)
    assert batch.source_format == "windows-kb-map"
    assert batch.warnings == ()
    assert document.document_id == "kbmap-2025-Jun"
    # Counted from the raw JSON.
    cves = list(dict.fromkeys(entry["cve"] for entry in raw))
    patches = [item for entry in raw for item in entry["patches"]]
    names = list(dict.fromkeys(item["os"] for item in patches))
    assert (len(cves), len(patches), len(names)) == (43, 305, 8)
    assert [record.cve_id for record in document.vulnerabilities] == cves
    assert [product.name for product in document.products] == names
    assert sum(len(record.remediations) for record in document.vulnerabilities) == len(patches)
    assert all(product.product_id.startswith("kb:") for product in document.products)
    by_cve = {record.cve_id: record for record in document.vulnerabilities}
    for entry in raw:
        record = by_cve[entry["cve"]]
        severities = dict.fromkeys(float(item["severity"]) for item in entry["patches"])
        assert [score.base_score for score in record.scores] == list(severities)
        assert [fix.kb for fix in record.remediations] == [
            item["kb"].removeprefix("KB") for item in entry["patches"]
        ]
        assert all(fix.fixed_build.startswith("10.0.") for fix in record.remediations)
    exploited = [record.cve_id for record in document.vulnerabilities if record.exploited == "Yes"]
    disclosed = [
        record.cve_id for record in document.vulnerabilities if record.publicly_disclosed == "Yes"
    ]
    assert exploited == [
        e["cve"] for e in raw if "Exploited:Yes" in e["patches"][0]["exploitStatus"]
    ]
    assert (exploited, disclosed) == (["CVE-2025-33053"], ["CVE-2025-33073"])


def test_real_kb_map_facts(samples_dir: Path) -> None:
    document = only_document(parse(WindowsKbMapParser, samples_dir / REAL_KB_MAP))
    by_cve = {record.cve_id: record for record in document.vulnerabilities}
    win11_22h2 = product_id("Windows 11 Version 22H2")
    fixes = [fix for fix in by_cve["CVE-2025-29828"].remediations if win11_22h2 in fix.product_ids]
    assert fixes == [
        MsrcRemediationRecord(
            product_ids=(win11_22h2,),
            kb="5060999",
            kind="Vendor Fix",
            fixed_build="10.0.22621.5472",
        )
    ]
    assert by_cve["CVE-2025-29828"].location.field == "$[0]"
    # The feed gives Windows 11 23H2 a 22H2 build (22621) for this CVE: kept as written.
    win11_23h2 = product_id("Windows 11 Version 23H2")
    (quirk,) = [
        fix for fix in by_cve["CVE-2025-47969"].remediations if win11_23h2 in fix.product_ids
    ]
    assert (quirk.kb, quirk.fixed_build) == ("5058405", "10.0.22621.5335")


def test_real_versions(samples_dir: Path) -> None:
    path = samples_dir / REAL_VERSIONS
    raw: list[dict[str, Any]] = json.loads(path.read_text(encoding="utf-8"))
    batch = parse(WindowsVersionsParser, path)
    assert batch.warnings == ()
    assert len(batch.windows_releases) == len(raw) == 19
    assert [item.product for item in batch.windows_releases] == [entry["os"] for entry in raw]
    assert [item.build for item in batch.windows_releases] == [entry["build"] for entry in raw]
    assert {item.released for item in batch.windows_releases} == {date(2026, 8, 11)}
    server_2019 = next(r for r in batch.windows_releases if r.product == "Windows Server 2019")
    assert (server_2019.version, server_2019.build, server_2019.latest_kb) == (
        "2019",
        "17763.9121",
        "5120238",
    )
    assert server_2019.location == SourceLocation("windows-versions.json", None, "$[16]")


# --- located errors and warnings ------------------------------------------------------------


def test_kb_map_located_errors(tmp_path: Path) -> None:
    entries = [
        {"cve": "CVE-2025-1", "patches": [patch()]},
        {"cve": 2025, "patches": [patch()]},
        {"cve": "CVE-2025-33053"},
        {"cve": "CVE-2025-33054", "patches": [patch(kb="5060531a"), "KB5060531"]},
        {"cve": "CVE-2025-33055", "patches": [patch(os="", fixedBuild=17763, version=None)]},
        {"cve": "CVE-2025-33056", "patches": {"os": "Windows Server 2019"}},
        {"cve": "CVE-2025-33057", "patches": [patch(kb=None, severity=[8.1])]},
        "CVE-2025-33058",
    ]
    assert located(rejected(WindowsKbMapParser, kb_map(tmp_path, entries))) == [
        "CVE_KB_Mapping_2025-Jun.json [$[0].cve]: 'CVE-2025-1' is not a CVE id",
        "CVE_KB_Mapping_2025-Jun.json [$[1].cve]: cve is a number, not a string",
        "CVE_KB_Mapping_2025-Jun.json [$[2].patches]: patches is missing",
        "CVE_KB_Mapping_2025-Jun.json [$[3].patches[1]]: entry is a string, not an object",
        "CVE_KB_Mapping_2025-Jun.json [$[3].patches[0].kb]: kb '5060531a' is not a KB number",
        "CVE_KB_Mapping_2025-Jun.json [$[4].patches[0].os]: os is missing",
        "CVE_KB_Mapping_2025-Jun.json [$[4].patches[0].fixedBuild]: "
        "fixedBuild is a number, not a string",
        "CVE_KB_Mapping_2025-Jun.json [$[5].patches]: patches is an object, not a list",
        "CVE_KB_Mapping_2025-Jun.json [$[6].patches[0].kb]: kb is missing",
        "CVE_KB_Mapping_2025-Jun.json [$[6].patches[0].severity]: severity is a list, not a string",
        "CVE_KB_Mapping_2025-Jun.json [$[7]]: entry is a string, not an object",
    ]
    one = kb_map(tmp_path, [{"cve": "CVE-2025-33053", "patches": [patch(kb="n/a")]}], "one.json")
    error = rejected(WindowsKbMapParser, one)
    assert isinstance(error, ParseError)
    assert error.source == SourceLocation("one.json", None, "$[0].patches[0].kb")


def test_kb_map_warnings_and_odd_values(tmp_path: Path) -> None:
    entries = [
        {
            "cve": "cve-2025-33053",
            "patches": [
                patch(severity="Important"),
                patch(os="Windows Server 2012 R2", fixedBuild="6.3.9600.22620", severity=7.8),
                patch(os="Windows 8.1", kb="5061018", fixedBuild="9600.22620", severity=""),
                patch(os="Windows Server 2022", exploitStatus="Exploited:Yes"),
                patch(os="Windows Server 2025", exploitStatus=None),
            ],
        },
        {"cve": "CVE-2025-33054", "patches": []},
        {"cve": "CVE-2025-33054", "patches": []},
    ]
    batch = parse(WindowsKbMapParser, kb_map(tmp_path, entries, "june.json"))
    assert [str(problem) for problem in batch.warnings] == [
        "june.json [$]: the file name is not CVE_KB_Mapping_<YYYY>-<Mon>.json; "
        "the document is called 'kbmap'",
        "june.json [$[0].patches[0].severity]: severity 'Important' is not a CVSS base score "
        "(0-10); left out",
        "june.json [$[0].patches[3].exploitStatus]: exploitStatus 'Exploited:Yes' differs from "
        "an earlier patch's; kept the first",
        "june.json [$[2]]: CVE-2025-33054 is listed twice, at $[1] and at $[2]; kept the first",
    ]
    document = only_document(batch)
    first, empty = document.vulnerabilities
    assert first.cve_id == "CVE-2025-33053"
    assert (first.exploited, first.publicly_disclosed) == ("No", "No")
    assert first.scores == (ScoreRecord(system="cvss", base_score=7.8, provider=PROVIDER),)
    assert [fix.fixed_build for fix in first.remediations] == [
        "10.0.17763.7434",
        "6.3.9600.22620",
        "9600.22620",
        "10.0.17763.7434",
        "10.0.17763.7434",
    ]
    assert len(first.product_ids) == len(document.products) == 5
    assert (empty.product_ids, empty.remediations, empty.scores) == ((), (), ())
    different = [
        {"cve": "CVE-2025-33054", "patches": []},
        {"cve": "CVE-2025-33054", "patches": [patch()]},
    ]
    assert located(rejected(WindowsKbMapParser, kb_map(tmp_path, different))) == [
        "CVE_KB_Mapping_2025-Jun.json [$[1]]: CVE-2025-33054 is listed twice with different "
        "content, at $[0] and at $[1]"
    ]
    nothing = parse(WindowsKbMapParser, kb_map(tmp_path, []))
    assert only_document(nothing).vulnerabilities == ()
    assert [str(problem) for problem in nothing.warnings] == [
        "CVE_KB_Mapping_2025-Jun.json [$]: the file lists no CVEs"
    ]


def test_versions_located_errors(tmp_path: Path) -> None:
    entries = [
        release(releaseDate="2026-13-11"),
        release(latestKB="5120238 & 5120239"),
        release(os=None, latestKB=None),
        release(build=17763.9121, releaseDate=20260811),
        [],
    ]
    path = write(tmp_path, "windows-versions.json", json.dumps(entries))
    assert located(rejected(WindowsVersionsParser, path)) == [
        "windows-versions.json [$[0].releaseDate]: releaseDate '2026-13-11' is not a date "
        "(YYYY-MM-DD)",
        "windows-versions.json [$[1].latestKB]: latestKB '5120238 & 5120239' is not a KB number",
        "windows-versions.json [$[2].os]: os is missing",
        "windows-versions.json [$[2].latestKB]: latestKB is missing",
        "windows-versions.json [$[3].build]: build is a number, not a string",
        "windows-versions.json [$[3].releaseDate]: releaseDate is a number, not a string",
        "windows-versions.json [$[4]]: entry is a list, not an object",
    ]
    twice = write(tmp_path, "twice.json", json.dumps([release(), release(releaseDate=None)]))
    assert located(rejected(WindowsVersionsParser, twice)) == [
        "twice.json [$[1]]: 'Windows Server 2019' is listed twice with different content, "
        "at $[0] and at $[1]"
    ]
    same = parse(WindowsVersionsParser, write(tmp_path, "same.json", json.dumps([release()] * 2)))
    assert len(same.windows_releases) == 1
    assert [str(problem) for problem in same.warnings] == [
        "same.json [$[1]]: 'Windows Server 2019' is listed twice, at $[0] and at $[1]; "
        "kept the first"
    ]
    undated = parse(
        WindowsVersionsParser, write(tmp_path, "u.json", json.dumps([release(releaseDate="")]))
    )
    assert undated.windows_releases[0].released is None


@pytest.mark.parametrize(("name", "parser"), OWN_SAMPLES)
def test_not_a_list(tmp_path: Path, name: str, parser: type[AdvisoryParser]) -> None:
    error = rejected(parser, write(tmp_path, name, '{"cve": "CVE-2025-33053"}'))
    assert isinstance(error, ParseError)
    assert error.source == SourceLocation(name, None, "$")
    assert "the document is an object, not a list" in str(error)


@pytest.mark.parametrize(("name", "parser"), OWN_SAMPLES)
def test_broken_json(tmp_path: Path, name: str, parser: type[AdvisoryParser]) -> None:
    text = (SAMPLES / name).read_text(encoding="utf-8")
    error = rejected(parser, write(tmp_path, name, text[:300]))
    assert isinstance(error, ParseError)
    assert error.source.line is not None
    assert "invalid JSON" in str(error)
    deep = write(tmp_path, "deep.json", "[" * 100_000 + "]" * 100_000)
    assert located(rejected(parser, deep)) == ["deep.json: invalid JSON: nested too deeply"]


@pytest.mark.parametrize(("name", "parser"), OWN_SAMPLES)
def test_file_over_the_size_limit(
    monkeypatch: pytest.MonkeyPatch, name: str, parser: type[AdvisoryParser]
) -> None:
    monkeypatch.setenv("CANHGAC_IMPORT_MAX_BYTES", "100")
    size = (SAMPLES / name).stat().st_size
    assert located(rejected(parser, SAMPLES / name)) == [
        f"{name}: the file is {size} bytes; the limit is 100"
    ]


@pytest.mark.parametrize(("name", "parser"), OWN_SAMPLES)
def test_missing_file(tmp_path: Path, name: str, parser: type[AdvisoryParser]) -> None:
    assert located(rejected(parser, tmp_path / name)) == [
        f"{name}: cannot read the file: No such file or directory"
    ]


# --- sniffing -------------------------------------------------------------------------------


def test_sniff(samples_dir: Path) -> None:
    real_map = (samples_dir / REAL_KB_MAP).read_bytes()[:65536]
    real_versions = (samples_dir / REAL_VERSIONS).read_bytes()[:65536]
    sample_map = KB_MAP_SAMPLE.read_bytes()
    sample_versions = VERSIONS_SAMPLE.read_bytes()
    for head in (real_map, sample_map, b"\xef\xbb\xbf" + sample_map):
        assert WindowsKbMapParser.sniff(head, "x.json")
        assert not WindowsVersionsParser.sniff(head, "x.json")
    for head in (real_versions, sample_versions, json.dumps([release()]).encode()):
        assert WindowsVersionsParser.sniff(head, "x.json")
        assert not WindowsKbMapParser.sniff(head, "x.json")
    reordered = json.dumps([{"patches": [patch()], "cve": "CVE-2025-33053"}]).encode()
    assert WindowsKbMapParser.sniff(reordered, "x.json")
    others = [
        SAMPLES / "kev-min.json",
        SAMPLES / "osv-min.json",
        SAMPLES / "msrc-csaf-min.json",
        SAMPLES / "nvd-page-min.json",
        SAMPLES / "csaf-min.json",
        INVENTORY_SAMPLES / "cyclonedx-min.json",
        samples_dir / "advisories/kev_known_exploited_vulnerabilities.json",
    ]
    for other in others:
        head = other.read_bytes()[:65536]
        assert not WindowsKbMapParser.sniff(head, other.name), other
        assert not WindowsVersionsParser.sniff(head, other.name), other
    for head in (b"", b"[]", b'[{"cve": "CVE-2025-1"}]', b'{"os": "x", "latestKB": "KB1"}'):
        assert not WindowsKbMapParser.sniff(head, "x.json")
        assert not WindowsVersionsParser.sniff(head, "x.json")


# --- mutations ------------------------------------------------------------------------------

ODD_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-1, 70000),
    st.floats(allow_nan=True),
    st.sampled_from(["", " ", "KB", "KB99", "n/a", "11.5", "99999.1", "2026-02-30", "CVE-1-1"]),
    st.text(max_size=6),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


@st.composite
def mutated(draw: st.DrawFn, name: str) -> bytes:
    original = (SAMPLES / name).read_bytes()
    if draw(st.booleans()):
        document = json.loads(original)
        for _ in range(draw(st.integers(1, 3))):
            chance = draw(st.randoms(use_true_random=False))
            document = replace_random_value(document, chance, draw(ODD_VALUES))
        return json.dumps(document).encode()
    return mutate_bytes(draw, original)


@pytest.mark.parametrize(("name", "parser"), OWN_SAMPLES)
def test_mutated_samples_raise_only_validation_errors(
    tmp_path_factory: pytest.TempPathFactory, name: str, parser: type[AdvisoryParser]
) -> None:
    def check_batch(batch: AdvisoryBatch) -> None:
        for document in batch.msrc_documents:
            known = {product.product_id for product in document.products}
            assert all(len(key) <= 32 for key in known)
            for record in document.vulnerabilities:
                assert record.cve_id == record.cve_id.upper()
                assert set(record.product_ids) <= known
                assert all(fix.kb.isdigit() for fix in record.remediations)
                assert all(0 <= (score.base_score or 0) <= 10 for score in record.scores)
        for item in batch.windows_releases:
            assert item.product
            assert item.latest_kb.isdigit()

    path = tmp_path_factory.mktemp("mutated") / name
    check_mutated(path, parser, mutated(name), check_batch, examples=100)
