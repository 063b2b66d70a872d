"""The inventory spreadsheet (CSV or XLSX): information systems, assets and their software.

Three tables, each with a header row; column names in Vietnamese or English, matched without
accents or case (`Mã hệ thống` = `ma_he_thong` = `code`). `COLUMNS` below is the reference;
`canhgac inventory template` writes a blank workbook with it (docs/importers/spreadsheet.md).

- XLSX: sheets named `HeThong`/`systems`, `TaiSan`/`assets`, `PhanMem`/`software`
  (a `HuongDan`/`instructions` sheet is ignored).
- CSV: one table per file, recognised by its columns: `owner_unit` → systems,
  `asset` → software, otherwise assets.

Empty cells mean "not given" (an import never blanks a stored value).
"""

from __future__ import annotations

import csv
import io
import ipaddress
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, ClassVar

from canhgac.core.exceptions import ParseError, Problem, SourceLocation, ValidationError
from canhgac.core.files import check_size, max_bytes, read_text
from canhgac.core.text import fold, parse_flag
from canhgac.inventory.enums import AssetKind, Criticality, SystemStatus, SystemType
from canhgac.inventory.importers.interface import InventoryParser
from canhgac.inventory.importers.records import (
    AssetRecord,
    ComponentRecord,
    InventoryBatch,
    SystemRecord,
)


@dataclass(frozen=True, slots=True)
class Column:
    name: str  # canonical (English) name
    vietnamese: str  # header written in the template
    help: str  # shown in the template's instructions sheet
    aliases: tuple[str, ...] = ()
    required: bool = False


SYSTEM_COLUMNS = (
    Column("code", "Mã hệ thống", "Stable code of the system, e.g. CONG-DVC", ("ma",), True),
    Column("name", "Tên hệ thống", "Name of the information system", ("ten",), True),
    Column(
        "owner_unit",
        "Đơn vị chủ quản",
        "Unit code of the owner (chủ quản)",
        ("chu_quan", "ma_don_vi_chu_quan"),
        True,
    ),
    Column(
        "operator_unit",
        "Đơn vị vận hành",
        "Unit code of the operator",
        ("van_hanh", "ma_don_vi_van_hanh"),
    ),
    Column(
        "provider_unit",
        "Đơn vị giám sát, bảo vệ",
        "Unit code of the security provider",
        ("nha_cung_cap_attt", "don_vi_cung_cap_dich_vu_attt"),
    ),
    Column("isp", "Nhà cung cấp Internet", "Internet service provider", ("nha_mang",)),
    Column("purpose", "Mục đích", "What the system is for", ("muc_dich_su_dung",)),
    Column(
        "system_type",
        "Loại hệ thống",
        "internal | citizen_business | shared_infrastructure | industrial_control | other",
        ("loai",),
    ),
    Column(
        "information_types",
        "Loại thông tin",
        "public; private; personal; state_secret (separate with ;)",
        ("thong_tin_xu_ly",),
    ),
    Column("user_count", "Số người dùng", "Number of users", ("so_luong_nguoi_dung",)),
    Column(
        "online_service_level", "Mức độ dịch vụ công trực tuyến", "1-4", ("muc_do_dich_vu_cong",)
    ),
    Column(
        "proposed_level", "Cấp độ đề xuất", "Proposed security level 1-5", ("cap_do_de_xuat_attt",)
    ),
    Column(
        "approved_level",
        "Cấp độ được phê duyệt",
        "Approved security level 1-5",
        ("cap_do_phe_duyet", "cap_do"),
    ),
    Column(
        "approval_decision",
        "Số quyết định phê duyệt",
        "e.g. 123/QĐ-UBND",
        ("quyet_dinh_phe_duyet", "so_quyet_dinh"),
    ),
    Column("approval_date", "Ngày phê duyệt", "dd/mm/yyyy", ("ngay_quyet_dinh",)),
    Column(
        "approver",
        "Cơ quan phê duyệt",
        "Who approved the level",
        ("nguoi_phe_duyet", "cap_phe_duyet"),
    ),
    Column(
        "public_ips",
        "IP công khai",
        "Public IP addresses (separate with ;)",
        ("dia_chi_ip_cong_khai",),
    ),
    Column("domains", "Tên miền", "Domain names (separate with ;)", ("ten_mien_website",)),
    Column("status", "Trạng thái", "planned | live | retired", ("tinh_trang",)),
)
ASSET_COLUMNS = (
    Column(
        "unit",
        "Mã đơn vị",
        "Unit code (or give --unit when importing)",
        ("don_vi", "ma_don_vi_quan_ly"),
    ),
    Column(
        "key", "Mã tài sản", "Stable key; default: host name, else first IP, else name", ("ma",)
    ),
    Column("name", "Tên tài sản", "Display name", ("ten",)),
    Column(
        "kind",
        "Loại tài sản",
        "server | workstation | network_device | web_application | cloud_service",
        ("loai",),
        True,
    ),
    Column("system", "Mã hệ thống", "Code of the information system it belongs to", ("he_thong",)),
    Column(
        "hostnames", "Tên máy", "Host names / FQDN (separate with ;)", ("hostname", "ten_may_chu")
    ),
    Column("ip_addresses", "Địa chỉ IP", "IP addresses (separate with ;)", ("ip", "dia_chi")),
    Column(
        "internet_facing", "Kết nối Internet", "có/không (yes/no)", ("cong_khai_internet", "public")
    ),
    Column(
        "criticality", "Mức độ quan trọng", "low | medium | high | critical", ("tam_quan_trong",)
    ),
    Column(
        "os_name",
        "Hệ điều hành",
        "e.g. Microsoft Windows Server 2019 Standard",
        ("os", "he_dieu_hanh_ten"),
    ),
    Column("os_version", "Phiên bản hệ điều hành", "e.g. 10.0.17763 or 22.04", ("os_phien_ban",)),
    Column(
        "os_build",
        "Bản dựng hệ điều hành",
        "Exact build + UBR, e.g. 10.0.17763.2686",
        ("build", "ban_build"),
    ),
    Column("os_cpe", "CPE hệ điều hành", "CPE 2.3 of the OS (optional)", ("cpe_he_dieu_hanh",)),
    Column("tags", "Nhãn", "Free tags (separate with ;)", ("the",)),
)
SOFTWARE_COLUMNS = (
    Column("unit", "Mã đơn vị", "Unit code of the asset (or --unit)", ("don_vi",)),
    Column(
        "asset",
        "Mã tài sản",
        "Key of the asset (as in the assets table)",
        ("tai_san", "ma_tai_san_cai_dat"),
        True,
    ),
    Column(
        "name",
        "Tên phần mềm",
        "Product name, e.g. Microsoft Exchange Server 2019",
        ("ten", "phan_mem"),
        True,
    ),
    Column("vendor", "Nhà sản xuất", "e.g. Microsoft", ("hang", "nha_cung_cap")),
    Column("version", "Phiên bản", "e.g. 15.2.986.5", ("phien_ban_phan_mem",)),
    Column("cpe", "CPE", "CPE 2.3 (optional)", ()),
    Column(
        "purl", "Package URL", "purl (optional), e.g. pkg:maven/org.springframework/...", ("purl",)
    ),
)
TABLES: dict[str, tuple[Column, ...]] = {
    "systems": SYSTEM_COLUMNS,
    "assets": ASSET_COLUMNS,
    "software": SOFTWARE_COLUMNS,
}
SHEET_NAMES: dict[str, str] = {
    "systems": "systems",
    "he_thong": "systems",
    "hethong": "systems",
    "assets": "assets",
    "tai_san": "assets",
    "taisan": "assets",
    "software": "software",
    "phan_mem": "software",
    "phanmem": "software",
}
IGNORED_SHEETS = frozenset({"instructions", "huong_dan", "huongdan"})
TEMPLATE_SHEETS = {"systems": "HeThong", "assets": "TaiSan", "software": "PhanMem"}

ENUM_ALIASES: dict[str, dict[str, str]] = {
    "system_type": {
        **{member.value: member.value for member in SystemType},
        "noi_bo": SystemType.INTERNAL,
        "phuc_vu_nguoi_dan_doanh_nghiep": SystemType.CITIZEN_BUSINESS,
        "nguoi_dan_doanh_nghiep": SystemType.CITIZEN_BUSINESS,
        "ha_tang": SystemType.SHARED_INFRASTRUCTURE,
        "co_so_ha_tang_thong_tin": SystemType.SHARED_INFRASTRUCTURE,
        "dieu_khien_cong_nghiep": SystemType.INDUSTRIAL_CONTROL,
        "khac": SystemType.OTHER,
    },
    "status": {
        **{member.value: member.value for member in SystemStatus},
        "du_kien": SystemStatus.PLANNED,
        "dang_xay_dung": SystemStatus.PLANNED,
        "dang_van_hanh": SystemStatus.LIVE,
        "van_hanh": SystemStatus.LIVE,
        "ngung": SystemStatus.RETIRED,
        "ngung_van_hanh": SystemStatus.RETIRED,
    },
    "kind": {
        **{member.value: member.value for member in AssetKind},
        "may_chu": AssetKind.SERVER,
        "may_tram": AssetKind.WORKSTATION,
        "thiet_bi_mang": AssetKind.NETWORK_DEVICE,
        "ung_dung_web": AssetKind.WEB_APPLICATION,
        "dich_vu_dam_may": AssetKind.CLOUD_SERVICE,
    },
    "criticality": {
        **{member.value: member.value for member in Criticality},
        "thap": Criticality.LOW,
        "trung_binh": Criticality.MEDIUM,
        "cao": Criticality.HIGH,
        "rat_cao": Criticality.CRITICAL,
        "dac_biet_quan_trong": Criticality.CRITICAL,
    },
    "information_types": {
        "public": "public",
        "private": "private",
        "personal": "personal",
        "state_secret": "state_secret",
        "cong_cong": "public",
        "rieng": "private",
        "ca_nhan": "personal",
        "bi_mat_nha_nuoc": "state_secret",
    },
}
LIST_SEPARATOR = re.compile(r"[;,\n]")
CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
KB_PATTERN = re.compile(r"^KB\d{6,8}$")


@dataclass
class _Row:
    """One data row: canonical column → cell value, with where it came from."""

    values: dict[str, Any]
    location: SourceLocation


@dataclass
class _Reader:
    """Collects every problem of the file; converts cells to typed values."""

    problems: list[Problem] = field(default_factory=list)

    def at(self, row: _Row, column: str) -> SourceLocation:
        return SourceLocation(row.location.path, row.location.line, column)

    def text(self, row: _Row, column: str, limit: int = 255) -> str:
        value = row.values.get(column)
        if value is None:
            return ""
        if isinstance(value, datetime | date):
            value = value.strftime("%d/%m/%Y")
        text = str(value).strip()
        if isinstance(value, float) and value.is_integer():
            text = str(int(value))
        if len(text) > limit:
            self.problems.append(Problem(f"longer than {limit} characters", self.at(row, column)))
            return text[:limit]
        return text

    def required(self, row: _Row, column: str) -> str:
        text = self.text(row, column)
        if not text:
            self.problems.append(Problem(f"{column} is required", self.at(row, column)))
        return text

    def code(self, row: _Row, column: str, required: bool = False) -> str:
        text = self.required(row, column) if required else self.text(row, column)
        if text and not CODE_PATTERN.match(text):
            self.problems.append(
                Problem(f"{text!r} is not a code (letters, digits, '-', '_')", self.at(row, column))
            )
        return text

    def choice(self, row: _Row, column: str) -> str:
        text = self.text(row, column)
        if not text:
            return ""
        aliases = ENUM_ALIASES[column]
        value = aliases.get(fold(text))
        if value is None:
            known = ", ".join(sorted({str(v) for v in aliases.values()}))
            self.problems.append(
                Problem(f"unknown value {text!r} (known: {known})", self.at(row, column))
            )
            return ""
        return str(value)

    def choices(self, row: _Row, column: str) -> tuple[str, ...]:
        result: list[str] = []
        for item in self.items(row, column):
            value = ENUM_ALIASES[column].get(fold(item))
            if value is None:
                known = ", ".join(sorted(set(ENUM_ALIASES[column].values())))
                self.problems.append(
                    Problem(f"unknown value {item!r} (known: {known})", self.at(row, column))
                )
            elif value not in result:
                result.append(value)
        return tuple(result)

    def items(self, row: _Row, column: str) -> tuple[str, ...]:
        text = self.text(row, column, limit=10_000)
        return tuple(item.strip() for item in LIST_SEPARATOR.split(text) if item.strip())

    def addresses(self, row: _Row, column: str) -> tuple[str, ...]:
        result = []
        for item in self.items(row, column):
            try:
                result.append(str(ipaddress.ip_address(item)))
            except ValueError:
                self.problems.append(
                    Problem(f"{item!r} is not an IP address", self.at(row, column))
                )
        return tuple(result)

    def integer(self, row: _Row, column: str, low: int, high: int) -> int | None:
        text = self.text(row, column)
        if not text:
            return None
        try:
            number = int(text.replace(".", "").replace(",", "").replace(" ", ""))
        except ValueError:
            self.problems.append(Problem(f"{text!r} is not a whole number", self.at(row, column)))
            return None
        if not low <= number <= high:
            self.problems.append(Problem(f"{number} is outside {low}-{high}", self.at(row, column)))
            return None
        return number

    def day(self, row: _Row, column: str) -> date | None:
        value = row.values.get(column)
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        text = self.text(row, column)
        if not text:
            return None
        for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y"):
            try:
                return datetime.strptime(text, pattern).date()  # noqa: DTZ007 (a date only)
            except ValueError:
                continue
        self.problems.append(Problem(f"{text!r} is not a date (dd/mm/yyyy)", self.at(row, column)))
        return None

    def flag(self, row: _Row, column: str) -> bool | None:
        text = self.text(row, column)
        if not text:
            return None
        value = parse_flag(text)
        if value is None:
            self.problems.append(
                Problem(f"{text!r} is not yes/no (có/không)", self.at(row, column))
            )
        return value


def _column_map(
    headers: list[Any], table: str, where: SourceLocation, problems: list[Problem]
) -> dict[int, str]:
    known: dict[str, str] = {}
    for column in TABLES[table]:
        for alias in (column.name, fold(column.vietnamese), *column.aliases):
            known[fold(alias)] = column.name
    mapping: dict[int, str] = {}
    for index, header in enumerate(headers):
        if header is None or str(header).strip() == "":
            continue
        name = known.get(fold(str(header)))
        location = SourceLocation(where.path, where.line, str(header))
        if name is None:
            expected = ", ".join(column.name for column in TABLES[table])
            problems.append(
                Problem(
                    f"unknown column {str(header)!r} in the {table} table (known: {expected})",
                    location,
                )
            )
        elif name in mapping.values():
            problems.append(Problem(f"column {str(header)!r} repeats {name!r}", location))
        else:
            mapping[index] = name
    problems.extend(
        Problem(f"the {table} table needs a {column.name!r} column ({column.vietnamese})", where)
        for column in TABLES[table]
        if column.required and column.name not in mapping.values()
    )
    return mapping


def _rows(
    cells: Iterable[tuple[int, list[Any]]], mapping: dict[int, str], path: str
) -> Iterator[_Row]:
    for line, values in cells:
        if all(value is None or str(value).strip() == "" for value in values):
            continue
        yield _Row(
            {name: values[index] for index, name in mapping.items() if index < len(values)},
            SourceLocation(path, line),
        )


# --- Tables to records -------------------------------------------------------------------------


def _system(reader: _Reader, row: _Row) -> SystemRecord:
    return SystemRecord(
        code=reader.code(row, "code", required=True),
        name=reader.required(row, "name"),
        owner_unit_code=reader.code(row, "owner_unit", required=True),
        location=row.location,
        operator_unit_code=reader.code(row, "operator_unit"),
        provider_unit_code=reader.code(row, "provider_unit"),
        isp=reader.text(row, "isp"),
        purpose=reader.text(row, "purpose", limit=2000),
        system_type=reader.choice(row, "system_type"),
        information_types=reader.choices(row, "information_types"),
        user_count=reader.integer(row, "user_count", 0, 2_000_000_000),
        online_service_level=reader.integer(row, "online_service_level", 1, 4),
        proposed_level=reader.integer(row, "proposed_level", 1, 5),
        approved_level=reader.integer(row, "approved_level", 1, 5),
        approval_decision=reader.text(row, "approval_decision", 128),
        approval_date=reader.day(row, "approval_date"),
        approver=reader.text(row, "approver"),
        public_ips=reader.addresses(row, "public_ips"),
        domains=tuple(item.lower() for item in reader.items(row, "domains")),
        status=reader.choice(row, "status"),
    )


def _asset(
    reader: _Reader, row: _Row, software: dict[tuple[str, str], list[ComponentRecord]]
) -> AssetRecord:
    hostnames = tuple(name.lower() for name in reader.items(row, "hostnames"))
    addresses = reader.addresses(row, "ip_addresses")
    name = reader.text(row, "name")
    # Keys are lower-case everywhere (collectors and scanners report lower-case host names).
    key = (
        reader.text(row, "key").lower()
        or (hostnames[0] if hostnames else "")
        or (addresses[0] if addresses else "")
        or name.lower()
    )
    if not key:
        reader.problems.append(
            Problem("give a key, a host name, an IP address or a name", reader.at(row, "key"))
        )
    unit = reader.code(row, "unit")
    kind = reader.choice(row, "kind")
    if not kind:
        reader.problems.append(Problem("kind is required", reader.at(row, "kind")))
    return AssetRecord(
        key=key,
        kind=AssetKind(kind) if kind else AssetKind.SERVER,
        location=row.location,
        name=name,
        hostnames=hostnames,
        ip_addresses=addresses,
        os_name=reader.text(row, "os_name"),
        os_cpe=reader.text(row, "os_cpe", 512),
        os_version=reader.text(row, "os_version", 64),
        os_build=reader.text(row, "os_build", 64),
        components=tuple(software.pop((unit, key), [])),
        tags=reader.items(row, "tags"),
        internet_facing=reader.flag(row, "internet_facing"),
        criticality=reader.choice(row, "criticality"),
        unit_code=unit,
        system_code=reader.code(row, "system"),
    )


def _component(reader: _Reader, row: _Row) -> tuple[tuple[str, str], ComponentRecord]:
    key = (reader.code(row, "unit"), reader.required(row, "asset").lower())
    record = ComponentRecord(
        name=reader.required(row, "name"),
        version=reader.text(row, "version", 128),
        vendor=reader.text(row, "vendor"),
        cpe=reader.text(row, "cpe", 512),
        purl=reader.text(row, "purl", 1024),
        evidence=f"{row.location.path}:{row.location.line}",
    )
    return key, record


def _batch(
    parser_id: str, source: str, tables: dict[str, list[_Row]], problems: list[Problem]
) -> InventoryBatch:
    reader = _Reader(problems)
    software: dict[tuple[str, str], list[ComponentRecord]] = {}
    software_rows: dict[tuple[str, str], _Row] = {}
    for row in tables.get("software", []):
        key, record = _component(reader, row)
        software.setdefault(key, []).append(record)
        software_rows.setdefault(key, row)
    systems = tuple(_system(reader, row) for row in tables.get("systems", []))
    assets = tuple(_asset(reader, row, software) for row in tables.get("assets", []))
    for (unit, asset), components in software.items():
        if not any(a.key == asset and (a.unit_code or "") == unit for a in assets):
            # Software of an asset listed elsewhere (e.g. a separate assets CSV, or stored).
            assets += (
                AssetRecord(
                    key=asset,
                    kind=AssetKind.SERVER,
                    kind_is_guess=True,
                    location=software_rows[(unit, asset)].location,
                    components=tuple(components),
                    unit_code=unit,
                ),
            )
    if problems:
        raise ValidationError(
            f"{source}: {len(problems)} problem(s); nothing imported", problems=problems
        )
    # A software table lists the complete software of the assets it names; an empty one (the
    # template ships it) names none, so it removes nothing.
    complete = frozenset({"components"}) if tables.get("software") else frozenset()
    return InventoryBatch(parser_id, source, systems=systems, assets=assets, complete=complete)


# --- File formats ------------------------------------------------------------------------------


def _csv_table(headers: list[str]) -> str:
    """Which table a CSV holds, from columns only that table has."""
    folded = {fold(header) for header in headers}

    def names(columns: tuple[Column, ...], wanted: set[str]) -> set[str]:
        return {
            fold(alias)
            for column in columns
            if column.name in wanted
            for alias in (column.name, column.vietnamese, *column.aliases)
        }

    if folded & names(SYSTEM_COLUMNS, {"owner_unit"}):
        return "systems"
    if folded & (names(SOFTWARE_COLUMNS, {"vendor", "purl"}) | {"asset", "ten_phan_mem"}):
        return "software"
    return "assets"


class CsvParser(InventoryParser):
    id: ClassVar[str] = "csv"
    display_name: ClassVar[str] = "Inventory spreadsheet (CSV)"
    extensions: ClassVar[tuple[str, ...]] = (".csv",)

    @classmethod
    def sniff(cls, head: bytes, name: str) -> bool:
        return name.lower().endswith(".csv")

    def parse(self, path: Path, *, source: str) -> InventoryBatch:
        text = read_text(path, source)
        reader = csv.reader(io.StringIO(text))
        try:
            headers = next(reader)
        except StopIteration:
            raise ParseError(
                "the file is empty (no header row)", source=SourceLocation(source, 1)
            ) from None
        except csv.Error as error:
            raise ParseError(f"invalid CSV: {error}", source=SourceLocation(source, 1)) from None
        table = _csv_table(headers)
        problems: list[Problem] = []
        mapping = _column_map(headers, table, SourceLocation(source, 1), problems)
        if problems:
            raise ValidationError(f"{source}: bad header", problems=problems)
        try:
            cells = [(reader.line_num, row) for row in reader]
        except csv.Error as error:
            raise ParseError(
                f"invalid CSV: {error}", source=SourceLocation(source, reader.line_num)
            ) from None
        for line, row in cells:
            if len(row) > len(headers) and any(cell.strip() for cell in row[len(headers) :]):
                problems.append(
                    Problem("the row has more cells than the header", SourceLocation(source, line))
                )
        rows = list(_rows(cells, mapping, source))
        return _batch(self.id, source, {table: rows}, problems)


class XlsxParser(InventoryParser):
    id: ClassVar[str] = "xlsx"
    display_name: ClassVar[str] = "Inventory spreadsheet (XLSX)"
    extensions: ClassVar[tuple[str, ...]] = (".xlsx",)

    @classmethod
    def sniff(cls, head: bytes, name: str) -> bool:
        return head.startswith(b"PK\x03\x04") and name.lower().endswith(".xlsx")

    def parse(self, path: Path, *, source: str) -> InventoryBatch:
        from openpyxl import load_workbook  # heavy import: only when an XLSX comes in

        check_size(path, source)
        _check_zip(path, source)
        try:
            workbook = load_workbook(path, read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
            raise ParseError(
                f"not a readable XLSX workbook: {error}", source=SourceLocation(source)
            ) from None
        problems: list[Problem] = []
        tables: dict[str, list[_Row]] = {}
        try:
            for sheet in workbook.worksheets:
                folded = fold(sheet.title)
                if folded in IGNORED_SHEETS:
                    continue
                table = SHEET_NAMES.get(folded)
                where = f"{source}#{sheet.title}"
                if table is None:
                    problems.append(
                        Problem(
                            f"unknown sheet {sheet.title!r} (expected HeThong, TaiSan, PhanMem)",
                            SourceLocation(where),
                        )
                    )
                    continue
                rows = sheet.iter_rows(values_only=True)
                headers = list(next(rows, ()) or ())
                mapping = _column_map(headers, table, SourceLocation(where, 1), problems)
                cells = ((number, list(values)) for number, values in enumerate(rows, start=2))
                if table in tables:
                    problems.append(
                        Problem(f"a second sheet for the {table} table", SourceLocation(where))
                    )
                    continue
                tables[table] = list(_rows(cells, mapping, where))
        finally:
            workbook.close()
        return _batch(self.id, source, tables, problems)


def _check_zip(path: Path, source: str) -> None:
    """Refuse zip bombs: the uncompressed size counts against the import limit too."""
    try:
        with zipfile.ZipFile(path) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise ParseError(
            "not an XLSX workbook (not a zip file)", source=SourceLocation(source)
        ) from None
    if total > max_bytes():
        raise ParseError(
            f"the workbook expands to {total} bytes; the limit is {max_bytes()}",
            source=SourceLocation(source),
        )
