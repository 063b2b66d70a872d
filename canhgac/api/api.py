"""The API at /api/v1/: one NinjaAPI, one error format `{"message", "code", "extra"}`."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from canhgac import __version__
from canhgac.accounts.models import User
from canhgac.api.auth import ApiTokenAuth, SessionAuth
from canhgac.api.routers import (
    advisories,
    audit,
    exposure,
    inventory,
    me,
    notifications,
    remediation,
    reports,
    units,
    users,
)
from canhgac.audit.services import access_denied_record
from canhgac.core.exceptions import (
    CanhgacError,
    ConflictError,
    ErrorCode,
    NotFoundError,
    PermissionDeniedError,
    ServiceError,
    ValidationError,
)

STATUS_BY_ERROR: tuple[tuple[type[CanhgacError], int], ...] = (
    (NotFoundError, 404),
    (PermissionDeniedError, 403),
    (ConflictError, 409),
    (ServiceError, 502),
    (ValidationError, 422),
)

api = NinjaAPI(
    title="canhgac API",
    version=__version__,
    description=(
        "Security-operations platform of the province. Authenticate with a personal token "
        "(`Authorization: Bearer cg_…`, created under My account or with `canhgac token create`). "
        'Every error is `{"message", "code", "extra"}`. Lists are paginated with `limit`/`offset`.'
    ),
    auth=[ApiTokenAuth(), SessionAuth()],
    urls_namespace="api",
)


def error_response(
    request: HttpRequest,
    status: int,
    message: str,
    code: str,
    extra: dict[str, object] | None = None,
) -> HttpResponse:
    return api.create_response(
        request, {"message": message, "code": code, "extra": extra or {}}, status=status
    )


@api.exception_handler(CanhgacError)
def on_domain_error(request: HttpRequest, error: CanhgacError) -> HttpResponse:
    status = next((code for kind, code in STATUS_BY_ERROR if isinstance(error, kind)), 400)
    if isinstance(error, NotFoundError | PermissionDeniedError):
        user = request.user if isinstance(getattr(request, "user", None), User) else None
        access_denied_record(
            user=user,  # type: ignore[arg-type]
            method=request.method or "",
            path=request.path,
            code=error.code.value,
            extra=error.extra,
        )
    return error_response(request, status, error.message, error.code.value, error.extra)


@api.exception_handler(NinjaValidationError)
def on_validation_error(request: HttpRequest, error: NinjaValidationError) -> HttpResponse:
    problems = [
        {
            "message": item.get("msg", "invalid"),
            "field": ".".join(str(part) for part in item.get("loc", ())),
        }
        for item in error.errors
    ]
    return error_response(request, 422, "invalid input", ErrorCode.INVALID, {"problems": problems})


@api.exception_handler(AuthenticationError)
def on_authentication_error(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
    return error_response(request, 401, "authentication required", ErrorCode.NOT_AUTHENTICATED)


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, error: Http404) -> HttpResponse:
    return error_response(request, 404, "not found", ErrorCode.NOT_FOUND)


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, error: HttpError) -> HttpResponse:
    code = ErrorCode.PERMISSION_DENIED if error.status_code == 403 else ErrorCode.INVALID
    return error_response(request, error.status_code, str(error.message), code)


@api.get("/health", auth=None, tags=["system"], summary="Liveness check")
def health(request: HttpRequest) -> dict[str, str]:
    return {"status": "ok", "version": __version__}


api.add_router("/me", me.router)
api.add_router("/units", units.router)
api.add_router("/", users.router)
api.add_router("/audit", audit.router)
api.add_router("/inventory", inventory.router)
api.add_router("/advisories", advisories.router)
api.add_router("/exposure", exposure.router)
api.add_router("/notifications", notifications.router)
api.add_router("/remediation", remediation.router)
api.add_router("/reports", reports.router)
