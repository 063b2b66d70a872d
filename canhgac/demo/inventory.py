"""The demo province's information systems and hosts, as the files agencies would import.

Fictional hosts with real product versions (so later matching has something to find): a
Windows Server 2019 mail server at the March 2022 build with Exchange 2019, a Spring Boot
application on Tomcat with Spring Framework 5.3.17 on JDK 11, Apache, nginx, OpenSSL.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from canhgac.core.exceptions import SourceLocation
from canhgac.inventory.enums import AssetKind
from canhgac.inventory.importers.records import (
    AssetRecord,
    ComponentRecord,
    InventoryBatch,
    ServiceRecord,
    SystemRecord,
    UpdateRecord,
)

SOURCE = "demo:inventory"
COLLECTED = datetime(2022, 4, 25, 2, 0, tzinfo=UTC)  # before the 30/4-1/5/2022 holiday


def _at(line: int) -> SourceLocation:
    return SourceLocation(SOURCE, line)


SYSTEMS: tuple[SystemRecord, ...] = (
    SystemRecord(
        "CONG-DVC",
        "Cổng dịch vụ công tỉnh Thanh Vân",
        "VP-UBND",
        _at(1),
        operator_unit_code="TT-HCC",
        provider_unit_code="NCC-TVSEC",
        isp="VNPT",
        purpose="Tiếp nhận, giải quyết thủ tục hành chính trực tuyến",
        system_type="citizen_business",
        information_types=("public", "personal"),
        user_count=350_000,
        online_service_level=4,
        proposed_level=3,
        approved_level=3,
        approval_decision="156/QĐ-UBND",
        approval_date=date(2021, 5, 12),
        approver="UBND tỉnh Thanh Vân",
        public_ips=("203.0.113.10", "203.0.113.11"),
        domains=("dichvucong.thanhvan.example",),
        status="live",
    ),
    SystemRecord(
        "QLVB",
        "Hệ thống quản lý văn bản và điều hành",
        "SO-TTTT",
        _at(2),
        operator_unit_code="TT-CNTT",
        system_type="internal",
        information_types=("private",),
        user_count=4_200,
        proposed_level=2,
        approved_level=2,
        approval_decision="88/QĐ-STTTT",
        approval_date=date(2020, 9, 3),
        approver="Sở Thông tin và Truyền thông",
        domains=("qlvb.thanhvan.example",),
        status="live",
    ),
    SystemRecord(
        "THU-CONG-VU",
        "Hệ thống thư điện tử công vụ",
        "SO-TTTT",
        _at(3),
        operator_unit_code="TT-CNTT",
        system_type="internal",
        information_types=("private",),
        user_count=6_500,
        proposed_level=2,
        public_ips=("203.0.113.25",),
        domains=("mail.thanhvan.example",),
        status="live",
    ),
    SystemRecord(
        "HIS-BVDK",
        "Hệ thống thông tin bệnh viện (HIS)",
        "SO-YT",
        _at(4),
        operator_unit_code="BV-DK",
        provider_unit_code="NCC-TVSEC",
        isp="Viettel",
        system_type="citizen_business",
        information_types=("personal",),
        user_count=45_000,
        proposed_level=2,
        approved_level=2,
        approval_decision="45/QĐ-SYT",
        approval_date=date(2021, 11, 2),
        approver="Sở Y tế",
        status="live",
    ),
    SystemRecord(
        "CSDL-TC",
        "Cơ sở dữ liệu tài chính công",
        "SO-TC",
        _at(5),
        provider_unit_code="NCC-TVSEC",
        system_type="internal",
        information_types=("private",),
        user_count=900,
        proposed_level=3,
        approved_level=3,
        approval_decision="201/QĐ-UBND",
        approval_date=date(2021, 12, 20),
        approver="UBND tỉnh Thanh Vân",
        status="live",
    ),
    SystemRecord(
        "CTTDT-TP",
        "Cổng thông tin điện tử thành phố Thanh Vân",
        "TP-TV",
        _at(6),
        provider_unit_code="NCC-PNSOC",
        system_type="citizen_business",
        information_types=("public",),
        user_count=120_000,
        proposed_level=2,
        approved_level=2,
        approval_decision="12/QĐ-UBND",
        approval_date=date(2020, 3, 1),
        approver="UBND thành phố Thanh Vân",
        public_ips=("198.51.100.20",),
        domains=("thanhvancity.example",),
        status="live",
    ),
    SystemRecord(
        "QL-TRUONG-HOC",
        "Hệ thống quản lý trường học",
        "SO-GDDT",
        _at(7),
        system_type="citizen_business",
        information_types=("personal",),
        user_count=80_000,
        proposed_level=3,
        status="planned",
    ),
)


def _deb(name: str, version: str, distro: str) -> ComponentRecord:
    return ComponentRecord(
        name, version, purl=f"pkg:deb/ubuntu/{name}@{version}?distro={distro}", evidence="dpkg"
    )


def _maven(group: str, name: str, version: str) -> ComponentRecord:
    return ComponentRecord(
        name,
        version,
        vendor=group,
        purl=f"pkg:maven/{group}/{name}@{version}",
        evidence="WEB-INF/lib",
    )


def _windows(name: str, version: str, vendor: str = "Microsoft Corporation") -> ComponentRecord:
    return ComponentRecord(name, version, vendor=vendor, evidence="uninstall registry key")


UBUNTU_2004 = "ubuntu-20.04"
UBUNTU_2204 = "ubuntu-22.04"
WINDOWS_2019 = "cpe:2.3:o:microsoft:windows_server_2019:-:*:*:*:*:*:*:*"
WINDOWS_2016 = "cpe:2.3:o:microsoft:windows_server_2016:-:*:*:*:*:*:*:*"
WINDOWS_10 = "cpe:2.3:o:microsoft:windows_10_21h2:-:*:*:*:*:*:*:*"

HOSTS: tuple[AssetRecord, ...] = (
    AssetRecord(
        key="mail01.thanhvan.example",
        kind=AssetKind.SERVER,
        location=_at(101),
        unit_code="TT-CNTT",
        system_code="THU-CONG-VU",
        name="Máy chủ Exchange",
        hostnames=("mail01.thanhvan.example",),
        ip_addresses=("10.20.1.15", "203.0.113.25"),
        internet_facing=True,
        criticality="high",
        os_name="Microsoft Windows Server 2019 Standard",
        os_version="10.0.17763",
        os_build="10.0.17763.2686",
        os_cpe=WINDOWS_2019,
        components=(
            _windows("Microsoft Exchange Server 2019 Cumulative Update 11", "15.2.986.5"),
            _windows("Microsoft Visual C++ 2013 Redistributable (x64)", "12.0.40660"),
            _windows("Microsoft .NET Framework 4.8", "4.8.03761"),
            _windows("Microsoft Unified Communications Managed API 4.0, Runtime", "5.0.8308.0"),
        ),
        services=(
            ServiceRecord(25, "tcp", "smtp", "Microsoft Exchange smtpd"),
            ServiceRecord(443, "tcp", "https", "Microsoft IIS httpd", "10.0"),
            ServiceRecord(3389, "tcp", "ms-wbt-server", "Microsoft Terminal Services"),
        ),
        updates=(
            UpdateRecord("KB5011503", date(2022, 3, 9)),
            UpdateRecord("KB5011574", date(2022, 3, 9)),
            UpdateRecord("KB5010427", date(2022, 2, 10)),
        ),
        tags=("exchange", "dmz"),
    ),
    AssetRecord(
        key="qlvb-app01.thanhvan.example",
        kind=AssetKind.SERVER,
        location=_at(102),
        unit_code="TT-CNTT",
        system_code="QLVB",
        name="Máy chủ ứng dụng QLVB (Spring Boot)",
        hostnames=("qlvb-app01.thanhvan.example",),
        ip_addresses=("10.20.2.21",),
        internet_facing=False,
        criticality="high",
        os_name="Ubuntu 20.04.4 LTS",
        os_version="20.04",
        os_build="5.4.0-107-generic",
        os_cpe="cpe:2.3:o:canonical:ubuntu_linux:20.04:*:*:*:lts:*:*:*",
        components=(
            _deb("openjdk-11-jre-headless", "11.0.14+9-0ubuntu2~20.04", UBUNTU_2004),
            _deb("tomcat9", "9.0.31-1ubuntu0.2", UBUNTU_2004),
            _deb("openssl", "1.1.1f-1ubuntu2.12", UBUNTU_2004),
            _deb("nginx", "1.18.0-0ubuntu1.2", UBUNTU_2004),
        ),
        services=(
            ServiceRecord(8080, "tcp", "http", "Apache Tomcat", "9.0.31"),
            ServiceRecord(443, "tcp", "https", "nginx", "1.18.0"),
            ServiceRecord(22, "tcp", "ssh", "OpenSSH", "8.2p1"),
        ),
        tags=("java", "spring"),
    ),
    AssetRecord(
        key="dvc-web01.thanhvan.example",
        kind=AssetKind.SERVER,
        location=_at(103),
        unit_code="TT-HCC",
        system_code="CONG-DVC",
        name="Máy chủ web cổng DVC 1",
        hostnames=("dvc-web01.thanhvan.example",),
        ip_addresses=("10.30.1.11", "203.0.113.10"),
        internet_facing=True,
        criticality="critical",
        os_name="Ubuntu 22.04 LTS",
        os_version="22.04",
        os_build="5.15.0-25-generic",
        os_cpe="cpe:2.3:o:canonical:ubuntu_linux:22.04:*:*:*:lts:*:*:*",
        components=(
            _deb("nginx", "1.18.0-6ubuntu14", UBUNTU_2204),
            _deb("openssl", "3.0.2-0ubuntu1", UBUNTU_2204),
            _deb("libssl3", "3.0.2-0ubuntu1", UBUNTU_2204),
            _deb("php8.1-fpm", "8.1.2-1ubuntu2", UBUNTU_2204),
            _deb("openssh-server", "1:8.9p1-3", UBUNTU_2204),
        ),
        services=(
            ServiceRecord(443, "tcp", "https", "nginx", "1.18.0"),
            ServiceRecord(80, "tcp", "http", "nginx", "1.18.0"),
        ),
        tags=("web", "dmz"),
    ),
    AssetRecord(
        key="dvc-web02.thanhvan.example",
        kind=AssetKind.SERVER,
        location=_at(104),
        unit_code="TT-HCC",
        system_code="CONG-DVC",
        name="Máy chủ web cổng DVC 2",
        hostnames=("dvc-web02.thanhvan.example",),
        ip_addresses=("10.30.1.12", "203.0.113.11"),
        internet_facing=True,
        criticality="critical",
        os_name="Ubuntu 22.04 LTS",
        os_version="22.04",
        os_build="5.15.0-25-generic",
        os_cpe="cpe:2.3:o:canonical:ubuntu_linux:22.04:*:*:*:lts:*:*:*",
        components=(
            _deb("apache2", "2.4.52-1ubuntu4", UBUNTU_2204),
            _deb("openssl", "3.0.2-0ubuntu1", UBUNTU_2204),
            _deb("libssl3", "3.0.2-0ubuntu1", UBUNTU_2204),
        ),
        services=(ServiceRecord(443, "tcp", "https", "Apache httpd", "2.4.52"),),
        tags=("web", "dmz"),
    ),
    AssetRecord(
        key="his-app01.bvdk.thanhvan.example",
        kind=AssetKind.SERVER,
        location=_at(105),
        unit_code="BV-DK",
        system_code="HIS-BVDK",
        name="Máy chủ ứng dụng HIS",
        hostnames=("his-app01.bvdk.thanhvan.example",),
        ip_addresses=("10.40.1.5",),
        internet_facing=False,
        criticality="high",
        os_name="Microsoft Windows Server 2016 Standard",
        os_version="10.0.14393",
        os_build="10.0.14393.4946",
        os_cpe=WINDOWS_2016,
        components=(
            _windows("Microsoft SQL Server 2016 (64-bit)", "13.2.5026.0"),
            _windows("Microsoft .NET Framework 4.8", "4.8.03761"),
        ),
        services=(
            ServiceRecord(443, "tcp", "https", "Microsoft IIS httpd", "10.0"),
            ServiceRecord(1433, "tcp", "ms-sql-s", "Microsoft SQL Server 2016"),
        ),
        updates=(UpdateRecord("KB5010359", date(2022, 2, 12)),),
    ),
    AssetRecord(
        key="tc-db01.thanhvan.example",
        kind=AssetKind.SERVER,
        location=_at(106),
        unit_code="SO-TC",
        system_code="CSDL-TC",
        name="Máy chủ CSDL tài chính",
        hostnames=("tc-db01.thanhvan.example",),
        ip_addresses=("10.50.1.10",),
        internet_facing=False,
        criticality="critical",
        os_name="Microsoft Windows Server 2019 Datacenter",
        os_version="10.0.17763",
        os_build="10.0.17763.2565",
        os_cpe=WINDOWS_2019,
        components=(_windows("Microsoft SQL Server 2019 (64-bit)", "15.0.4198.2"),),
        services=(
            ServiceRecord(1433, "tcp", "ms-sql-s", "Microsoft SQL Server 2019"),
            ServiceRecord(3389, "tcp", "ms-wbt-server"),
        ),
        updates=(UpdateRecord("KB5010351", date(2022, 2, 9)),),
    ),
    AssetRecord(
        key="web.thanhvancity.example",
        kind=AssetKind.SERVER,
        location=_at(107),
        unit_code="TP-TV",
        system_code="CTTDT-TP",
        name="Máy chủ cổng thông tin thành phố",
        hostnames=("web.thanhvancity.example",),
        ip_addresses=("198.51.100.20",),
        internet_facing=True,
        criticality="medium",
        os_name="CentOS Linux 7 (Core)",
        os_version="7",
        os_build="3.10.0-1160.59.1.el7.x86_64",
        os_cpe="cpe:2.3:o:centos:centos:7:*:*:*:*:*:*:*",
        components=(
            ComponentRecord(
                "httpd",
                "2.4.6-97.el7.centos.4",
                purl="pkg:rpm/centos/httpd@2.4.6-97.el7.centos.4",
                evidence="rpm",
            ),
            ComponentRecord(
                "openssl",
                "1.0.2k-24.el7_9",
                purl="pkg:rpm/centos/openssl@1.0.2k-24.el7_9",
                evidence="rpm",
            ),
            ComponentRecord(
                "php", "5.4.16-48.el7", purl="pkg:rpm/centos/php@5.4.16-48.el7", evidence="rpm"
            ),
        ),
        services=(
            ServiceRecord(80, "tcp", "http", "Apache httpd", "2.4.6"),
            ServiceRecord(443, "tcp", "https", "Apache httpd", "2.4.6"),
        ),
    ),
    AssetRecord(
        key="fw01.thanhvan.example",
        kind=AssetKind.NETWORK_DEVICE,
        location=_at(108),
        unit_code="TT-CNTT",
        name="Tường lửa biên (FortiGate)",
        ip_addresses=("10.20.0.1",),
        internet_facing=True,
        criticality="critical",
        os_name="FortiOS",
        os_version="7.0.5",
        os_cpe="cpe:2.3:o:fortinet:fortios:7.0.5:*:*:*:*:*:*:*",
    ),
    AssetRecord(
        key="syt-pc-015",
        kind=AssetKind.WORKSTATION,
        location=_at(109),
        unit_code="SO-YT",
        name="Máy trạm văn phòng Sở Y tế",
        ip_addresses=("10.60.2.15",),
        os_name="Microsoft Windows 10 Pro",
        os_version="10.0.19044",
        os_build="10.0.19044.1586",
        os_cpe=WINDOWS_10,
        components=(
            _windows("Microsoft Office Professional Plus 2019", "16.0.10383.20027"),
            ComponentRecord(
                "Google Chrome",
                "99.0.4844.84",
                vendor="Google LLC",
                evidence="uninstall registry key",
            ),
        ),
        updates=(UpdateRecord("KB5011487", date(2022, 3, 10)),),
    ),
    # Hosts patched in time: matching must not report the spring 2022 warnings on them.
    AssetRecord(
        key="ad01.thanhvan.example",
        kind=AssetKind.SERVER,
        location=_at(110),
        unit_code="TT-CNTT",
        system_code="THU-CONG-VU",
        name="Máy chủ quản lý miền (đã cập nhật tháng 4/2022)",
        ip_addresses=("10.20.1.5",),
        criticality="high",
        os_name="Microsoft Windows Server 2019 Datacenter",
        os_version="10.0.17763",
        os_build="10.0.17763.2803",
        os_cpe=WINDOWS_2019,
        services=(ServiceRecord(389, "tcp", "ldap", "Microsoft Windows Active Directory LDAP"),),
        updates=(UpdateRecord("KB5012647", date(2022, 4, 13)),),
    ),
    AssetRecord(
        key="mail.soyte.thanhvan.example",
        kind=AssetKind.SERVER,
        location=_at(111),
        unit_code="SO-YT",
        name="Máy chủ thư điện tử Sở Y tế (đã cập nhật)",
        ip_addresses=("10.60.1.20", "203.0.113.60"),
        internet_facing=True,
        criticality="medium",
        os_name="Microsoft Windows Server 2016 Standard",
        os_version="10.0.14393",
        os_build="10.0.14393.5066",
        os_cpe=WINDOWS_2016,
        components=(
            _windows("Microsoft Exchange Server 2016 Cumulative Update 22", "15.1.2375.7"),
        ),
        services=(ServiceRecord(443, "tcp", "https", "Microsoft IIS httpd", "10.0"),),
        updates=(
            UpdateRecord("KB5012596", date(2022, 4, 14)),
            UpdateRecord("KB5012698", date(2022, 3, 10)),
        ),
        tags=("exchange",),
    ),
    AssetRecord(
        key="hcc-app01.thanhvan.example",
        kind=AssetKind.SERVER,
        location=_at(112),
        unit_code="TT-HCC",
        system_code="CONG-DVC",
        name="Máy chủ ứng dụng một cửa (Spring 5.3.18)",
        ip_addresses=("10.30.1.21",),
        criticality="high",
        os_name="Ubuntu 20.04.4 LTS",
        os_version="20.04",
        os_build="5.4.0-107-generic",
        os_cpe="cpe:2.3:o:canonical:ubuntu_linux:20.04:*:*:*:lts:*:*:*",
        components=(
            _deb("openjdk-11-jre-headless", "11.0.14+9-0ubuntu2~20.04", UBUNTU_2004),
            _maven("org.springframework", "spring-beans", "5.3.18"),
            _maven("org.springframework", "spring-webmvc", "5.3.18"),
        ),
        tags=("java", "spring"),
    ),
)


# The SBOM the QLVB vendor delivered with its WAR (deployed on the host's Tomcat).
QLVB_SBOM = AssetRecord(
    key="qlvb-app01.thanhvan.example",
    kind=AssetKind.SERVER,
    location=_at(201),
    unit_code="TT-CNTT",
    kind_is_guess=True,
    components=tuple(
        _maven(group, name, version)
        for group, name, version in (
            ("org.springframework", "spring-beans", "5.3.17"),
            ("org.springframework", "spring-core", "5.3.17"),
            ("org.springframework", "spring-webmvc", "5.3.17"),
            ("org.springframework.boot", "spring-boot", "2.6.4"),
            ("org.apache.logging.log4j", "log4j-api", "2.17.1"),
            ("com.fasterxml.jackson.core", "jackson-databind", "2.13.1"),
        )
    ),
)


def demo_inventory_batches() -> list[InventoryBatch]:
    """The spreadsheet of systems, then what the host collectors reported before the holiday."""
    return [
        InventoryBatch("xlsx", f"{SOURCE}/he-thong.xlsx", systems=SYSTEMS, complete=frozenset()),
        InventoryBatch("host-json", f"{SOURCE}/collectors", assets=HOSTS, observed_at=COLLECTED),
        InventoryBatch(
            "cyclonedx",
            f"{SOURCE}/qlvb-1.4.2.cdx.json",
            assets=(QLVB_SBOM,),
            observed_at=COLLECTED,
            complete=frozenset({"components"}),
        ),
    ]
