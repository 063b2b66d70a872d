"""The Microsoft Security Update Guide parsers: CVRF 1.1 XML (the four real 2022 documents,
counted independently) and CSAF 2.0 JSON (a sample modelled on the standard). Golden samples,
facts checked by hand in the files, every kind of bad input with its location, byte mutations."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pytest
from hypothesis import strategies as st

from canhgac.advisories.feeds.interface import AdvisoryParser
from canhgac.advisories.feeds.msrc import (
    MsrcCvrfParser,
    cvss_system,
    exploit_flags,
    kb_number,
    superseded_kbs,
)
from canhgac.advisories.feeds.msrc_csaf import MsrcCsafParser
from canhgac.advisories.feeds.records import (
    AdvisoryBatch,
    MsrcDocumentRecord,
    MsrcRemediationRecord,
    MsrcVulnerabilityRecord,
    ScoreRecord,
)
from canhgac.core.exceptions import ParseError, SourceLocation
from canhgac.core.golden import assert_matches_golden
from canhgac.core.tests.mutation import check_mutated, mutate_bytes, replace_random_value
from canhgac.core.tests.parsing import located, rejected, write

SAMPLES = Path(__file__).parent / "samples"
INVENTORY_SAMPLES = Path(__file__).parents[2] / "inventory" / "tests" / "samples"
CVRF_SAMPLE = SAMPLES / "msrc-cvrf-min.xml"
CSAF_SAMPLE = SAMPLES / "msrc-csaf-min.json"
OWN_SAMPLES: list[tuple[str, type[AdvisoryParser]]] = [
    ("msrc-cvrf-min.xml", MsrcCvrfParser),
    ("msrc-csaf-min.json", MsrcCsafParser),
]

# The four real documents, counted with xml.etree over the raw files: <vuln:Vulnerability>
# elements, <prod:FullProductName> elements (Microsoft lists every product twice: in its family
# branch and at the top of the tree), distinct ProductIDs, <vuln:Remediation> elements, those
# whose Description is not a number (Release Notes, mitigations...), and the CVEs whose
# Exploit Status says "Exploited:Yes".
REAL_CVRF: dict[str, tuple[int, int, int, int, int, list[str]]] = {
    "2022-Jan": (150, 328, 164, 1630, 60, ["CVE-2013-3900", "CVE-2022-21882"]),
    "2022-Feb": (79, 186, 93, 622, 65, []),
    "2022-Mar": (104, 274, 137, 912, 110, []),
    "2022-Apr": (181, 362, 181, 2584, 114, ["CVE-2022-24521"]),
}

CVRF_HEAD = """<?xml version="1.0" encoding="utf-8"?>
<cvrf:cvrfdoc xmlns:cvrf="http://www.icasi.org/CVRF/schema/cvrf/1.1"
 xmlns:prod="http://www.icasi.org/CVRF/schema/prod/1.1"
 xmlns:vuln="http://www.icasi.org/CVRF/schema/vuln/1.1">
<cvrf:DocumentTitle>Test</cvrf:DocumentTitle>
<cvrf:DocumentPublisher Type="Vendor">
<cvrf:ContactDetails>secure@microsoft.com</cvrf:ContactDetails></cvrf:DocumentPublisher>
<cvrf:DocumentTracking><cvrf:Identification><cvrf:ID>2022-Test</cvrf:ID></cvrf:Identification>
</cvrf:DocumentTracking>
<prod:ProductTree><prod:FullProductName ProductID="11571">Windows Server 2019</prod:FullProductName>
<prod:FullProductName ProductID="11923">Windows Server 2022</prod:FullProductName>
</prod:ProductTree>
"""


def parse(parser: type[AdvisoryParser], path: Path, source: str | None = None) -> AdvisoryBatch:
    return parser().parse(path, source=source or path.name)


def cvrf(directory: Path, vulnerabilities: str, name: str = "doc.xml") -> Path:
    return write(directory, name, CVRF_HEAD + vulnerabilities + "</cvrf:cvrfdoc>\n")


def only_document(batch: AdvisoryBatch) -> MsrcDocumentRecord:
    (document,) = batch.msrc_documents
    return document


def vulnerability(document: MsrcDocumentRecord, cve: str) -> MsrcVulnerabilityRecord:
    (found,) = [item for item in document.vulnerabilities if item.cve_id == cve]
    return found


def fixes_for(record: MsrcVulnerabilityRecord, product_id: str) -> list[MsrcRemediationRecord]:
    return [
        item
        for item in record.remediations
        if item.kind == "Vendor Fix" and product_id in item.product_ids
    ]


def product_id_named(document: MsrcDocumentRecord, name: str) -> str:
    (found,) = [product.product_id for product in document.products if product.name == name]
    return found


# --- golden samples -------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "parser"), OWN_SAMPLES)
def test_own_samples_match_golden(name: str, parser: type[AdvisoryParser]) -> None:
    assert_matches_golden(parse(parser, SAMPLES / name), SAMPLES / name)


def test_cvrf_sample_choices() -> None:
    assert CVRF_SAMPLE.read_bytes().startswith(b"\xef\xbb\xbf<?xml")
    batch = parse(MsrcCvrfParser, CVRF_SAMPLE)
    assert batch.source_format == "msrc-cvrf"
    assert batch.warnings == ()
    document = only_document(batch)
    assert (document.document_id, document.title) == ("2022-Apr", "April 2022 Security Updates")
    assert document.released == datetime(2022, 4, 12, 8, tzinfo=UTC)
    # Four products, each listed twice in the tree: first occurrence, in order.
    assert [product.product_id for product in document.products] == [
        "11571",
        "11923",
        "11931",
        "10483",
    ]
    rpc = vulnerability(document, "CVE-2022-26809")
    assert rpc.released == datetime(2022, 4, 12, 8, tzinfo=UTC)  # the earliest revision
    assert rpc.scores == (
        ScoreRecord(
            "cvss_v31",
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:U/RL:O/RC:C",
            9.8,
            provider="secure@microsoft.com",
        ),
    )
    assert [item.kind for item in rpc.remediations].count("Known Issue") == 1
    mitigation = rpc.remediations[-1]
    assert (mitigation.kind, mitigation.product_ids, mitigation.kb) == ("Mitigation", (), "")
    assert "Block TCP port 445" in mitigation.description
    clfs = vulnerability(document, "CVE-2022-24521")
    assert (clfs.exploited, clfs.publicly_disclosed) == ("Yes", "No")
    assert clfs.remediations[1].supersedence == "5011564,5011560"  # "5011564; 5011560"
    release_notes = clfs.remediations[2]
    assert (release_notes.kb, release_notes.description) == ("", "Release Notes")


def test_csaf_sample_choices() -> None:
    batch = parse(MsrcCsafParser, CSAF_SAMPLE)
    assert batch.source_format == "msrc-csaf"
    assert batch.warnings == ()
    document = only_document(batch)
    assert document.document_id == "msrc_CVE-2024-38063"
    assert document.released == datetime(2024, 8, 13, 7, tzinfo=UTC)
    record = vulnerability(document, "CVE-2024-38063")
    assert record.product_ids == ("11571", "11923", "12099", "12243")  # not the fixed version
    assert set(record.severities) == {(key, "Critical") for key in record.product_ids}
    assert set(record.impacts) == {(key, "Remote Code Execution") for key in record.product_ids}
    assert record.scores[0].severity == "CRITICAL"
    builds = {
        item.kb: (item.product_ids, item.fixed_build) for item in record.remediations if item.kb
    }
    assert builds == {
        "5041578": (("11571",), "10.0.17763.6189"),  # from the "<10.0.17763.6189" range
        "5041160": (("11923",), "10.0.20348.2655"),
        "5041580": (("12099",), "10.0.19045.4780"),  # details "KB5041580"
        "5041585": (("12243",), "10.0.22631.4037"),  # from "fixed_build"
    }
    notes, mitigation = record.remediations[-2:]
    assert (notes.description, notes.product_ids, notes.fixed_build) == (
        "Release Notes",
        ("11571", "11923"),
        "",
    )
    assert mitigation.product_ids == record.product_ids  # group_ids expanded
    assert {item.restart_required for item in record.remediations if item.kb} == {"machine"}


# --- the real CVRF documents ----------------------------------------------------------------


def test_every_real_cvrf_document_is_listed(samples_dir: Path) -> None:
    found = {path.stem for path in (samples_dir / "advisories/msrc-cvrf").glob("*.xml")}
    assert found == {f"cvrfDocument-{key}" for key in REAL_CVRF}


@pytest.fixture(scope="module")
def real_documents(samples_dir: Path) -> dict[str, AdvisoryBatch]:
    folder = samples_dir / "advisories/msrc-cvrf"
    return {key: parse(MsrcCvrfParser, folder / f"cvrfDocument-{key}.xml") for key in REAL_CVRF}


@pytest.mark.parametrize(("key", "counts"), sorted(REAL_CVRF.items()))
def test_real_cvrf_documents(
    samples_dir: Path,
    real_documents: dict[str, AdvisoryBatch],
    key: str,
    counts: tuple[int, int, int, int, int, list[str]],
) -> None:
    vulnerabilities, listings, distinct, remediations, not_kb, exploited = counts
    path = samples_dir / f"advisories/msrc-cvrf/cvrfDocument-{key}.xml"
    assert MsrcCvrfParser.sniff(path.read_bytes()[:65536], path.name)
    assert not MsrcCsafParser.sniff(path.read_bytes()[:65536], path.name)
    batch = real_documents[key]
    assert batch.warnings == ()
    document = only_document(batch)
    assert document.document_id == key
    assert document.released is not None
    assert document.released.tzinfo is UTC
    assert len(document.vulnerabilities) == vulnerabilities
    assert listings == 2 * distinct
    assert len(document.products) == distinct
    every = [item for record in document.vulnerabilities for item in record.remediations]
    assert len(every) == remediations
    assert sum(1 for item in every if not item.kb) == not_kb
    assert sorted(r.cve_id for r in document.vulnerabilities if r.exploited == "Yes") == exploited
    known = {product.product_id for product in document.products}
    for record in document.vulnerabilities:
        assert record.location == SourceLocation(path.name, None, f"Vulnerability[{record.cve_id}]")
        assert set(record.product_ids) <= known
        assert {key for key, _word in record.severities} <= known
        for item in record.remediations:
            assert set(item.product_ids) <= known, (record.cve_id, item)
            assert item.kb == "" or item.kb.isdigit()
            assert all(piece.isdigit() for piece in item.supersedence.split(",") if piece)


def test_april_rpc_runtime_cve_2022_26809(real_documents: dict[str, AdvisoryBatch]) -> None:
    document = only_document(real_documents["2022-Apr"])
    record = vulnerability(document, "CVE-2022-26809")
    assert record.title == "Remote Procedure Call Runtime Remote Code Execution Vulnerability"
    assert len(record.product_ids) == 43
    names = {product.product_id: product.name for product in document.products}
    assert all(names[key].startswith("Windows") for key in record.product_ids)
    assert {word for _key, word in record.severities} == {"Critical"}
    assert {key for key, _word in record.severities} == set(record.product_ids)
    assert (record.exploited, record.publicly_disclosed) == ("No", "No")
    assert [(score.system, score.base_score) for score in record.scores] == [("cvss_v31", 9.8)]
    server_2019 = product_id_named(document, "Windows Server 2019")
    assert server_2019 == "11571"
    (fix,) = fixes_for(record, server_2019)
    assert fix == MsrcRemediationRecord(
        product_ids=("11568", "11569", "11570", "11571", "11572"),
        kb="5012647",
        kind="Vendor Fix",
        sub_type="Security Update",
        supersedence="5011503",
        fixed_build="10.0.17763.2803",
        url="https://catalog.update.microsoft.com/v7/site/Search.aspx?q=KB5012647",
        restart_required="Yes",
    )
    known_issues = [item for item in record.remediations if item.kind == "Known Issue"]
    assert ("5012647", "https://support.microsoft.com/help/5012647") in {
        (item.kb, item.url) for item in known_issues if server_2019 in item.product_ids
    }
    (server_2022_fix,) = fixes_for(record, product_id_named(document, "Windows Server 2022"))
    assert (server_2022_fix.kb, server_2022_fix.fixed_build, server_2022_fix.supersedence) == (
        "5012604",
        "10.0.20348.643",
        "5011497",
    )
    # Windows Server 2012 R2: a Monthly Rollup (superseding March's) and a Security Only update.
    rollup, security_only = fixes_for(record, product_id_named(document, "Windows Server 2012 R2"))
    assert (rollup.kb, rollup.sub_type, rollup.supersedence) == (
        "5012670",
        "Monthly Rollup",
        "5011564",
    )
    assert (security_only.kb, security_only.sub_type, security_only.supersedence) == (
        "5012639",
        "Security Only",
        "",
    )
    assert rollup.fixed_build == security_only.fixed_build == "6.3.9600.20337"


def test_january_http_protocol_stack_cve_2022_21907(
    real_documents: dict[str, AdvisoryBatch],
) -> None:
    document = only_document(real_documents["2022-Jan"])
    record = vulnerability(document, "CVE-2022-21907")
    assert record.title == "HTTP Protocol Stack Remote Code Execution Vulnerability"
    assert {word for _key, word in record.severities} == {"Critical"}

    def fix(name: str) -> tuple[str, str, str]:
        (found,) = fixes_for(record, product_id_named(document, name))
        return found.kb, found.fixed_build, found.supersedence

    assert fix("Windows Server 2022") == ("5009555", "10.0.20348.469", "5008223")
    assert fix("Windows Server 2022 (Server Core installation)") == fix("Windows Server 2022")
    assert fix("Windows Server 2019") == ("5009557", "10.0.17763.2452", "5008218")
    # Microsoft wrote 21H1's build (19043) as the fixed build of 21H2 (19044) this month; kept
    # as written (see docs/feeds/msrc.md for what the matcher does with it).
    assert fix("Windows 10 Version 21H2 for x64-based Systems") == (
        "5009543",
        "10.0.19043.1466",
        "5008212",
    )
    assert fix("Windows 10 Version 21H2 for 32-bit Systems") == fix(
        "Windows 10 Version 21H2 for x64-based Systems"
    )


# --- helpers --------------------------------------------------------------------------------


def test_kb_supersedence_exploit_and_cvss_helpers() -> None:
    assert [
        kb_number(text) for text in ("5012647", "KB5012647", " kb 4012212", "Release Notes")
    ] == [
        "5012647",
        "5012647",
        "4012212",
        "",
    ]
    assert superseded_kbs("") == ("", [])
    assert superseded_kbs("5011503") == ("5011503", [])
    assert superseded_kbs("4012212;4012215, KB4012216 4012212") == ("4012212,4012215,4012216", [])
    assert superseded_kbs("5011503; n/a") == ("5011503", ["n/a"])
    assert exploit_flags("Publicly Disclosed:Yes;Exploited:No;DOS:N/A") == ("No", "Yes")
    assert exploit_flags("DOS:N/A") == ("", "")
    assert [
        cvss_system(vector)
        for vector in (
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
            "CVSS:3.0/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H",
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
            "AV:N/AC:L/Au:N/C:P/I:P/A:P",
            "9.8",
        )
    ] == ["cvss_v31", "cvss_v30", "cvss_v40", "cvss_v2", ""]


def test_numeric_types_threats_without_products_and_odd_scores(tmp_path: Path) -> None:
    path = cvrf(
        tmp_path,
        """<vuln:Vulnerability Ordinal="1"><vuln:Title>T</vuln:Title>
<vuln:CVE>cve-2022-0001</vuln:CVE>
<vuln:ProductStatuses><vuln:Status Type="Known Affected"><vuln:ProductID>11571</vuln:ProductID>
<vuln:ProductID>11923</vuln:ProductID></vuln:Status></vuln:ProductStatuses>
<vuln:Threats><vuln:Threat Type="0"><vuln:Description>Spoofing</vuln:Description>
<vuln:ProductID>11923</vuln:ProductID></vuln:Threat>
<vuln:Threat Type="3"><vuln:Description>Moderate</vuln:Description></vuln:Threat>
<vuln:Threat Type="1"><vuln:Description>Publicly Disclosed:Yes;Exploited:No</vuln:Description>
</vuln:Threat></vuln:Threats>
<vuln:CVSSScoreSets><vuln:ScoreSet><vuln:BaseScore>high</vuln:BaseScore>
<vuln:Vector>CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H</vuln:Vector></vuln:ScoreSet>
<vuln:ScoreSet><vuln:BaseScore>5</vuln:BaseScore><vuln:Vector>n/a</vuln:Vector></vuln:ScoreSet>
</vuln:CVSSScoreSets>
<vuln:Remediations><vuln:Remediation Type="2"><vuln:Description>KB5012647</vuln:Description>
<vuln:Supercedence>5011503, see notes</vuln:Supercedence><vuln:ProductID>11571</vuln:ProductID>
</vuln:Remediation></vuln:Remediations></vuln:Vulnerability>""",
    )
    batch = parse(MsrcCvrfParser, path)
    record = vulnerability(only_document(batch), "CVE-2022-0001")
    assert record.impacts == (("11923", "Spoofing"),)
    assert record.severities == (("11571", "Moderate"), ("11923", "Moderate"))
    assert (record.exploited, record.publicly_disclosed) == ("No", "Yes")
    assert [(score.system, score.base_score) for score in record.scores] == [("cvss_v30", None)]
    (fix,) = record.remediations
    assert (fix.kind, fix.kb, fix.supersedence) == ("Vendor Fix", "5012647", "5011503")
    assert [str(warning) for warning in batch.warnings] == [
        "doc.xml [Vulnerability[CVE-2022-0001]/CVSSScoreSets/ScoreSet[2]/Vector]: "
        "'n/a' is not a CVSS vector; the score set is skipped",
        "doc.xml [Vulnerability[CVE-2022-0001]/Remediation[1]/Supercedence]: "
        "see, notes in Supercedence: not KB numbers; left out",
    ]


# --- bad input ------------------------------------------------------------------------------


def test_unknown_product_ids_are_left_out_with_a_located_warning(tmp_path: Path) -> None:
    path = cvrf(
        tmp_path,
        """<vuln:Vulnerability Ordinal="1"><vuln:CVE>CVE-2022-0002</vuln:CVE>
<vuln:ProductStatuses><vuln:Status Type="Known Affected"><vuln:ProductID>11571</vuln:ProductID>
<vuln:ProductID>99999</vuln:ProductID></vuln:Status></vuln:ProductStatuses>
<vuln:Remediations>
<vuln:Remediation Type="Vendor Fix"><vuln:Description>5012647</vuln:Description>
<vuln:ProductID>11571</vuln:ProductID><vuln:ProductID>99999</vuln:ProductID></vuln:Remediation>
<vuln:Remediation Type="Vendor Fix"><vuln:Description>5012604</vuln:Description>
<vuln:ProductID>88888</vuln:ProductID></vuln:Remediation>
</vuln:Remediations></vuln:Vulnerability>
<vuln:Vulnerability Ordinal="2"><vuln:Title>no CVE</vuln:Title></vuln:Vulnerability>""",
    )
    batch = parse(MsrcCvrfParser, path)
    (record,) = only_document(batch).vulnerabilities
    assert record.product_ids == ("11571",)
    assert [(item.kb, item.product_ids) for item in record.remediations] == [
        ("5012647", ("11571",))
    ]
    assert [str(warning) for warning in batch.warnings] == [
        "doc.xml [Vulnerability[CVE-2022-0002]/ProductStatuses]: "
        "ProductID(s) 99999 not in the product tree; left out",
        "doc.xml [Vulnerability[CVE-2022-0002]/Remediation[1]/ProductID]: "
        "ProductID(s) 99999 not in the product tree; left out",
        "doc.xml [Vulnerability[CVE-2022-0002]/Remediation[2]/ProductID]: "
        "ProductID(s) 88888 not in the product tree; the remediation is skipped",
        "doc.xml [Vulnerability[Ordinal=2]]: a vulnerability without a CVE id; skipped",
    ]
    assert batch.warnings[2].location == SourceLocation(
        "doc.xml", None, "Vulnerability[CVE-2022-0002]/Remediation[2]/ProductID"
    )


def test_malformed_and_truncated_xml(tmp_path: Path) -> None:
    text = CVRF_SAMPLE.read_bytes()
    truncated = write(tmp_path, "truncated.xml", text[: len(text) // 2])
    error = rejected(MsrcCvrfParser, truncated)
    assert isinstance(error, ParseError)
    assert error.source.path == "truncated.xml"
    assert error.source.line is not None
    assert "invalid XML: no element found" in str(error)
    broken = write(tmp_path, "broken.xml", CVRF_HEAD + "<vuln:Vulnerability></cvrf:cvrfdoc>")
    assert located(rejected(MsrcCvrfParser, broken)) == [
        "broken.xml:13: invalid XML: mismatched tag: line 13, column 22"
    ]
    empty = write(tmp_path, "empty.xml", b"")
    assert "no element found" in str(rejected(MsrcCvrfParser, empty))


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE cvrf:cvrfdoc [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<cvrf:cvrfdoc xmlns:cvrf="http://www.icasi.org/CVRF/schema/cvrf/1.1">
<cvrf:DocumentTitle>&lol9;</cvrf:DocumentTitle></cvrf:cvrfdoc>
"""
EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE cvrfdoc [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<cvrf:cvrfdoc xmlns:cvrf="http://www.icasi.org/CVRF/schema/cvrf/1.1">
<cvrf:DocumentTitle>&secret;</cvrf:DocumentTitle></cvrf:cvrfdoc>
"""


@pytest.mark.parametrize("content", [BILLION_LAUGHS, EXTERNAL_ENTITY])
def test_dtds_and_entities_are_refused(tmp_path: Path, content: str) -> None:
    error = rejected(MsrcCvrfParser, write(tmp_path, "bomb.xml", content))
    assert isinstance(error, ParseError)
    assert located(error) == [
        "bomb.xml: refused XML: DTDForbidden (DTDs and entities are not allowed)"
    ]


def test_documents_that_are_not_microsoft_cvrf(samples_dir: Path, tmp_path: Path) -> None:
    # nmap writes <!DOCTYPE nmaprun>, which the generic XML reader refuses before the root.
    assert located(rejected(MsrcCvrfParser, INVENTORY_SAMPLES / "nmap-min.xml")) == [
        "nmap-min.xml: refused XML: DTDForbidden (DTDs and entities are not allowed)"
    ]
    cyclonedx = samples_dir / "sbom/cyclonedx/dropwizard-1.3.15__bom.xml"
    assert located(rejected(MsrcCvrfParser, cyclonedx)) == [
        "dropwizard-1.3.15__bom.xml: not a Microsoft CVRF document: the root element is "
        "<bom>, not <cvrf:cvrfdoc>"
    ]
    oasis = "http://docs.oasis-open.org/csaf/ns/csaf-cvrf/v1.2/cvrf"
    cvrf_12 = write(tmp_path, "cvrf12.xml", f'<cvrfdoc xmlns="{oasis}"><DocumentTitle/></cvrfdoc>')
    assert located(rejected(MsrcCvrfParser, cvrf_12)) == [
        f"cvrf12.xml: a CVRF document in namespace '{oasis}', not Microsoft's CVRF 1.1 "
        "(http://www.icasi.org/CVRF/schema/cvrf/1.1)"
    ]
    red_hat = write(
        tmp_path, "redhat.xml", CVRF_HEAD.replace("microsoft.com", "redhat.com") + "</cvrf:cvrfdoc>"
    )
    assert located(rejected(MsrcCvrfParser, red_hat)) == [
        "redhat.xml [DocumentPublisher]: not a Microsoft CVRF document: "
        "the publisher is 'secure@redhat.com'"
    ]
    no_publisher = write(
        tmp_path,
        "anonymous.xml",
        CVRF_HEAD.replace("<cvrf:DocumentPublisher", "<cvrf:DocumentNotes").replace(
            "</cvrf:DocumentPublisher>", "</cvrf:DocumentNotes>"
        )
        + "</cvrf:cvrfdoc>",
    )
    assert located(rejected(MsrcCvrfParser, no_publisher)) == [
        "anonymous.xml [DocumentPublisher]: not a Microsoft CVRF document: "
        "<ProductTree> before any <DocumentPublisher>"
    ]
    no_id = write(tmp_path, "no-id.xml", CVRF_HEAD.replace("2022-Test", " ") + "</cvrf:cvrfdoc>")
    assert located(rejected(MsrcCvrfParser, no_id)) == [
        "no-id.xml [DocumentTracking/Identification/ID]: "
        "the document has no ID (DocumentTracking/Identification/ID)"
    ]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            '<?xml version="1.0" encoding="utf-9"?><cvrfdoc/>',
            "enc.xml:1: invalid XML: unsupported encoding (unknown encoding: utf-9)",
        ),
        (
            '<?xml version="1.0" encoding="utf-32"?><cvrfdoc/>',
            "enc.xml:1: invalid XML: multi-byte encodings are not supported",
        ),
    ],
)
def test_encodings_python_or_expat_refuse(tmp_path: Path, content: str, expected: str) -> None:
    assert located(rejected(MsrcCvrfParser, write(tmp_path, "enc.xml", content))) == [expected]


def test_latin1_bytes_in_a_utf8_document(tmp_path: Path) -> None:
    content = CVRF_HEAD.replace("Test</cvrf:DocumentTitle>", "Th\xe1ng 4</cvrf:DocumentTitle>")
    path = write(tmp_path, "latin1.xml", content.encode("latin-1") + b"</cvrf:cvrfdoc>")
    error = rejected(MsrcCvrfParser, path)
    assert located(error) == [
        "latin1.xml:5: invalid XML: not well-formed (invalid token): line 5, column 22"
    ]


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


def csaf_document() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(CSAF_SAMPLE.read_text(encoding="utf-8"))
    return document


def test_json_that_is_not_microsoft_csaf(samples_dir: Path, tmp_path: Path) -> None:
    kev = samples_dir / "advisories/kev_known_exploited_vulnerabilities.json"
    assert located(rejected(MsrcCsafParser, kev)) == [
        f'{kev.name} [$.document]: not a CSAF document: there is no "document" object'
    ]
    assert 'no "document" object' in str(
        rejected(MsrcCsafParser, write(tmp_path, "list.json", "[1, 2]"))
    )
    other = csaf_document()
    other["document"]["publisher"] = {"category": "vendor", "name": "Red Hat Product Security"}
    assert located(rejected(MsrcCsafParser, write(tmp_path, "rh.json", json.dumps(other)))) == [
        "rh.json [$.document.publisher.name]: not a Microsoft CSAF document: the publisher is "
        "'Red Hat Product Security'; this parser reads the Microsoft Security Update Guide"
    ]
    old = csaf_document()
    old["document"]["csaf_version"] = "1.2"
    assert located(rejected(MsrcCsafParser, write(tmp_path, "old.json", json.dumps(old)))) == [
        "old.json [$.document.csaf_version]: not a CSAF 2.x document: csaf_version is '1.2'"
    ]
    untracked = csaf_document()
    del untracked["document"]["tracking"]["id"]
    error = rejected(MsrcCsafParser, write(tmp_path, "untracked.json", json.dumps(untracked)))
    assert located(error) == [
        "untracked.json [$.document.tracking.id]: the document has no tracking id"
    ]
    odd = csaf_document()
    odd["vulnerabilities"] = {"cve": "CVE-2024-38063"}
    assert located(rejected(MsrcCsafParser, write(tmp_path, "odd.json", json.dumps(odd)))) == [
        'odd.json [$.vulnerabilities]: "vulnerabilities" is not a list'
    ]


def test_broken_json(tmp_path: Path) -> None:
    text = CSAF_SAMPLE.read_text(encoding="utf-8")
    error = rejected(MsrcCsafParser, write(tmp_path, "cut.json", text[:1000]))
    assert isinstance(error, ParseError)
    assert error.source.path == "cut.json"
    assert error.source.line is not None
    assert "invalid JSON" in str(error)
    deep = write(tmp_path, "deep.json", "[" * 100_000 + "]" * 100_000)
    assert located(rejected(MsrcCsafParser, deep)) == ["deep.json: invalid JSON: nested too deeply"]
    latin1 = write(tmp_path, "latin1.json", '{"document": "Th\xe1ng"}'.encode("latin-1"))
    assert located(rejected(MsrcCsafParser, latin1)) == [
        "latin1.json:1: not UTF-8 text (byte 16); save the file as UTF-8"
    ]


def test_csaf_unknown_products_and_split_fixed_builds(tmp_path: Path) -> None:
    document = csaf_document()
    (record,) = document["vulnerabilities"]
    record["product_status"]["known_affected"].append("404")
    # One KB for two products with different version ranges: one record per fixed build.
    record["remediations"][0]["product_ids"] = ["11571", "11923", "404"]
    record["remediations"][1]["product_ids"] = ["405"]
    record["threats"] = [{"category": "impact", "details": "Remote Code Execution"}]
    record["scores"].append({"cvss_v2": {"vectorString": "high", "baseScore": 7}})
    record["remediations"].append({"category": "vendor_fix", "details": "Build 16.0.14332.20771"})
    batch = parse(MsrcCsafParser, write(tmp_path, "ms.json", json.dumps(document)))
    parsed = vulnerability(only_document(batch), "CVE-2024-38063")
    assert parsed.product_ids == ("11571", "11923", "12099", "12243")
    assert parsed.severities == tuple((key, "Critical") for key in parsed.product_ids)  # aggregate
    assert parsed.impacts == tuple((key, "Remote Code Execution") for key in parsed.product_ids)
    first, second = parsed.remediations[:2]
    assert (first.kb, first.product_ids, first.fixed_build) == (
        "5041578",
        ("11571",),
        "10.0.17763.6189",
    )
    assert (second.kb, second.product_ids, second.fixed_build) == (
        "5041578",
        ("11923",),
        "10.0.20348.2655",
    )
    assert parsed.remediations[2].kb == "5041580"  # 5041160 (only unknown products) is skipped
    assert (parsed.remediations[-1].description, parsed.remediations[-1].fixed_build) == (
        "Build 16.0.14332.20771",
        "16.0.14332.20771",
    )
    assert [str(warning) for warning in batch.warnings] == [
        "ms.json [$.vulnerabilities[0].product_status]: "
        "ProductID(s) 404 not in the product tree; left out",
        "ms.json [$.vulnerabilities[0].scores[1].cvss_v2.vectorString]: "
        "'high' is not a CVSS vector; skipped",
        "ms.json [$.vulnerabilities[0].remediations[0].product_ids]: "
        "ProductID(s) 404 not in the product tree; left out",
        "ms.json [$.vulnerabilities[0].remediations[1].product_ids]: "
        "ProductID(s) 405 not in the product tree; the remediation is skipped",
    ]


# --- byte mutations -------------------------------------------------------------------------

ODD_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-1, 70000),
    st.floats(allow_nan=True),
    st.sampled_from(["", " ", "KB", "<1.0", "vers:intdot/<10.0.1.1", "impact", "Critical"]),
    st.text(max_size=6),
    st.lists(st.sampled_from(["11571", "CSAFGID-0001", "x"]), max_size=2),
    st.just({}),
)


ODD_TEXT = st.sampled_from(
    ["", " ", "0", "KB", "n/a", "99999", "11571", "Critical", "CVSS:3.1/", "2022-13-45", "x" * 300]
)
ELEMENT_TEXT = re.compile(rb">([^<>]*)<")


@st.composite
def mutated_lines(draw: st.DrawFn, original: bytes) -> bytes:
    """Well-formed-looking XML: whole lines deleted or repeated, element text replaced."""
    lines = original.splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 4))):
        index = draw(st.integers(0, len(lines) - 1))
        operation = draw(st.sampled_from(["delete", "repeat", "text"]))
        if operation == "delete" and index > 1:
            del lines[index]
        elif operation == "repeat":
            lines.insert(index, lines[index])
        else:
            value = escape(draw(ODD_TEXT)).encode()
            lines[index] = ELEMENT_TEXT.sub(b">" + value + b"<", lines[index], count=1)
    return b"".join(lines)


@st.composite
def mutated(draw: st.DrawFn, name: str) -> bytes:
    original = (SAMPLES / name).read_bytes()
    if name.endswith(".xml") and draw(st.booleans()):
        return draw(mutated_lines(original))
    if name.endswith(".json") and draw(st.booleans()):
        document = json.loads(original)
        for _ in range(draw(st.integers(1, 3))):
            chance = draw(st.randoms(use_true_random=False))
            document = replace_random_value(document, chance, draw(ODD_VALUES))
        return json.dumps(document).encode()
    data = mutate_bytes(draw, original)
    return data


@pytest.mark.parametrize(("name", "parser"), OWN_SAMPLES)
def test_mutated_samples_raise_only_validation_errors(
    tmp_path_factory: pytest.TempPathFactory, name: str, parser: type[AdvisoryParser]
) -> None:
    def check_batch(batch: AdvisoryBatch) -> None:
        (document,) = batch.msrc_documents
        known = {product.product_id for product in document.products}
        for record in document.vulnerabilities:
            assert record.cve_id == record.cve_id.upper()
            assert all(set(item.product_ids) <= known for item in record.remediations)

    path = tmp_path_factory.mktemp("mutated") / name
    check_mutated(path, parser, mutated(name), check_batch)


# --- sniffing -------------------------------------------------------------------------------


def test_sniff(samples_dir: Path) -> None:
    cvrf_head = CVRF_SAMPLE.read_bytes()[:65536]
    csaf_head = CSAF_SAMPLE.read_bytes()[:65536]
    assert MsrcCvrfParser.sniff(cvrf_head, CVRF_SAMPLE.name)
    assert MsrcCvrfParser.sniff(cvrf_head.removeprefix(b"\xef\xbb\xbf"), "no-bom.xml")
    assert not MsrcCvrfParser.sniff(csaf_head, CSAF_SAMPLE.name)
    assert MsrcCsafParser.sniff(csaf_head, CSAF_SAMPLE.name)
    assert MsrcCsafParser.sniff(json.dumps(csaf_document()).encode(), "compact.json")
    assert not MsrcCsafParser.sniff(cvrf_head, CVRF_SAMPLE.name)
    others = [
        INVENTORY_SAMPLES / "nmap-min.xml",
        INVENTORY_SAMPLES / "cyclonedx-min.xml",
        INVENTORY_SAMPLES / "cyclonedx-min.json",
        samples_dir / "sbom/cyclonedx/dropwizard-1.3.15__bom.xml",
        samples_dir / "advisories/kev_known_exploited_vulnerabilities.json",
    ]
    for other in others:
        head = other.read_bytes()[:65536]
        assert not MsrcCvrfParser.sniff(head, other.name), other
        assert not MsrcCsafParser.sniff(head, other.name), other
    red_hat = csaf_document()
    red_hat["document"]["publisher"] = {"category": "vendor", "name": "Red Hat Product Security"}
    assert not MsrcCsafParser.sniff(json.dumps(red_hat).encode(), "rh.json")
    red_hat_cvrf = CVRF_HEAD.replace("microsoft.com", "redhat.com").encode()
    assert not MsrcCvrfParser.sniff(red_hat_cvrf, "rh.xml")
