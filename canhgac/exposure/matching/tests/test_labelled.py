"""The labelled accuracy suite: real NVD records and Microsoft documents, hosts with known answers.

Each case is a host, a CVE, what on the host is in question (component, service or OS) and the
expected verdict: "affected", "potential" or "none" (nothing reported), with the reason code the
explanation must give. Precision and recall over "reported or not" are printed and must be 1.0;
every state and reason must also be exact.

Advisories: the six NVD records of ../shared/data/advisories/nvd and the January-April 2022 MSRC
CVRF documents. Facts added by hand are marked: a name-collision criterion (no real record in the
samples has a target software), a CPE deprecation, and ProxyShell's April 2021 Exchange security
update KB5001779 (restated from Microsoft's guide: it fixes CVE-2021-34473 on Exchange 2019 CU8
and CU9) for the "ProxyShell by KB" cases.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from canhgac.exposure.matching.candidates import (
    component_software,
    os_software,
    service_software,
)
from canhgac.exposure.matching.engine import Knowledge, match_host
from canhgac.exposure.matching.facts import (
    Advisory,
    Configuration,
    Criterion,
    Host,
    Kind,
    MicrosoftFix,
    Node,
    Software,
    State,
    Verdict,
)
from canhgac.exposure.matching.tests.knowledge import knowledge

SPRING4SHELL, HTTP_SYS, EXCHANGE_23277, RPC = (
    "CVE-2022-22965",
    "CVE-2022-21907",
    "CVE-2022-23277",
    "CVE-2022-26809",
)
PROXYSHELL, PROXYSHELL_31207 = "CVE-2021-34473", "CVE-2021-31207"
COLLISION = "CANHGAC-TEST-COLLISION"  # made-up advisory with a target_sw criterion

SERVER_2019 = "cpe:2.3:o:microsoft:windows_server_2019:-:*:*:*:*:*:*:*"
SERVER_2016 = "cpe:2.3:o:microsoft:windows_server_2016:-:*:*:*:*:*:*:*"
SERVER_2022 = "cpe:2.3:o:microsoft:windows_server_2022:-:*:*:*:*:*:*:*"
SERVER_2012_R2 = "cpe:2.3:o:microsoft:windows_server_2012:r2:*:*:*:*:*:*:*"
WINDOWS_7 = "cpe:2.3:o:microsoft:windows_7:-:sp1:*:*:*:*:*:*"
WINDOWS_10_21H2 = "cpe:2.3:o:microsoft:windows_10:21h2:*:*:*:*:*:x64:*"
WINDOWS_10_1607 = "cpe:2.3:o:microsoft:windows_10:1607:*:*:*:*:*:*:*"
WINDOWS_11 = "cpe:2.3:o:microsoft:windows_11:-:*:*:*:*:*:x64:*"
UBUNTU = "cpe:2.3:o:canonical:ubuntu_linux:20.04:*:*:*:lts:*:*:*"


def jar(ref: int, name: str, version: str, group: str = "org.springframework") -> Software:
    return component_software(
        ref, name=f"{group}:{name}", version=version, purl=f"pkg:maven/{group}/{name}@{version}"
    )


def deb(ref: int, name: str, version: str) -> Software:
    purl = f"pkg:deb/ubuntu/{name}@{version}?distro=ubuntu-20.04"
    return component_software(ref, name=name, version=version, purl=purl)


def app(ref: int, name: str, version: str = "", cpe: str = "", purl: str = "") -> Software:
    return component_software(ref, name=name, version=version, cpe=cpe, purl=purl)


def exchange(ref: int, year: int, cu: int) -> Software:
    """Exchange as the uninstall registry names it (no CPE: candidates maps the name)."""
    return component_software(ref, name=f"Microsoft Exchange Server {year} Cumulative Update {cu}")


def linux(*software: Software) -> dict[str, object]:
    return {"software": software, "os_name": "Ubuntu 20.04.4 LTS", "os_cpe": UBUNTU}


def windows_host(
    os_name: str, build: str, cpe: str, *software: Software, kbs: tuple[str, ...] = ()
) -> dict[str, object]:
    return {"software": software, "os_name": os_name, "os_build": build, "os_cpe": cpe, "kbs": kbs}


@dataclass(frozen=True)
class Case:
    id: str
    host: dict[str, object]
    cve: str
    kind: Kind
    expected: str  # "affected" | "potential" | "none"
    reason: str = ""  # a reason code the verdict must give ("" = not checked)


def spring(id: str, host: dict[str, object], expected: str, reason: str = "") -> Case:
    return Case(id, host, SPRING4SHELL, Kind.COMPONENT, expected, reason)


JDK11 = deb(90, "openjdk-11-jre-headless", "11.0.14+9-0ubuntu2~20.04")
JDK8 = deb(91, "openjdk-8-jre-headless", "8u312-b07-0ubuntu1~20.04")
JDK17 = deb(92, "openjdk-17-jdk", "17.0.2+8-1~20.04")

CASES: list[Case] = [
    # --- Spring4Shell: Spring Framework version x JDK platform (AND configuration) ---
    spring("spring-5.3.17-jdk11", linux(jar(1, "spring-beans", "5.3.17"), JDK11), "affected"),
    spring("spring-5.3.17-jdk8", linux(jar(1, "spring-beans", "5.3.17"), JDK8), "none"),
    spring(
        "spring-5.3.17-jdk-unknown",
        linux(jar(1, "spring-beans", "5.3.17")),
        "potential",
        "platform_not_in_inventory",
    ),
    spring("spring-5.3.17-jdk17", linux(jar(1, "spring-webmvc", "5.3.17"), JDK17), "affected"),
    spring("spring-5.3.18-jdk11", linux(jar(1, "spring-beans", "5.3.18"), JDK11), "none"),
    spring("spring-5.3.18-jdk-unknown", linux(jar(1, "spring-beans", "5.3.18")), "none"),
    spring(
        "spring-5.2.19-jdk11",
        linux(jar(1, "spring-beans", "5.2.19"), JDK11),
        "affected",
        "version_in_range",
    ),
    spring("spring-5.2.20-jdk11", linux(jar(1, "spring-beans", "5.2.20"), JDK11), "none"),
    spring("spring-5.2.19-jdk8", linux(jar(1, "spring-beans", "5.2.19"), JDK8), "none"),
    spring("spring-5.3.0-jdk11", linux(jar(1, "spring-core", "5.3.0"), JDK11), "affected"),
    spring(
        "spring-5.3.0.RELEASE-jdk11",
        linux(jar(1, "spring-core", "5.3.0.RELEASE"), JDK11),
        "affected",
    ),
    spring(
        "spring-5.3.18.RELEASE-jdk11", linux(jar(1, "spring-core", "5.3.18.RELEASE"), JDK11), "none"
    ),
    spring(
        "spring-4.3.30-jdk11", linux(jar(1, "spring-beans", "4.3.30.RELEASE"), JDK11), "affected"
    ),
    spring("spring-6.0.0-jdk17", linux(jar(1, "spring-beans", "6.0.0"), JDK17), "none"),
    spring(
        "spring-5.3.18-rc1-jdk11", linux(jar(1, "spring-beans", "5.3.18-RC1"), JDK11), "affected"
    ),
    spring(
        "spring-cpe-5.3.17-oracle-jdk-1.8",
        linux(
            app(
                1,
                "Spring Framework",
                "5.3.17",
                cpe="cpe:2.3:a:vmware:spring_framework:5.3.17:*:*:*:*:*:*:*",
            ),
            app(2, "Java SE", "1.8.0", cpe="cpe:2.3:a:oracle:jdk:1.8.0:update_321:*:*:*:*:*:*"),
        ),
        "none",
    ),
    spring(
        "spring-cpe-5.3.17-oracle-jdk-11",
        linux(
            app(
                1,
                "Spring Framework",
                "5.3.17",
                cpe="cpe:2.3:a:vmware:spring_framework:5.3.17:*:*:*:*:*:*:*",
            ),
            app(2, "Java SE", "11.0.14", cpe="cpe:2.3:a:oracle:jdk:11.0.14:*:*:*:*:*:*:*"),
        ),
        "affected",
    ),
    spring(
        "spring-cpe-version-any",
        linux(
            app(1, "Spring Framework", cpe="cpe:2.3:a:vmware:spring_framework:*:*:*:*:*:*:*:*"),
            JDK11,
        ),
        "potential",
        "version_not_comparable",
    ),
    spring(
        "spring-cpe-version-na",
        linux(
            app(1, "Spring Framework", cpe="cpe:2.3:a:vmware:spring_framework:-:*:*:*:*:*:*:*"),
            JDK11,
        ),
        "potential",
    ),
    spring(
        "spring-deprecated-cpe-name",
        linux(
            app(
                1,
                "Spring Framework",
                "5.3.17",
                cpe="cpe:2.3:a:pivotal_software:spring_framework:5.3.17:*:*:*:*:*:*:*",
            ),
            JDK11,
        ),
        "affected",
        "cpe_renamed",
    ),
    spring("jdk-alone-platform-only", linux(JDK11), "none"),
    spring(
        "spring-boot-not-framework",
        linux(jar(1, "spring-boot", "2.6.4", group="org.springframework.boot"), JDK11),
        "none",
    ),
    # other configurations of the same real record: exact versions and plain ranges
    spring(
        "cisco-cx-agent-2.0",
        linux(
            app(1, "CX Cloud Agent", "2.0", cpe="cpe:2.3:a:cisco:cx_cloud_agent:2.0:*:*:*:*:*:*:*")
        ),
        "affected",
    ),
    spring(
        "cisco-cx-agent-2.1.0",
        linux(
            app(
                1,
                "CX Cloud Agent",
                "2.1.0",
                cpe="cpe:2.3:a:cisco:cx_cloud_agent:2.1.0:*:*:*:*:*:*:*",
            )
        ),
        "none",
    ),
    spring(
        "veritas-7.4.3.100-exact",
        linux(
            app(
                1,
                "Access Appliance",
                "7.4.3.100",
                cpe="cpe:2.3:a:veritas:access_appliance:7.4.3.100:*:*:*:*:*:*:*",
            )
        ),
        "affected",
        "version_equal",
    ),
    spring(
        "veritas-7.4.3.300-not-listed",
        linux(
            app(
                1,
                "Access Appliance",
                "7.4.3.300",
                cpe="cpe:2.3:a:veritas:access_appliance:7.4.3.300:*:*:*:*:*:*:*",
            )
        ),
        "none",
    ),
    # --- CVE-2022-26809 (RPC runtime, April 2022) by installed build against FixedBuild ---
    Case(
        "rpc-2019-march-build",
        windows_host("Microsoft Windows Server 2019 Standard", "10.0.17763.2686", SERVER_2019),
        RPC,
        Kind.OS,
        "affected",
        "build_below_fix",
    ),
    Case(  # a spreadsheet row: name and build, no CPE — Microsoft's rule needs no CPE
        "rpc-2019-march-build-no-cpe",
        windows_host("Windows Server 2019 Standard", "10.0.17763.2686", ""),
        RPC,
        Kind.OS,
        "affected",
        "build_below_fix",
    ),
    Case(
        "rpc-win10-april-build-no-cpe",
        windows_host("Microsoft Windows 10 Pro", "10.0.19044.1645", ""),
        RPC,
        Kind.OS,
        "none",
        "build_has_fix",
    ),
    Case(
        "rpc-2019-april-build",
        windows_host("Microsoft Windows Server 2019 Standard", "10.0.17763.2803", SERVER_2019),
        RPC,
        Kind.OS,
        "none",
        "build_has_fix",
    ),
    Case(
        "rpc-2019-may-build",
        windows_host("Microsoft Windows Server 2019 Datacenter", "10.0.17763.2928", SERVER_2019),
        RPC,
        Kind.OS,
        "none",
    ),
    Case(
        "rpc-2019-no-ubr-april-kb",
        windows_host(
            "Microsoft Windows Server 2019 Standard", "10.0.17763", SERVER_2019, kbs=("5012647",)
        ),
        RPC,
        Kind.OS,
        "none",
        "kb_installed",
    ),
    Case(
        "rpc-2019-no-ubr-march-kb",
        windows_host(
            "Microsoft Windows Server 2019 Standard", "10.0.17763", SERVER_2019, kbs=("5011503",)
        ),
        RPC,
        Kind.OS,
        "affected",
        "kb_missing",
    ),
    Case(
        "rpc-2019-no-ubr-no-kbs",
        windows_host("Microsoft Windows Server 2019 Standard", "10.0.17763", SERVER_2019),
        RPC,
        Kind.OS,
        "potential",
        "build_unknown",
    ),
    Case(
        "rpc-win10-21h2-march",
        windows_host("Microsoft Windows 10 Pro", "10.0.19044.1586", WINDOWS_10_21H2),
        RPC,
        Kind.OS,
        "affected",
    ),
    Case(
        "rpc-win10-21h2-april",
        windows_host("Microsoft Windows 10 Pro", "10.0.19044.1645", WINDOWS_10_21H2),
        RPC,
        Kind.OS,
        "none",
    ),
    Case(
        "rpc-win10-1607-march",
        windows_host("Microsoft Windows 10 Enterprise LTSB", "10.0.14393.4946", WINDOWS_10_1607),
        RPC,
        Kind.OS,
        "affected",
    ),
    Case(
        "rpc-server-2016-april",
        windows_host("Microsoft Windows Server 2016 Standard", "10.0.14393.5066", SERVER_2016),
        RPC,
        Kind.OS,
        "none",
    ),
    Case(
        "rpc-server-2022-march",
        windows_host("Microsoft Windows Server 2022 Standard", "10.0.20348.587", SERVER_2022),
        RPC,
        Kind.OS,
        "affected",
    ),
    Case(
        "rpc-server-2022-april",
        windows_host("Microsoft Windows Server 2022 Standard", "10.0.20348.643", SERVER_2022),
        RPC,
        Kind.OS,
        "none",
    ),
    Case(
        "rpc-win11-march",
        windows_host("Microsoft Windows 11 Pro", "10.0.22000.556", WINDOWS_11),
        RPC,
        Kind.OS,
        "affected",
    ),
    Case(
        "rpc-win11-april",
        windows_host("Microsoft Windows 11 Pro", "10.0.22000.613", WINDOWS_11),
        RPC,
        Kind.OS,
        "none",
    ),
    Case(
        "rpc-2012r2-april-rollup",
        windows_host(
            "Windows Server 2012 R2 Datacenter", "6.3.9600", SERVER_2012_R2, kbs=("5012670",)
        ),
        RPC,
        Kind.OS,
        "none",
        "kb_installed",
    ),
    Case(
        "rpc-2012r2-april-security-only",
        windows_host(
            "Windows Server 2012 R2 Datacenter", "6.3.9600", SERVER_2012_R2, kbs=("5012639",)
        ),
        RPC,
        Kind.OS,
        "none",
    ),
    Case(
        "rpc-2012r2-march-rollup",
        windows_host(
            "Windows Server 2012 R2 Datacenter", "6.3.9600", SERVER_2012_R2, kbs=("5011564",)
        ),
        RPC,
        Kind.OS,
        "affected",
        "kb_missing",
    ),
    Case(
        "rpc-2012r2-kbs-unknown",
        windows_host("Windows Server 2012 R2 Datacenter", "6.3.9600", SERVER_2012_R2),
        RPC,
        Kind.OS,
        "potential",
        "kb_list_unknown",
    ),
    Case(
        "rpc-win7-april-rollup",
        windows_host(
            "Microsoft Windows 7 Professional Service Pack 1",
            "6.1.7601",
            WINDOWS_7,
            kbs=("5012626",),
        ),
        RPC,
        Kind.OS,
        "none",
    ),
    Case(
        "rpc-win7-march-rollup",
        windows_host(
            "Microsoft Windows 7 Professional Service Pack 1",
            "6.1.7601",
            WINDOWS_7,
            kbs=("5011552",),
        ),
        RPC,
        Kind.OS,
        "affected",
    ),
    Case("rpc-linux", linux(JDK11), RPC, Kind.OS, "none"),
    # --- CVE-2022-21907 (HTTP.sys, January 2022) ---
    Case(
        "httpsys-2019-december",
        windows_host("Microsoft Windows Server 2019 Standard", "10.0.17763.2366", SERVER_2019),
        HTTP_SYS,
        Kind.OS,
        "affected",
    ),
    Case(
        "httpsys-2019-january",
        windows_host("Microsoft Windows Server 2019 Standard", "10.0.17763.2452", SERVER_2019),
        HTTP_SYS,
        Kind.OS,
        "none",
    ),
    Case(
        "httpsys-2019-march-supersedes",
        windows_host("Microsoft Windows Server 2019 Standard", "10.0.17763.2686", SERVER_2019),
        HTTP_SYS,
        Kind.OS,
        "none",
    ),
    Case(
        "httpsys-win10-21h2-december",
        windows_host("Microsoft Windows 10 Pro", "10.0.19044.1415", WINDOWS_10_21H2),
        HTTP_SYS,
        Kind.OS,
        "affected",
    ),
    Case(
        "httpsys-win10-21h2-january",
        windows_host("Microsoft Windows 10 Pro", "10.0.19044.1466", WINDOWS_10_21H2),
        HTTP_SYS,
        Kind.OS,
        "none",
    ),
    Case(
        "httpsys-2022-december",
        windows_host("Microsoft Windows Server 2022 Standard", "10.0.20348.405", SERVER_2022),
        HTTP_SYS,
        Kind.OS,
        "affected",
    ),
    Case(
        "httpsys-server-2016-not-listed",
        windows_host("Microsoft Windows Server 2016 Standard", "10.0.14393.4886", SERVER_2016),
        HTTP_SYS,
        Kind.OS,
        "none",
    ),
    Case(
        "httpsys-2019-march-kb-no-ubr",
        windows_host(
            "Microsoft Windows Server 2019 Standard", "10.0.17763", SERVER_2019, kbs=("5011503",)
        ),
        HTTP_SYS,
        Kind.OS,
        "none",
        "kb_superseded",
    ),
    # --- Exchange CVE-2022-23277 (March 2022) by CU and security update ---
    Case(
        "exchange-2019-cu11-no-su",
        windows_host(
            "Microsoft Windows Server 2019 Standard",
            "10.0.17763.2686",
            SERVER_2019,
            exchange(1, 2019, 11),
            kbs=("5011503",),
        ),
        EXCHANGE_23277,
        Kind.COMPONENT,
        "affected",
        "kb_missing",
    ),
    Case(
        "exchange-2019-cu11-march-su",
        windows_host(
            "Microsoft Windows Server 2019 Standard",
            "10.0.17763.2686",
            SERVER_2019,
            exchange(1, 2019, 11),
            kbs=("5011503", "5012698"),
        ),
        EXCHANGE_23277,
        Kind.COMPONENT,
        "none",
        "kb_installed",
    ),
    Case(
        "exchange-2019-cu10-march-su",
        windows_host(
            "Microsoft Windows Server 2019 Standard",
            "10.0.17763.2686",
            SERVER_2019,
            exchange(1, 2019, 10),
            kbs=("5012698",),
        ),
        EXCHANGE_23277,
        Kind.COMPONENT,
        "none",
    ),
    Case(
        "exchange-2019-cu10-january-su",
        windows_host(
            "Microsoft Windows Server 2019 Standard",
            "10.0.17763.2686",
            SERVER_2019,
            exchange(1, 2019, 10),
            kbs=("5008631",),
        ),
        EXCHANGE_23277,
        Kind.COMPONENT,
        "affected",
    ),
    Case(
        "exchange-2016-cu22-march-su",
        windows_host(
            "Microsoft Windows Server 2016 Standard",
            "10.0.14393.4946",
            SERVER_2016,
            exchange(1, 2016, 22),
            kbs=("5012698",),
        ),
        EXCHANGE_23277,
        Kind.COMPONENT,
        "none",
    ),
    Case(
        "exchange-2016-cu22-no-su",
        windows_host(
            "Microsoft Windows Server 2016 Standard",
            "10.0.14393.4946",
            SERVER_2016,
            exchange(1, 2016, 22),
            kbs=("5011495",),
        ),
        EXCHANGE_23277,
        Kind.COMPONENT,
        "affected",
    ),
    Case(
        "exchange-2013-cu23-march-su",
        windows_host(
            "Microsoft Windows Server 2012 R2 Standard",
            "6.3.9600",
            SERVER_2012_R2,
            exchange(1, 2013, 23),
            kbs=("5010324",),
        ),
        EXCHANGE_23277,
        Kind.COMPONENT,
        "none",
    ),
    Case(
        "exchange-2019-cu9-not-listed",
        windows_host(
            "Microsoft Windows Server 2019 Standard",
            "10.0.17763.2686",
            SERVER_2019,
            exchange(1, 2019, 9),
            kbs=("5011503",),
        ),
        EXCHANGE_23277,
        Kind.COMPONENT,
        "none",
    ),
    Case(
        "exchange-2019-cu11-kbs-unknown",
        windows_host(
            "Microsoft Windows Server 2019 Standard",
            "10.0.17763.2686",
            SERVER_2019,
            exchange(1, 2019, 11),
        ),
        EXCHANGE_23277,
        Kind.COMPONENT,
        "potential",
        "kb_list_unknown",
    ),
    # --- ProxyShell (NVD only in the samples; KB5001779 added by hand for the KB cases) ---
    Case(
        "proxyshell-2019-cu9",
        windows_host(
            "Microsoft Windows Server 2019 Standard",
            "10.0.17763.1879",
            SERVER_2019,
            exchange(1, 2019, 9),
            kbs=("5001342",),
        ),
        PROXYSHELL,
        Kind.COMPONENT,
        "affected",
        "kb_missing",
    ),
    Case(
        "proxyshell-2019-cu9-april-2021-su",
        windows_host(
            "Microsoft Windows Server 2019 Standard",
            "10.0.17763.1879",
            SERVER_2019,
            exchange(1, 2019, 9),
            kbs=("5001779",),
        ),
        PROXYSHELL,
        Kind.COMPONENT,
        "none",
        "kb_installed",
    ),
    Case(
        "proxyshell-2019-cu11",
        windows_host(
            "Microsoft Windows Server 2019 Standard",
            "10.0.17763.2686",
            SERVER_2019,
            exchange(1, 2019, 11),
        ),
        PROXYSHELL,
        Kind.COMPONENT,
        "none",
    ),
    Case(
        "proxyshell-31207-2016-cu20-nvd-only",
        windows_host(
            "Microsoft Windows Server 2016", "10.0.14393.4350", SERVER_2016, exchange(1, 2016, 20)
        ),
        PROXYSHELL_31207,
        Kind.COMPONENT,
        "potential",
        "microsoft_data_missing",
    ),
    Case(
        "proxyshell-31207-2016-cu21",
        windows_host(
            "Microsoft Windows Server 2016", "10.0.14393.4350", SERVER_2016, exchange(1, 2016, 21)
        ),
        PROXYSHELL_31207,
        Kind.COMPONENT,
        "none",
    ),
    Case(
        "proxyshell-31207-2013-cu23",
        windows_host(
            "Windows Server 2012 R2 Standard", "6.3.9600", SERVER_2012_R2, exchange(1, 2013, 23)
        ),
        PROXYSHELL_31207,
        Kind.COMPONENT,
        "potential",
    ),
    # --- services from nmap ---
    Case(
        "service-exchange-smtp-banner-only",
        windows_host("", "", "", service_software(5, product="Microsoft Exchange smtpd")),  # type: ignore[arg-type]
        PROXYSHELL_31207,
        Kind.SERVICE,
        "potential",
        "version_unknown",
    ),
    Case(
        "service-dropped-when-component-known",
        windows_host(
            "Microsoft Windows Server 2019 Standard",
            "10.0.17763.2686",
            SERVER_2019,
            exchange(1, 2019, 11),
            service_software(5, product="Microsoft Exchange smtpd"),  # type: ignore[arg-type]
        ),
        PROXYSHELL_31207,
        Kind.SERVICE,
        "none",
    ),
    Case(
        "service-nmap-cpe-exchange-cu8",
        windows_host(
            "",
            "",
            "",
            service_software(
                5,
                product="Microsoft Exchange httpd",
                version="",
                cpes=("cpe:/a:microsoft:exchange_server:2019:cumulative_update_8",),
            ),
        ),  # type: ignore[arg-type]
        PROXYSHELL_31207,
        Kind.SERVICE,
        "potential",
    ),
    # --- name collision (made-up advisory: a Jenkins plugin criterion, target_sw jenkins) ---
    Case(
        "collision-pypi-package-vs-jenkins-plugin",
        linux(
            app(
                1,
                "git",
                "1.0",
                cpe="cpe:2.3:a:jenkins:git:1.0:*:*:*:*:*:*:*",
                purl="pkg:pypi/git@1.0",
            )
        ),
        COLLISION,
        Kind.COMPONENT,
        "none",
    ),
    Case(
        "collision-jenkins-plugin-itself",
        linux(app(1, "git plugin", "1.0", cpe="cpe:2.3:a:jenkins:git:1.0:*:*:*:*:*:*:*")),
        COLLISION,
        Kind.COMPONENT,
        "affected",
    ),
]

EXTRA = (
    Advisory(
        vulnerability=100,
        cve_id=COLLISION,
        configurations=(
            Configuration(
                "test",
                "",
                False,
                (
                    Node(
                        "OR",
                        False,
                        (
                            Criterion(
                                "cpe:2.3:a:jenkins:git:*:*:*:*:*:jenkins:*:*",
                                True,
                                end_excluding="4.11.4",
                            ),
                        ),
                    ),
                ),
            ),
        ),
    ),
)
PROXYSHELL_FIXES = {
    PROXYSHELL: [
        MicrosoftFix(
            "2021-Apr",
            f"Microsoft Exchange Server 2019 Cumulative Update {cu}",
            "5001779",
            "Security Update",
        )
        for cu in (8, 9)
    ]
}
RENAMES = {"a:pivotal_software:spring_framework": "a:vmware:spring_framework"}


@pytest.fixture(scope="module")
def base(samples_dir: Path) -> Knowledge:
    found = knowledge(samples_dir, extra=EXTRA, extra_fixes=PROXYSHELL_FIXES)
    found.renames.update(RENAMES)
    return found


def _host(index: int, spec: dict[str, object]) -> Host:
    software = list(spec["software"])  # type: ignore[call-overload]
    os_name, build, cpe = (str(spec.get(key, "")) for key in ("os_name", "os_build", "os_cpe"))
    operating_system = os_software(index, name=os_name, version=build, cpe=cpe)
    if operating_system is not None:
        software.append(operating_system)
    return Host(
        asset=index,
        software=tuple(software),
        os_name=os_name,
        os_build=build,
        os_known=bool(os_name or cpe),
        kbs=frozenset(spec.get("kbs", ())),  # type: ignore[arg-type]
    )


def _reported(verdicts: list[Verdict], case: Case) -> list[Verdict]:
    return [
        verdict for verdict in verdicts if verdict.cve_id == case.cve and verdict.kind is case.kind
    ]


def test_the_suite_has_at_least_60_cases_with_unique_ids() -> None:
    assert len(CASES) >= 60
    assert len({case.id for case in CASES}) == len(CASES)


def test_precision_and_recall_are_one(base: Knowledge, capsys: pytest.CaptureFixture[str]) -> None:
    true_positive = false_positive = false_negative = true_negative = 0
    wrong: list[str] = []
    for index, case in enumerate(CASES, start=1):
        verdicts = _reported(match_host(_host(index, case.host), base), case)
        active = [item for item in verdicts if item.state is not State.NOT_AFFECTED]
        got = active[0].state.value if active else "none"
        if case.expected != "none":
            true_positive += bool(active)
            false_negative += not active
        else:
            false_positive += bool(active)
            true_negative += not active
        codes = {reason.code for verdict in verdicts for reason in verdict.reasons}
        if got != case.expected or (case.reason and case.reason not in codes):
            wrong.append(f"{case.id}: expected {case.expected} {case.reason}, got {got} {codes}")
    precision = true_positive / ((true_positive + false_positive) or 1)
    recall = true_positive / ((true_positive + false_negative) or 1)
    with capsys.disabled():
        print(
            f"\nlabelled suite: {len(CASES)} cases, {true_positive} positive, {true_negative} "
            f"negative; precision {precision:.3f}, recall {recall:.3f}"
        )
    assert wrong == [], "\n".join(wrong)
    assert (precision, recall) == (1.0, 1.0)
