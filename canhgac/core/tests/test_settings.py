"""Settings: production refuses unsafe configuration; env parsing names the variable."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from canhgac.core.tests.processes import ROOT, environment, run_python
from config import env
from config.settings.secrets import DEMO_SECRET_KEY, check_production_secret

STRONG_KEY = "k3J9-x2pQ_aa7Lm0Zt8wYv4Rb6Nc1Hd5Ge3Fs9Ju2Ki7Ol0Pq4Rs8Tu1Vw5Xy9Za2Bc6"


def load_production(tmp_path: Path, **variables: str) -> subprocess.CompletedProcess[str]:
    code = (
        "import django; from django.conf import settings; django.setup(); "
        "print(settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE, settings.DEBUG)"
    )
    env = environment(home=tmp_path, settings="config.settings.production", **variables)
    return run_python(["-c", code], env=env, timeout=60)


def test_production_refuses_the_demo_secret(tmp_path: Path) -> None:
    result = load_production(tmp_path, SECRET_KEY=DEMO_SECRET_KEY)
    assert result.returncode != 0
    assert "SECRET_KEY is the demo/insecure key" in result.stderr


def test_production_refuses_a_missing_secret(tmp_path: Path) -> None:
    result = load_production(tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY (or SECRET_KEY_FILE) must be set" in result.stderr


def test_production_refuses_debug(tmp_path: Path) -> None:
    result = load_production(tmp_path, SECRET_KEY=STRONG_KEY, DEBUG="true")
    assert result.returncode != 0
    assert "DEBUG must be off in production" in result.stderr


def test_production_starts_with_a_strong_secret_from_a_file(tmp_path: Path) -> None:
    secret_file = tmp_path / "secret"
    secret_file.write_text(STRONG_KEY + "\n", encoding="utf-8")
    result = load_production(tmp_path, SECRET_KEY_FILE=str(secret_file))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True", "False"]


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("", "must be set"),
        (DEMO_SECRET_KEY, "demo/insecure"),
        ("django-insecure-" + "x" * 60, "demo/insecure"),
        ("short", "too weak"),
        ("a" * 80, "too weak"),
    ],
)
def test_weak_secrets_are_refused(key: str, message: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=message):
        check_production_secret(key)


def test_env_values_name_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CANHGAC_TEST_FLAG", "maybe")
    with pytest.raises(env.EnvironmentValueError, match="CANHGAC_TEST_FLAG"):
        env.boolean("CANHGAC_TEST_FLAG")
    monkeypatch.setenv("CANHGAC_TEST_NUMBER", "ten")
    with pytest.raises(env.EnvironmentValueError, match="CANHGAC_TEST_NUMBER"):
        env.integer("CANHGAC_TEST_NUMBER", 1)
    monkeypatch.setenv("CANHGAC_TEST_LIST", "a, b,,c ")
    assert env.string_list("CANHGAC_TEST_LIST", []) == ["a", "b", "c"]


def test_secret_file_wins_over_the_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret_file = tmp_path / "password"
    secret_file.write_text("from-file\n", encoding="utf-8")
    monkeypatch.setenv("CANHGAC_TEST_SECRET", "from-env")
    monkeypatch.setenv("CANHGAC_TEST_SECRET_FILE", str(secret_file))
    assert env.secret("CANHGAC_TEST_SECRET") == "from-file"
    monkeypatch.setenv("CANHGAC_TEST_SECRET_FILE", str(tmp_path / "missing"))
    with pytest.raises(env.EnvironmentValueError, match="CANHGAC_TEST_SECRET_FILE"):
        env.secret("CANHGAC_TEST_SECRET")


def test_sqlite_gets_wal_and_immediate_transactions() -> None:
    from config.settings.base import database_settings

    config = database_settings("sqlite:////tmp/x.sqlite3")
    assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in config["OPTIONS"]["init_command"]
    postgres = database_settings("postgres://user:pw@127.0.0.1:5432/canhgac")
    assert postgres["ENGINE"] == "django.db.backends.postgresql"
    assert postgres["CONN_HEALTH_CHECKS"] is True


def test_env_example_documents_every_variable() -> None:
    import re

    read = set()
    for module in (ROOT / "config").rglob("*.py"):
        read |= set(re.findall(r'env\.\w+\(\s*"([A-Z_]+)"', module.read_text(encoding="utf-8")))
    documented = set(
        re.findall(
            r"^#? ?([A-Z_]+)=",
            (ROOT / ".env.example").read_text(encoding="utf-8"),
            flags=re.MULTILINE,
        )
    )
    assert read
    assert read <= documented, f"undocumented: {sorted(read - documented)}"
