"""The generic CSAF 2.0 parser and the CSAF provider readers (provider metadata, ROLIE feeds,
changes.csv): golden samples, the mapping choices, every kind of bad input with its location,
Microsoft's documents left to their own parser, byte and value mutations."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import strategies as st

from canhgac.advisories.feeds.csaf import CsafParser, id_label, vers_scheme
from canhgac.advisories.feeds.csaf_provider import (
    DirectoryChange,
    DirectoryLink,
    PgpKey,
    RolieFeed,
    RolieFeedLink,
    directory_changes,
    directory_document_url,
    read_provider_metadata,
    read_rolie_feed,
    rolie_feed,
)
from canhgac.advisories.feeds.msrc_csaf import MsrcCsafParser
from canhgac.advisories.feeds.records import (
    AdvisoryBatch,
    PackageRecord,
    RangeRecord,
    RemediationRecord,
    ScoreRecord,
    VulnerabilityRecord,
)
from canhgac.core.exceptions import ParseError, SourceLocation, ValidationError
from canhgac.core.golden import assert_matches_golden
from canhgac.core.tests.mutation import check_mutated, mutate_bytes, replace_random_value
from canhgac.core.tests.parsing import located, rejected, write

SAMPLES = Path(__file__).parent / "samples"
INVENTORY_SAMPLES = Path(__file__).parents[2] / "inventory" / "tests" / "samples"
SAMPLE = SAMPLES / "csaf-min.json"
NO_CVE_SAMPLE = SAMPLES / "csaf-nocve.json"
OWN_SAMPLES = ["csaf-min.json", "csaf-nocve.json"]
GATEWAY_CPE = "cpe:2.3:o:acme-industrial:gw-200_firmware:*:*:*:*:*:*:*:*"


def parse(path: Path) -> AdvisoryBatch:
    return CsafParser().parse(path, source=path.name)


def sample(name: str = "csaf-min.json") -> dict[str, Any]:
    document: dict[str, Any] = json.loads((SAMPLES / name).read_text(encoding="utf-8"))
    return document


def parse_document(directory: Path, document: Any, name: str = "doc.json") -> AdvisoryBatch:
    return parse(write(directory, name, json.dumps(document)))


def errors_of(directory: Path, document: Any, name: str = "doc.json") -> list[str]:
    return located(rejected(CsafParser, write(directory, name, json.dumps(document))))


def warnings_of(batch: AdvisoryBatch) -> list[str]:
    return [str(warning) for warning in batch.warnings]


def record(batch: AdvisoryBatch, identifier: str) -> VulnerabilityRecord:
    (found,) = [item for item in batch.vulnerabilities if item.id == identifier]
    return found


def packages(item: VulnerabilityRecord) -> list[tuple[str, str, str]]:
    return [(package.scheme, package.key, package.status) for package in item.packages]


# --- golden samples and choices --------------------------------------------------------------


@pytest.mark.parametrize("name", OWN_SAMPLES)
def test_own_samples_match_golden(name: str) -> None:
    assert_matches_golden(parse(SAMPLES / name), SAMPLES / name)


def test_vendor_sample_choices() -> None:
    batch = parse(SAMPLE)
    assert (batch.source_format, batch.source_name, batch.warnings) == ("csaf", SAMPLE.name, ())
    modbus = record(batch, "CVE-2024-31001")
    assert modbus.location == SourceLocation(SAMPLE.name, None, "$.vulnerabilities[0]")
    assert (modbus.source, modbus.document, modbus.status) == ("csaf", "ACME-SA-2024-0042", "")
    assert modbus.aliases == ("ACME PSIRT:ACME-PSIRT-1187",)  # "<system_name>:<text>"
    assert modbus.published == datetime(2024, 5, 14, 7, tzinfo=UTC)  # +02:00 made UTC
    assert modbus.last_modified == datetime(2024, 6, 11, 10, 30, tzinfo=UTC)  # the document's
    assert modbus.description.startswith("The Modbus TCP service")  # description, not summary
    assert modbus.cwes == ("CWE-787",)
    assert modbus.scores == (
        ScoreRecord(
            "cvss_v31",
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
            9.8,
            "CRITICAL",
            provider="https://psirt.acme-industrial.example",
        ),
    )
    # The vulnerability's references first, then the document's (its "self" links).
    assert [(item.url.rsplit("/", 1)[-1], item.tags) for item in modbus.references] == [
        ("CVERecord?id=CVE-2024-31001", ("external",)),
        ("acme-sa-2024-0042.html", ("self",)),
        ("acme-sa-2024-0042.json", ("self",)),
    ]
    # A vers range as written (CPE 2.3 key, version "*"); a CPE 2.2 name converted, its
    # version as the product_version; the not-affected product keyed by vendor/product.
    assert modbus.packages == (
        PackageRecord(
            "cpe",
            GATEWAY_CPE,
            name="ACME Gateway GW-200",
            status="known_affected",
            ranges=(RangeRecord("vers", vers="vers:intdot/<4.2.1"),),
        ),
        PackageRecord(
            "cpe", GATEWAY_CPE, name="ACME Gateway GW-200", status="fixed", versions=("4.2.1",)
        ),
        PackageRecord(
            "name",
            "acme industrial/acme engineering studio",
            name="ACME Engineering Studio",
            status="known_not_affected",
            versions=("V17 SP1",),
        ),
    )
    fix, workaround = modbus.remediations
    assert fix == RemediationRecord(
        "vendor_fix",
        "Update to firmware V4.2.1 or later.",
        "https://support.acme-industrial.example/downloads/gw-200/4.2.1",
        (GATEWAY_CPE,),
    )
    # group_ids expanded: the group holds the gateway and the library installed on it.
    assert workaround.product_keys == (GATEWAY_CPE, "pkg:pypi/acme-widgets")
    assert workaround.date == datetime(2024, 5, 14, 7, tzinfo=UTC)


def test_vendor_sample_ranges_and_relationships() -> None:
    archive = record(parse(SAMPLE), "CVE-2024-31002")  # written "cve-2024-31002"
    assert archive.title == (  # no title of its own: the document's
        "ACME-SA-2024-0042: Vulnerabilities in ACME Gateway GW-200 and acme-widgets"
    )
    assert archive.description.startswith("acme-widgets 2.0 to 2.4.0")  # the summary note
    assert [(score.system, score.base_score) for score in archive.scores] == [
        ("cvss_v30", 7.5),
        ("cvss_v2", 5.0),
    ]
    library, historian, fixed, investigated = archive.packages
    # CSAFPID-0003 and the relationship CSAFPID-0007 (installed on the gateway) are one
    # package: the relationship stands for its product_reference. The vls range takes the
    # purl type as its versioning scheme.
    assert library == PackageRecord(
        "purl",
        "pkg:pypi/acme-widgets",
        "pypi",
        "acme-widgets",
        "known_affected",
        ranges=(RangeRecord("vers", vers="vers:pypi/>=2.0|<2.4.1"),),
    )
    assert (historian.scheme, historian.key, historian.ranges) == (
        "name",
        "acme industrial/acme historian",
        (RangeRecord("vers", vers="vers:generic/<3.0"),),  # no purl: the generic scheme
    )
    assert (fixed.key, fixed.status, fixed.versions) == (
        "pkg:pypi/acme-widgets",
        "fixed",
        ("2.4.1",),  # from the purl "pkg:pypi/acme-widgets@2.4.1"
    )
    assert investigated.status == "under_investigation"
    assert [(item.category, item.product_keys) for item in archive.remediations] == [
        ("vendor_fix", ("pkg:pypi/acme-widgets",)),
        ("no_fix_planned", ("acme industrial/acme historian",)),
    ]


def test_advisory_without_cve_uses_its_ids() -> None:
    batch = parse(NO_CVE_SAMPLE)
    assert batch.warnings == ()
    (item,) = batch.vulnerabilities
    assert item.id == "NCERT-VU:2024-0117-01"  # the first ids[] entry, with its system name
    assert item.aliases == ("GHSA-4xq9-7r2m-p5vw",)  # already starts with "GHSA"
    assert item.document == "NCERT-2024-0117"
    assert item.published == datetime(2024, 9, 2, 14, tzinfo=UTC)  # no release_date: the
    assert item.last_modified == datetime(2024, 9, 3, 8, 15, tzinfo=UTC)  # document's dates
    assert (item.scores, item.cwes) == ((), ())
    affected, recommended = item.packages
    assert affected.key == recommended.key == "pkg:npm/%40exampleland/left-pad-ng"
    assert affected.ranges == (RangeRecord("vers", vers="vers:npm/>=1.0.0|<1.3.1"),)
    # A product of full_product_names: no branch names, the product's own name.
    assert (recommended.status, recommended.name, recommended.versions) == (
        "recommended",
        "left-pad-ng 1.3.1",
        ("1.3.1",),
    )


def test_id_labels_and_vers_schemes() -> None:
    assert id_label("GHSA", "GHSA-4xq9-7r2m-p5vw") == "GHSA-4xq9-7r2m-p5vw"
    assert id_label("Cisco Bug ID", "CSCwf12345") == "Cisco Bug ID:CSCwf12345"
    assert id_label("CVE", "cve-2024-1") == "cve-2024-1"
    assert [vers_scheme(kind) for kind in ("pypi", "npm", "deb", "rpm", "docker", "")] == [
        "pypi",
        "npm",
        "deb",
        "rpm",
        "generic",
        "generic",
    ]


def test_identity_versions_and_merging(tmp_path: Path) -> None:
    document = sample()
    widgets = document["product_tree"]["branches"][0]["branches"][1]["branches"]
    widgets.append(
        {
            "category": "product_version",
            "name": "acme-widgets-0:2.3.0-1.el9.noarch",
            "product": {
                "name": "acme-widgets RPM",
                "product_id": "RPM-1",
                "product_identification_helper": {
                    "purl": "pkg:rpm/acme/acme-widgets@2.3.0-1.el9?arch=noarch&epoch=1",
                    "cpe": "cpe:/a:acme:widgets:2.3.0",
                },
            },
        }
    )
    document["product_tree"]["full_product_names"] = [
        {
            "name": "Widgets 2.2",
            "product_id": "CPE-22",
            "product_identification_helper": {
                "cpe": "cpe:2.3:a:acme:widgets:2.2\\(b\\):*:*:*:*:*:*:*"
            },
        },
        {
            "name": "acme-widgets 2.1",
            "product_id": "PY-21",
            "product_identification_helper": {"purl": "pkg:pypi/acme-widgets@2.1?foo=bar#sub"},
        },
    ]
    status = document["vulnerabilities"][1]["product_status"]
    status["known_affected"] += ["RPM-1", "CPE-22", "PY-21"]
    item = record(parse_document(tmp_path, document), "CVE-2024-31002")
    by_key = {(package.key, package.status): package for package in item.packages}
    # The purl's version (with rpm's epoch qualifier) wins over a product_version branch
    # written as a NEVRA; qualifiers and subpath are not part of the key.
    rpm = by_key[("pkg:rpm/acme/acme-widgets", "known_affected")]
    assert (rpm.ecosystem, rpm.versions) == ("rpm", ("1:2.3.0-1.el9",))
    assert by_key[("cpe:2.3:a:acme:widgets:*:*:*:*:*:*:*:*", "known_affected")].versions == (
        "2.2(b)",  # the CPE's version, unescaped
    )
    merged = by_key[("pkg:pypi/acme-widgets", "known_affected")]
    assert merged.ranges == (RangeRecord("vers", vers="vers:pypi/>=2.0|<2.4.1"),)
    assert merged.versions == ("2.1",)  # merged into the package of CSAFPID-0003


# --- warnings: kept, located -------------------------------------------------------------------


def test_ranges_that_are_not_vers_are_kept_as_text(tmp_path: Path) -> None:
    document = sample()
    gateway = document["product_tree"]["branches"][0]["branches"][0]["branches"]
    gateway[0]["name"] = "vers:all/<V4.2.1"
    historian = document["product_tree"]["branches"][0]["branches"][2]["branches"]
    historian[0]["name"] = "all versions before 3.0"
    batch = parse_document(tmp_path, document)
    assert record(batch, "CVE-2024-31001").packages[0].ranges == (
        RangeRecord("vers", events=(("vls", "vers:all/<V4.2.1"),)),
    )
    assert record(batch, "CVE-2024-31002").packages[1].ranges == (
        RangeRecord("vers", events=(("vls", "all versions before 3.0"),)),
    )
    assert [warning.location for warning in batch.warnings] == [
        SourceLocation("doc.json", None, "$.product_tree.branches[0].branches[0].branches[0].name"),
        SourceLocation("doc.json", None, "$.product_tree.branches[0].branches[2].branches[0].name"),
    ]
    assert warnings_of(batch)[0].startswith(
        "doc.json [$.product_tree.branches[0].branches[0].branches[0].name]: "
        "version range 'vers:all/<V4.2.1' is not a vers or vls range ("
    )
    assert warnings_of(batch)[0].endswith("); kept as text, never compared")


def test_unknown_products_groups_and_identifiers(tmp_path: Path) -> None:
    document = sample()
    tree = document["product_tree"]
    tree["relationships"].append(
        {
            "category": "default_component_of",
            "full_product_name": {"name": "ghost", "product_id": "CSAFPID-0099"},
            "product_reference": "CSAFPID-0404",
            "relates_to_product_reference": "CSAFPID-0001",
        }
    )
    tree["branches"][0]["branches"][1]["branches"][0]["product"][
        "product_identification_helper"
    ] = {"purl": "pypi/acme-widgets", "cpe": "acme widgets"}
    tree["full_product_names"] = [{"name": "Twice", "product_id": "CSAFPID-0001"}]
    modbus, archive = document["vulnerabilities"]
    modbus["product_status"]["known_affected"].append("CSAFPID-0404")
    modbus["product_status"]["affected"] = ["CSAFPID-0001"]
    modbus["remediations"][0]["product_ids"] = ["CSAFPID-0404"]
    modbus["remediations"][1]["group_ids"].append("CSAFGID-0404")
    modbus["scores"].append({"cvss_v3": {"vectorString": "high", "baseScore": 7}})
    del archive["cve"]
    document["document"]["distribution"]["tlp"]["label"] = "AMBER"
    batch = parse_document(tmp_path, document)
    assert warnings_of(batch) == [
        "doc.json [$.document.distribution.tlp.label]: "
        "the document is TLP:AMBER; share what is imported accordingly",
        "doc.json [$.product_tree.branches[0].branches[1].branches[0].product"
        ".product_identification_helper.purl]: 'pypi/acme-widgets' is not a package URL "
        "(purl is missing the required \"pkg\" scheme component: 'pypi/acme-widgets'.)",
        "doc.json [$.product_tree.branches[0].branches[1].branches[0].product"
        ".product_identification_helper.cpe]: 'acme widgets' is not a CPE name",
        "doc.json [$.product_tree.full_product_names[0]]: "
        "product_id CSAFPID-0001 is defined twice; the first is kept",
        "doc.json [$.product_tree.relationships[1].product_reference]: "
        "product_reference CSAFPID-0404 is not in the product tree; CSAFPID-0099 is left out",
        "doc.json [$.vulnerabilities[0].product_status]: "
        "affected is not a CSAF 2.0 product status; not read",
        "doc.json [$.vulnerabilities[0].product_status.known_affected]: "
        "ProductID(s) CSAFPID-0404 not in the product tree; left out",
        "doc.json [$.vulnerabilities[0].scores[1].cvss_v3.vectorString]: "
        "'high' is not a CVSS vector; skipped",
        "doc.json [$.vulnerabilities[0].remediations[0].product_ids]: "
        "ProductID(s) CSAFPID-0404 not in the product tree; the remediation is skipped",
        "doc.json [$.vulnerabilities[0].remediations[1].group_ids]: "
        "group_id CSAFGID-0404 is not in the product tree",
        "doc.json [$.vulnerabilities[1]]: a vulnerability without cve or ids; "
        "named ACME-SA-2024-0042#2",
    ]
    modbus_record = record(batch, "CVE-2024-31001")
    assert [item.category for item in modbus_record.remediations] == ["workaround"]
    assert len(modbus_record.scores) == 1
    library = record(batch, "ACME-SA-2024-0042#2").packages[0]
    # Neither identifier usable: the branch names.
    assert (library.scheme, library.key) == ("name", "acme industrial/acme-widgets")


def test_the_same_cve_twice_is_kept_with_a_warning(tmp_path: Path) -> None:
    document = sample()
    document["vulnerabilities"][1]["cve"] = "CVE-2024-31001"
    batch = parse_document(tmp_path, document)
    assert [item.id for item in batch.vulnerabilities] == ["CVE-2024-31001"] * 2
    assert warnings_of(batch) == [
        "doc.json [$.vulnerabilities[1]]: CVE-2024-31001 is described twice; both kept"
    ]


def test_groups_in_product_status_and_repeated_references(tmp_path: Path) -> None:
    document = sample()
    modbus = document["vulnerabilities"][0]
    modbus["product_status"] = {"known_affected": ["CSAFGID-0001", "CSAFPID-0001"]}
    self_link = document["document"]["references"][0]["url"]
    modbus["references"].append({"category": "external", "summary": "x", "url": self_link})
    item = record(parse_document(tmp_path, document), "CVE-2024-31001")
    # A group id where CSAF expects product ids is expanded: the gateway (once) and the
    # library installed on it.
    assert packages(item) == [
        ("cpe", GATEWAY_CPE, "known_affected"),
        ("purl", "pkg:pypi/acme-widgets", "known_affected"),
    ]
    # A URL both the vulnerability and the document name: once, as the vulnerability has it.
    assert [(reference.url, reference.tags) for reference in item.references][:2] == [
        ("https://www.cve.org/CVERecord?id=CVE-2024-31001", ("external",)),
        (self_link, ("external",)),
    ]
    assert len(item.references) == 3


def test_csaf_21_cwes_and_metrics(tmp_path: Path) -> None:
    document = sample()
    document["document"]["csaf_version"] = "2.1"
    item = document["vulnerabilities"][0]
    item["cwes"] = [{"id": "CWE-787", "name": "x"}, {"id": "CWE-120", "name": "y"}]
    del item["cwe"]
    vector = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"
    item["metrics"] = [
        {"content": {"cvss_v4": {"vectorString": vector, "baseScore": 9.3}}, "products": []}
    ]
    del item["scores"]
    parsed = record(parse_document(tmp_path, document), "CVE-2024-31001")
    assert parsed.cwes == ("CWE-787", "CWE-120")
    assert [(score.system, score.base_score) for score in parsed.scores] == [("cvss_v40", 9.3)]


# --- errors: refused, located ----------------------------------------------------------------


def test_documents_that_are_not_csaf(samples_dir: Path, tmp_path: Path) -> None:
    kev = samples_dir / "advisories/kev_known_exploited_vulnerabilities.json"
    assert located(rejected(CsafParser, kev)) == [
        f'{kev.name} [$.document]: not a CSAF document: there is no "document" object'
    ]
    assert errors_of(tmp_path, [1, 2]) == [
        'doc.json [$.document]: not a CSAF document: there is no "document" object'
    ]
    old = sample()
    old["document"]["csaf_version"] = "1.2"
    assert errors_of(tmp_path, old) == [
        "doc.json [$.document.csaf_version]: not a CSAF 2.x document: csaf_version is '1.2'"
    ]
    del old["document"]["csaf_version"]
    assert errors_of(tmp_path, old) == [
        "doc.json [$.document.csaf_version]: not a CSAF 2.x document: csaf_version is None"
    ]
    untracked = sample()
    del untracked["document"]["tracking"]["id"]
    error = rejected(CsafParser, write(tmp_path, "untracked.json", json.dumps(untracked)))
    assert isinstance(error, ParseError)  # one problem: a ParseError with its location
    assert error.source == SourceLocation("untracked.json", None, "$.document.tracking.id")
    assert located(error) == ["untracked.json [$.document.tracking.id]: id is missing"]


def test_wrong_types_are_all_reported(tmp_path: Path) -> None:
    document = sample()
    document["document"]["tracking"]["current_release_date"] = "2024-13-45"
    document["product_tree"]["branches"][0]["branches"][0]["branches"].append("CSAFPID-0009")
    modbus, archive = document["vulnerabilities"]
    modbus["cve"] = "CVE-24-1"
    modbus["product_status"]["fixed"] = "CSAFPID-0002"
    modbus["notes"][0]["text"] = 42
    archive["remediations"][0]["product_ids"] = [1, 2]
    archive["references"] = {"url": "https://example.org"}
    error = rejected(CsafParser, write(tmp_path, "types.json", json.dumps(document)))
    assert not isinstance(error, ParseError)
    assert located(error) == [
        "types.json [$.document.tracking.current_release_date]: "
        "current_release_date '2024-13-45' is not a date-time",
        "types.json [$.product_tree.branches[0].branches[0].branches[2]]: "
        "entry is a string, not an object",
        "types.json [$.vulnerabilities[0].cve]: 'CVE-24-1' is not a CVE id",
        "types.json [$.vulnerabilities[0].notes[0].text]: text is a number, not a string",
        "types.json [$.vulnerabilities[0].product_status.fixed]: fixed is not a list of strings",
        "types.json [$.vulnerabilities[1].references]: references is an object, not a list",
        "types.json [$.vulnerabilities[1].remediations[0].product_ids]: "
        "product_ids is not a list of strings",
    ]
    odd = sample()
    odd["vulnerabilities"] = {"cve": "CVE-2024-31001"}
    assert errors_of(tmp_path, odd) == [
        "doc.json [$.vulnerabilities]: vulnerabilities is an object, not a list"
    ]


def test_broken_json_and_files(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    error = rejected(CsafParser, write(tmp_path, "cut.json", text[:1000]))
    assert isinstance(error, ParseError)
    assert error.source.path == "cut.json"
    assert error.source.line is not None
    assert "invalid JSON" in str(error)
    deep = write(tmp_path, "deep.json", "[" * 100_000 + "]" * 100_000)
    assert located(rejected(CsafParser, deep)) == ["deep.json: invalid JSON: nested too deeply"]
    latin1 = write(tmp_path, "latin1.json", '{"document": "Th\xe1ng"}'.encode("latin-1"))
    assert located(rejected(CsafParser, latin1)) == [
        "latin1.json:1: not UTF-8 text (byte 16); save the file as UTF-8"
    ]
    assert located(rejected(CsafParser, tmp_path / "missing.json")) == [
        "missing.json: cannot read the file: No such file or directory"
    ]
    monkeypatch.setenv("CANHGAC_IMPORT_MAX_BYTES", "100")
    assert located(rejected(CsafParser, SAMPLE)) == [
        f"{SAMPLE.name}: the file is {SAMPLE.stat().st_size} bytes; the limit is 100"
    ]


# --- sniffing: not Microsoft's ---------------------------------------------------------------


def test_sniff(samples_dir: Path) -> None:
    for name in OWN_SAMPLES:
        head = (SAMPLES / name).read_bytes()[:65536]
        assert CsafParser.sniff(head, name)
        assert not MsrcCsafParser.sniff(head, name)
    assert CsafParser.sniff(json.dumps(sample()).encode(), "compact.json")
    assert CsafParser.sniff(b"\xef\xbb\xbf" + SAMPLE.read_bytes(), "bom.json")
    microsoft = SAMPLES / "msrc-csaf-min.json"
    assert not CsafParser.sniff(microsoft.read_bytes()[:65536], microsoft.name)
    compact = json.dumps(json.loads(microsoft.read_bytes())).encode()
    assert not CsafParser.sniff(compact, "compact-ms.json")
    others = [
        SAMPLES / "msrc-cvrf-min.xml",
        SAMPLES / "nvd-page-min.json",
        SAMPLES / "kev-min.json",
        INVENTORY_SAMPLES / "cyclonedx-min.json",
        samples_dir / "advisories/kev_known_exploited_vulnerabilities.json",
    ]
    for other in others:
        assert not CsafParser.sniff(other.read_bytes()[:65536], other.name), other


def test_microsoft_document_still_parses_when_asked_for() -> None:
    """Sniffing leaves Microsoft to msrc-csaf; asked for explicitly, the parser reads it."""
    batch = parse(SAMPLES / "msrc-csaf-min.json")
    (item,) = batch.vulnerabilities
    assert (item.id, item.document) == ("CVE-2024-38063", "msrc_CVE-2024-38063")


# --- mutations -------------------------------------------------------------------------------

ODD_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-1, 70000),
    st.floats(allow_nan=True),
    st.sampled_from(
        [
            "",
            " ",
            "vers:generic/<1.0",
            ">=1|<2",
            "vers:",
            "pkg:pypi/x@1",
            "pkg:",
            "cpe:/a:x:y:1",
            "cpe:2.3:a",
            "2024-13-45",
            "CSAFPID-0001",
            "CSAFGID-0001",
            "CVE-2024-1",
        ]
    ),
    st.text(max_size=6),
    st.lists(st.sampled_from(["CSAFPID-0001", "CSAFPID-0007", "CSAFGID-0001", "x"]), max_size=2),
    st.just({}),
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


def check_batch(batch: AdvisoryBatch) -> None:
    assert batch.source_format == "csaf"
    for item in batch.vulnerabilities:
        assert item.id
        assert item.source == "csaf"
        assert item.document
        assert (item.location.field or "").startswith("$.vulnerabilities[")
        for moment in (item.published, item.last_modified):
            assert moment is None or moment.utcoffset() is not None
        for package in item.packages:
            assert package.scheme in ("purl", "cpe", "name")
            assert package.key
            for version_range in package.ranges:
                assert version_range.vers.startswith("vers:") or version_range.events
        for remediation in item.remediations:
            assert all(remediation.product_keys)


@pytest.mark.parametrize("name", OWN_SAMPLES)
def test_mutated_samples_raise_only_validation_errors(
    tmp_path_factory: pytest.TempPathFactory, name: str
) -> None:
    path = tmp_path_factory.mktemp("mutated") / name
    check_mutated(path, CsafParser, mutated(name), check_batch)


# --- provider metadata, ROLIE feeds, changes.csv -----------------------------------------------

PROVIDER: dict[str, Any] = {
    "canonical_url": "https://psirt.acme-industrial.example/.well-known/csaf/provider-metadata.json",
    "distributions": [
        {"directory_url": "https://psirt.acme-industrial.example/.well-known/csaf/white/"},
        {
            "rolie": {
                "feeds": [
                    {
                        "summary": "All TLP:WHITE advisories of ACME Industrial.",
                        "tlp_label": "WHITE",
                        "url": "https://psirt.acme-industrial.example/csaf/acme-feed-tlp-white.json",
                    },
                    {
                        "tlp_label": "green",
                        "url": "feeds/acme-feed-tlp-green.json",
                    },
                ]
            }
        },
        {"directory_url": "https://psirt.acme-industrial.example/csaf/archive"},
    ],
    "last_updated": "2024-06-11T10:31:00Z",
    "list_on_CSAF_aggregators": True,
    "metadata_version": "2.0",
    "mirror_on_CSAF_aggregators": True,
    "pgp_keys": [
        {
            "fingerprint": "8F5F9E2BC1A0B1A9E3F1A5C7D9B8E6F4A2C3D4E5",
            "url": "https://psirt.acme-industrial.example/.well-known/csaf/openpgp/key.asc",
        }
    ],
    "publisher": {
        "category": "vendor",
        "name": "ACME Industrial PSIRT",
        "namespace": "https://psirt.acme-industrial.example",
    },
    "role": "csaf_trusted_provider",
}

FEED_BASE = "https://psirt.acme-industrial.example/csaf/"


def rolie_entry(tracking_id: str, path: str, **extra: Any) -> dict[str, Any]:
    url = FEED_BASE + path
    entry: dict[str, Any] = {
        "id": tracking_id,
        "title": f"{tracking_id} advisory",
        "link": [
            {"rel": "self", "href": url},
            {"rel": "hash", "href": url + ".sha512"},
            {"rel": "hash", "href": url + ".sha256"},
            {"rel": "signature", "href": url + ".asc"},
        ],
        "published": "2024-05-14T07:00:00Z",
        "updated": "2024-06-11T10:30:00Z",
        "content": {"type": "application/json", "src": url},
        "format": {
            "schema": "https://docs.oasis-open.org/csaf/csaf/v2.0/csaf_json_schema.json",
            "version": "2.0",
        },
    }
    entry.update(extra)
    return entry


FEED: dict[str, Any] = {
    "feed": {
        "id": "acme-feed-tlp-white",
        "title": "ACME Industrial CSAF feed (TLP:WHITE)",
        "link": [{"rel": "self", "href": FEED_BASE + "acme-feed-tlp-white.json"}],
        "category": [{"scheme": "urn:ietf:params:rolie:category:information-type", "term": "csaf"}],
        "updated": "2024-06-11T10:31:00+02:00",
        "entry": [
            rolie_entry("ACME-SA-2024-0042", "white/2024/acme-sa-2024-0042.json"),
            rolie_entry("ACME-SA-2023-0007", "white/2023/acme-sa-2023-0007.json", content=None),
        ],
    }
}


def test_provider_metadata() -> None:
    metadata = read_provider_metadata(
        json.dumps(PROVIDER).encode(),
        source="provider-metadata.json",
        base_url=PROVIDER["canonical_url"],
    )
    assert (metadata.publisher, metadata.role) == ("ACME Industrial PSIRT", "csaf_trusted_provider")
    assert metadata.last_updated == datetime(2024, 6, 11, 10, 31, tzinfo=UTC)
    assert metadata.feeds == (
        RolieFeedLink(
            "https://psirt.acme-industrial.example/csaf/acme-feed-tlp-white.json",
            "WHITE",
            "All TLP:WHITE advisories of ACME Industrial.",
        ),
        RolieFeedLink(  # relative: resolved against the metadata's URL; label upper-cased
            "https://psirt.acme-industrial.example/.well-known/csaf/feeds/acme-feed-tlp-green.json",
            "GREEN",
        ),
    )
    assert metadata.directories == (
        DirectoryLink("https://psirt.acme-industrial.example/.well-known/csaf/white/", "WHITE"),
        DirectoryLink("https://psirt.acme-industrial.example/csaf/archive", ""),  # not a label
    )
    (key,) = metadata.pgp_keys
    assert key == PgpKey(
        "https://psirt.acme-industrial.example/.well-known/csaf/openpgp/key.asc",
        "8F5F9E2BC1A0B1A9E3F1A5C7D9B8E6F4A2C3D4E5",
    )


def test_provider_metadata_errors() -> None:
    broken = copy.deepcopy(PROVIDER)
    broken["distributions"][1]["rolie"]["feeds"][0]["tlp_label"] = "PURPLE"
    broken["distributions"][1]["rolie"]["feeds"][1]["url"] = "feeds/green.json"  # no base
    broken["distributions"][0] = "https://psirt.acme-industrial.example/"
    broken["pgp_keys"][0]["url"] = "ftp://keys.example/key.asc"
    with pytest.raises(ValidationError) as caught:
        read_provider_metadata(json.dumps(broken).encode(), source="pm.json")
    assert located(caught.value) == [
        "pm.json [$.distributions[0]]: entry is a string, not an object",
        "pm.json [$.distributions[1].rolie.feeds[0].tlp_label]: "
        "tlp_label 'PURPLE' is not a TLP label",
        "pm.json [$.distributions[1].rolie.feeds[1].url]: "
        "'feeds/green.json' is not an absolute http(s) URL",
        "pm.json [$.pgp_keys[0].url]: 'ftp://keys.example/key.asc' is not an absolute http(s) URL",
    ]
    empty = {**PROVIDER, "distributions": []}
    with pytest.raises(ParseError) as single:
        read_provider_metadata(json.dumps(empty).encode(), source="pm.json")
    assert located(single.value) == [
        "pm.json [$.distributions]: the provider names no ROLIE feed and no directory"
    ]
    with pytest.raises(ParseError, match=r"pm.json:1: invalid JSON"):
        read_provider_metadata(b"{", source="pm.json")
    with pytest.raises(ParseError, match=r"pm.json:2: not UTF-8 text \(byte 3\)"):
        read_provider_metadata(b"{\n \xff}", source="pm.json")


def test_rolie_feed() -> None:
    feed = read_rolie_feed(json.dumps(FEED).encode(), source="feed.json")
    assert (feed.id, feed.warnings) == ("acme-feed-tlp-white", ())
    assert feed.updated == datetime(2024, 6, 11, 8, 31, tzinfo=UTC)
    current, older = feed.entries
    url = FEED_BASE + "white/2024/acme-sa-2024-0042.json"
    assert (current.id, current.updated, current.document_url) == (
        "ACME-SA-2024-0042",
        datetime(2024, 6, 11, 10, 30, tzinfo=UTC),
        url,
    )
    assert (current.hash_url, current.signature_url) == (url + ".sha512", url + ".asc")  # first
    assert current.location == SourceLocation("feed.json", None, "$.feed.entry[0]")
    # Without content.src, the link rel "self" names the document.
    assert older.document_url == FEED_BASE + "white/2023/acme-sa-2023-0007.json"


def test_rolie_feed_entry_problems_leave_the_entry_out() -> None:
    document = copy.deepcopy(FEED)
    entries = document["feed"]["entry"]
    entries[0]["updated"] = "yesterday"
    entries[1]["link"] = [{"rel": "hash", "href": "x.sha256"}]
    entries[1]["content"] = None
    entries.append(rolie_entry("ACME-SA-2024-0050", "white/2024/acme-sa-2024-0050.json"))
    entries.append("not an entry")
    feed = rolie_feed(document, source="feed.json")
    assert [entry.id for entry in feed.entries] == ["ACME-SA-2024-0050"]
    assert [str(warning) for warning in feed.warnings] == [
        "feed.json [$.feed.entry[0].updated]: updated 'yesterday' is not a date-time; "
        "the entry is left out",
        "feed.json [$.feed.entry[1].link[0].href]: 'x.sha256' is not an absolute http(s) URL; "
        "the entry is left out",
        "feed.json [$.feed.entry[1]]: no document URL (content.src or a link rel self); "
        "the entry is left out",
        "feed.json [$.feed.entry[3]]: entry is a string, not an object; the entry is left out",
    ]
    with pytest.raises(ParseError) as caught:
        rolie_feed({"feed": []}, source="feed.json")
    assert located(caught.value) == ["feed.json [$.feed]: feed is a list, not an object"]
    with pytest.raises(ParseError) as not_object:
        read_rolie_feed(b"[]", source="feed.json")
    assert located(not_object.value) == ["feed.json [$]: the document is a list, not an object"]
    with pytest.raises(ParseError) as no_feed:
        rolie_feed({}, source="feed.json")
    assert located(no_feed.value) == ["feed.json [$.feed]: feed is missing"]


def test_rolie_feed_relative_links_use_the_base_url() -> None:
    document = copy.deepcopy(FEED)
    entry = document["feed"]["entry"][0]
    entry["content"]["src"] = "white/2024/a.json"
    entry["link"] = [{"rel": "signature", "href": "white/2024/a.json.asc"}]
    feed = rolie_feed(document, source="feed.json", base_url=FEED_BASE + "feed.json")
    assert (
        feed.entries[0].document_url,
        feed.entries[0].signature_url,
        feed.entries[0].hash_url,
    ) == (
        FEED_BASE + "white/2024/a.json",
        FEED_BASE + "white/2024/a.json.asc",
        "",
    )


def test_directory_changes() -> None:
    content = (
        b'"2024/acme-sa-2024-0042.json","2024-06-11T10:30:00Z"\r\n'
        b'"2023/acme-sa-2023-0007.json","2023-02-01T09:00:00+01:00"\n'
        b"\n"
        b'"../../etc/passwd.json","2023-01-01T00:00:00Z"\n'
        b'"https://evil.example/x.json","2023-01-01T00:00:00Z"\n'
        b'"2023/%2e%2e/x.json","2023-01-01T00:00:00Z"\n'
        b'"2023/a.json","last week"\n'
        b'"2023/b.json"\n'
    )
    result = directory_changes(content, source="changes.csv")
    assert result.changes == (
        DirectoryChange(
            "2024/acme-sa-2024-0042.json", datetime(2024, 6, 11, 10, 30, tzinfo=UTC), 1
        ),
        DirectoryChange("2023/acme-sa-2023-0007.json", datetime(2023, 2, 1, 8, tzinfo=UTC), 2),
    )
    assert [str(warning) for warning in result.warnings] == [
        "changes.csv:4 [path]: '../../etc/passwd.json' is not a relative path to a .json file; "
        "left out",
        "changes.csv:5 [path]: 'https://evil.example/x.json' is not a relative path to a .json "
        "file; left out",
        "changes.csv:6 [path]: '2023/%2e%2e/x.json' is not a relative path to a .json file; "
        "left out",
        "changes.csv:7 [timestamp]: 'last week' is not a date-time; left out",
        'changes.csv:8: 1 fields, not 2 ("path","timestamp"); left out',
    ]
    base = "https://psirt.acme-industrial.example/.well-known/csaf/white"
    assert directory_document_url(base, result.changes[0].path) == (
        base + "/2024/acme-sa-2024-0042.json"
    )
    with pytest.raises(ParseError, match=r"changes.csv:1: not UTF-8 text"):
        directory_changes(b"\xff", source="changes.csv")
    with pytest.raises(ParseError, match=r"changes.csv:2: invalid CSV: ',' expected after '\"'"):
        directory_changes(b'"a.json","2024-01-01T00:00:00Z"\n"b"c.json","x"', source="changes.csv")
    nul = directory_changes(b'"a.json\0","2024-01-01T00:00:00Z"', source="changes.csv")
    assert [str(warning) for warning in nul.warnings] == [
        "changes.csv:1 [path]: 'a.json\\x00' is not a relative path to a .json file; left out"
    ]


class _FeedFile:
    """A ROLIE feed read from a file, for the shared mutation check."""

    def parse(self, path: Path, *, source: str) -> RolieFeed:
        return read_rolie_feed(path.read_bytes(), source=source)


def test_mutated_rolie_feeds_raise_only_validation_errors(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    original = json.dumps(FEED, indent=1).encode()

    @st.composite
    def feeds(draw: st.DrawFn) -> bytes:
        if draw(st.booleans()):
            chance = draw(st.randoms(use_true_random=False))
            return json.dumps(replace_random_value(FEED, chance, draw(ODD_VALUES))).encode()
        return mutate_bytes(draw, original)

    def check_feed(feed: RolieFeed) -> None:
        for entry in feed.entries:
            assert entry.id
            assert entry.document_url.startswith("https://")
            assert entry.updated.utcoffset() is not None

    path = tmp_path_factory.mktemp("feeds") / "feed.json"
    check_mutated(path, _FeedFile, feeds(), check_feed, examples=100)
