"""The client's address behind trusted reverse proxies (TRUSTED_PROXIES).

Only when the direct peer is a trusted proxy is X-Forwarded-For believed, and then the
rightmost address that is not itself a trusted proxy is the client. Sign-in lockout
(django-axes) and the audit log both read the result from REMOTE_ADDR.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable
from functools import cached_property

from django.conf import settings
from django.http import HttpRequest, HttpResponse

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(values: Iterable[str]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(value.strip(), strict=False) for value in values if value)


def client_address(remote: str, forwarded_for: str, trusted: tuple[Network, ...]) -> str:
    """The client address given the direct peer and the X-Forwarded-For header."""

    def is_trusted(address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in trusted)

    if not trusted or not is_trusted(remote):
        return remote
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not is_trusted(hop):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return remote
    return remote


class ClientAddressMiddleware:
    """Put the real client address in REMOTE_ADDR (first middleware)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    @cached_property
    def trusted(self) -> tuple[Network, ...]:
        return parse_networks(settings.TRUSTED_PROXIES)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.META["REMOTE_ADDR"] = client_address(
            request.META.get("REMOTE_ADDR", ""),
            request.META.get("HTTP_X_FORWARDED_FOR", ""),
            self.trusted,
        )
        return self.get_response(request)


def request_address(request: HttpRequest) -> str:
    """For django-axes: the (already corrected) client address."""
    return str(request.META.get("REMOTE_ADDR", ""))
