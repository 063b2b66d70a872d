"""Test settings: fast hashing, tasks run immediately, a fixed insecure key."""

from __future__ import annotations

from config.huey import build_huey
from config.settings.base import *  # noqa: F403
from config.settings.base import CANHGAC_HOME
from config.settings.secrets import DEMO_SECRET_KEY

SECRET_KEY = DEMO_SECRET_KEY
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
HUEY_IMMEDIATE = True
HUEY = build_huey(redis_url="", sqlite_path=CANHGAC_HOME / "huey.sqlite3", immediate=True)
