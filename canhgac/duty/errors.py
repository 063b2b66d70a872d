"""Errors of the duty context."""

from __future__ import annotations

from canhgac.core.exceptions import ServiceError


class NotifierError(ServiceError):
    """A channel could not deliver a message; the text is safe to store (no secrets)."""
