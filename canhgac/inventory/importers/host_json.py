"""Host inventory JSON printed by canhgac's collectors → one `AssetRecord`.

The collectors are `canhgac/inventory/collectors/linux/canhgac-collect.sh` and
`canhgac/inventory/collectors/windows/canhgac-collect.ps1`; their output is described by
`canhgac/inventory/collectors/schema/host-inventory.schema.json` (identified by
`"schema": "canhgac-host-inventory"`, version 1.x). The document is checked against that schema
first, and every violation is reported with its JSON path (`$.packages[3].version`).

Mapping, also in docs/importers/host-collector.md:

* key: the FQDN, lower-cased, when it has a dot and is not localhost/*.localdomain; else the
  host name, lower-cased.
* observed_at: collected_at. complete: the sections present in the document and not listed in
  its "incomplete" (a collector leaves out a section it could not read and lists one it read
  only partly, so a failed read never marks software removed).
* kind: WORKSTATION for Windows client editions (ProductType 1, or a caption naming Windows
  XP/Vista/7/8/8.1/10/11 when ProductType is absent); SERVER otherwise, including every Linux
  (`kind_is_guess` unless Windows gave its ProductType).
* os_name: the Windows caption / Linux PRETTY_NAME; os_version: Windows "10.0.17763" / Linux
  VERSION_ID; os_build: Windows version + UBR "10.0.17763.2686" / Linux kernel release.
* os_cpe: from the small tables below (NVD's spelling), else os-release's CPE_NAME converted to
  2.3, else empty.
* components: Linux packages with a purl (`pkg:deb/debian/openssl@3.0.11-1~deb12u2?arch=amd64&
  distro=debian-12`; rpm epochs go to the `epoch` qualifier and in front of `version` as
  "E:V-R"); Windows programs with vendor = Publisher (exact duplicates dropped).
* services: listening sockets, one per (protocol, port) whatever the number of addresses;
  sockets bound only to loopback addresses are left out (they are not network services);
  banner = the process name(s).
* updates: hotfix ids normalised to "KB5012170", the install date parsed when possible; ids that
  are not KB numbers are skipped with a warning.
"""

from __future__ import annotations

import functools
import ipaddress
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any, ClassVar

from jsonschema import Draft202012Validator
from jsonschema import ValidationError as SchemaViolation
from packageurl import PackageURL

from canhgac.core.exceptions import ParseError, Problem, SourceLocation, ValidationError
from canhgac.core.files import check_size, cpe22_to_23, load_json
from canhgac.core.text import shorten
from canhgac.inventory.enums import AssetKind
from canhgac.inventory.importers.interface import InventoryParser
from canhgac.inventory.importers.records import (
    AssetRecord,
    ComponentRecord,
    InventoryBatch,
    ServiceRecord,
    UpdateRecord,
)

SCHEMA_ID = "canhgac-host-inventory"
SUPPORTED_MAJOR_VERSION = "1"
SCHEMA_PATH = (
    Path(__file__).resolve().parents[1] / "collectors" / "schema" / "host-inventory.schema.json"
)
SNIFF_PATTERN = re.compile(r'"schema"\s*:\s*"canhgac-host-inventory"')
IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
REQUIRED_MESSAGE = re.compile(r"^'(?P<name>[^']+)' is a required property$")
MAX_MESSAGE_LENGTH = 300
KB_PATTERN = re.compile(r"^\s*(?:KB)?\s*(?P<number>[0-9]{5,8})\s*$", re.IGNORECASE)
US_DATE = re.compile(r"^(?P<month>[0-9]{1,2})/(?P<day>[0-9]{1,2})/(?P<year>[0-9]{4})\b")
COMPACT_DATE = re.compile(r"^(?P<year>[0-9]{4})(?P<month>[0-9]{2})(?P<day>[0-9]{2})$")
WINDOWS_CLIENT = re.compile(r"\bWindows (?:XP|Vista|7|8|8\.1|10|11)\b", re.IGNORECASE)
WINDOWS_11_FIRST_BUILD = 22000

# Windows caption (or ProductName) → NVD product and version; "display" = DisplayVersion (21h2).
# First match wins, so "2012 R2" comes before "2012".
WINDOWS_CPE_TABLE: tuple[tuple[re.Pattern[str], str, str], ...] = (
    (re.compile(r"Windows Server 2025", re.IGNORECASE), "windows_server_2025", "-"),
    (re.compile(r"Windows Server 2022", re.IGNORECASE), "windows_server_2022", "-"),
    (re.compile(r"Windows Server 2019", re.IGNORECASE), "windows_server_2019", "-"),
    (re.compile(r"Windows Server 2016", re.IGNORECASE), "windows_server_2016", "-"),
    (re.compile(r"Windows Server 2012 R2", re.IGNORECASE), "windows_server_2012", "r2"),
    (re.compile(r"Windows Server 2012", re.IGNORECASE), "windows_server_2012", "-"),
    (re.compile(r"Windows Server 2008 R2", re.IGNORECASE), "windows_server_2008", "r2"),
    (re.compile(r"Windows 11", re.IGNORECASE), "windows_11", "display"),
    (re.compile(r"Windows 10", re.IGNORECASE), "windows_10", "display"),
    (re.compile(r"Windows 8\.1", re.IGNORECASE), "windows_8.1", "-"),
    (re.compile(r"Windows 7", re.IGNORECASE), "windows_7", "-"),
)
# os-release ID → (NVD vendor:product, how the version is written). NVD writes Debian and RHEL
# releases as "12.0", "9.0"; Ubuntu as "22.04" with edition "lts"; SLES as "15" + update "sp5".
LINUX_PRODUCTS = {
    "ubuntu": "canonical:ubuntu_linux",
    "debian": "debian:debian_linux",
    "rhel": "redhat:enterprise_linux",
    "sles": "suse:linux_enterprise_server",
}
# os-release ID → purl namespace (https://github.com/package-url/purl-spec, types deb/rpm/apk).
PURL_NAMESPACES = {
    "rhel": "redhat",
    "ol": "oracle",
    "amzn": "amazon",
    "sles": "suse",
    "opensuse-leap": "opensuse",
    "opensuse-tumbleweed": "opensuse",
}
PURL_TYPES = {"dpkg": "deb", "rpm": "rpm", "apk": "apk"}
# A section the collector could not read is left out of the document, one it read only partly
# is listed in "incomplete"; any other is complete (an empty list means there is none), so rows
# missing from it are marked removed.
COMPLETE_SECTIONS = (
    ("components", "packages"),
    ("components", "programs"),
    ("services", "listening"),
    ("updates", "updates"),
)


@functools.cache
def _validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


class HostJsonParser(InventoryParser):
    id: ClassVar[str] = "host-json"
    display_name: ClassVar[str] = "canhgac host collector (JSON)"
    extensions: ClassVar[tuple[str, ...]] = (".json",)

    @classmethod
    def sniff(cls, head: bytes, name: str) -> bool:
        encoding = "utf-16" if head[:2] in (b"\xff\xfe", b"\xfe\xff") else "utf-8"
        text = head.decode(encoding, errors="ignore")
        return SNIFF_PATTERN.search(text) is not None

    def parse(self, path: Path, *, source: str) -> InventoryBatch:
        document = _load(path, source)
        _check_format(document, source)
        problems = [_problem(violation, source) for violation in _violations(document)]
        if problems:
            raise ValidationError(
                f"{source}: {len(problems)} problem(s) against the host inventory schema",
                problems=problems,
            )
        warnings: list[Problem] = []
        asset = _asset(document, source, warnings)
        return InventoryBatch(
            source_format=self.id,
            source_name=source,
            observed_at=_collected_at(document["collected_at"], source, warnings),
            complete=_complete_kinds(document),
            assets=(asset,),
            warnings=tuple(warnings),
        )


def _load(path: Path, source: str) -> Any:
    check_size(path, source)
    try:
        with path.open("rb") as handle:
            start = handle.read(2)
    except OSError as error:
        raise ParseError(
            f"cannot read the file: {error.strerror}", source=SourceLocation(source)
        ) from None
    if start in (b"\xff\xfe", b"\xfe\xff"):
        raise ParseError(
            "the file is UTF-16 (PowerShell's '>' writes UTF-16): run the collector "
            "with -OutFile, or save the file as UTF-8",
            source=SourceLocation(source, 1),
        )
    try:
        return load_json(path, source)
    except RecursionError:
        raise ParseError("invalid JSON: nested too deeply", source=SourceLocation(source)) from None
    except ValueError as error:  # not a JSONDecodeError: e.g. an integer of over 4300 digits
        raise ParseError(f"invalid JSON: {error}", source=SourceLocation(source)) from None


def _check_format(document: Any, source: str) -> None:
    if not isinstance(document, dict) or document.get("schema") != SCHEMA_ID:
        if isinstance(document, dict) and document.get("bomFormat") == "CycloneDX":
            hint = "this is a CycloneDX SBOM; import it as CycloneDX"
        elif isinstance(document, dict) and "spdxVersion" in document:
            hint = "this is an SPDX document; import it as SPDX"
        else:
            hint = "this is not the output of canhgac-collect.sh or canhgac-collect.ps1"
        raise ParseError(
            f'not a canhgac host inventory: "schema" must be "{SCHEMA_ID}" ({hint})',
            source=SourceLocation(source, None, "$.schema"),
        )
    version = document.get("schema_version")
    if not isinstance(version, str) or version.split(".")[0] != SUPPORTED_MAJOR_VERSION:
        raise ParseError(
            f"schema_version {version!r} is not supported: this canhgac reads "
            f"{SUPPORTED_MAJOR_VERSION}.x",
            source=SourceLocation(source, None, "$.schema_version"),
        )


def _path_sort_key(parts: Iterable[str | int]) -> tuple[tuple[int, int, str], ...]:
    return tuple((0, part, "") if isinstance(part, int) else (1, 0, part) for part in parts)


def _violations(document: Any) -> list[SchemaViolation]:
    return sorted(
        _validator().iter_errors(document),
        key=lambda violation: (_path_sort_key(violation.absolute_path), violation.message),
    )


def json_path(parts: Iterable[str | int]) -> str:
    """`$.packages[3].version`; keys that are not identifiers as `$['odd key']`."""
    path = "$"
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        elif IDENTIFIER.match(part):
            path += f".{part}"
        else:
            escaped = part.replace("\\", "\\\\").replace("'", "\\'")
            path += f"['{escaped}']"
    return path


def _problem(violation: SchemaViolation, source: str) -> Problem:
    parts: list[str | int] = list(violation.absolute_path)
    message = violation.message
    required = REQUIRED_MESSAGE.match(message) if violation.validator == "required" else None
    if required is not None:
        parts.append(required.group("name"))
        message = "is required"
    return Problem(
        shorten(message, MAX_MESSAGE_LENGTH), SourceLocation(source, None, json_path(parts))
    )


def _text(mapping: Mapping[str, Any], key: str) -> str:
    value = mapping.get(key)
    return value.strip() if isinstance(value, str) else ""


def _complete_kinds(document: Mapping[str, Any]) -> frozenset[str]:
    """Kinds with a section in the document and no section of theirs listed as incomplete."""
    incomplete = set(document.get("incomplete", ()))
    present = {kind for kind, section in COMPLETE_SECTIONS if section in document}
    partial = {kind for kind, section in COMPLETE_SECTIONS if section in incomplete}
    return frozenset(present - partial)


def _collected_at(value: str, source: str, warnings: list[Problem]) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        warnings.append(
            Problem(
                f"collected_at {value!r} is not a date-time with a time zone; ignored",
                SourceLocation(source, None, "$.collected_at"),
            )
        )
        return None
    return moment


def _usable_fqdn(fqdn: str) -> bool:
    lowered = fqdn.lower()
    return (
        "." in lowered
        and not lowered.startswith("localhost")
        and not lowered.endswith(".localdomain")
    )


def _asset(document: dict[str, Any], source: str, warnings: list[Problem]) -> AssetRecord:
    hostname = _text(document, "hostname")
    fqdn = _text(document, "fqdn")
    names = [hostname.lower()] + ([fqdn.lower()] if _usable_fqdn(fqdn) else [])
    os_info: dict[str, Any] = document["os"]
    windows = os_info["family"] == "windows"
    os_fields = _windows_os(os_info) if windows else _linux_os(os_info, document.get("kernel", {}))
    return AssetRecord(
        key=names[-1],
        kind=_windows_kind(os_info) if windows else AssetKind.SERVER,
        location=SourceLocation(source),
        # Windows says whether it is a client or a server edition; Linux does not.
        kind_is_guess=not windows or os_info.get("product_type") is None,
        name=hostname,
        hostnames=tuple(dict.fromkeys(names)),
        ip_addresses=tuple(
            dict.fromkeys(
                str(ipaddress.ip_address(address)) for address in document.get("ip_addresses", ())
            )
        ),
        os_name=os_fields["os_name"],
        os_cpe=os_fields["os_cpe"],
        os_version=os_fields["os_version"],
        os_build=os_fields["os_build"],
        components=(
            _packages(document.get("packages", ()), os_info, source, warnings)
            + _programs(document.get("programs", ()), source, warnings)
        ),
        services=_services(document.get("listening", ())),
        updates=_updates(document.get("updates", ()), source, warnings),
    )


def _windows_kind(os_info: Mapping[str, Any]) -> AssetKind:
    product_type = os_info.get("product_type")
    if product_type is not None:
        return AssetKind.WORKSTATION if product_type == 1 else AssetKind.SERVER
    caption = _text(os_info, "name")
    if WINDOWS_CLIENT.search(caption) and "server" not in caption.lower():
        return AssetKind.WORKSTATION
    return AssetKind.SERVER


def _windows_os(os_info: Mapping[str, Any]) -> dict[str, str]:
    version = _text(os_info, "version")
    build = _text(os_info, "build")
    ubr = os_info.get("ubr")
    if not build and version and isinstance(ubr, int):
        build = f"{version}.{ubr}"
    return {
        "os_name": _text(os_info, "name"),
        "os_version": version,
        "os_build": build,
        "os_cpe": windows_cpe(os_info),
    }


def windows_cpe(os_info: Mapping[str, Any]) -> str:
    """NVD's CPE of a Windows release, from the caption (or ProductName) and DisplayVersion."""
    label = _text(os_info, "name") or _text(os_info, "product_name")
    found = next((row for row in WINDOWS_CPE_TABLE if row[0].search(label)), None)
    if found is None:
        return ""
    _pattern, product, version = found
    build_number = _text(os_info, "current_build") or _text(os_info, "version").rpartition(".")[2]
    if (
        product == "windows_10"
        and build_number.isascii()
        and build_number.isdigit()
        and int(build_number) >= WINDOWS_11_FIRST_BUILD
    ):
        product = "windows_11"  # Windows 11 still calls itself "Windows 10" in ProductName
    if version == "display":
        version = _text(os_info, "display_version").lower() or "-"
    return f"cpe:2.3:o:microsoft:{product}:{version}:*:*:*:*:*:*:*"


def _linux_os(os_info: Mapping[str, Any], kernel: Mapping[str, Any]) -> dict[str, str]:
    name = _text(os_info, "pretty_name") or " ".join(
        part for part in (_text(os_info, "name"), _text(os_info, "version_id")) if part
    )
    return {
        "os_name": name,
        "os_version": _text(os_info, "version_id"),
        "os_build": _text(kernel, "release"),
        "os_cpe": linux_cpe(os_info),
    }


def linux_cpe(os_info: Mapping[str, Any]) -> str:
    """NVD's CPE of a Linux distribution release, from os-release fields; '' if unknown."""
    os_id = _text(os_info, "id").lower()
    version_id = _text(os_info, "version_id")
    product = LINUX_PRODUCTS.get(os_id)
    major, _dot, minor = version_id.partition(".")
    if product and major.isascii() and major.isdigit():
        update, software_edition = "*", "*"
        if os_id == "ubuntu":
            version = version_id
            lts = "LTS" in _text(os_info, "version") or "LTS" in _text(os_info, "pretty_name")
            software_edition = "lts" if lts else "*"
        elif os_id == "sles":
            version = major
            update = f"sp{minor.split('.')[0]}" if minor.split(".")[0] not in ("", "0") else "-"
        else:
            version = f"{major}.0"
        return f"cpe:2.3:o:{product}:{version}:{update}:*:*:{software_edition}:*:*:*"
    return cpe22_to_23(_text(os_info, "cpe_name"))


def _packages(
    packages: Sequence[Mapping[str, Any]],
    os_info: Mapping[str, Any],
    source: str,
    warnings: list[Problem],
) -> tuple[ComponentRecord, ...]:
    os_id = _text(os_info, "id").lower()
    version_id = _text(os_info, "version_id")
    distro = f"{os_id}-{version_id}" if os_id and version_id else os_id
    components: list[ComponentRecord] = []
    for index, package in enumerate(packages):
        manager = package["manager"]
        name, version = _text(package, "name"), _text(package, "version")
        location = SourceLocation(source, None, json_path(["packages", index]))
        if not name or not version:
            warnings.append(Problem("a package without a name or a version; skipped", location))
            continue
        epoch = _text(package, "epoch") if manager == "rpm" else ""
        epoch = "" if epoch == "0" else epoch
        qualifiers = {"arch": _text(package, "arch"), "distro": distro, "epoch": epoch}
        namespace = "alpine" if manager == "apk" else PURL_NAMESPACES.get(os_id, os_id)
        try:
            purl = PackageURL(
                type=PURL_TYPES[manager],
                namespace=namespace or None,
                name=name,
                version=version,
                qualifiers={key: value for key, value in qualifiers.items() if value},
            ).to_string()
        except ValueError as error:
            warnings.append(Problem(f"no package URL: {error}", location))
            purl = ""
        components.append(
            ComponentRecord(
                name=name,
                version=f"{epoch}:{version}" if epoch else version,
                purl=purl,
                evidence=json_path(["packages", index]),
            )
        )
    return tuple(components)


def _programs(
    programs: Sequence[Mapping[str, Any]], source: str, warnings: list[Problem]
) -> tuple[ComponentRecord, ...]:
    components: dict[tuple[str, str, str], ComponentRecord] = {}
    for index, program in enumerate(programs):
        name = _text(program, "name")
        if not name:
            warnings.append(
                Problem(
                    "a program without a name; skipped",
                    SourceLocation(source, None, json_path(["programs", index, "name"])),
                )
            )
            continue
        version = _text(program, "version")
        vendor = _text(program, "publisher")
        components.setdefault(
            (name, version, vendor),
            ComponentRecord(
                name=name, version=version, vendor=vendor, evidence=json_path(["programs", index])
            ),
        )
    return tuple(components.values())


def _loopback(address: str) -> bool:
    text = address.strip().strip("[]").partition("%")[0]
    try:
        parsed = ipaddress.ip_address(text)
    except ValueError:
        return False  # "*", "" or a name: every address
    if isinstance(parsed, ipaddress.IPv6Address) and parsed.ipv4_mapped is not None:
        return parsed.ipv4_mapped.is_loopback
    return parsed.is_loopback


def _services(listening: Sequence[Mapping[str, Any]]) -> tuple[ServiceRecord, ...]:
    processes: dict[tuple[str, int], list[str]] = {}
    for entry in listening:
        if entry["port"] == 0 or _loopback(_text(entry, "address")):
            continue
        names = processes.setdefault((entry["protocol"], entry["port"]), [])
        process = _text(entry, "process")
        if process and process not in names:
            names.append(process)
    return tuple(
        ServiceRecord(port=port, protocol=protocol, banner=", ".join(names))
        for (protocol, port), names in processes.items()
    )


def parse_update_date(text: str) -> date | None:
    """'2022-03-09', '2022-03-09T00:00:00', '3/9/2022' (Get-HotFix's US form), '20220309'."""
    text = text.strip()
    for pattern in (US_DATE, COMPACT_DATE):
        match = pattern.match(text)
        if match:
            try:
                return date(int(match["year"]), int(match["month"]), int(match["day"]))
            except ValueError:
                return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def _updates(
    updates: Sequence[Mapping[str, Any]], source: str, warnings: list[Problem]
) -> tuple[UpdateRecord, ...]:
    records: dict[str, UpdateRecord] = {}
    for index, update in enumerate(updates):
        match = KB_PATTERN.match(update["kb"])
        if match is None:
            warnings.append(
                Problem(
                    f"{update['kb']!r} is not a KB number; skipped",
                    SourceLocation(source, None, json_path(["updates", index, "kb"])),
                )
            )
            continue
        kb = f"KB{match['number']}"
        installed = update.get("installed_on")
        records.setdefault(
            kb,
            UpdateRecord(
                kb=kb,
                installed_on=parse_update_date(installed) if isinstance(installed, str) else None,
            ),
        )
    return tuple(records.values())
