"""A small advisory snapshot for the offline demo, written for canhgac (facts restated: CVE ids,
scores, affected ranges, KBs and fixed builds of the spring 2022 warnings)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from canhgac.advisories.feeds.records import (
    AdvisoryBatch,
    ConfigurationRecord,
    CpeMatchRecord,
    KevRecord,
    MsrcDocumentRecord,
    MsrcProductRecord,
    MsrcRemediationRecord,
    MsrcVulnerabilityRecord,
    NodeRecord,
    ScoreRecord,
    VulnerabilityRecord,
)
from canhgac.core.exceptions import SourceLocation

SOURCE = "demo:advisories"
CRITICAL_NETWORK = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"


def _at(line: int) -> SourceLocation:
    return SourceLocation(SOURCE, line)


def _cvss(score: float, vector: str = CRITICAL_NETWORK) -> ScoreRecord:
    severity = "CRITICAL" if score >= 9 else "HIGH" if score >= 7 else "MEDIUM"
    return ScoreRecord("cvss_v31", vector, score, severity, "nvd@nist.gov", primary=True)


def _cpe(criteria: str, *, vulnerable: bool = True, **bounds: str) -> CpeMatchRecord:
    return CpeMatchRecord(criteria, vulnerable, **bounds)


def _windows(*criteria: str) -> ConfigurationRecord:
    """One OR node of vulnerable CPE names without version bounds (Microsoft's NVD shape)."""
    return ConfigurationRecord("", False, (NodeRecord("OR", False, tuple(map(_cpe, criteria))),))


SPRING4SHELL = VulnerabilityRecord(
    id="CVE-2022-22965",
    location=_at(1),
    source="nvd",
    published=datetime(2022, 4, 1, 23, 15, tzinfo=UTC),
    status="Analyzed",
    title="Spring Framework JDK 9+ Remote Code Execution (Spring4Shell)",
    description="A Spring MVC or Spring WebFlux application running on JDK 9+ may be "
    "vulnerable to remote code execution via data binding when deployed as a WAR on Tomcat.",
    scores=(_cvss(9.8),),
    cwes=("CWE-94",),
    configurations=(
        ConfigurationRecord(
            "AND",
            False,
            (
                NodeRecord(
                    "OR",
                    False,
                    (
                        _cpe(
                            "cpe:2.3:a:vmware:spring_framework:*:*:*:*:*:*:*:*",
                            version_end_excluding="5.2.20",
                        ),
                        _cpe(
                            "cpe:2.3:a:vmware:spring_framework:*:*:*:*:*:*:*:*",
                            version_start_including="5.3.0",
                            version_end_excluding="5.3.18",
                        ),
                    ),
                ),
                NodeRecord(
                    "OR",
                    False,
                    (
                        _cpe(
                            "cpe:2.3:a:oracle:jdk:*:*:*:*:*:*:*:*",
                            vulnerable=False,
                            version_start_including="9",
                        ),
                    ),
                ),
            ),
        ),
    ),
)
PROXYSHELL = VulnerabilityRecord(
    id="CVE-2021-34473",
    location=_at(2),
    source="nvd",
    published=datetime(2021, 7, 14, 18, 15, tzinfo=UTC),
    status="Analyzed",
    title="Microsoft Exchange Server Remote Code Execution (ProxyShell)",
    description="Microsoft Exchange Server remote code execution vulnerability.",
    scores=(_cvss(9.8),),
    cwes=("CWE-918",),
    configurations=(
        ConfigurationRecord(
            "",
            False,
            (
                NodeRecord(
                    "OR",
                    False,
                    (
                        _cpe(
                            "cpe:2.3:a:microsoft:exchange_server:2019:cumulative_update_8:*:*:*:*:*:*"
                        ),
                        _cpe(
                            "cpe:2.3:a:microsoft:exchange_server:2019:cumulative_update_9:*:*:*:*:*:*"
                        ),
                    ),
                ),
            ),
        ),
    ),
)
HTTP_SYS = VulnerabilityRecord(
    id="CVE-2022-21907",
    location=_at(3),
    source="nvd",
    published=datetime(2022, 1, 11, 21, 15, tzinfo=UTC),
    status="Analyzed",
    title="HTTP Protocol Stack Remote Code Execution Vulnerability",
    description="HTTP Protocol Stack (http.sys) remote code execution vulnerability.",
    scores=(_cvss(9.8),),
    configurations=(
        _windows(
            "cpe:2.3:o:microsoft:windows_10:21h2:*:*:*:*:*:x64:*",
            "cpe:2.3:o:microsoft:windows_server_2019:-:*:*:*:*:*:*:*",
            "cpe:2.3:o:microsoft:windows_server:2022:*:*:*:*:*:*:*",
        ),
    ),
)
RPC = VulnerabilityRecord(
    id="CVE-2022-26809",
    location=_at(4),
    source="nvd",
    published=datetime(2022, 4, 15, 19, 15, tzinfo=UTC),
    status="Analyzed",
    title="Remote Procedure Call Runtime Remote Code Execution Vulnerability",
    description="Remote Procedure Call Runtime remote code execution vulnerability.",
    scores=(_cvss(9.8),),
    configurations=(
        _windows(
            "cpe:2.3:o:microsoft:windows_10:21h2:*:*:*:*:*:*:*",
            "cpe:2.3:o:microsoft:windows_server_2016:-:*:*:*:*:*:*:*",
            "cpe:2.3:o:microsoft:windows_server_2019:-:*:*:*:*:*:*:*",
            "cpe:2.3:o:microsoft:windows_server_2022:-:*:*:*:*:*:*:*",
        ),
    ),
)
EXCHANGE = VulnerabilityRecord(
    id="CVE-2022-23277",
    location=_at(5),
    source="nvd",
    published=datetime(2022, 3, 9, 17, 15, tzinfo=UTC),
    status="Analyzed",
    title="Microsoft Exchange Server Remote Code Execution Vulnerability",
    description="Microsoft Exchange Server remote code execution vulnerability.",
    scores=(_cvss(8.8, "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H"),),
    configurations=(
        _windows(
            "cpe:2.3:a:microsoft:exchange_server:2013:cumulative_update_23:*:*:*:*:*:*",
            "cpe:2.3:a:microsoft:exchange_server:2016:cumulative_update_21:*:*:*:*:*:*",
            "cpe:2.3:a:microsoft:exchange_server:2016:cumulative_update_22:*:*:*:*:*:*",
            "cpe:2.3:a:microsoft:exchange_server:2019:cumulative_update_10:*:*:*:*:*:*",
            "cpe:2.3:a:microsoft:exchange_server:2019:cumulative_update_11:*:*:*:*:*:*",
        ),
    ),
)
KEV = (
    KevRecord(
        "CVE-2022-22965",
        _at(11),
        "VMware",
        "Spring Framework",
        "Spring Framework JDK 9+ Remote Code Execution Vulnerability",
        date(2022, 4, 4),
        date(2022, 4, 25),
        "Apply updates per vendor instructions.",
        "Known",
    ),
    KevRecord(
        "CVE-2021-34473",
        _at(12),
        "Microsoft",
        "Exchange Server",
        "Microsoft Exchange Server Remote Code Execution Vulnerability",
        date(2021, 11, 3),
        date(2021, 11, 17),
        "Apply updates per vendor instructions.",
        "Known",
    ),
)
# MSRC product ids as the 2022 documents number them.
SERVER_2016, SERVER_2019, SERVER_2022 = "10816", "11571", "11923"
WINDOWS_10_21H2 = "11931"
EXCHANGE_2016_CU22, EXCHANGE_2019_CU11 = "11956", "11957"
PRODUCTS = {
    SERVER_2016: "Windows Server 2016",
    SERVER_2019: "Windows Server 2019",
    SERVER_2022: "Windows Server 2022",
    WINDOWS_10_21H2: "Windows 10 Version 21H2 for x64-based Systems",
    EXCHANGE_2016_CU22: "Microsoft Exchange Server 2016 Cumulative Update 22",
    EXCHANGE_2019_CU11: "Microsoft Exchange Server 2019 Cumulative Update 11",
}


def _fix(product: str, kb: str, supersedes: str, build: str) -> MsrcRemediationRecord:
    return MsrcRemediationRecord((product,), kb, "Vendor Fix", "Security Update", supersedes, build)


def _msrc(
    cve_id: str, line: int, title: str, severity: str, fixes: tuple[MsrcRemediationRecord, ...]
) -> MsrcVulnerabilityRecord:
    products = tuple(product for fix in fixes for product in fix.product_ids)
    return MsrcVulnerabilityRecord(
        cve_id=cve_id,
        location=_at(line),
        title=title,
        product_ids=products,
        severities=tuple((product, severity) for product in products),
        impacts=tuple((product, "Remote Code Execution") for product in products),
        remediations=fixes,
    )


def _document(
    document_id: str, title: str, released: datetime, vulnerability: MsrcVulnerabilityRecord
) -> MsrcDocumentRecord:
    return MsrcDocumentRecord(
        document_id=document_id,
        title=title,
        released=released,
        products=tuple(
            MsrcProductRecord(product, PRODUCTS[product]) for product in vulnerability.product_ids
        ),
        vulnerabilities=(vulnerability,),
    )


JANUARY_2022 = _document(
    "2022-Jan",
    "January 2022 Security Updates",
    datetime(2022, 1, 11, 8, 0, tzinfo=UTC),
    _msrc(
        "CVE-2022-21907",
        21,
        "HTTP Protocol Stack Remote Code Execution Vulnerability",
        "Critical",
        (
            _fix(SERVER_2019, "5009557", "5008218", "10.0.17763.2452"),
            _fix(SERVER_2022, "5009555", "5008223", "10.0.20348.469"),
            _fix(WINDOWS_10_21H2, "5009543", "5008212", "10.0.19044.1466"),
        ),
    ),
)
MARCH_2022 = _document(
    "2022-Mar",
    "March 2022 Security Updates",
    datetime(2022, 3, 8, 8, 0, tzinfo=UTC),
    _msrc(
        "CVE-2022-23277",
        22,
        "Microsoft Exchange Server Remote Code Execution Vulnerability",
        "Critical",
        (
            _fix(EXCHANGE_2016_CU22, "5012698", "5008631", "15.01.2375.024"),
            _fix(EXCHANGE_2019_CU11, "5012698", "5008631", "15.02.0986.022"),
        ),
    ),
)
APRIL_2022 = _document(
    "2022-Apr",
    "April 2022 Security Updates",
    datetime(2022, 4, 12, 7, 0, tzinfo=UTC),
    _msrc(
        "CVE-2022-26809",
        23,
        "Remote Procedure Call Runtime Remote Code Execution Vulnerability",
        "Critical",
        (
            _fix(SERVER_2016, "5012596", "5011495", "10.0.14393.5066"),
            _fix(SERVER_2019, "5012647", "5011503", "10.0.17763.2803"),
            _fix(SERVER_2022, "5012604", "5011497", "10.0.20348.643"),
            _fix(WINDOWS_10_21H2, "5012599", "5011487", "10.0.19044.1645"),
        ),
    ),
)


def demo_advisory_batches() -> list[AdvisoryBatch]:
    return [
        AdvisoryBatch(
            "nvd",
            f"{SOURCE}/nvd.json",
            vulnerabilities=(SPRING4SHELL, PROXYSHELL, HTTP_SYS, RPC, EXCHANGE),
        ),
        AdvisoryBatch("kev", f"{SOURCE}/kev.json", kev=KEV),
        *(
            AdvisoryBatch(
                "msrc-cvrf", f"{SOURCE}/{document.document_id}.xml", msrc_documents=(document,)
            )
            for document in (JANUARY_2022, MARCH_2022, APRIL_2022)
        ),
    ]
