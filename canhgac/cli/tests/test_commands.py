"""The `canhgac` console script, run as a real process against a fresh CANHGAC_HOME."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import subprocess
from pathlib import Path

import pytest

from canhgac.core.tests.processes import environment, run_canhgac


class Canhgac:
    def __init__(self, home: Path) -> None:
        self.home = home

    def __call__(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return run_canhgac(list(args), env=environment(home=self.home), stdin=stdin)

    def audit_count(self) -> int:
        with sqlite3.connect(self.home / "canhgac.sqlite3") as database:
            return int(database.execute("SELECT COUNT(*) FROM audit_auditevent").fetchone()[0])


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> Canhgac:
    canhgac = Canhgac(tmp_path_factory.mktemp("home"))
    result = canhgac("demo", "--no-serve")
    assert result.returncode == 0, result.stderr
    return canhgac


def test_init_twice_is_a_no_op_the_second_time(tmp_path: Path) -> None:
    canhgac = Canhgac(tmp_path)
    first = canhgac("init")
    assert first.returncode == 0, first.stderr
    assert "migrations_applied=0" not in first.stdout
    schema = (
        sqlite3.connect(tmp_path / "canhgac.sqlite3")
        .execute("SELECT name, sql FROM sqlite_master ORDER BY name")
        .fetchall()
    )

    second = canhgac("init")
    assert second.returncode == 0, second.stderr
    assert "migrations_applied=0" in second.stdout
    assert "static_files_collected=0" in second.stdout
    assert (
        sqlite3.connect(tmp_path / "canhgac.sqlite3")
        .execute("SELECT name, sql FROM sqlite_master ORDER BY name")
        .fetchall()
        == schema
    )
    assert canhgac.audit_count() == 0


def test_demo_prints_the_logins(demo_home: Canhgac) -> None:
    result = demo_home("demo", "--no-serve")
    assert result.returncode == 0, result.stderr
    assert "0 units and 0 users created" in result.stdout
    assert "CanhGac@2026" in result.stdout
    assert "yte.quanly" in result.stdout


def test_unit_list_json_is_stable(demo_home: Canhgac) -> None:
    result = demo_home("unit", "list", "--format", "json")
    assert result.returncode == 0, result.stderr
    units = json.loads(result.stdout)
    assert len(units) == 27
    assert set(units[0]) == {
        "code",
        "name",
        "kind",
        "parent",
        "depth",
        "is_coordinator",
        "is_active",
        "email",
        "phone",
    }
    assert units[0]["code"] == "UBND-TV"
    assert units[0]["parent"] is None
    by_code = {unit["code"]: unit for unit in units}
    assert by_code["BV-DK"]["parent"] == "SO-YT"
    assert by_code["SO-TTTT"]["is_coordinator"] is True


def test_user_list_json_and_csv(demo_home: Canhgac) -> None:
    as_json = json.loads(demo_home("user", "list", "-f", "json").stdout)
    by_username = {user["username"]: user for user in as_json}
    assert by_username["yte.truc"]["roles"] == ["duty_officer@SO-YT"]
    assert by_username["admin"]["roles"] == ["province_admin@SO-TTTT"]
    rows = list(csv.DictReader(io.StringIO(demo_home("user", "list", "-f", "csv").stdout)))
    assert len(rows) == len(as_json) == 11
    assert rows[0].keys() == {"username", "full_name", "email", "is_active", "roles"}


def test_audit_verify_on_the_demo(demo_home: Canhgac) -> None:
    result = demo_home("audit", "verify", "-f", "json")
    assert result.returncode == 0
    report = json.loads(result.stdout)[0]
    assert report["ok"] is True
    assert report["checked"] == demo_home.audit_count()


def test_user_create_reads_the_password_from_stdin(demo_home: Canhgac) -> None:
    result = demo_home(
        "user",
        "create",
        "nguoimoi",
        "--email",
        "moi@example.test",
        "--unit",
        "SO-TC",
        "--role",
        "unit_officer",
        "--password-stdin",
        stdin="Mat-khau-rat-dai-2026\n",
    )
    assert result.returncode == 0, result.stderr
    weak = demo_home(
        "user", "create", "yeu", "--email", "y@example.test", "--password-stdin", stdin="12345\n"
    )
    assert weak.returncode == 1
    assert weak.stderr.startswith("error: the password is too weak")
    assert "Traceback" not in weak.stderr


def test_bad_import_prints_located_problems_without_traceback(
    demo_home: Canhgac, tmp_path: Path
) -> None:
    bad = tmp_path / "units.csv"
    bad.write_text(
        "code,name,kind,parent\nX1,Unit X1,department,NOPE\n,No code,sở,\n", encoding="utf-8"
    )
    before = demo_home.audit_count()
    result = demo_home("unit", "import", str(bad))
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith("error: ")
    assert f"{bad}:3 [code]: code is required" in result.stderr
    assert "Traceback" not in result.stderr
    assert demo_home.audit_count() == before

    debug = demo_home("--debug", "unit", "import", str(bad))
    assert debug.returncode != 0
    assert "Traceback" in debug.stderr


def test_unknown_file_and_missing_file(demo_home: Canhgac, tmp_path: Path) -> None:
    missing = demo_home("unit", "import", str(tmp_path / "absent.csv"))
    assert missing.returncode == 1
    assert "cannot read the file" in missing.stderr
    odd = tmp_path / "units.txt"
    odd.write_text("x", encoding="utf-8")
    unsupported = demo_home("unit", "import", str(odd))
    assert "unsupported file type .txt" in unsupported.stderr


def test_import_then_reimport_changes_nothing(demo_home: Canhgac, tmp_path: Path) -> None:
    source = tmp_path / "xa.yaml"
    source.write_text(
        "units:\n"
        "  - code: XA-VAN-AN\n    name: Ủy ban nhân dân xã Vân An\n    kind: commune\n"
        "    parent: H-VS\n"
        "  - code: XA-VAN-BINH\n    ten_don_vi: Ủy ban nhân dân xã Vân Bình\n    loai: xã\n"
        "    ma_don_vi_cap_tren: H-VS\n",
        encoding="utf-8",
    )
    dry = json.loads(demo_home("unit", "import", str(source), "--dry-run", "-f", "json").stdout)
    assert dry[0]["created"] == 2
    assert json.loads(demo_home("unit", "list", "-f", "json").stdout)[-1]["code"] != "XA-VAN-BINH"
    first = json.loads(demo_home("unit", "import", str(source), "-f", "json").stdout)
    assert (first[0]["created"], first[0]["updated"]) == (2, 0)
    second = json.loads(demo_home("unit", "import", str(source), "-f", "json").stdout)
    assert (second[0]["created"], second[0]["updated"], second[0]["unchanged"]) == (0, 0, 2)


def test_manage_passthrough(demo_home: Canhgac) -> None:
    result = demo_home("manage", "showmigrations", "audit")
    assert result.returncode == 0
    assert "[X] 0002_append_only_guard" in result.stdout


def test_production_refusal_is_one_line(tmp_path: Path) -> None:
    env = environment(home=tmp_path, settings="config.settings.production")
    result = run_canhgac(["init"], env=env, timeout=60)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "error: SECRET_KEY (or SECRET_KEY_FILE) must be set in production"
    )


def test_user_administration_commands(demo_home: Canhgac) -> None:
    token = demo_home("token", "create", "yte.canbo", "--name", "script", "--days", "30")
    assert token.returncode == 0, token.stderr
    assert token.stdout.startswith("cg_")
    assert (
        demo_home(
            "user", "set-password", "yte.canbo", "--password-stdin", stdin="Mat-khau-moi-2026\n"
        ).returncode
        == 0
    )
    revoked = demo_home("token", "revoke", "yte.canbo")
    assert revoked.stdout.strip() == "revoked 0 token(s) of yte.canbo"  # set-password did it
    assert demo_home("user", "deactivate", "yte.canbo").returncode == 0
    users = {
        user["username"]: user
        for user in json.loads(demo_home("user", "list", "-f", "json").stdout)
    }
    assert users["yte.canbo"]["is_active"] is False
    assert demo_home("user", "activate", "yte.canbo").returncode == 0
    missing = demo_home("user", "deactivate", "nobody")
    assert missing.stderr.strip() == "error: user 'nobody' not found"


SAMPLES = Path(__file__).resolve().parents[2] / "inventory" / "tests" / "samples"


def test_inventory_import_list_and_template(demo_home: Canhgac, tmp_path: Path) -> None:
    sample = SAMPLES / "host-linux-ubuntu.json"
    first = json.loads(
        demo_home("inventory", "import", str(sample), "--unit", "SO-YT", "-o", "json").stdout
    )
    assert first["source_format"] == "host-json"
    assert first["assets"]["created"] == 1
    again = json.loads(
        demo_home("inventory", "import", str(sample), "--unit", "SO-YT", "-o", "json").stdout
    )
    assert again["components"]["unchanged"] == first["components"]["created"]
    assets = json.loads(
        demo_home("inventory", "list", "assets", "--unit", "SO-YT", "-f", "json").stdout
    )
    assert len(assets) == 3  # the demo workstation and mail server, and the imported host
    systems = json.loads(demo_home("inventory", "list", "systems", "-f", "json").stdout)
    assert {system["code"] for system in systems} >= {"CONG-DVC", "THU-CONG-VU", "QLVB"}
    written = demo_home("inventory", "template", "--output-dir", str(tmp_path))
    assert written.returncode == 0
    assert (tmp_path / "canhgac-inventory-template.xlsx").exists()


def test_inventory_bad_file_exits_non_zero_and_stores_nothing(
    demo_home: Canhgac, tmp_path: Path
) -> None:
    bomb = tmp_path / "scan.xml"
    bomb.write_text(
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;">]><nmaprun>&lol2;</nmaprun>',
        encoding="utf-8",
    )
    before = demo_home.audit_count()
    result = demo_home("inventory", "import", str(bomb), "--unit", "SO-YT")
    assert result.returncode == 1
    assert result.stderr.startswith(f"error: {bomb}")
    assert "Traceback" not in result.stderr
    unknown = demo_home("inventory", "import", str(SAMPLES / "inventory-assets.csv"))
    assert unknown.returncode == 1
    assert "inventory-assets.csv:2 [unit]: unknown unit code 'A'" in unknown.stderr
    assert demo_home.audit_count() == before


def test_exposure_match_then_findings_list_explain_and_triage(demo_home: Canhgac) -> None:
    again = demo_home("exposure", "match", "-f", "json")
    assert again.returncode == 0, again.stderr
    # the demo matched; only what other tests of the module imported since is matched again
    assert all(run["status"] == "ok" and run["closed"] == 0 for run in json.loads(again.stdout))
    full = json.loads(demo_home("exposure", "match", "--full", "-f", "json").stdout)
    assert [(run["scope"], run["new"], run["closed"]) for run in full] == [("all", 0, 0)]
    listed = json.loads(
        demo_home("findings", "list", "--cve", "CVE-2022-26809", "-f", "json").stdout
    )
    assert sorted(item["asset"] for item in listed) == [
        "his-app01.bvdk.thanhvan.example",
        "mail01.thanhvan.example",
        "syt-pc-015",
        "tc-db01.thanhvan.example",
    ]
    item = next(item for item in listed if item["asset"] == "mail01.thanhvan.example")
    assert set(item) >= {
        "id", "unit", "system", "asset", "vulnerability", "matched", "status",
        "confidence", "priority", "due", "explanation",
    }  # fmt: skip
    assert item["matched"] == {
        "kind": "os",
        "name": "Microsoft Windows Server 2019 Standard",
        "version": "10.0.17763.2686",
    }
    assert "KB5012647" in item["explanation"][0]
    explained = demo_home("findings", "explain", str(item["id"]))
    assert explained.returncode == 0, explained.stderr
    assert "10.0.17763.2803" in explained.stdout
    triaged = demo_home(
        "findings", "triage", str(item["id"]), "--status", "in_remediation",
        "--reason", "Đang cập nhật KB5012647",
    )  # fmt: skip
    assert triaged.returncode == 0, triaged.stderr
    active = json.loads(
        demo_home("findings", "list", "--status", "in_remediation", "-f", "json").stdout
    )
    assert [entry["id"] for entry in active] == [item["id"]]
    refused = demo_home("findings", "triage", str(item["id"]), "--status", "fixed", "--reason", "x")
    assert refused.returncode == 1
    assert "set by matching" in refused.stderr + refused.stdout
    csv_out = demo_home("findings", "list", "--min-priority", "P1", "-f", "csv")
    assert csv_out.stdout.splitlines()[0].startswith("id,unit,asset,vulnerability")


def test_forward_declare_and_campaign_from_the_command_line(demo_home: Canhgac) -> None:
    proposals = json.loads(
        demo_home("warnings", "proposals", "651/CATTT-NCSC", "-f", "json").stdout
    )
    expected = {row["unit"] for row in proposals}
    assert "SO-YT" in expected
    forwarded = demo_home(
        "warnings",
        "forward",
        "651/CATTT-NCSC",
        "--as",
        "300/STTTT-ATTT",
        "--due",
        "25/04/2022",
        "--units",
        "auto,SO-GDDT",
        "-f",
        "json",
    )
    assert forwarded.returncode == 0, forwarded.stderr
    tasks = json.loads(forwarded.stdout)
    assert {task["unit"] for task in tasks} == expected | {"SO-GDDT"}
    health = next(task for task in tasks if task["unit"] == "SO-YT")
    assert health["due"] == "2022-04-25"
    assert health["status"] == "new"

    assert demo_home("tasks", "ack", str(health["id"])).returncode == 0
    refused = demo_home("tasks", "update", str(health["id"]), "--status", "not_fixed")
    assert refused.returncode != 0
    assert "reason" in refused.stderr + refused.stdout
    declared = demo_home(
        "tasks",
        "update",
        str(health["id"]),
        "--status",
        "not_fixed",
        "--reason",
        "Chờ cửa sổ bảo trì",
        "--plan-date",
        "28/04/2022",
    )
    assert declared.returncode == 0, declared.stderr
    shown = json.loads(demo_home("tasks", "show", str(health["id"]), "-f", "json").stdout)
    assert {line["status"] for line in shown["lines"]} == {"not_fixed"}
    assert all(line["plan_date"] == "2022-04-28" for line in shown["lines"])
    listed = json.loads(
        demo_home(
            "tasks", "list", "--warning", "300/STTTT-ATTT", "--status", "in_progress", "-f", "json"
        ).stdout
    )
    assert [task["unit"] for task in listed] == ["SO-YT"]

    created = demo_home(
        "campaigns",
        "create",
        "le-2-9",
        "--name",
        "Quốc khánh 2/9",
        "--starts",
        "01/09/2099",
        "--ends",
        "03/09/2099",
        "--warnings",
        "651/CATTT-NCSC",
    )
    assert created.returncode == 0, created.stderr
    board = json.loads(demo_home("campaigns", "show", "le-2-9", "-f", "json").stdout)
    rows = {row["unit"]: row for row in board}
    assert "SO-YT" in rows
    fixed = next(check for check in rows["SO-YT"]["checks"] if check["key"] == "warnings_fixed")
    assert fixed["done"] is False  # SO-YT's workstation still lacks the April update
    report = demo_home.home / "campaign.pdf"
    written = demo_home("campaigns", "report", "le-2-9", "--output", str(report), "-f", "pdf")
    assert written.returncode == 0, written.stderr
    assert report.read_bytes().startswith(b"%PDF")
    assert "/STTTT-ATTT registered" in written.stdout
