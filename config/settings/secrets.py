"""Secret-key rules shared by the settings modules (no Django settings imported here)."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

# The fixed key of the test settings. Never acceptable outside tests.
DEMO_SECRET_KEY = "canhgac-demo-insecure-secret-key-do-not-use-in-production-000000"  # noqa: S105
MIN_SECRET_LENGTH = 50


def check_production_secret(key: str) -> str:
    """Return `key` if it may protect a production deployment, else raise ImproperlyConfigured."""
    if not key:
        raise ImproperlyConfigured("SECRET_KEY (or SECRET_KEY_FILE) must be set in production")
    if key == DEMO_SECRET_KEY or "insecure" in key:
        raise ImproperlyConfigured("SECRET_KEY is the demo/insecure key; generate a new one")
    if len(key) < MIN_SECRET_LENGTH or len(set(key)) < 5:
        raise ImproperlyConfigured(
            f"SECRET_KEY is too weak: use at least {MIN_SECRET_LENGTH} random characters"
        )
    return key
