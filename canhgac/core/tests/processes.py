"""Running canhgac as real processes in tests: a clean environment, then Python or the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

# Variables of the test run that must not leak into a process that picks its own settings.
TEST_ONLY_VARIABLES = frozenset(
    {"DATABASE_URL", "REDIS_URL", "HUEY_IMMEDIATE", "SECRET_KEY", "SECRET_KEY_FILE", "DEBUG"}
)


def environment(
    *, home: Path, settings: str = "config.settings.local", **variables: str
) -> dict[str, str]:
    """The current environment without test-only variables, with CANHGAC_HOME and settings."""
    result = {key: value for key, value in os.environ.items() if key not in TEST_ONLY_VARIABLES}
    result.update(CANHGAC_HOME=str(home), DJANGO_SETTINGS_MODULE=settings, **variables)
    return result


def run_python(
    arguments: list[str], *, env: dict[str, str], stdin: str | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """`python <arguments>` in the checkout; never raises on a non-zero exit."""
    return subprocess.run(
        [sys.executable, *arguments],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def run_canhgac(
    arguments: list[str], *, env: dict[str, str], stdin: str | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """The `canhgac` console script, exactly as installed (through its `run()` entry point)."""
    return run_python(["-m", "canhgac.cli.main", *arguments], env=env, stdin=stdin, timeout=timeout)
