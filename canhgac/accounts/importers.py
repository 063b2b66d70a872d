"""Pure parser of unit lists (CSV or YAML) into `UnitRecord`s, with located problems.

Columns (CSV header or YAML keys), Vietnamese or English, matched without accents or case:
    code | ma_don_vi                      required, letters/digits/-/_
    name | ten_don_vi                     required
    kind | loai                           required, one of UnitKind (or a Vietnamese alias)
    parent | parent_code | ma_don_vi_cap_tren   code of the parent unit (in the file or stored)
    name_en | ten_tieng_anh, short_name | ten_viet_tat, email | thu_dien_tu,
    phone | dien_thoai | so_dien_thoai,
    address | dia_chi, is_coordinator | chuyen_trach_attt (có/không, yes/no, 1/0)
Unknown columns are an error: a misspelt column must not be silently ignored.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from canhgac.accounts.enums import UnitKind
from canhgac.core.exceptions import ParseError, Problem, SourceLocation, ValidationError
from canhgac.core.text import fold, parse_flag

MAX_FILE_BYTES = 5 * 1024 * 1024
CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

COLUMN_ALIASES: dict[str, str] = {
    "code": "code",
    "ma_don_vi": "code",
    "ma": "code",
    "name": "name",
    "ten_don_vi": "name",
    "ten": "name",
    "kind": "kind",
    "loai": "kind",
    "loai_don_vi": "kind",
    "parent": "parent",
    "parent_code": "parent",
    "ma_don_vi_cap_tren": "parent",
    "don_vi_cap_tren": "parent",
    "name_en": "name_en",
    "ten_tieng_anh": "name_en",
    "short_name": "short_name",
    "ten_viet_tat": "short_name",
    "email": "email",
    "thu_dien_tu": "email",
    "phone": "phone",
    "so_dien_thoai": "phone",
    "dien_thoai": "phone",
    "address": "address",
    "dia_chi": "address",
    "is_coordinator": "is_coordinator",
    "chuyen_trach_attt": "is_coordinator",
}
KIND_ALIASES: dict[str, str] = {
    **{kind.value: kind.value for kind in UnitKind},
    "ubnd_tinh": UnitKind.PROVINCE_COMMITTEE,
    "so": UnitKind.DEPARTMENT,
    "so_ban_nganh": UnitKind.DEPARTMENT,
    "ubnd_huyen": UnitKind.DISTRICT,
    "huyen": UnitKind.DISTRICT,
    "ubnd_xa": UnitKind.COMMUNE,
    "xa": UnitKind.COMMUNE,
    "don_vi_truc_thuoc": UnitKind.SUB_UNIT,
    "nha_cung_cap": UnitKind.SERVICE_PROVIDER,
    "doanh_nghiep_attt": UnitKind.SERVICE_PROVIDER,
    "to_chuc_danh_gia": UnitKind.ASSESSOR,
    "co_quan_trung_uong": UnitKind.NATIONAL_BODY,
}
MAX_LENGTHS = {"name": 255, "name_en": 255, "short_name": 64, "phone": 64, "address": 255}
ALL_FIELDS = frozenset(COLUMN_ALIASES.values())


@dataclass(frozen=True, slots=True)
class UnitRecord:
    code: str
    name: str
    kind: str
    parent_code: str | None
    location: SourceLocation
    name_en: str = ""
    short_name: str = ""
    email: str = ""
    phone: str = ""
    address: str = ""
    is_coordinator: bool = False
    # The columns the file gives for this unit: an update writes only these.
    present: frozenset[str] = ALL_FIELDS


@dataclass
class _Collector:
    problems: list[Problem] = field(default_factory=list)

    def add(self, message: str, location: SourceLocation) -> None:
        self.problems.append(Problem(message, location))


def _record_from_row(
    row: dict[str, Any], location: SourceLocation, collector: _Collector
) -> UnitRecord | None:
    values = {key: ("" if value is None else str(value).strip()) for key, value in row.items()}
    before = len(collector.problems)
    for required in ("code", "name", "kind"):
        if not values.get(required):
            collector.add(f"{required} is required", _at(location, required))
    code = values.get("code", "")
    if code and not CODE_PATTERN.match(code):
        collector.add(
            f"code {code!r} may hold only letters, digits, '-' and '_' (max 64)",
            _at(location, "code"),
        )
    kind_text = values.get("kind", "")
    kind = KIND_ALIASES.get(fold(kind_text)) if kind_text else None
    if kind_text and kind is None:
        known = ", ".join(kind.value for kind in UnitKind)
        collector.add(f"unknown kind {kind_text!r} (known: {known})", _at(location, "kind"))
    email = values.get("email", "")
    if email and not EMAIL_PATTERN.match(email):
        collector.add(f"invalid email {email!r}", _at(location, "email"))
    for name, limit in MAX_LENGTHS.items():
        if len(values.get(name, "")) > limit:
            collector.add(f"{name} is longer than {limit} characters", _at(location, name))
    coordinator = parse_flag(values.get("is_coordinator", ""))
    if coordinator is None:
        collector.add(
            f"is_coordinator must be yes/no, got {values['is_coordinator']!r}",
            _at(location, "is_coordinator"),
        )
    parent = values.get("parent") or None
    if parent is not None and parent == code:
        collector.add("a unit cannot be its own parent", _at(location, "parent"))
    if len(collector.problems) > before or kind is None:
        return None
    return UnitRecord(
        present=frozenset(row),
        code=code,
        name=values["name"],
        kind=kind,
        parent_code=parent,
        location=location,
        name_en=values.get("name_en", ""),
        short_name=values.get("short_name", ""),
        email=email,
        phone=values.get("phone", ""),
        address=values.get("address", ""),
        is_coordinator=bool(coordinator),
    )


def _at(location: SourceLocation, field_name: str) -> SourceLocation:
    return SourceLocation(location.path, location.line, field_name)


def _canonical_columns(
    names: Iterable[Any], location: SourceLocation, collector: _Collector
) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for name in names:
        canonical = COLUMN_ALIASES.get(fold(str(name)))
        if canonical is None:
            known = ", ".join(sorted(set(COLUMN_ALIASES.values())))
            collector.add(f"unknown column {name!r} (known: {known})", _at(location, str(name)))
        elif canonical in mapping.values():
            collector.add(f"column {name!r} repeats {canonical!r}", _at(location, str(name)))
        else:
            mapping[str(name)] = canonical
    return mapping


def parse_units_csv(text: str, *, source: str) -> list[UnitRecord]:
    collector = _Collector()
    reader = csv.DictReader(io.StringIO(text))
    header_location = SourceLocation(source, 1)
    if not reader.fieldnames:
        raise ParseError("the file is empty (no header row)", source=header_location)
    mapping = _canonical_columns(reader.fieldnames, header_location, collector)
    if collector.problems:
        raise ValidationError(f"{source}: bad header", problems=collector.problems)
    records: list[UnitRecord] = []
    for row in reader:
        line = reader.line_num
        if None in row:
            collector.add("the row has more cells than the header", SourceLocation(source, line))
            continue
        if not any((value or "").strip() for value in row.values()):
            continue
        canonical_row = {mapping[key]: value for key, value in row.items()}
        record = _record_from_row(canonical_row, SourceLocation(source, line), collector)
        if record is not None:
            records.append(record)
    return _finish(records, collector, source)


def parse_units_yaml(text: str, *, source: str) -> list[UnitRecord]:
    collector = _Collector()
    try:
        root = yaml.compose(text, Loader=yaml.BaseLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise ParseError(f"invalid YAML: {error}", source=SourceLocation(source, line)) from None
    items_node: Any = root
    if isinstance(root, yaml.MappingNode):
        items_node = next((value for key, value in root.value if key.value == "units"), None)
    if not isinstance(items_node, yaml.SequenceNode):
        raise ParseError(
            "expected a list of units (or a mapping with a 'units' list)",
            source=SourceLocation(source, 1),
        )
    records: list[UnitRecord] = []
    for node in items_node.value:
        location = SourceLocation(source, node.start_mark.line + 1)
        if not isinstance(node, yaml.MappingNode):
            collector.add("each unit must be a mapping of field: value", location)
            continue
        # Every value stays the text written in the file (YAML 1.1 would read 0251234567 as
        # an octal number and NO as false): BaseLoader nodes, scalars only.
        item: dict[str, str] = {}
        for key_node, value_node in node.value:
            if not isinstance(value_node, yaml.ScalarNode):
                collector.add(
                    f"{key_node.value} must be a single value",
                    SourceLocation(source, value_node.start_mark.line + 1, str(key_node.value)),
                )
                continue
            item[str(key_node.value)] = str(value_node.value)
        mapping = _canonical_columns(item.keys(), location, collector)
        canonical_row = {mapping[key]: value for key, value in item.items() if key in mapping}
        record = _record_from_row(canonical_row, location, collector)
        if record is not None:
            records.append(record)
    return _finish(records, collector, source)


def _finish(records: list[UnitRecord], collector: _Collector, source: str) -> list[UnitRecord]:
    seen: dict[str, UnitRecord] = {}
    for record in records:
        if record.code in seen:
            first = seen[record.code].location.line
            collector.add(
                f"code {record.code!r} already used on line {first}",
                _at(record.location, "code"),
            )
        else:
            seen[record.code] = record
    if collector.problems:
        count = len(collector.problems)
        raise ValidationError(
            f"{source}: {count} problem(s); nothing imported", problems=collector.problems
        )
    return records


def parse_units_file(path: Path) -> list[UnitRecord]:
    """Read a .csv, .yaml or .yml unit list (UTF-8, BOM allowed), at most MAX_FILE_BYTES."""
    source = str(path)
    try:
        size = path.stat().st_size
    except OSError as error:
        raise ParseError(
            f"cannot read the file: {error.strerror}", source=SourceLocation(source)
        ) from None
    if size > MAX_FILE_BYTES:
        raise ParseError(
            f"the file is {size} bytes; the limit is {MAX_FILE_BYTES}",
            source=SourceLocation(source),
        )
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ParseError(
            f"not UTF-8 text (byte {error.start}); save the file as UTF-8",
            source=SourceLocation(source),
        ) from None
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return parse_units_csv(text, source=source)
    if suffix in {".yaml", ".yml"}:
        return parse_units_yaml(text, source=source)
    raise ParseError(
        f"unsupported file type {suffix or '(none)'}: use .csv, .yaml or .yml",
        source=SourceLocation(source),
    )
