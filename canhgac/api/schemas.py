"""Request and response schemas of the API (stable: fields are only ever added)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Field, Schema


class ErrorOut(Schema):
    message: str
    code: str
    extra: dict[str, Any] = Field(default_factory=dict)


class UnitRef(Schema):
    code: str
    name: str


class UnitOut(Schema):
    id: int
    code: str
    name: str
    name_en: str
    short_name: str
    kind: str
    parent: str | None = Field(None, description="Code of the parent unit")
    depth: int
    is_coordinator: bool
    is_active: bool
    email: str
    phone: str
    address: str

    @staticmethod
    def resolve_parent(obj: Any) -> str | None:
        return obj.parent.code if obj.parent_id else None


class UnitCreateIn(Schema):
    code: str = Field(..., max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
    name: str = Field(..., min_length=1, max_length=255)
    kind: str
    parent: str | None = None
    name_en: str = Field("", max_length=255)
    short_name: str = Field("", max_length=64)
    is_coordinator: bool = False
    email: str = Field("", max_length=254)
    phone: str = Field("", max_length=64)
    address: str = Field("", max_length=255)


class UnitUpdateIn(Schema):
    name: str | None = Field(None, min_length=1, max_length=255)
    name_en: str | None = Field(None, max_length=255)
    short_name: str | None = Field(None, max_length=64)
    email: str | None = Field(None, max_length=254)
    phone: str | None = Field(None, max_length=64)
    address: str | None = Field(None, max_length=255)
    is_active: bool | None = None
    is_coordinator: bool | None = None


class MembershipOut(Schema):
    id: int
    username: str
    full_name: str
    unit: UnitRef
    role: str

    @staticmethod
    def resolve_username(obj: Any) -> str:
        return str(obj.user.username)

    @staticmethod
    def resolve_full_name(obj: Any) -> str:
        return str(obj.user.full_name)


class RoleOut(Schema):
    id: int
    unit: UnitRef
    role: str


class UserOut(Schema):
    id: int
    username: str
    full_name: str
    email: str
    title: str
    phone: str
    language: str
    is_active: bool
    last_login: datetime | None
    roles: list[RoleOut]

    @staticmethod
    def resolve_roles(obj: Any) -> list[Any]:
        return list(obj.memberships.all())


class UserCreateIn(Schema):
    username: str = Field(..., min_length=2, max_length=150, pattern=r"^[\w.@+-]+$")
    email: str = Field(..., max_length=254)
    password: str = Field(..., min_length=1, max_length=256)
    full_name: str = Field("", max_length=255)
    title: str = Field("", max_length=255)
    phone: str = Field("", max_length=64)
    language: str = "vi"


class MembershipIn(Schema):
    unit: str = Field(..., description="Unit code")
    role: str


class MeOut(Schema):
    id: int
    username: str
    full_name: str
    email: str
    language: str
    roles: list[RoleOut]
    permissions: dict[str, list[str] | str] = Field(
        ..., description='Per permission: "all" or the list of unit codes where it holds'
    )


class TokenIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    days: int | None = Field(None, ge=1, le=3650, description="Lifetime in days (default 90)")


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreatedOut(TokenOut):
    token: str = Field(..., description="The token itself; shown only in this response")


class ContractOut(Schema):
    id: int
    provider: UnitRef
    client: UnitRef
    reference: str
    services: str
    starts_on: date
    ends_on: date | None
    include_subunits: bool


class AuditEventOut(Schema):
    sequence: int
    occurred_at: datetime
    actor: str
    unit: str | None
    action: str
    target_type: str
    target_id: str
    target_label: str
    parameters: dict[str, Any]
    ip_address: str | None
    hash: str

    @staticmethod
    def resolve_actor(obj: Any) -> str:
        return str(obj.actor_label)

    @staticmethod
    def resolve_unit(obj: Any) -> str | None:
        return obj.unit.code if obj.unit_id and obj.unit else None


class ChainReportOut(Schema):
    ok: bool
    checked: int
    broken_at: int | None
    reason: str | None
