"""`canhgac advisories import` and `show` (in process, on the test database)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from canhgac.accounts.tests.world import World
from canhgac.cli.main import app

runner = CliRunner()


def test_import_then_show_cve_2022_26809(world: World, samples_dir: Path) -> None:
    advisories = samples_dir / "advisories"
    imported = runner.invoke(
        app,
        [
            "advisories",
            "import",
            str(advisories / "nvd" / "CVE-2022-26809.json"),
            str(advisories / "msrc-cvrf" / "cvrfDocument-2022-Apr.xml"),
            "-o",
            "json",
        ],
    )
    assert imported.exit_code == 0, imported.output
    rows = json.loads(imported.output)
    assert [row["format"] for row in rows] == ["nvd", "msrc-cvrf"]
    shown = runner.invoke(app, ["advisories", "show", "CVE-2022-26809", "--format", "json"])
    assert shown.exit_code == 0, shown.output
    detail = json.loads(shown.output)
    assert {source["source"] for source in detail["sources"]} == {"nvd", "msrc:2022-Apr"}
    windows_2022 = detail["microsoft_fixes"]["Windows Server 2022"]
    assert ("5012604", "10.0.20348.643") in {
        (fix["kb"], fix["fixed_build"]) for fix in windows_2022
    }
    missing = runner.invoke(app, ["advisories", "show", "CVE-1999-0001"])
    assert missing.exit_code != 0
