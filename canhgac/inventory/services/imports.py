"""The only writer of the inventory: imports (any format) and edits of systems and assets.

An import is all or nothing: every reference (units, systems) and every duplicate key is
checked first and all problems are reported together; then the writes are set-based
(a bounded number of queries whatever the number of rows). Importing the same file again
changes nothing.

Merge rules, per asset:
- scalar fields (name, OS, criticality, ...) take the record's value when it is not empty;
  an import never blanks what another source said;
- host names, IP and MAC addresses, tags and sources are merged (union);
- components, services and installed updates are a snapshot per source: rows the source
  reported before but not now get `removed_at`; rows it reports again are revived;
- `last_seen` moves forward to the batch's `observed_at` (or to now when a row changes).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar, cast

from django.db import IntegrityError, connection, transaction
from django.db.models import Field, Model

from canhgac.accounts import access
from canhgac.accounts.actors import SystemActor
from canhgac.accounts.enums import Permission
from canhgac.accounts.models import Unit, User
from canhgac.accounts.services.common import Actor
from canhgac.audit.enums import AuditAction
from canhgac.audit.services import Target, audit_record
from canhgac.core import clock
from canhgac.core.exceptions import (
    PermissionDeniedError,
    Problem,
    SourceLocation,
    ValidationError,
)
from canhgac.core.registry import AUTO
from canhgac.core.sequences import chunks
from canhgac.core.text import shorten
from canhgac.core.uploads import Upload, uploaded_file
from canhgac.inventory.enums import AssetKind
from canhgac.inventory.importers.records import (
    AssetRecord,
    ComponentRecord,
    InventoryBatch,
    ServiceRecord,
    SystemRecord,
)
from canhgac.inventory.importers.registry import parser_for
from canhgac.inventory.models import Asset, Component, InformationSystem, InstalledUpdate, Service
from canhgac.inventory.selectors import system_list_for_user

ModelT = TypeVar("ModelT", bound=Model)

CHUNK = 2000
# Sources whose asset kind is authoritative (a person said so); scanners only guess.
AUTHORITATIVE_SOURCES = frozenset({"csv", "xlsx", "manual"})
ASSET_SCALARS = (
    "name",
    "os_name",
    "os_cpe",
    "os_version",
    "os_build",
    "os_accuracy",
    "criticality",
    "internet_facing",
)
ASSET_LISTS = ("hostnames", "ip_addresses", "mac_addresses", "tags")
SYSTEM_FIELDS = (
    "name",
    "isp",
    "purpose",
    "system_type",
    "information_types",
    "user_count",
    "online_service_level",
    "proposed_level",
    "approved_level",
    "approval_decision",
    "approval_date",
    "approver",
    "public_ips",
    "domains",
    "status",
)


@dataclass
class KindCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0


@dataclass
class ImportReport:
    source_format: str
    source_name: str
    dry_run: bool
    systems: KindCounts = field(default_factory=KindCounts)
    assets: KindCounts = field(default_factory=KindCounts)
    components: KindCounts = field(default_factory=KindCounts)
    services: KindCounts = field(default_factory=KindCounts)
    updates: KindCounts = field(default_factory=KindCounts)
    warnings: list[Problem] = field(default_factory=list)

    KINDS = ("systems", "assets", "components", "services", "updates")

    def as_dict(self) -> dict[str, Any]:
        return {
            "source_format": self.source_format,
            "source_name": self.source_name,
            "dry_run": self.dry_run,
            **{kind: asdict(getattr(self, kind)) for kind in self.KINDS},
            "warnings": [str(problem) for problem in self.warnings],
        }


def fingerprint(record: ComponentRecord) -> str:
    text = "\x1f".join((record.name, record.vendor, record.version, record.cpe, record.purl))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _merge_list(current: list[Any], new: Iterable[Any]) -> list[Any]:
    merged = list(current)
    for item in new:
        if item not in merged:
            merged.append(item)
    return merged


def _at(location: SourceLocation, name: str) -> SourceLocation:
    return SourceLocation(location.path, location.line, name)


def require_edit(by: Actor, units: Iterable[Unit]) -> None:
    if not isinstance(by, User):
        return
    allowed = access.units_with_permission(user=by, permission=Permission.INVENTORY_EDIT)
    denied = sorted({unit.code for unit in units if unit.pk not in allowed})
    if denied:
        raise PermissionDeniedError(
            f"you may not change the inventory of: {', '.join(denied)}",
            extra={"units": denied},
        )


# --- Resolution (checks before any write) ------------------------------------------------------


@dataclass
class _Plan:
    units: dict[str, Unit]
    asset_units: list[Unit]  # parallel to batch.assets
    stored_system_owners: list[Unit]  # current owners of systems the batch changes
    problems: list[Problem]


def _visible_units(by: Actor, codes: set[str]) -> dict[str, Unit]:
    units = Unit.objects.filter(code__in=codes)
    if isinstance(by, User):
        units = access.restrict(units, user=by, unit_field="id")
    return {unit.code: unit for unit in units}


def _column_limit(model: type[Model], name: str) -> int:
    """The longest value the column `name` of `model` holds."""
    return cast("Field[Any, Any]", model._meta.get_field(name)).max_length or 0


def _column_limits(model: type[Model], names: tuple[str, ...]) -> dict[str, int]:
    return {name: _column_limit(model, name) for name in names}


# Values longer than their column are refused with their location, never cut: a cut version
# or CPE would match other advisories. Free-text summaries (a service's banner, a component's
# evidence) are shortened where a reader sees it instead.
ASSET_LIMITS = _column_limits(
    Asset, ("key", "name", "os_name", "os_cpe", "os_version", "os_build", "criticality")
)
SERVICE_LIMITS = _column_limits(Service, ("protocol", "name", "product", "version"))
COMPONENT_LIMITS = _column_limits(Component, ("name", "vendor", "version", "cpe", "purl"))
BANNER_LIMIT = _column_limit(Service, "banner")
EVIDENCE_LIMIT = _column_limit(Component, "evidence")


def _text_problems(record: AssetRecord) -> list[Problem]:
    """Values the database cannot store as given (too long, NUL characters)."""
    problems = []
    for name, limit in ASSET_LIMITS.items():
        value = getattr(record, name)
        if len(value) > limit:
            problems.append(
                Problem(f"{name} is longer than {limit} characters", _at(record.location, name))
            )
        if "\x00" in value:
            problems.append(Problem(f"{name} contains a NUL character", _at(record.location, name)))
    listed: tuple[tuple[str, Sequence[Any], dict[str, int], str], ...] = (
        ("service", record.services, SERVICE_LIMITS, "banner"),
        ("component", record.components, COMPONENT_LIMITS, "evidence"),
    )
    for label, items, limits, summary in listed:
        where = _at(record.location, f"{label}s")
        for item in items:
            for name, limit in limits.items():
                value = getattr(item, name)
                if len(value) > limit:
                    problems.append(
                        Problem(
                            f"{label} {name} {value[:20]!r}… is longer than {limit} characters",
                            where,
                        )
                    )
            for name in (*limits, summary):
                value = getattr(item, name)
                if "\x00" in value:
                    problems.append(
                        Problem(f"{label} {name} {value[:20]!r} contains a NUL character", where)
                    )
    return problems


def _plan(by: Actor, batch: InventoryBatch, default_unit: Unit | None) -> _Plan:
    codes = {record.unit_code for record in batch.assets if record.unit_code}
    codes |= {system.owner_unit_code for system in batch.systems}
    codes.discard("")
    units = _visible_units(by, codes)
    # Operators and providers may be units the importer does not see (a department names its
    # provider): they only need to exist.
    partner_codes = {
        code
        for system in batch.systems
        for code in (system.operator_unit_code, system.provider_unit_code)
        if code
    }
    units |= {unit.code: unit for unit in Unit.objects.filter(code__in=partner_codes - set(units))}
    problems: list[Problem] = []

    def unit_for(code: str, location: SourceLocation, field_name: str) -> Unit | None:
        if code not in units:
            problems.append(Problem(f"unknown unit code {code!r}", _at(location, field_name)))
            return None
        return units[code]

    seen_systems: dict[str, SourceLocation] = {}
    for system in batch.systems:
        if system.code in seen_systems:
            problems.append(
                Problem(
                    f"system code {system.code!r} already used at {seen_systems[system.code]}",
                    _at(system.location, "code"),
                )
            )
        seen_systems.setdefault(system.code, system.location)
        unit_for(system.owner_unit_code, system.location, "owner_unit")
        for name in ("operator_unit_code", "provider_unit_code"):
            code = getattr(system, name)
            if code:
                unit_for(code, system.location, name.removesuffix("_code"))

    # A system code may belong to a system the importer cannot see: never touch it.
    stored = {
        system.code: system
        for system in InformationSystem.objects.select_related("owner_unit").filter(
            code__in=seen_systems
        )
    }
    visible = set(_system_queryset_for(by).filter(code__in=stored).values_list("code", flat=True))
    problems.extend(
        Problem(
            f"the system code {code!r} is used by another unit", _at(seen_systems[code], "code")
        )
        for code in sorted(set(stored) - visible)
    )
    stored_owners = [system.owner_unit for code, system in stored.items() if code in visible]

    asset_units: list[Unit] = []
    seen_assets: dict[tuple[int, str], SourceLocation] = {}
    for record in batch.assets:
        problems.extend(_text_problems(record))
        unit: Unit | None
        if record.unit_code:
            unit = unit_for(record.unit_code, record.location, "unit")
        elif default_unit is not None:
            unit = default_unit
        else:
            problems.append(
                Problem(
                    "no unit: give one in the file or with --unit", _at(record.location, "unit")
                )
            )
            unit = None
        if unit is None:
            asset_units.append(default_unit or Unit())
            continue
        asset_units.append(unit)
        key = (unit.pk, record.key)
        if key in seen_assets:
            problems.append(
                Problem(
                    f"asset {record.key!r} of unit {unit.code} already listed at "
                    f"{seen_assets[key]}",
                    _at(record.location, "key"),
                )
            )
        seen_assets.setdefault(key, record.location)

    referenced = {record.system_code for record in batch.assets if record.system_code}
    known = set(seen_systems) | set(
        _system_queryset_for(by).filter(code__in=referenced).values_list("code", flat=True)
    )
    problems.extend(
        Problem(
            f"unknown information system {record.system_code!r}", _at(record.location, "system")
        )
        for record in batch.assets
        if record.system_code and record.system_code not in known
    )
    return _Plan(units, asset_units, stored_owners, problems)


def _system_queryset_for(by: Actor) -> Any:
    if isinstance(by, User):
        return system_list_for_user(user=by)
    return InformationSystem.objects.all()


# --- Writes ------------------------------------------------------------------------------------


def inventory_import(
    *, by: Actor, batch: InventoryBatch, unit: Unit | None = None, dry_run: bool = False
) -> ImportReport:
    """Store what `batch` holds; all or nothing. `unit` is the default for assets.

    Two first imports of the same new host at the same moment collide on the unique keys;
    the loser is retried once and then finds the winner's rows.
    """
    batch = _sane_observation(batch)
    for attempt in (1, 2):
        try:
            return _import_once(by, batch, unit, dry_run)
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


EARLIEST_OBSERVATION = datetime(2000, 1, 1, tzinfo=UTC)


def _sane_observation(batch: InventoryBatch) -> InventoryBatch:
    """Ignore (with a warning) an observation time before 2000 or in the future."""
    moment = batch.observed_at
    if moment is None or EARLIEST_OBSERVATION <= moment <= clock.now() + timedelta(days=1):
        return batch
    warning = Problem(
        f"the file's date {moment.isoformat()} is not plausible; ignored",
        SourceLocation(batch.source_name),
    )
    return replace(batch, observed_at=None, warnings=(*batch.warnings, warning))


def _import_once(
    by: Actor, batch: InventoryBatch, unit: Unit | None, dry_run: bool
) -> ImportReport:
    plan = _plan(by, batch, unit)
    if plan.problems:
        raise ValidationError(
            f"{batch.source_name}: {len(plan.problems)} problem(s); nothing imported",
            problems=plan.problems,
        )
    touched_units = {asset_unit.pk: asset_unit for asset_unit in plan.asset_units}
    touched_units |= {
        plan.units[s.owner_unit_code].pk: plan.units[s.owner_unit_code] for s in batch.systems
    }
    touched_units |= {owner.pk: owner for owner in plan.stored_system_owners}
    require_edit(by, touched_units.values())

    report = ImportReport(
        batch.source_format, batch.source_name, dry_run, warnings=list(batch.warnings)
    )
    now = clock.now()
    with transaction.atomic():
        systems = _store_systems(batch, plan.units, report)
        assets = _store_assets(batch, plan.asset_units, systems, report, now)
        _store_children(batch, assets, report, now)
        audit_record(
            action=AuditAction.INVENTORY_IMPORTED,
            actor=by if isinstance(by, User) else None,
            actor_label=by.label if isinstance(by, SystemActor) else None,
            unit=next(iter(touched_units.values())) if len(touched_units) == 1 else None,
            target=Target("file", batch.source_format, batch.source_name[-255:]),
            parameters={
                **{kind: asdict(getattr(report, kind)) for kind in ImportReport.KINDS},
                "units": sorted(unit.code for unit in touched_units.values()),
                "dry_run": dry_run,
            },
        )
        if dry_run:
            transaction.set_rollback(True)
    return report


def _system_values(record: SystemRecord, units: dict[str, Unit]) -> dict[str, Any]:
    """Field values by attribute name (`owner_unit_id`...: no related object is loaded)."""
    values: dict[str, Any] = {"owner_unit_id": units[record.owner_unit_code].pk}
    if record.operator_unit_code:
        values["operator_unit_id"] = units[record.operator_unit_code].pk
    if record.provider_unit_code:
        values["provider_unit_id"] = units[record.provider_unit_code].pk
    for name in SYSTEM_FIELDS:
        value = getattr(record, name)
        if value not in ("", None, ()):
            values[name] = list(value) if isinstance(value, tuple) else value
    return values


def _store_systems(
    batch: InventoryBatch, units: dict[str, Unit], report: ImportReport
) -> dict[str, InformationSystem]:
    codes = [record.code for record in batch.systems]
    existing = {
        system.code: system
        for system in InformationSystem.objects.order_by()
        .select_for_update(of=("self",))
        .filter(code__in=codes)
    }
    created: list[InformationSystem] = []
    changed: list[InformationSystem] = []
    changed_fields: set[str] = set()
    for record in batch.systems:
        values = _system_values(record, units)
        system = existing.get(record.code)
        if system is None:
            system = InformationSystem(code=record.code, sources=[batch.source_format], **values)
            created.append(system)
            existing[record.code] = system
            continue
        differing = {name for name, value in values.items() if getattr(system, name) != value}
        if batch.source_format not in system.sources:
            differing.add("sources")
            system.sources = [*system.sources, batch.source_format]
        if not differing:
            report.systems.unchanged += 1
            continue
        for name in differing - {"sources"}:
            setattr(system, name, values[name])
        system.updated_at = clock.now()
        changed.append(system)
        changed_fields |= differing
    InformationSystem.objects.bulk_create(created, batch_size=CHUNK)
    if changed:
        fields = {name.removesuffix("_id") for name in changed_fields} | {"updated_at"}
        InformationSystem.objects.bulk_update(changed, sorted(fields), batch_size=CHUNK)
    report.systems.created += len(created)
    report.systems.updated += len(changed)
    referenced = {record.system_code for record in batch.assets if record.system_code}
    missing = referenced - set(existing)
    existing |= {
        system.code: system for system in InformationSystem.objects.filter(code__in=missing)
    }
    return existing


def _asset_changes(
    asset: Asset, record: AssetRecord, source: str, *, fill_only: bool = False
) -> dict[str, Any]:
    """What the record changes on the stored asset; with `fill_only`, empty fields only."""
    changes: dict[str, Any] = {}
    for name in ASSET_SCALARS:
        value = getattr(record, name)
        current = getattr(asset, name)
        if value in ("", None) or current == value:
            continue
        if fill_only and current not in ("", None):
            continue
        changes[name] = value
    if (
        source in AUTHORITATIVE_SOURCES
        and not record.kind_is_guess
        and not fill_only
        and asset.kind != record.kind
    ):
        changes["kind"] = str(record.kind)
    for name in ASSET_LISTS:
        merged = _merge_list(getattr(asset, name), getattr(record, name))
        if merged != getattr(asset, name):
            changes[name] = merged
    if source not in asset.sources:
        changes["sources"] = [*asset.sources, source]
    return changes


def _store_assets(
    batch: InventoryBatch,
    asset_units: list[Unit],
    systems: dict[str, InformationSystem],
    report: ImportReport,
    now: datetime,
) -> list[Asset]:
    """Create or update every asset of the batch; returns them parallel to batch.assets."""
    observed = batch.observed_at
    keys_by_unit: dict[int, list[str]] = defaultdict(list)
    for record, unit in zip(batch.assets, asset_units, strict=True):
        keys_by_unit[unit.pk].append(record.key)
    existing: dict[tuple[int, str], Asset] = {}
    for unit_id, keys in keys_by_unit.items():
        for chunk in chunks(keys, CHUNK):
            locked = Asset.objects.order_by().select_for_update(of=("self",))
            for asset in locked.filter(unit_id=unit_id, key__in=chunk):
                existing[(unit_id, asset.key)] = asset
    result: list[Asset] = []
    created: list[Asset] = []
    changed: list[Asset] = []
    changed_fields: set[str] = set()
    for record, unit in zip(batch.assets, asset_units, strict=True):
        system = systems.get(record.system_code) if record.system_code else None
        stored = existing.get((unit.pk, record.key))
        if stored is None:
            seen = observed or now
            asset = Asset(
                unit=unit,
                key=record.key,
                kind=str(record.kind or AssetKind.SERVER),
                system=system,
                sources=[batch.source_format],
                first_seen=seen,
                last_seen=seen,
                **{
                    name: getattr(record, name)
                    for name in ASSET_SCALARS
                    if getattr(record, name) is not None
                },
                **{name: list(getattr(record, name)) for name in ASSET_LISTS},
            )
            created.append(asset)
        else:
            asset = stored
            # A file older than what is stored may fill gaps but never overwrites.
            older = observed is not None and observed < asset.last_seen
            changes = _asset_changes(asset, record, batch.source_format, fill_only=older)
            if system is not None and asset.system_id != system.pk:
                changes["system"] = system
            moved = observed is not None and observed > asset.last_seen
            if changes or moved:
                for name, value in changes.items():
                    setattr(asset, name, value)
                asset.last_seen = max(asset.last_seen, observed or now)
                asset.updated_at = now
                changed.append(asset)
                changed_fields |= set(changes) | {"last_seen", "updated_at"}
            if changes:
                report.assets.updated += 1
            else:
                report.assets.unchanged += 1
        result.append(asset)
    Asset.objects.bulk_create(created, batch_size=CHUNK)
    if changed:
        Asset.objects.bulk_update(changed, sorted(changed_fields), batch_size=CHUNK)
    report.assets.created += len(created)
    return result


def _store_children(
    batch: InventoryBatch, assets: list[Asset], report: ImportReport, now: datetime
) -> None:
    source = batch.source_format
    seen = batch.observed_at or now
    asset_ids = [asset.pk for asset in assets]
    _sync_snapshot(
        model=Component,
        complete="components" in batch.complete,
        source=source,
        asset_ids=asset_ids,
        counts=report.components,
        wanted={
            asset.pk: {fingerprint(c): c for c in record.components}
            for asset, record in zip(assets, batch.assets, strict=True)
        },
        key_of=lambda row: row.fingerprint,
        build=lambda asset_id, key, c: Component(
            asset_id=asset_id,
            source=source,
            fingerprint=key,
            name=c.name,
            vendor=c.vendor,
            version=c.version,
            cpe=c.cpe,
            purl=c.purl,
            evidence=shorten(c.evidence, EVIDENCE_LIMIT),
            first_seen=seen,
            last_seen=seen,
        ),
        differences=lambda row, c: {},
        seen=seen,
        observed=batch.observed_at,
    )
    _sync_snapshot(
        model=Service,
        complete="services" in batch.complete,
        source=source,
        asset_ids=asset_ids,
        counts=report.services,
        wanted={
            asset.pk: {f"{s.protocol}/{s.port}": s for s in record.services}
            for asset, record in zip(assets, batch.assets, strict=True)
        },
        key_of=lambda row: f"{row.protocol}/{row.port}",
        build=lambda asset_id, key, s: Service(
            asset_id=asset_id,
            source=source,
            port=s.port,
            protocol=s.protocol,
            first_seen=seen,
            last_seen=seen,
            **_service_values(s),
        ),
        differences=lambda row, s: {
            name: value for name, value in _service_values(s).items() if getattr(row, name) != value
        },
        seen=seen,
        observed=batch.observed_at,
    )
    _sync_snapshot(
        model=InstalledUpdate,
        complete="updates" in batch.complete,
        source=source,
        asset_ids=asset_ids,
        counts=report.updates,
        wanted={
            asset.pk: {u.kb: u for u in record.updates}
            for asset, record in zip(assets, batch.assets, strict=True)
        },
        key_of=lambda row: row.kb,
        build=lambda asset_id, key, u: InstalledUpdate(
            asset_id=asset_id,
            source=source,
            kb=u.kb,
            installed_on=u.installed_on,
            first_seen=seen,
            last_seen=seen,
        ),
        differences=lambda row, u: (
            {"installed_on": u.installed_on}
            if u.installed_on is not None and row.installed_on != u.installed_on
            else {}
        ),
        seen=seen,
        observed=batch.observed_at,
    )


def _service_values(record: ServiceRecord) -> dict[str, Any]:
    return {
        "name": record.name,
        "product": record.product,
        "version": record.version,
        "cpes": list(record.cpes),
        "banner": shorten(record.banner, BANNER_LIMIT),
        "confidence": record.confidence,
    }


def insert_rows(model: type[Model], instances: list[Any]) -> None:
    """INSERT unsaved instances with executemany: the ORM's bulk_create prepares every value of
    every row and splits batches at 999 parameters on SQLite, which made it the bottleneck of
    large imports. Values are prepared by each field exactly as the ORM would."""
    if not instances:
        return
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608 (names from models)
    prepared_cache: dict[tuple[int, Any], Any] = {}

    def prepare(field: Any, value: Any) -> Any:
        if isinstance(value, str) or value is None:
            return value  # text columns need no preparation on any backend
        if isinstance(value, list | dict):
            return field.get_db_prep_save(value, connection)
        key = (id(field), value)
        if key not in prepared_cache:
            prepared_cache[key] = field.get_db_prep_save(value, connection)
        return prepared_cache[key]

    with connection.cursor() as cursor:
        for chunk in chunks(instances, 5000):
            cursor.executemany(
                sql,
                [
                    tuple(prepare(field, getattr(row, field.attname)) for field in fields)
                    for row in chunk
                ],
            )


def _sync_snapshot(
    *,
    model: type[Any],
    source: str,
    asset_ids: list[int],
    counts: KindCounts,
    wanted: dict[int, dict[str, Any]],
    key_of: Any,
    build: Any,
    differences: Any,
    seen: datetime,
    observed: datetime | None,
    complete: bool,
) -> None:
    """Make the rows of `model` for (asset, source) match `wanted`, set-based.

    `seen` stamps new and changed rows; unchanged rows move `last_seen` only to a newer
    `observed` time (the same file imported again changes nothing). Rows missing from
    `wanted` are marked removed only when the batch is `complete` for this kind.
    """
    existing: dict[int, dict[str, Any]] = defaultdict(dict)
    for chunk in chunks(asset_ids, CHUNK):
        for row in model.objects.filter(asset_id__in=chunk, source=source):
            existing[row.asset_id][key_of(row)] = row
    to_create: list[Any] = []
    to_update: list[Any] = []
    update_fields: set[str] = set()
    to_remove: list[int] = []
    to_touch: list[int] = []
    for asset_id in asset_ids:
        rows = existing.get(asset_id, {})
        if observed is not None and rows and observed < max(r.last_seen for r in rows.values()):
            # This source already reported something newer for the asset: an older file
            # neither adds, revives nor removes anything.
            counts.unchanged += len(wanted.get(asset_id, {}))
            continue
        for key, record in wanted.get(asset_id, {}).items():
            row = rows.get(key)
            if row is None:
                to_create.append(build(asset_id, key, record))
                continue
            changes = differences(row, record)
            if row.removed_at is not None:
                changes["removed_at"] = None
            if changes:
                for name, value in changes.items():
                    setattr(row, name, value)
                row.last_seen = max(row.last_seen, seen)
                to_update.append(row)
                update_fields |= set(changes) | {"last_seen"}
                counts.updated += 1
            else:
                counts.unchanged += 1
                if observed is not None and observed > row.last_seen:
                    to_touch.append(row.pk)
        if complete:
            to_remove.extend(
                row.pk
                for key, row in rows.items()
                if key not in wanted.get(asset_id, {}) and row.removed_at is None
            )
    insert_rows(model, to_create)
    if to_update:
        model.objects.bulk_update(to_update, sorted(update_fields), batch_size=CHUNK)
    for chunk in chunks(to_remove, CHUNK):
        model.objects.filter(pk__in=chunk).update(removed_at=seen)
    for chunk in chunks(to_touch, CHUNK):
        model.objects.filter(pk__in=chunk).update(last_seen=seen)
    counts.created += len(to_create)
    counts.removed += len(to_remove)


def inventory_import_file(
    *,
    by: Actor,
    path: Path,
    source: str,
    unit: Unit | None = None,
    format_id: str = AUTO,
    dry_run: bool = False,
) -> ImportReport:
    """Recognise (or take the given) format, parse the file, and import it all or nothing."""
    parser = parser_for(path, source=source, format_id=format_id)
    batch = parser.parse(path, source=source)
    return inventory_import(by=by, batch=batch, unit=unit, dry_run=dry_run)


def inventory_import_upload(
    *,
    by: Actor,
    upload: Upload,
    unit: Unit | None = None,
    format_id: str = AUTO,
    dry_run: bool = False,
) -> ImportReport:
    """An uploaded file: refused before any work if the user may import nothing or the file is
    over the size limit; otherwise copied to a private temporary file and imported."""
    if isinstance(by, User) and not access.has_permission(
        user=by, permission=Permission.INVENTORY_EDIT
    ):
        raise PermissionDeniedError("your role does not import inventory")
    with uploaded_file(upload) as (path, name):
        return inventory_import_file(
            by=by, path=path, source=name, unit=unit, format_id=format_id, dry_run=dry_run
        )
