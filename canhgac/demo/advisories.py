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
SERVER_2019, SERVER_2022, WINDOWS_10_21H2 = "11571", "11923", "11929"
APRIL_2022 = MsrcDocumentRecord(
    document_id="2022-Apr",
    title="April 2022 Security Updates",
    released=datetime(2022, 4, 12, 7, 0, tzinfo=UTC),
    products=(
        MsrcProductRecord(SERVER_2019, "Windows Server 2019"),
        MsrcProductRecord(SERVER_2022, "Windows Server 2022"),
        MsrcProductRecord(WINDOWS_10_21H2, "Windows 10 Version 21H2 for x64-based Systems"),
    ),
    vulnerabilities=(
        MsrcVulnerabilityRecord(
            cve_id="CVE-2022-26809",
            location=_at(21),
            title="Remote Procedure Call Runtime Remote Code Execution Vulnerability",
            product_ids=(SERVER_2019, SERVER_2022, WINDOWS_10_21H2),
            severities=tuple(
                (pid, "Critical") for pid in (SERVER_2019, SERVER_2022, WINDOWS_10_21H2)
            ),
            impacts=tuple(
                (pid, "Remote Code Execution")
                for pid in (SERVER_2019, SERVER_2022, WINDOWS_10_21H2)
            ),
            scores=(ScoreRecord("cvss_v31", CRITICAL_NETWORK, 9.8, "", "secure@microsoft.com"),),
            remediations=(
                MsrcRemediationRecord(
                    (SERVER_2019,),
                    "5012647",
                    "Vendor Fix",
                    "Security Update",
                    "5011503",
                    "10.0.17763.2803",
                ),
                MsrcRemediationRecord(
                    (SERVER_2022,),
                    "5012604",
                    "Vendor Fix",
                    "Security Update",
                    "5011497",
                    "10.0.20348.643",
                ),
                MsrcRemediationRecord(
                    (WINDOWS_10_21H2,),
                    "5012599",
                    "Vendor Fix",
                    "Security Update",
                    "5011487",
                    "10.0.19044.1645",
                ),
            ),
        ),
    ),
)


def demo_advisory_batches() -> list[AdvisoryBatch]:
    return [
        AdvisoryBatch(
            "nvd", f"{SOURCE}/nvd.json", vulnerabilities=(SPRING4SHELL, PROXYSHELL, HTTP_SYS, RPC)
        ),
        AdvisoryBatch("kev", f"{SOURCE}/kev.json", kev=KEV),
        AdvisoryBatch("msrc-cvrf", f"{SOURCE}/2022-Apr.xml", msrc_documents=(APRIL_2022,)),
    ]
