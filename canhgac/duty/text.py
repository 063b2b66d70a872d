"""Text helpers of notifications: absolute links, header-safe subjects, storable errors."""

from __future__ import annotations

import re

from django.conf import settings

MAX_ERROR = 1000
_SPACES = re.compile(r"\s+")


def absolute_link(link: str) -> str:
    """ "/remediation/tasks/3/" → "https://canhgac.example.gov.vn/remediation/tasks/3/"."""
    return settings.CANHGAC_BASE_URL.rstrip("/") + "/" + link.lstrip("/")


def is_app_path(link: str) -> bool:
    """A path inside the app: starts with one slash, no scheme, no host, no control characters."""
    return (
        link.startswith("/")
        and not link.startswith("//")
        and "\\" not in link
        and not any(character.isspace() or ord(character) < 32 for character in link)
    )


def one_line(text: str, limit: int) -> str:
    """A subject fit for a mail header: whitespace (newlines included) collapsed, cut."""
    return _SPACES.sub(" ", text).strip()[:limit]


def safe_error(error: BaseException) -> str:
    """The error's class and text, without the SMTP password should a server echo it."""
    text = f"{type(error).__name__}: {error}".strip()
    for secret in (settings.EMAIL_HOST_PASSWORD,):
        if secret:
            text = text.replace(secret, "***")
    return text[:MAX_ERROR]
