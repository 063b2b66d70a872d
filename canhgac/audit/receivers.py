"""Adapters from Django's authentication signals to audit events (no logic beyond mapping)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from canhgac.audit.enums import AuditAction
from canhgac.audit.services import audit_record


def request_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    address = request.META.get("REMOTE_ADDR")
    return str(address) if address else None


@receiver(user_logged_in, dispatch_uid="canhgac_audit_login")
def on_login(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    audit_record(action=AuditAction.LOGIN, actor=user, target=user, ip_address=request_ip(request))


@receiver(user_logged_out, dispatch_uid="canhgac_audit_logout")
def on_logout(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if user is None:
        return
    audit_record(action=AuditAction.LOGOUT, actor=user, target=user, ip_address=request_ip(request))


@receiver(user_login_failed, dispatch_uid="canhgac_audit_login_failed")
def on_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    username = str(credentials.get("username", ""))[:150]
    audit_record(
        action=AuditAction.LOGIN_FAILED,
        actor=None,
        actor_label=username or "anonymous",
        parameters={"username": username},
        ip_address=request_ip(request),
    )
