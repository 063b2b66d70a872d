"""Fail if the Vietnamese catalog misses a translation, or if the code has strings that are not
in the catalogs yet (needs GNU gettext's xgettext; run `make messages` to refresh)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "canhgac" / "locale"
CATALOG = LOCALE / "vi" / "LC_MESSAGES" / "django.po"


def untranslated(path: Path) -> list[str]:
    catalog = polib.pofile(str(path))
    return [entry.msgid for entry in catalog if not entry.translated()]


def missing_from_catalog() -> list[str]:
    """Run makemessages on a copy of the catalog and list the msgids it adds."""
    if shutil.which("xgettext") is None:
        print("xgettext not found: install gettext to check that catalogs are complete")
        sys.exit(1)
    before = {entry.msgid for entry in polib.pofile(str(CATALOG))}
    with tempfile.TemporaryDirectory() as backup:
        saved = Path(backup) / "locale"
        shutil.copytree(LOCALE, saved)
        try:
            subprocess.run(
                [
                    sys.executable,
                    "manage.py",
                    "makemessages",
                    "-l",
                    "vi",
                    "--no-location",
                    "--no-obsolete",
                    "-i",
                    "node_modules",
                    "-i",
                    ".venv",
                    "-i",
                    "var",
                ],
                cwd=ROOT,
                check=True,
                capture_output=True,
                env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"},
            )
            after = {entry.msgid for entry in polib.pofile(str(CATALOG))}
        finally:
            shutil.rmtree(LOCALE)
            shutil.copytree(saved, LOCALE)
    return sorted(after - before)


def main() -> int:
    problems = 0
    for msgid in untranslated(CATALOG):
        print(f"{CATALOG.relative_to(ROOT)}: no Vietnamese translation for {msgid!r}")
        problems += 1
    for msgid in missing_from_catalog():
        print(f"not in the catalog (run `make messages` and translate): {msgid!r}")
        problems += 1
    if problems:
        return 1
    print("translations complete")
    return 0


if __name__ == "__main__":
    sys.exit(main())
