"""Web middleware: security headers, audit request context, access-error rendering."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import patch_vary_headers

from canhgac.accounts.models import User
from canhgac.audit.context import client_ip_set
from canhgac.audit.services import access_denied_record
from canhgac.core.exceptions import NotFoundError, PermissionDeniedError

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


class SecurityHeadersMiddleware:
    """CSP, permissions policy and no-store caching for signed-in pages; sets the audit IP."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with client_ip_set(request.META.get("REMOTE_ADDR") or None):
            response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response.headers.setdefault("Cache-Control", "no-store, private")
        return response


def record_denial(request: HttpRequest, error: NotFoundError | PermissionDeniedError) -> None:
    user = request.user if isinstance(request.user, User) else None
    access_denied_record(
        user=user,
        method=request.method or "",
        path=request.path,
        code=error.code.value,
        extra=error.extra,
    )


class AccessDeniedMiddleware:
    """Render NotFoundError as 404 and PermissionDeniedError as 403, and audit both."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, NotFoundError):
            record_denial(request, exception)
            return render(request, "web/error.html", {"status": 404}, status=404)
        if isinstance(exception, PermissionDeniedError):
            record_denial(request, exception)
            return render(request, "web/error.html", {"status": 403}, status=403)
        return None


class LanguageMiddleware:
    """Vietnamese first: the language chosen with the switch (cookie), else the signed-in user's
    preference, else LANGUAGE_CODE. The browser's Accept-Language is deliberately ignored."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if chosen not in self.supported:
            user = getattr(request, "user", None)
            preference = getattr(user, "language", None) if user is not None else None
            chosen = preference if preference in self.supported else settings.LANGUAGE_CODE
        translation.activate(chosen)
        request.LANGUAGE_CODE = chosen
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", chosen)
        patch_vary_headers(response, ("Cookie",))
        return response
