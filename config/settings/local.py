"""Embedded default: SQLite, SQLite-backed Huey, demo-friendly. Plain HTTP on loopback.

The secret key is generated once into `CANHGAC_HOME/secret_key` unless SECRET_KEY is given.
"""

from __future__ import annotations

import secrets

from config import env
from config.settings.base import *  # noqa: F403
from config.settings.base import CANHGAC_HOME

DEBUG = env.boolean("DEBUG", False)


def _local_secret_key() -> str:
    given = env.secret("SECRET_KEY")
    if given:
        return given
    key_file = CANHGAC_HOME / "secret_key"
    if key_file.exists():
        return key_file.read_text(encoding="utf-8").strip()
    CANHGAC_HOME.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    key_file.write_text(key, encoding="utf-8")
    key_file.chmod(0o600)
    return key


SECRET_KEY = _local_secret_key()
