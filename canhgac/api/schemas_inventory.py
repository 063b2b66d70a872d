"""API schemas of the inventory (stable: fields are only ever added)."""

from datetime import date, datetime
from typing import Any

from ninja import Field, Schema


class SystemOut(Schema):
    code: str
    name: str
    owner_unit: str
    operator_unit: str | None
    provider_unit: str | None
    isp: str
    purpose: str
    system_type: str
    information_types: list[str]
    user_count: int | None
    online_service_level: int | None
    proposed_level: int | None
    approved_level: int | None
    approval_decision: str
    approval_date: date | None
    approver: str
    public_ips: list[str]
    domains: list[str]
    status: str
    sources: list[str]
    updated_at: datetime

    @staticmethod
    def resolve_owner_unit(obj: Any) -> str:
        return str(obj.owner_unit.code)

    @staticmethod
    def resolve_operator_unit(obj: Any) -> str | None:
        return obj.operator_unit.code if obj.operator_unit_id else None

    @staticmethod
    def resolve_provider_unit(obj: Any) -> str | None:
        return obj.provider_unit.code if obj.provider_unit_id else None


class SystemIn(Schema):
    code: str = Field(..., max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
    name: str = Field(..., min_length=1, max_length=255)
    owner_unit: str
    operator_unit: str | None = None
    provider_unit: str | None = None
    isp: str = Field("", max_length=255)
    purpose: str = ""
    system_type: str = "internal"
    information_types: list[str] = Field(default_factory=list)
    user_count: int | None = Field(None, ge=0)
    online_service_level: int | None = Field(None, ge=1, le=4)
    proposed_level: int | None = Field(None, ge=1, le=5)
    approved_level: int | None = Field(None, ge=1, le=5)
    approval_decision: str = Field("", max_length=128)
    approval_date: date | None = None
    approver: str = Field("", max_length=255)
    public_ips: list[str] = Field(default_factory=list)
    domains: list[str] = Field(default_factory=list)
    status: str = "live"


class SystemPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=255)
    operator_unit: str | None = None
    provider_unit: str | None = None
    isp: str | None = Field(None, max_length=255)
    purpose: str | None = None
    system_type: str | None = None
    information_types: list[str] | None = None
    user_count: int | None = Field(None, ge=0)
    online_service_level: int | None = Field(None, ge=1, le=4)
    proposed_level: int | None = Field(None, ge=1, le=5)
    approved_level: int | None = Field(None, ge=1, le=5)
    approval_decision: str | None = Field(None, max_length=128)
    approval_date: date | None = None
    approver: str | None = Field(None, max_length=255)
    public_ips: list[str] | None = None
    domains: list[str] | None = None
    status: str | None = None


class AssetOut(Schema):
    id: int
    unit: str
    system: str | None
    key: str
    kind: str
    name: str
    hostnames: list[str]
    ip_addresses: list[str]
    mac_addresses: list[str]
    internet_facing: bool | None
    criticality: str
    os_name: str
    os_cpe: str
    os_version: str
    os_build: str
    tags: list[str]
    sources: list[str]
    first_seen: datetime
    last_seen: datetime

    @staticmethod
    def resolve_unit(obj: Any) -> str:
        return str(obj.unit.code)

    @staticmethod
    def resolve_system(obj: Any) -> str | None:
        return obj.system.code if obj.system_id else None


class AssetIn(Schema):
    unit: str
    key: str = Field(..., min_length=1, max_length=255)
    kind: str
    name: str = Field("", max_length=255)
    system: str | None = None
    hostnames: list[str] = Field(default_factory=list)
    ip_addresses: list[str] = Field(default_factory=list)
    internet_facing: bool | None = None
    criticality: str = ""
    os_name: str = Field("", max_length=255)
    os_cpe: str = Field("", max_length=512)
    os_version: str = Field("", max_length=64)
    os_build: str = Field("", max_length=64)
    tags: list[str] = Field(default_factory=list)


class AssetPatch(Schema):
    kind: str | None = None
    name: str | None = Field(None, max_length=255)
    system: str | None = None
    hostnames: list[str] | None = None
    ip_addresses: list[str] | None = None
    internet_facing: bool | None = None
    criticality: str | None = None
    os_name: str | None = Field(None, max_length=255)
    os_cpe: str | None = Field(None, max_length=512)
    os_version: str | None = Field(None, max_length=64)
    os_build: str | None = Field(None, max_length=64)
    tags: list[str] | None = None


class ComponentOut(Schema):
    id: int
    asset_id: int
    source: str
    name: str
    vendor: str
    version: str
    cpe: str
    purl: str
    evidence: str
    first_seen: datetime
    last_seen: datetime
    removed_at: datetime | None


class ServiceOut(Schema):
    id: int
    asset_id: int
    source: str
    port: int
    protocol: str
    name: str
    product: str
    version: str
    cpes: list[str]
    banner: str
    confidence: int | None
    removed_at: datetime | None


class KindCountsOut(Schema):
    created: int
    updated: int
    unchanged: int
    removed: int


class ImportReportOut(Schema):
    source_format: str
    source_name: str
    dry_run: bool
    systems: KindCountsOut
    assets: KindCountsOut
    components: KindCountsOut
    services: KindCountsOut
    updates: KindCountsOut
    warnings: list[str]


class QualityIssueOut(Schema):
    system: str
    code: str
    severity: str
    message: str
