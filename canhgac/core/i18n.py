"""Compile gettext catalogs (.po → .mo) with polib, so no system gettext is needed at run time."""

from __future__ import annotations

from pathlib import Path

import polib


def compile_catalogs(locale_dir: Path) -> list[Path]:
    """Write every `*.mo` that is missing or older than its `.po`; return the files written."""
    written: list[Path] = []
    for po_path in sorted(locale_dir.glob("*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
        written.append(mo_path)
    return written
