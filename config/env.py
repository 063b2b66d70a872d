"""Typed reading of the environment: the only place settings come from.

Every variable read here is documented in `.env.example`. Secrets accept a `*_FILE` variant
(the path of a file holding the value), which wins over the plain variable, so that secrets can
come from systemd credentials or mounted files instead of the process environment.
"""

from __future__ import annotations

import os
from pathlib import Path

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off", ""})


class EnvironmentValueError(ValueError):
    """A variable holds a value that cannot be used; the message names the variable."""


def string(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def secret(name: str, default: str = "") -> str:
    """Value of `NAME_FILE` (file contents, stripped) if set, else of `NAME`."""
    file_path = os.environ.get(f"{name}_FILE")
    if file_path:
        try:
            return Path(file_path).read_text(encoding="utf-8").strip()
        except OSError as error:
            raise EnvironmentValueError(f"{name}_FILE: cannot read {file_path}: {error}") from error
    return os.environ.get(name, default)


def boolean(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise EnvironmentValueError(f"{name}: expected true/false, got {raw!r}")


def integer(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as error:
        raise EnvironmentValueError(f"{name}: expected an integer, got {raw!r}") from error


def number(name: str, default: float | None) -> float | None:
    """A decimal number; `default` when unset or empty."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return float(raw)
    except ValueError as error:
        raise EnvironmentValueError(f"{name}: expected a number, got {raw!r}") from error


def string_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def path(name: str, default: Path) -> Path:
    raw = os.environ.get(name)
    return Path(raw).expanduser().resolve() if raw else default.resolve()
