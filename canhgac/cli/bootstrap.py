"""Django set-up for CLI commands (settings chosen from the environment)."""

from __future__ import annotations

import os

DEFAULT_SETTINGS = "config.settings.local"


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", DEFAULT_SETTINGS)
    import django

    django.setup()
