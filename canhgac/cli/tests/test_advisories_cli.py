"""`canhgac advisories import` and `show` (in process, on the test database)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

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


SAMPLES = Path(__file__).parents[2] / "advisories" / "tests" / "samples"


def test_search_sync_status_and_bundles(world: World, tmp_path: Path, settings: Any) -> None:
    from canhgac.core.tests.http_server import Reply, ScriptedServer

    with ScriptedServer() as server:
        server.script("/kev.json", Reply(200, (SAMPLES / "kev-min.json").read_bytes()))
        server.script("/epss.csv", Reply(503))
        settings.KEV_URL, settings.EPSS_URL = server.url("/kev.json"), server.url("/epss.csv")
        settings.FEED_HTTP_ATTEMPTS, settings.FEED_HTTP_BACKOFF = 1, 0.0
        synced = runner.invoke(app, ["advisories", "sync", "-s", "kev", "-s", "epss", "-f", "json"])
    assert synced.exit_code == 1  # EPSS failed
    outcomes = {row["source"]: row for row in json.loads(synced.output)}
    assert outcomes["kev"]["ok"] is True
    assert outcomes["kev"]["files"] == 1
    assert outcomes["epss"]["ok"] is False
    assert "HTTP 503" in outcomes["epss"]["error"]

    status = json.loads(runner.invoke(app, ["advisories", "status", "-f", "json"]).output)
    by_source = {row["id"]: row for row in status}
    assert by_source["kev"]["held"] > 0
    assert "HTTP 503" in by_source["epss"]["last_error"]

    found = runner.invoke(app, ["advisories", "search", "--kev", "-f", "json"])
    assert found.exit_code == 0, found.output
    kev_ids = {row["id"] for row in json.loads(found.output)}
    assert kev_ids
    assert all(cve.startswith("CVE-") for cve in kev_ids)
    bad_day = runner.invoke(app, ["advisories", "search", "--published-from", "31/02/2022"])
    assert bad_day.exit_code != 0
    assert "is not a date (dd/mm/yyyy)" in bad_day.output

    bundle = tmp_path / "kev.zip"
    exported = runner.invoke(
        app, ["advisories", "export-bundle", str(bundle), "--since", "01/01/2020"]
    )
    assert exported.exit_code == 0, exported.output
    digest = exported.output.split("SHA-256 of the manifest: ")[1].split()[0]
    again = runner.invoke(
        app, ["advisories", "import-bundle", str(bundle), "--expect-sha256", digest]
    )
    assert again.exit_code == 0, again.output
    twice = runner.invoke(app, ["advisories", "import-bundle", str(bundle)])
    assert "already imported" in twice.output
    wrong = runner.invoke(
        app, ["advisories", "import-bundle", str(bundle), "--expect-sha256", "ab"]
    )
    assert wrong.exit_code == 1
