"""Request context for audit events: the client address, set by the web/API adapters."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_client_ip: ContextVar[str | None] = ContextVar("canhgac_audit_client_ip", default=None)


def client_ip() -> str | None:
    return _client_ip.get()


@contextmanager
def client_ip_set(address: str | None) -> Iterator[None]:
    token = _client_ip.set(address)
    try:
        yield
    finally:
        _client_ip.reset(token)
