"""What every inventory parser returns: plain frozen dataclasses, never ORM objects.

One `InventoryBatch` per file. Text fields are stripped; empty means unknown. Tuples keep the
order of the file, but nothing downstream depends on that order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from canhgac.core.exceptions import Problem, SourceLocation
from canhgac.inventory.enums import AssetKind


@dataclass(frozen=True, slots=True)
class ComponentRecord:
    """Installed software or a library.

    `cpe` is a CPE 2.3 formatted string (`cpe:2.3:a:vendor:product:version:...`), `purl` a
    package URL (`pkg:maven/org.springframework/spring-beans@5.3.17`). `evidence` says where in
    the source it was found (a JSON path, an XML element path, a package-manager name...).
    """

    name: str
    version: str = ""
    vendor: str = ""
    cpe: str = ""
    purl: str = ""
    evidence: str = ""


@dataclass(frozen=True, slots=True)
class ServiceRecord:
    """A listening network service (nmap open port, or a collector's listening socket)."""

    port: int
    protocol: str = "tcp"  # tcp | udp | sctp
    name: str = ""  # service name, e.g. "http", "ms-wbt-server"
    product: str = ""  # e.g. "Apache httpd"
    version: str = ""  # e.g. "2.4.52"
    cpes: tuple[str, ...] = ()  # CPE 2.3 strings (nmap's CPE 2.2 URIs converted)
    banner: str = ""  # nmap extrainfo/ostype/servicefp summary, or the process name
    # nmap service detection confidence 0-10 (10 = probed, <=3 = guessed from the port); None if
    # the source does not say.
    confidence: int | None = None


@dataclass(frozen=True, slots=True)
class UpdateRecord:
    """An installed Windows update: `kb` normalised to "KB5012170"."""

    kb: str
    installed_on: date | None = None


@dataclass(frozen=True, slots=True)
class AssetRecord:
    """One asset reported by a source.

    `key` is the source's stable identifier for it, used with the unit to recognise the same
    asset on re-import: the lower-cased FQDN or hostname if known, else the first IP address,
    else (SBOMs) the application's `name@version` or the file's name.
    """

    key: str
    kind: AssetKind
    location: SourceLocation
    # True when the source could not tell the kind (a software row of an asset listed
    # elsewhere): the kind then never overrides a stored one.
    kind_is_guess: bool = False
    name: str = ""
    hostnames: tuple[str, ...] = ()
    ip_addresses: tuple[str, ...] = ()
    mac_addresses: tuple[str, ...] = ()
    os_name: str = ""  # "Microsoft Windows Server 2019 Standard", "Ubuntu 22.04.4 LTS"
    os_cpe: str = ""  # CPE 2.3 of the operating system
    os_version: str = ""  # "10.0.17763", "22.04"
    os_build: str = ""  # exact Windows build + UBR "10.0.17763.2686"; kernel release on Linux
    # nmap OS detection accuracy 0-100 when os_* come from fingerprinting; None otherwise.
    os_accuracy: int | None = None
    components: tuple[ComponentRecord, ...] = ()
    services: tuple[ServiceRecord, ...] = ()
    updates: tuple[UpdateRecord, ...] = ()
    tags: tuple[str, ...] = ()
    internet_facing: bool | None = None
    criticality: str = ""
    unit_code: str = ""  # from the file (spreadsheet); else the importer's --unit
    system_code: str = ""  # information system the asset belongs to, if the file says


@dataclass(frozen=True, slots=True)
class SystemRecord:
    """An information system (hệ thống thông tin), from the inventory spreadsheet."""

    code: str
    name: str
    owner_unit_code: str
    location: SourceLocation
    operator_unit_code: str = ""
    provider_unit_code: str = ""
    isp: str = ""
    purpose: str = ""
    system_type: str = ""
    information_types: tuple[str, ...] = ()
    user_count: int | None = None
    online_service_level: int | None = None
    proposed_level: int | None = None
    approved_level: int | None = None
    approval_decision: str = ""
    approval_date: date | None = None
    approver: str = ""
    public_ips: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    status: str = ""


@dataclass(frozen=True, slots=True)
class InventoryBatch:
    """Everything one file holds."""

    source_format: str  # the parser id
    source_name: str  # file name as given
    systems: tuple[SystemRecord, ...] = ()
    # When the source observed what it reports (collector run, scan start, SBOM timestamp);
    # None when the file does not say (spreadsheets). Aware datetime.
    observed_at: datetime | None = None
    # What the file is a complete list of, per asset: for these kinds, rows the same source
    # reported before and this file leaves out are marked removed. A spreadsheet's assets table
    # lists no software, so it must not clear the software its software table gave.
    complete: frozenset[str] = frozenset({"components", "services", "updates"})
    assets: tuple[AssetRecord, ...] = ()
    warnings: tuple[Problem, ...] = field(default=())
