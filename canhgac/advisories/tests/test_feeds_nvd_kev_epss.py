"""The NVD, KEV and EPSS parsers: golden samples, the real NVD records and the full KEV
catalogue with exact values, every kind of bad input with its location, streaming, mutations,
and format recognition."""

from __future__ import annotations

import dataclasses
import gzip
import json
import tracemalloc
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import strategies as st

from canhgac.advisories.feeds import json_stream
from canhgac.advisories.feeds.epss import EpssParser
from canhgac.advisories.feeds.interface import AdvisoryParser
from canhgac.advisories.feeds.kev import KevCsvParser, KevJsonParser
from canhgac.advisories.feeds.nvd import NvdParser
from canhgac.advisories.feeds.records import (
    AdvisoryBatch,
    ConfigurationRecord,
    CpeMatchRecord,
    KevRecord,
    NodeRecord,
    ScoreRecord,
    VulnerabilityRecord,
)
from canhgac.core.exceptions import ParseError, SourceLocation, ValidationError
from canhgac.core.golden import assert_matches_golden
from canhgac.core.tests.mutation import check_mutated, mutate_bytes, shuffle_json
from canhgac.core.tests.parsing import located, parse_error, write

SAMPLES = Path(__file__).parent / "samples"
OWN_SAMPLES: list[tuple[str, type[AdvisoryParser]]] = [
    ("nvd-page-min.json", NvdParser),
    ("kev-min.json", KevJsonParser),
    ("kev-min.csv", KevCsvParser),
    ("epss-min.csv", EpssParser),
    ("epss-min.csv.gz", EpssParser),
]
PARSERS: list[type[AdvisoryParser]] = [NvdParser, KevJsonParser, KevCsvParser, EpssParser]
KEV_JSON = "advisories/kev_known_exploited_vulnerabilities.json"
KEV_CSV = "advisories/kev_known_exploited_vulnerabilities.csv"
PAGE_HEAD = (
    '{"resultsPerPage": 1, "format": "NVD_CVE", "version": "2.0", '
    '"timestamp": "2025-01-01T00:00:00.000",\n'
)
EPSS_HEAD = "#model_version:v2025.03.14,score_date:2025-08-26T00:00:00+0000\ncve,epss,percentile\n"


def parse(parser: type[AdvisoryParser], path: Path) -> AdvisoryBatch:
    return parser().parse(path, source=path.name)


def warnings_of(batch: AdvisoryBatch) -> list[str]:
    return [str(warning) for warning in batch.warnings]


def cve(**fields: Any) -> dict[str, Any]:
    """A small valid NVD `cve` object; `fields` replace or (with None) remove keys."""
    record: dict[str, Any] = {
        "id": "CVE-2024-0001",
        "published": "2024-01-02T03:04:05.678",
        "lastModified": "2024-02-03T04:05:06.789",
        "vulnStatus": "Analyzed",
        "descriptions": [{"lang": "en", "value": "A flaw."}],
        "configurations": [
            {
                "nodes": [
                    {
                        "operator": "OR",
                        "negate": False,
                        "cpeMatch": [
                            {
                                "vulnerable": True,
                                "criteria": "cpe:2.3:a:example:app:*:*:*:*:*:*:*:*",
                                "versionEndExcluding": "2.0",
                            }
                        ],
                    }
                ]
            }
        ],
    }
    for key, value in fields.items():
        if value is None:
            record.pop(key, None)
        else:
            record[key] = value
    return record


def page(*records: dict[str, Any], **header: Any) -> str:
    document: dict[str, Any] = {
        "resultsPerPage": len(records),
        "startIndex": 0,
        "totalResults": len(records),
        "format": "NVD_CVE",
        "version": "2.0",
        "timestamp": "2025-01-01T00:00:00.000",
    }
    document.update(header)
    document["vulnerabilities"] = [{"cve": record} for record in records]
    return json.dumps(document, indent=1)


# --- golden samples -------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "parser"), OWN_SAMPLES)
def test_own_samples_match_golden(name: str, parser: type[AdvisoryParser]) -> None:
    batch = parse(parser, SAMPLES / name)
    assert batch.source_format == parser.id
    assert batch.source_name == name
    assert_matches_golden(batch, SAMPLES / name)


def test_nvd_sample_values() -> None:
    batch = parse(NvdParser, SAMPLES / "nvd-page-min.json")
    assert batch.catalog_version == "2025-10-22T08:00:00.000"
    spring, panos, struts = batch.vulnerabilities
    assert [record.id for record in batch.vulnerabilities] == [
        "CVE-2022-22965",
        "CVE-2024-3400",
        "CVE-2017-5638",
    ]
    assert spring.location == SourceLocation("nvd-page-min.json", 9, "$.vulnerabilities[0].cve")
    assert spring.cwes == ("CWE-94",)  # given twice (NVD and VMware), kept once
    and_configuration = spring.configurations[0]
    assert (and_configuration.operator, and_configuration.negate) == ("AND", False)
    platform = and_configuration.nodes[1]
    assert platform.matches == (
        CpeMatchRecord(
            criteria="cpe:2.3:a:oracle:jdk:*:*:*:*:*:*:*:*",
            vulnerable=False,
            match_criteria_id="19F22333-401B-4DB1-A63D-622FA54C2BA9",
            version_start_including="9",
        ),
    )
    assert spring.configurations[1].operator == ""  # absent in the file: one node
    assert [score.system for score in panos.scores] == ["cvss_v40", "cvss_v31"]
    assert panos.scores[0].base_score == 10.0
    assert panos.kev_due_date == date(2024, 4, 19)
    assert panos.configurations[0].nodes[0].matches[1].version_end_including == "11.1.2"
    negated = struts.configurations[0].nodes[1]
    assert (negated.operator, negated.negate, negated.matches[0].vulnerable) == ("OR", True, False)
    assert struts.description.startswith("The Jakarta Multipart parser")  # English, not first
    assert struts.cwes == ("CWE-755", "NVD-CWE-Other")
    assert [score.system for score in struts.scores] == ["cvss_v30", "cvss_v31", "cvss_v2"]
    assert struts.scores[1] == ScoreRecord(
        system="cvss_v31",
        vector="CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H",
        base_score=9.8,
        severity="CRITICAL",
        provider="example-cna@example.org",
        primary=False,
    )
    assert warnings_of(batch) == [
        "nvd-page-min.json:308 [$.vulnerabilities[2].cve.metrics.cvssMetricV31[0].cvssData."
        "vectorString]: bad CVSS vector 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H': "
        'Missing mandatory metrics "A"'
    ]


def test_epss_sample_values() -> None:
    batch = parse(EpssParser, SAMPLES / "epss-min.csv.gz")
    assert (batch.epss_model_version, batch.epss_score_date) == ("v2025.03.14", date(2025, 8, 26))
    assert [(record.cve_id, record.score, record.percentile) for record in batch.epss] == [
        ("CVE-2021-31207", 0.93821, 0.99845),
        ("CVE-2022-21907", 0.22715, 0.95694),
        ("CVE-2022-23277", 0.79913, 0.99058),
        ("CVE-2022-26809", 0.72114, 0.98677),
    ]


# --- the real NVD records -------------------------------------------------------------------

# Counted with jq over the raw files: configurations, nodes, cpeMatch entries, cpeMatch entries
# with vulnerable false, CVSS metrics, references, distinct CWE values, cisaExploitAdd/ActionDue.
REAL_NVD: list[tuple[str, str, int, int, int, int, int, int, tuple[str, ...], str, str]] = [
    ("CVE-2021-31207", "Analyzed", 1, 1, 5, 0, 3, 3, ("CWE-434",), "2021-11-03", "2021-11-17"),
    ("CVE-2021-34473", "Analyzed", 1, 1, 5, 0, 3, 3, ("CWE-918",), "2021-11-03", "2021-11-17"),
    ("CVE-2022-21907", "Modified", 1, 1, 17, 0, 2, 1, ("NVD-CWE-noinfo",), "", ""),
    ("CVE-2022-22965", "Modified", 7, 8, 98, 1, 3, 17, ("CWE-94",), "2022-04-04", "2022-04-25"),
    ("CVE-2022-23277", "Modified", 1, 1, 5, 0, 3, 2, ("NVD-CWE-noinfo",), "", ""),
    ("CVE-2022-26809", "Modified", 1, 1, 20, 0, 2, 2, ("NVD-CWE-noinfo",), "", ""),
]


def only_record(batch: AdvisoryBatch) -> VulnerabilityRecord:
    (record,) = batch.vulnerabilities
    return record


def test_every_shared_nvd_record_is_checked(samples_dir: Path) -> None:
    on_disk = sorted(path.stem for path in (samples_dir / "advisories" / "nvd").glob("*.json"))
    assert on_disk == [row[0] for row in REAL_NVD]


@pytest.mark.parametrize(
    (
        "cve_id",
        "status",
        "configurations",
        "nodes",
        "matches",
        "not_vulnerable",
        "scores",
        "references",
        "cwes",
        "kev_added",
        "kev_due",
    ),
    REAL_NVD,
)
def test_real_nvd_record(
    samples_dir: Path,
    cve_id: str,
    status: str,
    configurations: int,
    nodes: int,
    matches: int,
    not_vulnerable: int,
    scores: int,
    references: int,
    cwes: tuple[str, ...],
    kev_added: str,
    kev_due: str,
) -> None:
    path = samples_dir / "advisories" / "nvd" / f"{cve_id}.json"
    batch = parse(NvdParser, path)
    assert (batch.warnings, batch.catalog_version) == ((), "")
    record = only_record(batch)
    assert record.location == SourceLocation(path.name, None, "$")
    assert (record.id, record.source, record.status) == (cve_id, "nvd", status)
    every_node = [node for config in record.configurations for node in config.nodes]
    every_match = [match for node in every_node for match in node.matches]
    assert (len(record.configurations), len(every_node), len(every_match)) == (
        configurations,
        nodes,
        matches,
    )
    assert sum(not match.vulnerable for match in every_match) == not_vulnerable
    assert all(match.criteria.startswith("cpe:2.3:") for match in every_match)
    assert (len(record.scores), len(record.references), record.cwes) == (scores, references, cwes)
    assert record.kev_date_added == (date.fromisoformat(kev_added) if kev_added else None)
    assert record.kev_due_date == (date.fromisoformat(kev_due) if kev_due else None)
    assert record.published is not None
    assert record.published.tzinfo is UTC
    assert record.last_modified is not None
    assert record.last_modified.tzinfo is UTC
    assert record.description


def test_spring4shell_record(samples_dir: Path) -> None:
    record = only_record(parse(NvdParser, samples_dir / "advisories/nvd/CVE-2022-22965.json"))
    assert record.published == datetime(2022, 4, 1, 23, 15, 13, 870000, tzinfo=UTC)
    assert record.last_modified == datetime(2025, 10, 21, 20, 18, 58, 670000, tzinfo=UTC)
    assert record.description.startswith("A Spring MVC or Spring WebFlux application running on")
    assert record.scores == (
        ScoreRecord(
            "cvss_v31",
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
            9.8,
            "CRITICAL",
            "nvd@nist.gov",
            True,
        ),
        ScoreRecord(
            "cvss_v31",
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
            9.8,
            "CRITICAL",
            "134c704f-9b21-4f2e-91b3-4a467353bcc0",
            False,
        ),
        ScoreRecord("cvss_v2", "AV:N/AC:L/Au:N/C:P/I:P/A:P", 7.5, "HIGH", "nvd@nist.gov", True),
    )
    assert record.configurations[0] == ConfigurationRecord(
        operator="AND",
        negate=False,
        nodes=(
            NodeRecord(
                "OR",
                False,
                (
                    CpeMatchRecord(
                        criteria="cpe:2.3:a:vmware:spring_framework:*:*:*:*:*:*:*:*",
                        vulnerable=True,
                        match_criteria_id="7417ECB4-3391-4273-9DAF-C9C82220CEA8",
                        version_end_excluding="5.2.20",
                    ),
                    CpeMatchRecord(
                        criteria="cpe:2.3:a:vmware:spring_framework:*:*:*:*:*:*:*:*",
                        vulnerable=True,
                        match_criteria_id="5049322E-FFAA-4CAA-B794-63539EA4E6D7",
                        version_start_including="5.3.0",
                        version_end_excluding="5.3.18",
                    ),
                ),
            ),
            NodeRecord(
                "OR",
                False,
                (
                    CpeMatchRecord(
                        criteria="cpe:2.3:a:oracle:jdk:*:*:*:*:*:*:*:*",
                        vulnerable=False,
                        match_criteria_id="19F22333-401B-4DB1-A63D-622FA54C2BA9",
                        version_start_including="9",
                    ),
                ),
            ),
        ),
    )
    assert [config.operator for config in record.configurations] == ["AND"] + [""] * 6
    matches_per_first_node = [len(config.nodes[0].matches) for config in record.configurations]
    assert matches_per_first_node == [2, 1, 38, 3, 24, 7, 22]
    assert record.kev_name == "Spring Framework JDK 9+ Remote Code Execution Vulnerability"
    assert record.kev_required_action == "Apply updates per vendor instructions."


def test_proxyshell_record(samples_dir: Path) -> None:
    record = only_record(parse(NvdParser, samples_dir / "advisories/nvd/CVE-2021-34473.json"))
    assert [(s.provider, s.primary, s.base_score, s.vector) for s in record.scores] == [
        ("secure@microsoft.com", True, 9.1, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:N"),
        ("nvd@nist.gov", False, 9.8, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"),
        ("nvd@nist.gov", True, 10.0, "AV:N/AC:L/Au:N/C:C/I:C/A:C"),
    ]
    assert record.configurations[0].nodes[0].matches[0] == CpeMatchRecord(
        criteria="cpe:2.3:a:microsoft:exchange_server:2013:cumulative_update_23:*:*:*:*:*:*",
        vulnerable=True,
        match_criteria_id="DA166F2A-D83B-4D50-AD0B-668D813E0585",
    )
    assert record.references[0].tags == ("Exploit", "Third Party Advisory", "VDB Entry")
    assert record.kev_name == "Microsoft Exchange Server Remote Code Execution Vulnerability"


def test_ssvc_and_cna_blocks_are_ignored(samples_dir: Path) -> None:
    record = only_record(parse(NvdParser, samples_dir / "advisories/nvd/CVE-2022-26809.json"))
    assert [score.system for score in record.scores] == ["cvss_v31", "cvss_v2"]
    assert "cpe:2.3:o:microsoft:windows_server_2019:-:*:*:*:*:*:*:*" in {
        match.criteria for match in record.configurations[0].nodes[0].matches
    }


# --- the full KEV catalogue -----------------------------------------------------------------

KEV_COUNT = 1404  # the JSON's "count", its entries, and the CSV's 1405 lines minus the header
KNOWN_RANSOMWARE = 293


def test_full_kev_catalogue_json(samples_dir: Path) -> None:
    batch = parse(KevJsonParser, samples_dir / KEV_JSON)
    assert (len(batch.kev), batch.catalog_version, batch.warnings) == (KEV_COUNT, "2025.08.25", ())
    assert len({record.cve_id for record in batch.kev}) == KEV_COUNT
    ransomware = Counter(record.known_ransomware_campaign_use for record in batch.kev)
    assert ransomware == {"Known": KNOWN_RANSOMWARE, "Unknown": KEV_COUNT - KNOWN_RANSOMWARE}
    by_id = {record.cve_id: record for record in batch.kev}
    assert by_id["CVE-2022-22965"] == KevRecord(
        cve_id="CVE-2022-22965",
        location=SourceLocation(Path(KEV_JSON).name, None, "$.vulnerabilities[791]"),
        vendor_project="VMware",
        product="Spring Framework",
        name="Spring Framework JDK 9+ Remote Code Execution Vulnerability",
        date_added=date(2022, 4, 4),
        due_date=date(2022, 4, 25),
        required_action="Apply updates per vendor instructions.",
        known_ransomware_campaign_use="Unknown",
        short_description="Spring MVC or Spring WebFlux application running on JDK 9+ may be "
        "vulnerable to remote code execution (RCE) via data binding.",
        notes="https://nvd.nist.gov/vuln/detail/CVE-2022-22965",
        cwes=("CWE-94",),
    )
    proxyshell = by_id["CVE-2021-34473"]
    assert (proxyshell.vendor_project, proxyshell.product) == ("Microsoft", "Exchange Server")
    assert (proxyshell.date_added, proxyshell.due_date) == (date(2021, 11, 3), date(2021, 11, 17))
    assert (proxyshell.known_ransomware_campaign_use, proxyshell.cwes) == ("Known", ("CWE-918",))
    assert by_id["CVE-2025-48384"].cwes == ("CWE-59", "CWE-436")


def test_full_kev_catalogue_csv_equals_json(samples_dir: Path) -> None:
    from_csv = parse(KevCsvParser, samples_dir / KEV_CSV)
    from_json = parse(KevJsonParser, samples_dir / KEV_JSON)
    assert (len(from_csv.kev), from_csv.catalog_version, from_csv.warnings) == (KEV_COUNT, "", ())
    assert {r.cve_id for r in from_csv.kev} == {r.cve_id for r in from_json.kev}
    spring = next(record for record in from_csv.kev if record.cve_id == "CVE-2022-22965")
    assert spring.location == SourceLocation(Path(KEV_CSV).name, 793, None)
    assert (spring.date_added, spring.due_date) == (date(2022, 4, 4), date(2022, 4, 25))
    unlocated = SourceLocation("")
    assert [dataclasses.replace(r, location=unlocated) for r in from_csv.kev] == [
        dataclasses.replace(r, location=unlocated) for r in from_json.kev
    ]


def test_nvd_copies_of_kev_dates_agree(samples_dir: Path) -> None:
    catalogue = {r.cve_id: r for r in parse(KevJsonParser, samples_dir / KEV_JSON).kev}
    for cve_id in ("CVE-2021-31207", "CVE-2021-34473", "CVE-2022-22965"):
        record = only_record(parse(NvdParser, samples_dir / f"advisories/nvd/{cve_id}.json"))
        entry = catalogue[cve_id]
        assert (record.kev_date_added, record.kev_due_date, record.kev_name) == (
            entry.date_added,
            entry.due_date,
            entry.name,
        )


# --- NVD: pages, streaming, bad input -------------------------------------------------------


def test_nvd_page_with_times_in_other_zones(tmp_path: Path) -> None:
    text = page(cve(published="2024-01-02T10:04:05+07:00", lastModified="2024-02-03T04:05:06Z"))
    record = only_record(parse(NvdParser, write(tmp_path, "page.json", text)))
    assert record.published == datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert record.last_modified == datetime(2024, 2, 3, 4, 5, 6, tzinfo=UTC)
    assert record.location == SourceLocation("page.json", 9, "$.vulnerabilities[0].cve")


@pytest.mark.parametrize("chunk", [1, 7, 300])
def test_nvd_stream_across_chunk_boundaries(
    monkeypatch: pytest.MonkeyPatch, chunk: int, tmp_path: Path
) -> None:
    expected = parse(NvdParser, SAMPLES / "nvd-page-min.json")
    monkeypatch.setattr(json_stream, "CHUNK", chunk)
    assert parse(NvdParser, SAMPLES / "nvd-page-min.json") == expected
    minified = json.dumps(json.loads((SAMPLES / "nvd-page-min.json").read_bytes()))
    one_line = parse(NvdParser, write(tmp_path, "nvd-page-min.json", "\ufeff" + minified))
    assert [r.id for r in one_line.vulnerabilities] == [r.id for r in expected.vulnerabilities]
    assert {r.location.line for r in one_line.vulnerabilities} == {1}
    assert [r.configurations for r in one_line.vulnerabilities] == [
        r.configurations for r in expected.vulnerabilities
    ]


def test_nvd_gzip_feed(tmp_path: Path) -> None:
    raw = (SAMPLES / "nvd-page-min.json").read_bytes()
    path = write(tmp_path, "nvd-page-min.json", gzip.compress(raw, mtime=0))
    assert parse(NvdParser, path) == parse(NvdParser, SAMPLES / "nvd-page-min.json")
    assert NvdParser.sniff(path.read_bytes(), path.name)


def test_nvd_memory_stays_bounded_on_a_large_page(tmp_path: Path) -> None:
    """A 24 MB minified page whose entries carry 120 KB each that is not kept: the parser's peak
    is a few chunks, not the document tree (json.loads would need well over 24 MB)."""
    filler = [{"lang": "es", "value": "x" * 120_000}, {"lang": "en", "value": "Kept."}]
    records = [cve(id=f"CVE-2024-{index:05d}", descriptions=filler) for index in range(200)]
    path = write(tmp_path, "big.json", json.dumps(json.loads(page(*records))))
    assert path.stat().st_size > 24_000_000
    tracemalloc.start()
    try:
        batch = parse(NvdParser, path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(batch.vulnerabilities) == 200
    assert batch.vulnerabilities[-1].description == "Kept."
    assert peak < 8_000_000


def test_nvd_malformed_json(tmp_path: Path) -> None:
    text = PAGE_HEAD + '"vulnerabilities": [{"cve": {"id": "CVE-2022-0001",}}]}'
    assert located(parse_error(NvdParser, write(tmp_path, "p.json", text))) == [
        "p.json:2: invalid JSON: Expecting property name enclosed in double quotes (column 52)"
    ]
    text = PAGE_HEAD + '"vulnerabilities": [{"cve": {}} {"cve": {}}]}'
    assert located(parse_error(NvdParser, write(tmp_path, "p.json", text))) == [
        "p.json:2: invalid JSON: Expecting ',' delimiter (column 33)"
    ]
    text = PAGE_HEAD + '"vulnerabilities": []}\n{"more": 1}\n'
    assert located(parse_error(NvdParser, write(tmp_path, "p.json", text))) == [
        "p.json:3: invalid JSON: Extra data (column 1)"
    ]
    for text in ("", "   \n", "NVD"):
        assert located(parse_error(NvdParser, write(tmp_path, "p.json", text)))[0].startswith(
            "p.json:"
        )


def test_nvd_truncated(tmp_path: Path) -> None:
    raw = (SAMPLES / "nvd-page-min.json").read_bytes()
    error = parse_error(NvdParser, write(tmp_path, "p.json", raw[:9000]))
    assert located(error) == ["p.json:226: invalid JSON: Expecting ',' delimiter (column 2)"]
    error = parse_error(NvdParser, write(tmp_path, "p.json", raw.rstrip()[:-1]))
    assert located(error) == ["p.json:446: invalid JSON: Expecting ',' delimiter (column 1)"]


def test_nvd_refuses_other_formats(samples_dir: Path, tmp_path: Path) -> None:
    assert located(parse_error(NvdParser, samples_dir / KEV_JSON)) == [
        "kev_known_exploited_vulnerabilities.json [$]: not an NVD CVE document: this looks "
        "like a CISA KEV catalogue (format 'kev')"
    ]
    entries_first = '{"vulnerabilities": [{"cveID": "CVE-2021-44228"}], "catalogVersion": "1"}'
    assert located(parse_error(NvdParser, write(tmp_path, "k.json", entries_first))) == [
        "k.json:1 [$.vulnerabilities[0]]: not an NVD CVE document: this looks like a CISA KEV "
        "catalogue (format 'kev')"
    ]
    assert located(parse_error(NvdParser, samples_dir / KEV_CSV)) == [
        "kev_known_exploited_vulnerabilities.csv:1: invalid JSON: Expecting value (column 1)"
    ]
    assert located(parse_error(NvdParser, SAMPLES / "epss-min.csv.gz")) == [
        "epss-min.csv.gz:1: invalid JSON: Expecting value (column 1)"
    ]
    legacy = '{"CVE_data_type": "CVE", "CVE_data_format": "MITRE", "CVE_Items": []}'
    assert located(parse_error(NvdParser, write(tmp_path, "nvdcve-1.1-2021.json", legacy))) == [
        "nvdcve-1.1-2021.json [$]: an NVD JSON 1.1 feed (retired in 2023); use the CVE API 2.0 "
        "or its 2.0 feeds"
    ]
    with pytest.raises(ValidationError) as caught:
        parse(NvdParser, samples_dir / "advisories/osv/samples/go/GO-2022-0969.json")
    assert located(caught.value) == [
        "GO-2022-0969.json [$.id]: 'GO-2022-0969' is not a CVE id",
        "GO-2022-0969.json [$.lastModified]: lastModified is missing",
    ]
    for text, kind in (("[]", "a list"), ('"CVE"', "a string"), ("12", "a number")):
        assert located(parse_error(NvdParser, write(tmp_path, "p.json", text))) == [
            f"p.json [$]: not an NVD CVE document: the document is {kind}, not an object"
        ]
    assert located(parse_error(NvdParser, write(tmp_path, "p.json", '{"a": 1}'))) == [
        "p.json [$]: not an NVD CVE document: no 'vulnerabilities' list and no CVE 'id'"
    ]


def test_nvd_unknown_format_or_version(tmp_path: Path) -> None:
    assert located(
        parse_error(NvdParser, write(tmp_path, "p.json", page(cve(), version="3.0")))
    ) == ["p.json [$.version]: not an NVD CVE API 2.0 document: version is '3.0', expected '2.0'"]
    text = page(cve(), format="NVD_CPE")
    assert located(parse_error(NvdParser, write(tmp_path, "p.json", text))) == [
        "p.json [$.format]: not an NVD CVE API 2.0 document: format is 'NVD_CPE', expected "
        "'NVD_CVE'"
    ]
    # read at the end when the header follows the entries; checked before any entry problem
    text = '{"vulnerabilities": [{"cve": {"id": "x"}}], "format": "NVD_CVE", "version": "1.1"}'
    assert located(parse_error(NvdParser, write(tmp_path, "p.json", text))) == [
        "p.json [$.version]: not an NVD CVE API 2.0 document: version is '1.1', expected '2.0'"
    ]
    text = '{"vulnerabilities": []}'
    assert located(parse_error(NvdParser, write(tmp_path, "p.json", text))) == [
        "p.json [$.format]: not an NVD CVE API 2.0 document: format is missing, expected 'NVD_CVE'"
    ]
    text = PAGE_HEAD + '"vulnerabilities": {"cve": {}}}'
    assert located(parse_error(NvdParser, write(tmp_path, "p.json", text))) == [
        "p.json [$.vulnerabilities]: vulnerabilities is an object, not a list"
    ]


def test_nvd_missing_required_fields(tmp_path: Path) -> None:
    records = [cve(id=f"CVE-2024-000{index}") for index in range(5)]
    records[3] = cve(id=None)
    error = parse_error(NvdParser, write(tmp_path, "p.json", page(*records)))
    assert error.source == SourceLocation("p.json", 102, "$.vulnerabilities[3].cve.id")
    assert located(error) == ["p.json:102 [$.vulnerabilities[3].cve.id]: id is missing"]


def test_nvd_every_problem_is_reported(tmp_path: Path) -> None:
    bad = cve(
        id=" ",
        published="2022-13-01T00:00:00",
        lastModified=None,
        cisaExploitAdd="04/04/2022",
        descriptions={"en": "x"},
        references=[{"url": "https://example.org", "tags": "Patch"}, {"source": "x"}],
        configurations=[
            {
                "operator": "XOR",
                "nodes": [
                    {"negate": "no", "cpeMatch": [{"criteria": "cpe:/a:example:app:1.0"}, 7]}
                ],
            }
        ],
    )
    text = PAGE_HEAD + '"vulnerabilities": [{"cve": ' + json.dumps(bad) + "}, 5, {}]}"
    with pytest.raises(ValidationError) as caught:
        parse(NvdParser, write(tmp_path, "p.json", text))
    assert not isinstance(caught.value, ParseError)
    assert caught.value.message == "p.json: 15 problems"
    where = "p.json:2 [$.vulnerabilities[0].cve"
    assert located(caught.value) == [
        f"{where}.id]: id is missing",
        f"{where}.published]: published '2022-13-01T00:00:00' is not a date-time",
        f"{where}.lastModified]: lastModified is missing",
        f"{where}.descriptions]: descriptions is an object, not a list",
        f"{where}.references[0].tags]: tags is not a list of strings",
        f"{where}.references[1].url]: url is missing",
        f"{where}.configurations[0].nodes[0].cpeMatch[1]]: entry is a number, not an object",
        f"{where}.configurations[0].nodes[0].cpeMatch[0].criteria]: criteria "
        "'cpe:/a:example:app:1.0' is not a CPE 2.3 name",
        f"{where}.configurations[0].nodes[0].cpeMatch[0].vulnerable]: vulnerable is missing",
        f"{where}.configurations[0].nodes[0].operator]: operator is missing",
        f"{where}.configurations[0].nodes[0].negate]: negate is a string, not true or false",
        f"{where}.configurations[0].operator]: operator 'XOR' is neither AND nor OR",
        f"{where}.cisaExploitAdd]: cisaExploitAdd '04/04/2022' is not a date (YYYY-MM-DD)",
        "p.json:2 [$.vulnerabilities[1]]: element is a number, not an object",
        "p.json:2 [$.vulnerabilities[2].cve]: missing the 'cve' object",
    ]


def test_nvd_problems_stop_at_one_hundred(tmp_path: Path) -> None:
    text = page(*[cve(id="nope") for _ in range(150)])
    with pytest.raises(ValidationError) as caught:
        parse(NvdParser, write(tmp_path, "p.json", text))
    assert caught.value.message == "p.json: 100 problems; stopped reading"
    assert len(caught.value.problems) == 100


def test_nvd_bad_vectors_and_scores_are_warnings(tmp_path: Path) -> None:
    metrics = {
        "cvssMetricV30": [
            {
                "source": "a",
                "type": "Primary",
                "cvssData": {
                    "vectorString": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
                    "baseScore": 9.8,
                },
            }
        ],
        "cvssMetricV2": [{"source": "b", "cvssData": {"vectorString": "AV:Q", "baseScore": 11}}],
        "cvssMetricV40": [{"cvssData": {"baseScore": True}}],
        "cvssMetricV50": [{"cvssData": {}}],
        "ssvcV203": [{"ssvcData": {}}],
    }
    batch = parse(NvdParser, write(tmp_path, "p.json", page(cve(metrics=metrics))))
    record = only_record(batch)
    assert record.scores == (
        ScoreRecord("cvss_v30", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8, "", "a", True),
        ScoreRecord("cvss_v2", "AV:Q", None, "", "b", False),
        ScoreRecord("cvss_v40"),
    )
    where = "p.json:9 [$.vulnerabilities[0].cve.metrics"
    assert warnings_of(batch) == [
        f"{where}.cvssMetricV30[0].cvssData.vectorString]: bad CVSS vector 'CVSS:3.1/AV:N/AC:L/"
        "PR:N/UI:N/S:U/C:H/I:H/A:H': it does not start with CVSS:3.0/",
        f"{where}.cvssMetricV2[0].cvssData.vectorString]: bad CVSS vector 'AV:Q': "
        'Unknown value "Q" in field "AV:Q"',
        f"{where}.cvssMetricV2[0].cvssData.baseScore]: baseScore 11 is not from 0 to 10; ignored",
        f"{where}.cvssMetricV40[0].cvssData.vectorString]: the CVSS vector is missing",
        f"{where}.cvssMetricV40[0].cvssData.baseScore]: baseScore True is not from 0 to 10; "
        "ignored",
        f"{where}.cvssMetricV50]: cvssMetricV50 is not a CVSS version canhgac reads",
    ]


def test_nvd_duplicates(tmp_path: Path) -> None:
    batch = parse(NvdParser, write(tmp_path, "p.json", page(cve(), cve())))
    assert len(batch.vulnerabilities) == 1
    assert warnings_of(batch) == [
        "p.json:40 [$.vulnerabilities[1].cve]: CVE-2024-0001 is listed twice, at "
        "$.vulnerabilities[0].cve and at $.vulnerabilities[1].cve; kept the first",
    ]
    text = page(cve(), cve(vulnStatus="Modified"))
    assert located(parse_error(NvdParser, write(tmp_path, "p.json", text))) == [
        "p.json:40 [$.vulnerabilities[1].cve]: CVE-2024-0001 is listed twice with different "
        "content, at $.vulnerabilities[0].cve and at $.vulnerabilities[1].cve"
    ]


def test_nvd_header_warnings(tmp_path: Path) -> None:
    text = page(cve(), resultsPerPage=2000, timestamp="yesterday")
    batch = parse(NvdParser, write(tmp_path, "p.json", text))
    assert batch.catalog_version == "yesterday"
    assert warnings_of(batch) == [
        "p.json [$.timestamp]: timestamp 'yesterday' is not a date-time",
        "p.json [$.resultsPerPage]: resultsPerPage is 2000 but the page holds 1 entries",
    ]
    empty = parse(NvdParser, write(tmp_path, "p.json", page()))
    assert (empty.vulnerabilities, empty.catalog_version) == ((), "2025-01-01T00:00:00.000")


def test_nvd_non_utf8(tmp_path: Path) -> None:
    content = (PAGE_HEAD + '"vulnerabilities": [\n{"cve": {"id": "caf\xe9"}}]}').encode("latin-1")
    assert located(parse_error(NvdParser, write(tmp_path, "p.json", content))) == [
        "p.json:3: not UTF-8 text (byte 141); save the file as UTF-8"
    ]
    assert content.index(b"\xe9") == 141


def test_nvd_nested_too_deeply(tmp_path: Path) -> None:
    text = PAGE_HEAD + '"vulnerabilities": [' + "[" * 100_000 + "]" * 100_000 + "]}"
    assert located(parse_error(NvdParser, write(tmp_path, "p.json", text))) == [
        "p.json:2: invalid JSON: nested too deeply (column 21)"
    ]


def test_nvd_decompressed_size_is_limited(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    bomb = gzip.compress(PAGE_HEAD.encode() + b" " * 5_000_000 + b'"vulnerabilities": []}')
    path = write(tmp_path, "bomb.json.gz", bomb)
    monkeypatch.setenv("CANHGAC_IMPORT_MAX_BYTES", "1000000")
    assert path.stat().st_size < 1_000_000
    assert located(parse_error(NvdParser, path)) == [
        "bomb.json.gz: the content is larger than the limit of 1000000 bytes"
    ]
    broken = gzip.compress((SAMPLES / "nvd-page-min.json").read_bytes())[:-200]
    assert located(parse_error(NvdParser, write(tmp_path, "cut.json.gz", broken))) == [
        "cut.json.gz: cannot decompress the file: Compressed file ended before the "
        "end-of-stream marker was reached"
    ]


# --- KEV: bad input -------------------------------------------------------------------------


def kev_entry(**fields: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "cveID": "CVE-2024-0001",
        "vendorProject": "Example",
        "product": "App",
        "vulnerabilityName": "Example App Flaw",
        "dateAdded": "2024-05-01",
        "shortDescription": "A flaw.",
        "requiredAction": "Apply updates.",
        "dueDate": "2024-05-22",
        "knownRansomwareCampaignUse": "Unknown",
        "notes": "",
        "cwes": [],
    }
    for key, value in fields.items():
        if value is None:
            entry.pop(key)
        else:
            entry[key] = value
    return entry


def kev_json(*entries: Any, **header: Any) -> str:
    document: dict[str, Any] = {
        "title": "CISA Catalog of Known Exploited Vulnerabilities",
        "catalogVersion": "2024.05.01",
        "dateReleased": "2024-05-01T12:00:00.000Z",
        "count": len(entries),
        "vulnerabilities": list(entries),
    }
    document.update(header)
    return json.dumps(document, indent=2)


def test_kev_json_malformed_and_truncated(tmp_path: Path) -> None:
    raw = (SAMPLES / "kev-min.json").read_text(encoding="utf-8")
    assert located(parse_error(KevJsonParser, write(tmp_path, "k.json", raw[:1500]))) == [
        "k.json:27: invalid JSON: Unterminated string starting at (column 34)"
    ]
    text = raw.replace('"count": 4,', '"count": 4')
    assert located(parse_error(KevJsonParser, write(tmp_path, "k.json", text))) == [
        "k.json:6: invalid JSON: Expecting ',' delimiter (column 5)"
    ]


def test_kev_json_refuses_other_formats(samples_dir: Path, tmp_path: Path) -> None:
    assert located(parse_error(KevJsonParser, SAMPLES / "nvd-page-min.json")) == [
        "nvd-page-min.json [$.format]: not a KEV catalogue: this is an NVD CVE API response "
        "(use the format 'nvd')"
    ]
    assert located(
        parse_error(KevJsonParser, samples_dir / "advisories/nvd/CVE-2022-22965.json")
    ) == [
        "CVE-2022-22965.json [$.vulnerabilities]: not a KEV catalogue: vulnerabilities is missing, "
        "not a list (this looks like NVD CVE data: use the format 'nvd')"
    ]
    assert located(parse_error(KevJsonParser, samples_dir / KEV_CSV)) == [
        "kev_known_exploited_vulnerabilities.csv:1: invalid JSON: Expecting value (column 1)"
    ]
    assert located(parse_error(KevJsonParser, write(tmp_path, "k.json", "[1]"))) == [
        "k.json [$]: not a KEV catalogue: the document is a list, not an object"
    ]


def test_kev_json_entry_problems(tmp_path: Path) -> None:
    entries = [kev_entry(cveID=f"CVE-2024-000{index}") for index in range(5)]
    entries[3] = kev_entry(cveID=None)
    error = parse_error(KevJsonParser, write(tmp_path, "k.json", kev_json(*entries)))
    assert error.source == SourceLocation("k.json", None, "$.vulnerabilities[3].cveID")
    assert located(error) == ["k.json [$.vulnerabilities[3].cveID]: cveID is missing"]
    mixed: list[Any] = [
        kev_entry(dateAdded="2024-02-30", dueDate="soon", cwes="CWE-79", product=""),
        kev_entry(cveID="CVE-24-1", vendorProject=7, knownRansomwareCampaignUse="Yes"),
        "CVE-2024-0003",
    ]
    with pytest.raises(ValidationError) as caught:
        parse(KevJsonParser, write(tmp_path, "k.json", kev_json(*mixed)))
    assert located(caught.value) == [
        "k.json [$.vulnerabilities[0].product]: product is empty",
        "k.json [$.vulnerabilities[0].dateAdded]: dateAdded '2024-02-30' is not a date "
        "(YYYY-MM-DD)",
        "k.json [$.vulnerabilities[0].dueDate]: dueDate 'soon' is not a date (YYYY-MM-DD)",
        "k.json [$.vulnerabilities[0].cwes]: cwes is not a list of strings",
        "k.json [$.vulnerabilities[1].vendorProject]: vendorProject is a number, not a string",
        "k.json [$.vulnerabilities[1].cveID]: 'CVE-24-1' is not a CVE id",
        "k.json [$.vulnerabilities[2]]: entry is a string, not an object",
    ]


def test_kev_json_header_warnings_and_optional_fields(tmp_path: Path) -> None:
    entry = kev_entry(dueDate="", notes=None, cwes=None, knownRansomwareCampaignUse="Maybe")
    text = kev_json(entry, kev_entry(cveID="cve-2024-0002"), count=3, dateReleased="May 1")
    batch = parse(KevJsonParser, write(tmp_path, "k.json", text))
    assert [(r.cve_id, r.due_date, r.notes, r.cwes) for r in batch.kev] == [
        ("CVE-2024-0001", None, "", ()),
        ("CVE-2024-0002", date(2024, 5, 22), "", ()),
    ]
    assert warnings_of(batch) == [
        "k.json [$.vulnerabilities[0].knownRansomwareCampaignUse]: knownRansomwareCampaignUse "
        "'Maybe' is neither Known nor Unknown",
        "k.json [$.dateReleased]: dateReleased 'May 1' is not a date-time",
        "k.json [$.count]: count is 3 but the catalogue lists 2 entries",
    ]
    text = kev_json(kev_entry(), catalogVersion=None, count="1")
    batch = parse(KevJsonParser, write(tmp_path, "k.json", text))
    assert batch.catalog_version == ""
    assert warnings_of(batch) == [
        "k.json [$.catalogVersion]: catalogVersion is missing or not a string",
        "k.json [$.count]: count is a string, not a number",
    ]


def test_kev_duplicates(tmp_path: Path) -> None:
    batch = parse(KevJsonParser, write(tmp_path, "k.json", kev_json(kev_entry(), kev_entry())))
    assert len(batch.kev) == 1
    assert warnings_of(batch) == [
        "k.json [$.vulnerabilities[1]]: CVE-2024-0001 is listed twice, at $.vulnerabilities[0] "
        "and at $.vulnerabilities[1]; kept the first",
    ]
    text = kev_json(kev_entry(), kev_entry(dueDate="2024-06-01"))
    assert located(parse_error(KevJsonParser, write(tmp_path, "k.json", text))) == [
        "k.json [$.vulnerabilities[1]]: CVE-2024-0001 is listed twice with different content, "
        "at $.vulnerabilities[0] and at $.vulnerabilities[1]"
    ]
    lines = (SAMPLES / "kev-min.csv").read_text(encoding="utf-8").splitlines()
    text = "\n".join([*lines, lines[2].replace("2022-04-25", "2022-05-25")]) + "\n"
    assert located(parse_error(KevCsvParser, write(tmp_path, "k.csv", text))) == [
        "k.csv:6 [cveID]: CVE-2022-22965 is listed twice with different content, at line 3 and "
        "at line 6"
    ]


def test_kev_csv_bad_input(samples_dir: Path, tmp_path: Path) -> None:
    lines = (SAMPLES / "kev-min.csv").read_text(encoding="utf-8").splitlines()
    header = lines[0]
    text = header.replace(",dueDate", "") + "\n" + "\n".join(lines[1:])
    assert located(parse_error(KevCsvParser, write(tmp_path, "k.csv", text))) == [
        "k.csv:1 [dueDate]: not a KEV CSV file: the header lacks dueDate"
    ]
    bad_row = "CVE-2024-0001,Example,App,Flaw,2024-13-01,Short,Act,2024-05-22,Unknown,,CWE-79"
    short_row = "CVE-2024-0002,Example,App"
    text = "\n".join([header, lines[1], bad_row, "", short_row]) + "\n"
    with pytest.raises(ValidationError) as caught:
        parse(KevCsvParser, write(tmp_path, "k.csv", text))
    assert located(caught.value) == [
        "k.csv:3 [dateAdded]: dateAdded '2024-13-01' is not a date (YYYY-MM-DD)",
        "k.csv:5 [vulnerabilityName]: vulnerabilityName is missing",
        "k.csv:5 [dateAdded]: dateAdded is missing",
        "k.csv:5 [shortDescription]: shortDescription is missing",
        "k.csv:5 [requiredAction]: requiredAction is missing",
        "k.csv:5 [dueDate]: dueDate is missing",
    ]
    truncated = (SAMPLES / "kev-min.csv").read_text(encoding="utf-8")[:1000]
    with pytest.raises(ValidationError) as caught:
        parse(KevCsvParser, write(tmp_path, "k.csv", truncated))
    assert located(caught.value) == [
        "k.csv:3 [requiredAction]: requiredAction is missing",
        "k.csv:3 [dueDate]: dueDate is missing",
    ]
    assert located(parse_error(KevCsvParser, samples_dir / KEV_JSON)) == [
        "kev_known_exploited_vulnerabilities.json:1 [cveID]: not a KEV CSV file: the header "
        "lacks cveID, vendorProject, product, vulnerabilityName, dateAdded, shortDescription, "
        "requiredAction, dueDate"
    ]
    assert located(parse_error(KevCsvParser, write(tmp_path, "k.csv", ""))) == [
        "k.csv:1: the file is empty"
    ]
    content = (header + "\nCVE-2024-0001,Caf\xe9\n").encode("latin-1")
    assert located(parse_error(KevCsvParser, write(tmp_path, "k.csv", content))) == [
        "k.csv:2: not UTF-8 text (byte 151); save the file as UTF-8"
    ]
    text = header + ',extra\n"' + "x" * 200_000 + '"\n'
    assert located(parse_error(KevCsvParser, write(tmp_path, "k.csv", text))) == [
        "k.csv:2: invalid CSV: field larger than field limit (131072)"
    ]


def test_kev_csv_extra_columns_and_cells(tmp_path: Path) -> None:
    lines = (SAMPLES / "kev-min.csv").read_text(encoding="utf-8").splitlines()
    text = "\n".join([lines[0] + ",comment", lines[1] + ",ok", lines[2]]) + "\n"
    batch = parse(KevCsvParser, write(tmp_path, "k.csv", text))
    assert [record.cve_id for record in batch.kev] == ["CVE-2024-3400", "CVE-2022-22965"]
    assert warnings_of(batch) == [
        "k.csv:1 [comment]: column 'comment' is not read",
        "k.csv:3: the row has 11 cells, the header 12",
    ]


@pytest.mark.parametrize(("name", "parser"), OWN_SAMPLES)
def test_file_over_the_size_limit(
    monkeypatch: pytest.MonkeyPatch, name: str, parser: type[AdvisoryParser]
) -> None:
    monkeypatch.setenv("CANHGAC_IMPORT_MAX_BYTES", "100")
    size = (SAMPLES / name).stat().st_size
    assert located(parse_error(parser, SAMPLES / name)) == [
        f"{name}: the file is {size} bytes; the limit is 100"
    ]


def test_missing_file(tmp_path: Path) -> None:
    for parser in PARSERS:
        assert located(parse_error(parser, tmp_path / "gone.json")) == [
            "gone.json: cannot read the file: No such file or directory"
        ]


# --- EPSS: bad input ------------------------------------------------------------------------


def test_epss_without_model_line(tmp_path: Path) -> None:
    batch = parse(EpssParser, write(tmp_path, "e.csv", "cve,epss,percentile\nCVE-2024-0001,0,1"))
    assert (batch.epss_model_version, batch.epss_score_date) == ("", None)
    assert [(r.cve_id, r.score, r.percentile) for r in batch.epss] == [("CVE-2024-0001", 0.0, 1.0)]
    assert warnings_of(batch) == [
        "e.csv:1: no '#model_version:…,score_date:…' line before the header"
    ]
    text = "#score_date:2025-13-01\ncve,epss,percentile\r\ncve-2024-0001,0.5,0.5\r\n"
    batch = parse(EpssParser, write(tmp_path, "e.csv", text))
    assert batch.epss[0].cve_id == "CVE-2024-0001"
    assert warnings_of(batch) == [
        "e.csv:1 [model_version]: the first line names no model_version",
        "e.csv:1 [score_date]: score_date '2025-13-01' is not a date-time; ignored",
    ]


@pytest.mark.parametrize(
    ("written", "day"),
    [
        ("2025-08-26T00:00:00Z", date(2025, 8, 26)),
        ("2025-08-26T23:30:00-05:00", date(2025, 8, 27)),
        ("2025-08-26", date(2025, 8, 26)),
    ],
)
def test_epss_score_date_is_a_utc_day(tmp_path: Path, written: str, day: date) -> None:
    text = f"#model_version:v2025.03.14,score_date:{written}\ncve,epss,percentile\n"
    assert parse(EpssParser, write(tmp_path, "e.csv", text)).epss_score_date == day


def test_epss_bad_rows(tmp_path: Path) -> None:
    rows = [
        "CVE-2024-0001,1.5,0.5",
        "CVE-2024-0002,0.1,-0.01",
        "CVE-2024-0003,abc,nan",
        "GHSA-xxxx,0.1,0.2",
        "CVE-2024-0005,0.1",
        "",
        "CVE-2024-0006,0.1,0.2",
    ]
    with pytest.raises(ValidationError) as caught:
        parse(EpssParser, write(tmp_path, "e.csv", EPSS_HEAD + "\n".join(rows)))
    assert caught.value.message == "e.csv: 6 problems"
    assert located(caught.value) == [
        "e.csv:3 [epss]: epss '1.5' is not a number from 0 to 1",
        "e.csv:4 [percentile]: percentile '-0.01' is not a number from 0 to 1",
        "e.csv:5 [epss]: epss 'abc' is not a number from 0 to 1",
        "e.csv:5 [percentile]: percentile 'nan' is not a number from 0 to 1",
        "e.csv:6 [cve]: 'GHSA-xxxx' is not a CVE id",
        "e.csv:7: the row has 2 cells, expected 3",
    ]


def test_epss_duplicates(tmp_path: Path) -> None:
    text = EPSS_HEAD + "CVE-2024-0001,0.1,0.2\nCVE-2024-0001,0.1,0.2\n"
    batch = parse(EpssParser, write(tmp_path, "e.csv", text))
    assert len(batch.epss) == 1
    assert warnings_of(batch) == ["e.csv:4 [cve]: CVE-2024-0001 is repeated (line 3); kept once"]
    text = EPSS_HEAD + "CVE-2024-0001,0.1,0.2\nCVE-2024-0001,0.3,0.2\n"
    assert located(parse_error(EpssParser, write(tmp_path, "e.csv", text))) == [
        "e.csv:4 [cve]: CVE-2024-0001 is repeated with other scores (line 3)"
    ]


def test_epss_refuses_other_formats(samples_dir: Path, tmp_path: Path) -> None:
    assert located(parse_error(EpssParser, SAMPLES / "kev-min.csv")) == [
        "kev-min.csv:1: not an EPSS file: the header is 'cveID,vendorProject,product,"
        "vulnerabilityName,dateAdded,shor', expected 'cve,epss,percentile'"
    ]
    assert located(parse_error(EpssParser, SAMPLES / "nvd-page-min.json")) == [
        "nvd-page-min.json:1: not an EPSS file: the header is '{', expected 'cve,epss,percentile'"
    ]
    assert located(parse_error(EpssParser, write(tmp_path, "e.csv", "#model_version:v1\n"))) == [
        "e.csv: no header 'cve,epss,percentile'"
    ]
    assert located(parse_error(EpssParser, write(tmp_path, "e.csv", ""))) == [
        "e.csv: no header 'cve,epss,percentile'"
    ]


def test_epss_non_utf8_and_long_lines(tmp_path: Path) -> None:
    content = (EPSS_HEAD + "CVE-2024-0001,0.1,0.2\nCVE-2024-000\xe9,0.1,0.2\n").encode("latin-1")
    assert located(parse_error(EpssParser, write(tmp_path, "e.csv", content))) == [
        "e.csv:4: not UTF-8 text (column 13); save the file as UTF-8"
    ]
    content = EPSS_HEAD.encode() + b"x" * 200_000
    assert located(parse_error(EpssParser, write(tmp_path, "e.csv", content))) == [
        "e.csv:3: a line is longer than 65536 bytes; not an EPSS file"
    ]


def test_epss_gzip_bomb(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    lines = EPSS_HEAD.encode() + b"CVE-2024-0001,0.1,0.2\n" * 100_000  # 2.2 MB, once
    bomb = write(tmp_path, "bomb.csv.gz", gzip.compress(lines))
    assert bomb.stat().st_size < 100_000
    monkeypatch.setenv("CANHGAC_IMPORT_MAX_BYTES", "1000000")
    error = parse_error(EpssParser, bomb)
    assert located(error) == [
        "bomb.csv.gz:44682: the content is larger than the limit of 1000000 bytes"
    ]
    blank = write(tmp_path, "blank.csv.gz", gzip.compress(EPSS_HEAD.encode() + b"\n" * 50_000_000))
    assert blank.stat().st_size < 100_000
    assert located(parse_error(EpssParser, blank)) == [
        "blank.csv.gz:982960: the content is larger than the limit of 1000000 bytes"
    ]
    zeros = write(tmp_path, "zeros.csv.gz", gzip.compress(b"\0" * 50_000_000))
    assert located(parse_error(EpssParser, zeros)) == [
        "zeros.csv.gz:1: a line is longer than 65536 bytes; not an EPSS file"
    ]


def test_epss_broken_gzip(tmp_path: Path) -> None:
    packed = (SAMPLES / "epss-min.csv.gz").read_bytes()
    assert located(parse_error(EpssParser, write(tmp_path, "e.csv.gz", packed[:-12]))) == [
        "e.csv.gz:1: cannot decompress the file: Compressed file ended before the end-of-stream "
        "marker was reached"
    ]
    flipped = bytearray(packed)
    flipped[-5] ^= 0xFF  # the stored CRC-32
    assert located(parse_error(EpssParser, write(tmp_path, "e.csv.gz", bytes(flipped)))) == [
        "e.csv.gz:1: cannot decompress the file: CRC check failed 0x54ff4bb5 != 0xabff4bb5"
    ]


def test_epss_full_size_file_streams(tmp_path: Path) -> None:
    """250,000 lines, like a real day, streamed (throughput belongs in bench/, not here)."""
    rows = "".join(
        f"CVE-2024-{index:06d},0.0{index % 97:03d},0.{index % 991:05d}\n"
        for index in range(250_000)
    )
    path = write(
        tmp_path, "epss_scores-2025-08-26.csv.gz", gzip.compress((EPSS_HEAD + rows).encode())
    )
    batch = parse(EpssParser, path)
    assert len(batch.epss) == 250_000
    assert batch.epss[-1].cve_id == "CVE-2024-249999"


# --- format recognition ---------------------------------------------------------------------


def head_of(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(64 * 1024)


@pytest.mark.parametrize(("name", "owner"), OWN_SAMPLES)
def test_sniff_own_samples(name: str, owner: type[AdvisoryParser]) -> None:
    head = head_of(SAMPLES / name)
    assert [parser.id for parser in PARSERS if parser.sniff(head, name)] == [owner.id]


@pytest.mark.parametrize(
    ("relative", "owner"),
    [
        ("advisories/nvd/CVE-2021-31207.json", "nvd"),
        ("advisories/nvd/CVE-2022-22965.json", "nvd"),
        (KEV_JSON, "kev"),
        (KEV_CSV, "kev-csv"),
        ("advisories/kev_known_exploited_vulnerabilities_schema.json", None),
        ("advisories/osv/samples/go/GO-2022-0969.json", None),
        ("advisories/msrc-cvrf/cvrfDocument-2022-Apr.xml", None),
        ("sbom/cyclonedx/dropwizard-1.3.15__bom.json", None),
        ("scans/generic", None),  # generic_csv_with_epss.csv has epss columns
        ("stix", None),
    ],
)
def test_sniff_shared_files(samples_dir: Path, relative: str, owner: str | None) -> None:
    path = samples_dir / relative
    candidates = sorted(path.glob("*")) if path.is_dir() else [path]
    for candidate in candidates:
        head = head_of(candidate)
        found = [parser.id for parser in PARSERS if parser.sniff(head, candidate.name)]
        assert found == ([owner] if owner else []), candidate


def test_sniff_refuses_the_msrc_samples() -> None:
    """A CSAF document's vulnerabilities also start with "cve" (a string there)."""
    for path in sorted(SAMPLES.glob("msrc-*")):
        if not path.name.endswith(".expected.json"):
            assert [p.id for p in PARSERS if p.sniff(head_of(path), path.name)] == [], path


def test_sniff_truncated_gzip_head() -> None:
    packed = gzip.compress((SAMPLES / "nvd-page-min.json").read_bytes())
    assert NvdParser.sniff(packed[:200], "page.json.gz")
    assert not EpssParser.sniff(packed[:200], "page.json.gz")
    assert not NvdParser.sniff(b"\x1f\x8bnot really", "x.gz")


# --- mutations ------------------------------------------------------------------------------

TOKENS = [b"{", b"}", b"[", b"]", b'"', b",", b":", b"null", b"1e999", b"NaN", b"\n", b"\r"]
TOKENS += [b"\x00", b"\xff", b"\xc3", b"\xef\xbb\xbf", b'"cve":', b"CVE-2024-1", b",,", b'""']
ODD_VALUES: list[Any] = [None, 0, -1.5, True, "", "x", [], {}, [{}], {"cve": 1}, [None], 1e308]


@st.composite
def mutated(draw: st.DrawFn, name: str) -> bytes:
    original = (SAMPLES / name).read_bytes()
    packed = name.endswith(".gz")
    if packed and draw(st.booleans()):
        original, packed = gzip.decompress(original), False
        recompress = True
    else:
        recompress = False
    if name.endswith(".json") and draw(st.booleans()):
        chance = draw(st.randoms(use_true_random=False))
        original = json.dumps(shuffle_json(json.loads(original), chance, ODD_VALUES)).encode()
        if draw(st.booleans()):
            return original
    data = mutate_bytes(draw, original, TOKENS)
    return gzip.compress(data, mtime=0) if recompress else data


@pytest.mark.parametrize(("name", "parser"), OWN_SAMPLES)
def test_mutated_samples_raise_only_validation_errors(
    tmp_path_factory: pytest.TempPathFactory, name: str, parser: type[AdvisoryParser]
) -> None:
    def check_batch(batch: AdvisoryBatch) -> None:
        assert batch.source_format == parser.id
        assert all(record.id.startswith("CVE-") for record in batch.vulnerabilities)
        assert all(record.cve_id.startswith("CVE-") for record in batch.kev)
        assert all(0 <= record.score <= 1 for record in batch.epss)

    path = tmp_path_factory.mktemp("mutated") / name
    check_mutated(path, parser, mutated(name), check_batch)
