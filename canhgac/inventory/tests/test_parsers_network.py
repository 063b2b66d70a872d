"""The network-side parsers: nmap XML and the host collectors' JSON. Golden samples, every real
nmap sample with counts made independently, schema violations with their JSON paths, every
kind of bad input with its location, and byte mutations."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import strategies as st

from canhgac.core.exceptions import ParseError, SourceLocation
from canhgac.core.golden import assert_matches_golden
from canhgac.core.tests.mutation import check_mutated, mutate_bytes, replace_random_value
from canhgac.core.tests.parsing import located, rejected, write
from canhgac.inventory.enums import AssetKind
from canhgac.inventory.importers.host_json import (
    HostJsonParser,
    json_path,
    linux_cpe,
    parse_update_date,
    windows_cpe,
)
from canhgac.inventory.importers.interface import InventoryParser
from canhgac.inventory.importers.nmap import NmapParser
from canhgac.inventory.importers.records import AssetRecord, InventoryBatch, ServiceRecord

SAMPLES = Path(__file__).parent / "samples"
OWN_SAMPLES: list[tuple[str, type[InventoryParser]]] = [
    ("nmap-min.xml", NmapParser),
    ("host-windows-2019.json", HostJsonParser),
    ("host-linux-ubuntu.json", HostJsonParser),
]

# Every nmap sample under scans/: (hosts up, open ports over those hosts, hosts not up), counted
# independently with xml.etree over the raw files (status/@state == "up"; port/state/@state ==
# "open") and checked against each file's <runstats><hosts up=... down=...>.
REAL_NMAP: dict[str, tuple[int, int, int]] = {
    "nmap/issue4406.xml": (1, 25, 0),
    "nmap/nmap_0port.xml": (1, 0, 0),
    "nmap/nmap_multiple_port.xml": (1, 13, 0),
    "nmap-libnmap/1_hosts_down.xml": (1, 0, 0),
    "nmap-libnmap/1_os_banner_scripts.xml": (1, 8, 0),
    "nmap-libnmap/2_hosts_version.xml": (2, 8, 0),
    "nmap-libnmap/full_sudo6.xml": (4, 12, 252),
    "nmap-libnmap/os_scan6.xml": (3, 11, 253),
}


def parse(parser: type[InventoryParser], path: Path, source: str | None = None) -> InventoryBatch:
    return parser().parse(path, source=source or path.name)


def by_key(batch: InventoryBatch) -> dict[str, AssetRecord]:
    return {asset.key: asset for asset in batch.assets}


def service(asset: AssetRecord, port: int, protocol: str = "tcp") -> ServiceRecord:
    (found,) = [s for s in asset.services if s.port == port and s.protocol == protocol]
    return found


# --- nmap -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "parser"), OWN_SAMPLES)
def test_own_samples_match_golden(name: str, parser: type[InventoryParser]) -> None:
    assert_matches_golden(parse(parser, SAMPLES / name), SAMPLES / name)


def test_every_real_nmap_sample_is_listed(samples_dir: Path) -> None:
    found = {
        f"{path.parent.name}/{path.name}"
        for folder in ("nmap", "nmap-libnmap")
        for path in (samples_dir / "scans" / folder).glob("*.xml")
    }
    assert found == set(REAL_NMAP)


@pytest.mark.parametrize(("name", "counts"), sorted(REAL_NMAP.items()))
def test_real_nmap_samples(samples_dir: Path, name: str, counts: tuple[int, int, int]) -> None:
    up, open_ports, not_up = counts
    path = samples_dir / "scans" / name
    assert NmapParser.sniff(path.read_bytes()[:65536], path.name)
    batch = parse(NmapParser, path)
    assert batch.source_format == "nmap"
    assert len(batch.assets) == up
    assert sum(len(asset.services) for asset in batch.assets) == open_ports
    expected_warnings = [f"{path.name}: {not_up} host(s) not up were skipped"] if not_up else []
    assert [str(warning) for warning in batch.warnings] == expected_warnings
    assert batch.complete == frozenset()
    assert batch.observed_at is not None
    assert batch.observed_at.tzinfo is not None
    for asset in batch.assets:
        assert asset.key
        assert asset.kind_is_guess
        assert asset.location.path == path.name
        assert asset.location.field == "host"
        assert asset.location.line


def test_nmap_versions_cpes_and_missing_service(samples_dir: Path) -> None:
    batch = parse(NmapParser, samples_dir / "scans/nmap/issue4406.xml")
    (asset,) = batch.assets
    assert asset.key == "ip-10-250-195-71.eu-west-1.compute.internal"
    assert asset.ip_addresses == ("10.250.195.71",)
    assert asset.kind == AssetKind.SERVER
    assert asset.os_name == ""
    assert asset.os_accuracy is None
    assert service(asset, 30367) == ServiceRecord(
        port=30367,
        protocol="tcp",
        name="mysql",
        product="MySQL",
        version="5.7.32",
        cpes=("cpe:2.3:a:mysql:mysql:5.7.32:*:*:*:*:*:*:*",),
        confidence=10,
    )
    assert service(asset, 2379).banner == "tunnel: ssl"
    assert service(asset, 2379).confidence == 3
    assert service(asset, 30475) == ServiceRecord(port=30475, protocol="tcp")  # no <service>
    assert batch.observed_at == datetime(2021, 4, 29, 9, 26, 36, tzinfo=UTC)


def test_nmap_os_detection_and_kinds(samples_dir: Path) -> None:
    assets = by_key(parse(NmapParser, samples_dir / "scans/nmap-libnmap/full_sudo6.xml"))
    assert list(assets) == ["192.168.1.1", "192.168.1.2", "192.168.1.5", "192.168.1.3"]
    router = assets["192.168.1.1"]
    assert router.kind == AssetKind.NETWORK_DEVICE  # osclass type "WAP"
    assert router.os_name == "Linux 2.6.13 (embedded)"
    assert router.os_accuracy == 100
    assert router.os_cpe == "cpe:2.3:o:linux:linux_kernel:2.6.13:*:*:*:*:*:*:*"
    assert router.mac_addresses == ("6c:2e:85:19:af:00",)
    assert service(router, 23).product == "Sagem router telnetd"
    # Five osmatches at 100%: the first one wins.
    windows = assets["192.168.1.5"]
    assert windows.os_name == "Microsoft Windows Server 2008 Beta 3"
    assert windows.kind == AssetKind.SERVER
    assert [s.port for s in windows.services] == [2869, 5357]
    assert service(windows, 2869).banner == "SSDP/UPnP; ostype: Windows"
    mac = assets["192.168.1.3"]
    assert mac.kind == AssetKind.WORKSTATION
    assert mac.os_cpe == "cpe:2.3:o:apple:mac_os_x:10.8:*:*:*:*:*:*:*"
    assert service(mac, 3389).banner == "ostype: Windows"
    assert service(mac, 88).cpes == ("cpe:2.3:a:heimdal:kerberos:*:*:*:*:*:*:*:*",)
    assert assets["192.168.1.2"].os_name == ""  # fingerprint without a match
    assert assets["192.168.1.2"].kind == AssetKind.SERVER


def test_nmap_before_6_osclass_beside_osmatch(samples_dir: Path) -> None:
    assets = by_key(parse(NmapParser, samples_dir / "scans/nmap-libnmap/2_hosts_version.xml"))
    scanme = assets["scanme.nmap.org"]
    assert scanme.hostnames == ("scanme.nmap.org",)
    assert scanme.os_name == "Netgear DG834G WAP"
    assert scanme.os_accuracy == 92
    assert scanme.os_cpe == ""  # no CPEs before nmap 6
    assert scanme.kind == AssetKind.NETWORK_DEVICE  # most accurate osclass: WAP 92
    assert [(s.port, s.name, s.confidence) for s in scanme.services] == [
        (22, "ssh", 3),
        (80, "http", 3),
        (9929, "nping-echo", 3),
    ]  # 25 is "filtered"
    banner = by_key(parse(NmapParser, samples_dir / "scans/nmap-libnmap/1_os_banner_scripts.xml"))
    ssh = service(banner["localhost"], 22)
    assert (ssh.product, ssh.version, ssh.banner) == ("OpenSSH", "5.3", "protocol 2.0")


def test_nmap_user_hostname_before_ptr(samples_dir: Path) -> None:
    (asset,) = parse(NmapParser, samples_dir / "scans/nmap/nmap_multiple_port.xml").assets
    assert asset.key == "joaquinlp.me"
    assert asset.name == "joaquinlp.me"
    assert asset.hostnames == ("joaquinlp.me", "mocha2005.mochahost.com")


def test_nmap_own_sample_choices() -> None:
    batch = parse(NmapParser, SAMPLES / "nmap-min.xml")
    assets = by_key(batch)
    # 4 hosts up (the <hosthint> is not a host), 1 down.
    assert list(assets) == [
        "web01.lab.example",
        "192.0.2.1",
        "exch01.corp.example",
        "pc-ketoan-06.corp.example",
    ]
    assert [str(warning) for warning in batch.warnings] == [
        "nmap-min.xml: 1 host(s) not up were skipped"
    ]
    web = assets["web01.lab.example"]
    assert web.name == "WEB01.lab.example"
    assert web.hostnames == ("web01.lab.example", "web01-ptr.lab.example")
    # Only "open": closed 3306/3389, filtered 445 and open|filtered 161/udp are left out.
    assert [(s.port, s.protocol) for s in web.services] == [(22, "tcp"), (80, "tcp"), (443, "tcp")]
    assert service(web, 443).banner == "Ubuntu; ostype: Linux; tunnel: ssl"
    assert web.os_name == "Linux 4.15 - 5.8"  # 96 ties with the next one: first wins
    assert web.os_cpe == "cpe:2.3:o:linux:linux_kernel:4:*:*:*:*:*:*:*"
    router = assets["192.0.2.1"]
    assert router.kind == AssetKind.NETWORK_DEVICE
    assert service(router, 161, "udp").product == "Cisco SNMP service"
    assert router.os_cpe == "cpe:2.3:o:cisco:ios:15.2:*:*:*:*:*:*:*"  # not the "h" one
    exchange = assets["exch01.corp.example"]
    assert exchange.kind == AssetKind.SERVER
    assert exchange.ip_addresses == ("192.0.2.5", "2001:db8:0:10::5")
    assert exchange.os_cpe == "cpe:2.3:o:microsoft:windows_server_2019:*:*:*:*:*:*:*:*"
    assert assets["pc-ketoan-06.corp.example"].kind == AssetKind.WORKSTATION
    assert batch.observed_at == datetime(2022, 3, 15, 2, 12, 3, tzinfo=UTC)


def test_nmap_duplicate_host_is_a_warning(tmp_path: Path) -> None:
    host = '<host><status state="up"/><address addr="10.0.0.1" addrtype="ipv4"/></host>'
    path = write(tmp_path, "twice.xml", f"<nmaprun>\n{host}\n{host}\n</nmaprun>")
    batch = parse(NmapParser, path)
    assert [asset.location.line for asset in batch.assets] == [2, 3]
    assert [str(warning) for warning in batch.warnings] == [
        "twice.xml:3 [host]: host '10.0.0.1' appears more than once"
    ]


def test_nmap_host_up_without_address_or_bad_port(tmp_path: Path) -> None:
    text = (
        '<nmaprun>\n<host><status state="up"/></host>\n'
        '<host><status state="up"/><address addr="10.0.0.2" addrtype="ipv4"/><ports>'
        '<port protocol="tcp" portid="99999"><state state="open"/></port></ports></host>\n'
        "</nmaprun>"
    )
    batch = parse(NmapParser, write(tmp_path, "odd.xml", text))
    assert [asset.key for asset in batch.assets] == ["10.0.0.2"]
    assert batch.assets[0].services == ()
    assert [str(warning) for warning in batch.warnings] == [
        "odd.xml:2 [host]: a host that is up has neither an address nor a name; skipped",
        "odd.xml:3 [host]: port '99999' is not a port number; skipped",
    ]


def test_nmap_sniff(samples_dir: Path) -> None:
    assert NmapParser.sniff((SAMPLES / "nmap-min.xml").read_bytes(), "nmap-min.xml")
    assert NmapParser.sniff(b"\xef\xbb\xbf<?xml version='1.0'?>\n<!-- <x> -->\n<nmaprun>", "a")
    for other in (
        "scans/cyclonedx/spec1.xml",
        "scans/nessus/nessus_v_unknown.xml",
        "scans/cyclonedx/issue_8022.json",
    ):
        head = (samples_dir / other).read_bytes()[:65536]
        assert not NmapParser.sniff(head, Path(other).name), other
    assert not NmapParser.sniff((SAMPLES / "host-linux-ubuntu.json").read_bytes(), "h.json")


# --- host JSON ------------------------------------------------------------------------------


def test_windows_sample_values() -> None:
    batch = parse(HostJsonParser, SAMPLES / "host-windows-2019.json")
    (asset,) = batch.assets
    assert asset.key == "exch01.corp.example"
    assert asset.kind == AssetKind.SERVER
    assert not asset.kind_is_guess  # ProductType 3
    assert asset.os_build == "10.0.17763.2686"
    assert asset.os_cpe == "cpe:2.3:o:microsoft:windows_server_2019:-:*:*:*:*:*:*:*"
    exchange = next(c for c in asset.components if "Exchange" in c.name)
    assert (exchange.name, exchange.version, exchange.vendor) == (
        "Microsoft Exchange Server 2019 Cumulative Update 11",
        "15.2.986.5",
        "Microsoft Corporation",
    )
    assert [(u.kb, u.installed_on) for u in asset.updates][-1] == ("KB5011503", date(2022, 3, 12))
    # 443/tcp on 0.0.0.0 and :: is one service; 3389 on tcp and udp are two.
    assert [(s.protocol, s.port) for s in asset.services].count(("tcp", 443)) == 1
    assert {("tcp", 3389), ("udp", 3389)} <= {(s.protocol, s.port) for s in asset.services}
    assert batch.observed_at == datetime(2022, 3, 21, 2, 30, 15, tzinfo=UTC)
    assert batch.complete == frozenset({"components", "services", "updates"})


def test_linux_sample_values() -> None:
    batch = parse(HostJsonParser, SAMPLES / "host-linux-ubuntu.json")
    (asset,) = batch.assets
    assert asset.key == "ubuntu-web01.lab.example"
    assert asset.kind == AssetKind.SERVER
    assert asset.kind_is_guess
    assert (asset.os_name, asset.os_version, asset.os_build) == (
        "Ubuntu 22.04.4 LTS",
        "22.04",
        "5.15.0-97-generic",
    )
    assert asset.os_cpe == "cpe:2.3:o:canonical:ubuntu_linux:22.04:*:*:*:lts:*:*:*"
    purls = {component.name: component.purl for component in asset.components}
    assert purls["openssl"] == (
        "pkg:deb/ubuntu/openssl@3.0.2-0ubuntu1.14?arch=amd64&distro=ubuntu-22.04"
    )
    assert purls["openssh-server"] == (
        "pkg:deb/ubuntu/openssh-server@1:8.9p1-3ubuntu0.6?arch=amd64&distro=ubuntu-22.04"
    )
    assert purls["libstdc++6"].startswith("pkg:deb/ubuntu/libstdc%2B%2B6@12.3.0-1ubuntu1~22.04")
    # Loopback-only sockets (53 on 127.0.0.53, 8005 on 127.0.0.1) are not network services.
    assert [(s.protocol, s.port, s.banner) for s in asset.services] == [
        ("tcp", 22, "sshd"),
        ("tcp", 80, "nginx"),
        ("tcp", 443, "nginx"),
        ("tcp", 8080, "apache2"),
        ("tcp", 8443, ""),
        ("udp", 68, "systemd-network"),
    ]
    assert asset.updates == ()
    assert batch.complete == frozenset({"components", "services"})


def host_document(name: str = "host-linux-ubuntu.json") -> dict[str, Any]:
    document: dict[str, Any] = json.loads((SAMPLES / name).read_text(encoding="utf-8"))
    return document


def write_document(directory: Path, document: Any, name: str = "host.json") -> Path:
    return write(directory, name, json.dumps(document))


def test_every_schema_violation_is_reported_with_its_json_path(tmp_path: Path) -> None:
    document = host_document()
    del document["packages"][3]["version"]
    document["listening"][0]["port"] = "22"
    document["os"]["family"] = "solaris"
    error = rejected(HostJsonParser, write_document(tmp_path, document))
    assert not isinstance(error, ParseError)
    assert located(error) == [
        "host.json [$.listening[0].port]: '22' is not of type 'integer'",
        "host.json [$.os.family]: 'solaris' is not one of ['linux', 'windows']",
        "host.json [$.packages[3].version]: is required",
    ]
    assert error.message == "host.json: 3 problem(s) against the host inventory schema"
    assert error.extra["problems"][2] == {
        "message": "is required",
        "path": "host.json",
        "line": None,
        "field": "$.packages[3].version",
    }


def test_more_schema_violations(tmp_path: Path) -> None:
    document = host_document("host-windows-2019.json")
    del document["os"]["version"]  # required for Windows
    document["ip_addresses"].append("999.1.1.1")
    document["updates"][0]["installed_on"] = 20220101
    document["listening"][1]["port"] = 70000
    document["collected_at"] = "yesterday"
    document["programs"][2] = "7-Zip"
    error = rejected(HostJsonParser, write_document(tmp_path, document))
    assert [problem.location.field for problem in error.problems if problem.location] == [
        "$.collected_at",
        "$.ip_addresses[2]",
        "$.listening[1].port",
        "$.os.version",
        "$.programs[2]",
        "$.updates[0].installed_on",
    ]


def test_unknown_fields_are_allowed_everywhere(tmp_path: Path) -> None:
    document = host_document()
    document["future_section"] = {"anything": [1, 2]}
    document["os"]["variant"] = "Server"
    document["packages"][0]["license"] = "GPL-2.0"
    batch = parse(HostJsonParser, write_document(tmp_path, document))
    assert batch.assets[0].components[0].name == "adduser"


def test_sections_left_out_or_incomplete_are_not_complete(tmp_path: Path) -> None:
    document = host_document()
    del document["listening"]
    document["incomplete"] = ["packages"]
    batch = parse(HostJsonParser, write_document(tmp_path, document))
    assert batch.complete == frozenset()
    assert batch.assets[0].services == ()


def test_wrong_format_is_refused(samples_dir: Path, tmp_path: Path) -> None:
    cyclonedx = samples_dir / "scans/cyclonedx/issue_8022.json"
    assert not HostJsonParser.sniff(cyclonedx.read_bytes()[:65536], cyclonedx.name)
    error = rejected(HostJsonParser, cyclonedx)
    assert isinstance(error, ParseError)
    assert error.source == SourceLocation("issue_8022.json", None, "$.schema")
    assert located(error) == [
        'issue_8022.json [$.schema]: not a canhgac host inventory: "schema" must be '
        '"canhgac-host-inventory" (this is a CycloneDX SBOM; import it as CycloneDX)'
    ]
    spdx = samples_dir / "sbom/spdx-examples"
    for path in sorted(spdx.glob("*.json"))[:1]:
        assert "SPDX" in str(rejected(HostJsonParser, path))
    assert "not the output of canhgac-collect" in str(
        rejected(HostJsonParser, write(tmp_path, "list.json", "[1, 2]"))
    )


def test_other_schema_version_is_refused(tmp_path: Path) -> None:
    document = host_document()
    document["schema_version"] = "2.0"
    error = rejected(HostJsonParser, write_document(tmp_path, document))
    assert located(error) == [
        "host.json [$.schema_version]: schema_version '2.0' is not supported: "
        "this canhgac reads 1.x"
    ]


def test_host_json_sniff(samples_dir: Path) -> None:
    for name in ("host-windows-2019.json", "host-linux-ubuntu.json"):
        assert HostJsonParser.sniff((SAMPLES / name).read_bytes()[:65536], name)
    utf16 = (SAMPLES / "host-windows-2019.json").read_text(encoding="utf-8").encode("utf-16")
    assert HostJsonParser.sniff(utf16, "x.json")
    assert not HostJsonParser.sniff((SAMPLES / "nmap-min.xml").read_bytes(), "nmap-min.xml")
    kev = samples_dir / "advisories/kev_known_exploited_vulnerabilities.json"
    assert not HostJsonParser.sniff(kev.read_bytes()[:65536], kev.name)


def test_windows_client_duplicates_and_odd_updates(tmp_path: Path) -> None:
    document = host_document("host-windows-2019.json")
    document["os"].update(
        name="Microsoft Windows 11 Pro",
        product_name="Windows 10 Pro",
        current_build="22631",
        version="10.0.22631",
        display_version="23H2",
        product_type=1,
    )
    del document["os"]["build"]
    document["programs"].append(dict(document["programs"][0]))  # same program in HKCU
    document["updates"] = [
        {"kb": "kb5034765", "installed_on": "2/13/2024"},
        {"kb": "5034765", "installed_on": "2024-02-13"},
        {"kb": "KB5034441", "installed_on": "20240115"},
        {"kb": "KB5033375", "installed_on": "not a date"},
        {"kb": "File 1", "installed_on": None},
    ]
    document["fqdn"] = ""
    batch = parse(HostJsonParser, write_document(tmp_path, document))
    (asset,) = batch.assets
    assert asset.key == "exch01"
    assert asset.kind == AssetKind.WORKSTATION
    assert asset.os_build == "10.0.22631.2686"  # version + UBR when "build" is missing
    assert asset.os_cpe == "cpe:2.3:o:microsoft:windows_11:23h2:*:*:*:*:*:*:*"
    assert len(asset.components) == len(document["programs"]) - 1
    assert [(u.kb, u.installed_on) for u in asset.updates] == [
        ("KB5034765", date(2024, 2, 13)),
        ("KB5034441", date(2024, 1, 15)),
        ("KB5033375", None),
    ]
    assert [str(warning) for warning in batch.warnings] == [
        "host.json [$.updates[4].kb]: 'File 1' is not a KB number; skipped"
    ]


def test_blank_names_are_skipped_with_a_warning(tmp_path: Path) -> None:
    document = host_document()
    document["packages"][1]["name"] = " "
    document["programs"] = [{"name": "  "}, {"name": "Notepad++", "version": "8.6"}]
    batch = parse(HostJsonParser, write_document(tmp_path, document))
    names = [component.name for component in batch.assets[0].components]
    assert "apache2" not in names
    assert names[-1] == "Notepad++"
    assert [str(warning) for warning in batch.warnings] == [
        "host.json [$.packages[1]]: a package without a name or a version; skipped",
        "host.json [$.programs[0].name]: a program without a name; skipped",
    ]


@pytest.mark.parametrize(
    ("os_info", "cpe"),
    [
        ({"name": "Microsoft Windows Server 2022 Datacenter"}, "windows_server_2022:-"),
        ({"name": "Microsoft Windows Server 2012 R2 Standard"}, "windows_server_2012:r2"),
        ({"name": "Microsoft Windows Server 2012 Standard"}, "windows_server_2012:-"),
        ({"name": "Microsoft Windows 10 Pro", "display_version": "21H2"}, "windows_10:21h2"),
        ({"name": "Microsoft Windows 10 Pro", "current_build": "22000"}, "windows_11:-"),
        ({"name": "Microsoft Windows 7 Professional"}, "windows_7:-"),
    ],
)
def test_windows_cpe_table(os_info: dict[str, str], cpe: str) -> None:
    assert windows_cpe(os_info) == f"cpe:2.3:o:microsoft:{cpe}:*:*:*:*:*:*:*"
    assert windows_cpe({"name": "ReactOS"}) == ""


@pytest.mark.parametrize(
    ("os_info", "cpe"),
    [
        ({"id": "debian", "version_id": "12"}, "cpe:2.3:o:debian:debian_linux:12.0:*:*:*:*:*:*:*"),
        (
            {"id": "ubuntu", "version_id": "23.10", "version": "23.10 (Mantic Minotaur)"},
            "cpe:2.3:o:canonical:ubuntu_linux:23.10:*:*:*:*:*:*:*",
        ),
        (
            {
                "id": "rhel",
                "version_id": "9.3",
                "cpe_name": "cpe:/o:redhat:enterprise_linux:9::baseos",
            },
            "cpe:2.3:o:redhat:enterprise_linux:9.0:*:*:*:*:*:*:*",
        ),
        (
            {"id": "sles", "version_id": "15.5"},
            "cpe:2.3:o:suse:linux_enterprise_server:15:sp5:*:*:*:*:*:*",
        ),
        (
            {"id": "fedora", "version_id": "39", "cpe_name": "cpe:/o:fedoraproject:fedora:39"},
            "cpe:2.3:o:fedoraproject:fedora:39:*:*:*:*:*:*:*",
        ),
        ({"id": "alpine", "version_id": "3.19.1"}, ""),
    ],
)
def test_linux_cpe_table(os_info: dict[str, str], cpe: str) -> None:
    assert linux_cpe(os_info) == cpe


def test_rpm_and_apk_purls(tmp_path: Path) -> None:
    document = host_document()
    document["os"] = {
        "family": "linux",
        "name": "Red Hat Enterprise Linux",
        "id": "rhel",
        "version_id": "9.3",
    }
    document["packages"] = [
        {
            "name": "openssl",
            "version": "3.0.7-25.el9_3",
            "arch": "x86_64",
            "manager": "rpm",
            "epoch": "1",
        },
        {"name": "bash", "version": "5.1.8-6.el9_1", "arch": "x86_64", "manager": "rpm"},
        {"name": "musl", "version": "1.2.4-r2", "arch": "x86_64", "manager": "apk"},
    ]
    components = parse(HostJsonParser, write_document(tmp_path, document)).assets[0].components
    assert [(c.version, c.purl) for c in components] == [
        (
            "1:3.0.7-25.el9_3",
            "pkg:rpm/redhat/openssl@3.0.7-25.el9_3?arch=x86_64&distro=rhel-9.3&epoch=1",
        ),
        ("5.1.8-6.el9_1", "pkg:rpm/redhat/bash@5.1.8-6.el9_1?arch=x86_64&distro=rhel-9.3"),
        ("1.2.4-r2", "pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64&distro=rhel-9.3"),
    ]


def test_update_dates() -> None:
    assert parse_update_date("2022-03-09") == date(2022, 3, 9)
    assert parse_update_date("2022-03-09T00:00:00") == date(2022, 3, 9)
    assert parse_update_date("3/9/2022") == date(2022, 3, 9)
    assert parse_update_date("20220309") == date(2022, 3, 9)
    assert parse_update_date("13/13/2022") is None
    assert parse_update_date("") is None


def test_json_path() -> None:
    assert json_path([]) == "$"
    assert json_path(["packages", 3, "version"]) == "$.packages[3].version"
    assert json_path(["odd key", "it's"]) == "$['odd key']['it\\'s']"


# --- bad input, both parsers ----------------------------------------------------------------

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE nmaprun [
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
<nmaprun><host><status state="up"/><hostnames><hostname name="&lol9;"/></hostnames></host>
</nmaprun>
"""
EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE nmaprun [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<nmaprun><host><status state="up"/><hostnames><hostname name="&secret;"/></hostnames></host>
</nmaprun>
"""
EXTERNAL_DTD = """<?xml version="1.0"?>
<!DOCTYPE nmaprun SYSTEM "https://nmap.org/svn/docs/nmap.dtd">
<nmaprun/>
"""
SUBSET_WITHOUT_ENTITIES = """<?xml version="1.0"?>
<!DOCTYPE nmaprun [<!ELEMENT nmaprun ANY>]>
<nmaprun/>
"""
OTHER_DOCTYPE = """<?xml version="1.0"?>
<!DOCTYPE html>
<nmaprun/>
"""


@pytest.mark.parametrize(
    "text",
    [BILLION_LAUGHS, EXTERNAL_ENTITY, EXTERNAL_DTD, SUBSET_WITHOUT_ENTITIES, OTHER_DOCTYPE],
    ids=["laughs", "external-entity", "external-dtd", "internal-subset", "other-doctype"],
)
def test_xml_with_dtd_or_entities_is_refused(tmp_path: Path, text: str) -> None:
    error = rejected(NmapParser, write(tmp_path, "bomb.xml", text))
    assert isinstance(error, ParseError)
    assert located(error) == [
        "bomb.xml: refused XML: DTDForbidden (DTDs and entities are not allowed)"
    ]


def test_nmaps_own_bare_doctype_is_accepted(tmp_path: Path) -> None:
    text = '<?xml version="1.0"?>\n<!DOCTYPE nmaprun>\n<nmaprun start="0"/>\n'
    batch = parse(NmapParser, write(tmp_path, "bare.xml", text))
    assert batch.assets == ()
    assert batch.observed_at == datetime(1970, 1, 1, tzinfo=UTC)


def test_malformed_and_truncated_xml(tmp_path: Path) -> None:
    text = '<nmaprun>\n<host><status state="up"/>\n</nmaprun>\n'
    error = rejected(NmapParser, write(tmp_path, "bad.xml", text))
    assert located(error) == ["bad.xml:3: invalid XML: mismatched tag: line 3, column 2"]
    content = (SAMPLES / "nmap-min.xml").read_bytes()
    error = rejected(NmapParser, write(tmp_path, "cut.xml", content[: len(content) // 2]))
    assert error.problems[0].location == SourceLocation(
        "cut.xml", content[: len(content) // 2].count(b"\n") + 1
    )
    assert error.problems[0].message.startswith("invalid XML: ")
    assert located(rejected(NmapParser, write(tmp_path, "empty.xml", ""))) == [
        "empty.xml:1: invalid XML: no element found: line 1, column 0"
    ]


def test_xml_of_another_format(samples_dir: Path) -> None:
    error = rejected(NmapParser, samples_dir / "scans/cyclonedx/spec1.xml")
    assert error.problems[0].location == SourceLocation("spec1.xml", 1)
    assert error.problems[0].message.startswith("not an nmap XML report: the root element is <")


def test_non_utf8_and_unknown_encodings(tmp_path: Path) -> None:
    xml = '<nmaprun>\n<host><status state="up"/><hostnames><hostname name="caf\xe9"/>'
    xml += "</hostnames></host></nmaprun>"
    error = rejected(NmapParser, write(tmp_path, "latin.xml", xml.encode("latin-1")))
    assert located(error) == [
        "latin.xml:2: invalid XML: not well-formed (invalid token): line 2, column 56"
    ]
    # Declared Latin-1, it is fine.
    declared = b'<?xml version="1.0" encoding="ISO-8859-1"?>\n' + xml.encode("latin-1")
    batch = parse(NmapParser, write(tmp_path, "declared.xml", declared))
    assert [asset.key for asset in batch.assets] == ["café"]
    for encoding in ("utf-9", "utf-32"):
        text = f'<?xml version="1.0" encoding="{encoding}"?>\n<nmaprun/>'
        error = rejected(NmapParser, write(tmp_path, "enc.xml", text))
        assert error.problems[0].location == SourceLocation("enc.xml", 1)
        assert error.problems[0].message.startswith("invalid XML: ")

    content = json.dumps(host_document()).replace("sshd", "ss\udce9hd", 1)
    position = content.index("\udce9")
    path = write(tmp_path, "latin.json", content.encode("utf-8", errors="surrogateescape"))
    assert located(rejected(HostJsonParser, path)) == [
        f"latin.json:1: not UTF-8 text (byte {position}); save the file as UTF-8"
    ]


def test_utf16_json_gets_a_hint(tmp_path: Path) -> None:
    content = (SAMPLES / "host-windows-2019.json").read_text(encoding="utf-8").encode("utf-16")
    assert located(rejected(HostJsonParser, write(tmp_path, "ps.json", content))) == [
        "ps.json:1: the file is UTF-16 (PowerShell's '>' writes UTF-16): run the collector with "
        "-OutFile, or save the file as UTF-8"
    ]


def test_malformed_truncated_and_deep_json(tmp_path: Path) -> None:
    content = (SAMPLES / "host-linux-ubuntu.json").read_text(encoding="utf-8")
    cut = content[: len(content) // 2]
    error = rejected(HostJsonParser, write(tmp_path, "cut.json", cut))
    assert error.problems[0].location == SourceLocation("cut.json", cut.count("\n") + 1)
    assert error.problems[0].message.startswith("invalid JSON: ")
    assert located(rejected(HostJsonParser, write(tmp_path, "bad.json", '{"schema": }'))) == [
        "bad.json:1: invalid JSON: Expecting value (column 12)"
    ]
    path = write(tmp_path, "deep.json", "[" * 100_000 + "]" * 100_000)
    assert located(rejected(HostJsonParser, path)) == ["deep.json: invalid JSON: nested too deeply"]
    path = write(tmp_path, "long.json", '{"schema": ' + "1" * 5000 + "}")
    assert located(rejected(HostJsonParser, path))[0].startswith("long.json: invalid JSON: ")


@pytest.mark.parametrize(("name", "parser"), OWN_SAMPLES)
def test_file_over_the_size_limit(
    monkeypatch: pytest.MonkeyPatch, name: str, parser: type[InventoryParser]
) -> None:
    monkeypatch.setenv("CANHGAC_IMPORT_MAX_BYTES", "100")
    size = (SAMPLES / name).stat().st_size
    assert located(rejected(parser, SAMPLES / name)) == [
        f"{name}: the file is {size} bytes; the limit is 100"
    ]


def test_missing_file(tmp_path: Path) -> None:
    for parser in (NmapParser, HostJsonParser):
        error = rejected(parser, tmp_path / "gone.xml")
        assert located(error) == ["gone.xml: cannot read the file: No such file or directory"]


ODD_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-1, 70000),
    st.sampled_from(["", " ", "0", "KB", "::1", "127.0.0.1", "windows", "rpm", "1.0", "x" * 300]),
    st.text(max_size=6),
    st.lists(st.integers(0, 3), max_size=2),
    st.just({}),
)


@st.composite
def mutated(draw: st.DrawFn, name: str) -> bytes:
    original = (SAMPLES / name).read_bytes()
    if name.endswith(".json") and draw(st.booleans()):
        # Structure-aware: valid JSON with odd values where the schema may or may not allow them.
        document = json.loads(original)
        for _ in range(draw(st.integers(1, 3))):
            chance = draw(st.randoms(use_true_random=False))
            document = replace_random_value(
                document, chance, draw(ODD_VALUES), keep=frozenset({"schema", "schema_version"})
            )
        return json.dumps(document).encode()
    data = mutate_bytes(draw, original)
    return data


@pytest.mark.parametrize(("name", "parser"), OWN_SAMPLES)
def test_mutated_samples_raise_only_validation_errors(
    tmp_path_factory: pytest.TempPathFactory, name: str, parser: type[InventoryParser]
) -> None:
    def check_batch(batch: InventoryBatch) -> None:
        assert all(asset.key for asset in batch.assets)

    path = tmp_path_factory.mktemp("mutated") / name
    check_mutated(path, parser, mutated(name), check_batch)
