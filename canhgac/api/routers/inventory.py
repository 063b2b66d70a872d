"""Information systems, assets and what runs on them; file imports (any inventory format)."""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from canhgac.accounts import access
from canhgac.accounts.models import Unit
from canhgac.api.auth import request_user
from canhgac.api.schemas import ErrorOut
from canhgac.api.schemas_inventory import (
    AssetIn,
    AssetOut,
    AssetPatch,
    ComponentOut,
    ImportReportOut,
    QualityIssueOut,
    ServiceOut,
    SystemIn,
    SystemOut,
    SystemPatch,
)
from canhgac.inventory import selectors, services
from canhgac.inventory.models import Asset, Component, InformationSystem, Service
from canhgac.inventory.quality import system_quality_issues

router = Router(tags=["inventory"])
ERRORS = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def _unit(request: HttpRequest, code: str | None) -> Unit | None:
    return access.unit_get_for_user(user=request_user(request), unit_id=code) if code else None


def _system_ref(request: HttpRequest, code: str | None) -> InformationSystem | None:
    if not code:
        return None
    return selectors.system_get_for_user(user=request_user(request), code=code)


class SystemFilter(Schema):
    unit: str | None = None
    status: str | None = None
    approved_level: int | None = None
    q: str | None = None


@router.get("/systems", response=list[SystemOut], summary="Information systems in my scope")
@paginate
def system_list(request: HttpRequest, filters: Query[SystemFilter]) -> QuerySet[InformationSystem]:
    systems = selectors.system_list_for_user(user=request_user(request)).order_by("code")
    systems = selectors.system_filter(
        systems,
        q=filters.q or "",
        unit_code=filters.unit or "",
        status=filters.status or "",
        approved_level=filters.approved_level,
    )
    return systems


@router.post("/systems", response={201: SystemOut, **ERRORS}, summary="Create a system")
def system_create(request: HttpRequest, payload: SystemIn) -> Status[InformationSystem]:
    data = payload.dict(exclude={"code", "name", "owner_unit", "operator_unit", "provider_unit"})
    system = services.system_create(
        by=request_user(request),
        code=payload.code,
        name=payload.name,
        owner_unit=_unit(request, payload.owner_unit),  # type: ignore[arg-type]
        operator_unit=_unit(request, payload.operator_unit),
        provider_unit=_unit(request, payload.provider_unit),
        **data,
    )
    return Status(201, system)


@router.get("/systems/{code}", response={200: SystemOut, 404: ErrorOut}, summary="One system")
def system_get(request: HttpRequest, code: str) -> InformationSystem:
    return selectors.system_get_for_user(user=request_user(request), code=code)


@router.patch("/systems/{code}", response={200: SystemOut, **ERRORS}, summary="Change a system")
def system_update(request: HttpRequest, code: str, payload: SystemPatch) -> InformationSystem:
    user = request_user(request)
    system = selectors.system_get_for_user(user=user, code=code)
    changes: dict[str, Any] = payload.dict(exclude_unset=True)
    for name in ("operator_unit", "provider_unit"):
        if name in changes:
            changes[name] = _unit(request, changes[name])
    return services.system_update(by=user, system=system, changes=changes)


@router.delete("/systems/{code}", response={204: None, **ERRORS}, summary="Delete a system")
def system_delete(request: HttpRequest, code: str) -> Status[None]:
    user = request_user(request)
    services.system_delete(by=user, system=selectors.system_get_for_user(user=user, code=code))
    return Status(204, None)


class AssetFilter(Schema):
    unit: str | None = None
    system: str | None = None
    kind: str | None = None
    internet_facing: bool | None = None
    q: str | None = None


@router.get("/assets", response=list[AssetOut], summary="Assets in my scope")
@paginate
def asset_list(request: HttpRequest, filters: Query[AssetFilter]) -> QuerySet[Asset]:
    assets = selectors.asset_list_for_user(user=request_user(request)).order_by("unit__code", "key")
    assets = selectors.asset_filter(
        assets,
        q=filters.q or "",
        unit_code=filters.unit or "",
        system_code=filters.system or "",
        kind=filters.kind or "",
        internet_facing=filters.internet_facing,
    )
    return assets


@router.post("/assets", response={201: AssetOut, **ERRORS}, summary="Create an asset")
def asset_create(request: HttpRequest, payload: AssetIn) -> Status[Asset]:
    data = payload.dict(exclude={"unit", "key", "kind", "system"})
    asset = services.asset_create(
        by=request_user(request),
        unit=_unit(request, payload.unit),  # type: ignore[arg-type]
        key=payload.key,
        kind=payload.kind,
        system=_system_ref(request, payload.system),
        **data,
    )
    return Status(201, asset)


@router.get("/assets/{asset_id}", response={200: AssetOut, 404: ErrorOut}, summary="One asset")
def asset_get(request: HttpRequest, asset_id: int) -> Asset:
    return selectors.asset_get_for_user(user=request_user(request), asset_id=asset_id)


@router.patch("/assets/{asset_id}", response={200: AssetOut, **ERRORS}, summary="Change an asset")
def asset_update(request: HttpRequest, asset_id: int, payload: AssetPatch) -> Asset:
    user = request_user(request)
    asset = selectors.asset_get_for_user(user=user, asset_id=asset_id)
    changes: dict[str, Any] = payload.dict(exclude_unset=True)
    if "system" in changes:
        changes["system"] = _system_ref(request, changes["system"])
    return services.asset_update(by=user, asset=asset, changes=changes)


@router.delete("/assets/{asset_id}", response={204: None, **ERRORS}, summary="Delete an asset")
def asset_delete(request: HttpRequest, asset_id: int) -> Status[None]:
    user = request_user(request)
    services.asset_delete(by=user, asset=selectors.asset_get_for_user(user=user, asset_id=asset_id))
    return Status(204, None)


@router.get(
    "/assets/{asset_id}/components",
    response={200: list[ComponentOut], 404: ErrorOut},
    summary="Software on an asset",
)
def asset_components(request: HttpRequest, asset_id: int) -> list[Component]:
    asset = selectors.asset_get_for_user(user=request_user(request), asset_id=asset_id)
    return list(asset.components.filter(removed_at__isnull=True).order_by("name", "version"))


@router.get(
    "/assets/{asset_id}/services",
    response={200: list[ServiceOut], 404: ErrorOut},
    summary="Listening services of an asset",
)
def asset_services(request: HttpRequest, asset_id: int) -> list[Service]:
    asset = selectors.asset_get_for_user(user=request_user(request), asset_id=asset_id)
    return list(asset.services.filter(removed_at__isnull=True))


class ComponentFilter(Schema):
    unit: str | None = None
    name: str | None = None
    purl: str | None = None
    version: str | None = None


@router.get("/components", response=list[ComponentOut], summary="Software in my scope")
@paginate
def component_list(request: HttpRequest, filters: Query[ComponentFilter]) -> QuerySet[Component]:
    components = selectors.component_list_for_user(user=request_user(request)).order_by("pk")
    if filters.unit:
        components = components.filter(asset__unit__code=filters.unit)
    if filters.name:
        components = components.filter(name__iexact=filters.name)
    if filters.purl:
        components = components.filter(purl__startswith=filters.purl)
    if filters.version:
        components = components.filter(version=filters.version)
    return components


@router.post(
    "/imports",
    response={200: ImportReportOut, **ERRORS},
    summary="Import an inventory file (CSV, XLSX, CycloneDX, SPDX, nmap XML, host JSON)",
)
def inventory_import(
    request: HttpRequest,
    file: File[UploadedFile],
    unit: Form[str | None] = None,
    format: Form[str] = "auto",
    dry_run: Form[bool] = False,
) -> dict[str, Any]:
    report = services.inventory_import_upload(
        by=request_user(request),
        upload=file,
        unit=_unit(request, unit),
        format_id=format,
        dry_run=dry_run,
    )
    return report.as_dict()


@router.get(
    "/quality",
    response=list[QualityIssueOut],
    summary="Data-quality issues of the systems in my scope",
)
def quality(request: HttpRequest) -> list[dict[str, str]]:
    systems = selectors.system_list_for_user(user=request_user(request)).order_by("code")
    return [
        {
            "system": system.code,
            "code": issue.code,
            "severity": issue.severity,
            "message": str(issue.message),
        }
        for system in systems
        for issue in system_quality_issues(system)
    ]
