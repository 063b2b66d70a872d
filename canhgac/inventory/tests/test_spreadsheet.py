"""The inventory spreadsheet parser (CSV and XLSX): golden samples, aliases, bad input."""

from __future__ import annotations

import contextlib
import csv
import dataclasses
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from canhgac.core.exceptions import ParseError, ValidationError
from canhgac.core.golden import assert_matches_golden
from canhgac.inventory.importers.records import InventoryBatch
from canhgac.inventory.importers.spreadsheet import CsvParser, XlsxParser
from canhgac.inventory.importers.template import write_template

SAMPLES = Path(__file__).parent / "samples"
CSV_SAMPLES = ["inventory-systems.csv", "inventory-assets.csv", "inventory-software.csv"]


def parse_csv(path: Path) -> InventoryBatch:
    return CsvParser().parse(path, source=path.name)


def without_locations(batch: InventoryBatch) -> list[dict[str, object]]:
    """The records, minus where they came from (to compare CSV with XLSX)."""
    rows: list[dict[str, object]] = []
    for record in (*batch.systems, *batch.assets):
        data = dataclasses.asdict(record)
        data.pop("location")
        for component in data.get("components", ()):
            component.pop("evidence")
        rows.append(data)
    return rows


@pytest.mark.parametrize("name", CSV_SAMPLES)
def test_csv_samples_match_golden(name: str) -> None:
    batch = parse_csv(SAMPLES / name)
    assert_matches_golden(batch, SAMPLES / name)


def test_systems_values_and_vietnamese_aliases() -> None:
    portal, documents, records = parse_csv(SAMPLES / "inventory-systems.csv").systems
    assert portal.system_type == "citizen_business"
    assert portal.information_types == ("public", "personal")
    assert portal.user_count == 250_000
    assert (portal.proposed_level, portal.approved_level) == (3, 3)
    assert portal.approval_date is not None
    assert portal.approval_date.isoformat() == "2021-03-15"
    assert portal.public_ips == ("203.0.113.10", "203.0.113.11")
    assert portal.status == "live"
    assert documents.status == "live"
    assert documents.approved_level is None
    assert records.owner_unit_code == "B"


def test_asset_keys_default_to_host_name_then_address() -> None:
    web, mail, firewall, app = parse_csv(SAMPLES / "inventory-assets.csv").assets
    assert web.key == "dvc-web01.example.gov.vn"
    assert mail.key == "mail01.example.gov.vn"
    assert (mail.kind, mail.internet_facing, mail.criticality) == ("server", True, "high")
    assert mail.os_build == "10.0.17763.2686"
    assert firewall.key == "10.10.0.1"
    assert firewall.kind == "network_device"
    assert app.kind == "web_application"
    assert web.tags == ("dmz", "web")


def test_software_rows_become_guessed_assets_with_components() -> None:
    assets = parse_csv(SAMPLES / "inventory-software.csv").assets
    by_key = {asset.key: asset for asset in assets}
    assert set(by_key) == {"mail01.example.gov.vn", "dvc-web01.example.gov.vn", "hsba-app"}
    assert all(asset.kind_is_guess for asset in assets)
    assert [c.name for c in by_key["dvc-web01.example.gov.vn"].components] == [
        "nginx",
        "spring-beans",
    ]


def write_workbook(path: Path, sheets: dict[str, Path]) -> None:
    workbook = Workbook()
    guide = workbook.active
    assert guide is not None
    guide.title = "HuongDan"
    guide.append(["ignored"])
    for title, csv_path in sheets.items():
        sheet = workbook.create_sheet(title)
        with csv_path.open(encoding="utf-8") as handle:
            for row in csv.reader(handle):
                sheet.append(row)
    workbook.save(path)


def test_xlsx_gives_the_same_records_as_csv(tmp_path: Path) -> None:
    workbook = tmp_path / "inventory.xlsx"
    write_workbook(
        workbook,
        {
            "HeThong": SAMPLES / "inventory-systems.csv",
            "TaiSan": SAMPLES / "inventory-assets.csv",
            "PhanMem": SAMPLES / "inventory-software.csv",
        },
    )
    batch = XlsxParser().parse(workbook, source="inventory.xlsx")
    systems = parse_csv(SAMPLES / "inventory-systems.csv")
    assets = parse_csv(SAMPLES / "inventory-assets.csv")
    assert without_locations(InventoryBatch("x", "x", systems=batch.systems)) == without_locations(
        systems
    )
    by_key = {asset.key: asset for asset in batch.assets}
    assert [asset.key for asset in batch.assets] == [asset.key for asset in assets.assets]
    assert [c.version for c in by_key["mail01.example.gov.vn"].components] == ["15.2.986.5"]
    assert batch.assets[1].location.path == "inventory.xlsx#TaiSan"
    assert batch.assets[1].location.line == 3


def test_template_round_trip(tmp_path: Path) -> None:
    paths = write_template(tmp_path)
    assert [path.name for path in paths] == [
        "canhgac-inventory-template.xlsx",
        "canhgac-inventory-systems.csv",
        "canhgac-inventory-assets.csv",
        "canhgac-inventory-software.csv",
    ]
    empty = XlsxParser().parse(paths[0], source="template")
    assert (empty.systems, empty.assets) == ((), ())
    for path in paths[1:]:
        assert parse_csv(path).assets == ()


def problems(text: str, tmp_path: Path) -> list[str]:
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValidationError) as caught:
        CsvParser().parse(path, source="bad.csv")
    return [str(problem) for problem in caught.value.problems]


def test_every_bad_cell_is_reported_with_row_and_column(tmp_path: Path) -> None:
    text = (
        "code,name,owner_unit,system_type,user_count,proposed_level,approval_date,public_ips,"
        "status\n"
        "S1,Fine,A,internal,10,2,01/02/2023,203.0.113.1,live\n"
        ",No code,A,internal,,,,,\n"
        "S3,Bad values,A,spaceship,many,7,31/02/2023,not-an-ip,dreaming\n"
    )
    assert problems(text, tmp_path) == [
        "bad.csv:3 [code]: code is required",
        "bad.csv:4 [system_type]: unknown value 'spaceship' (known: citizen_business, "
        "industrial_control, internal, other, shared_infrastructure)",
        "bad.csv:4 [user_count]: 'many' is not a whole number",
        "bad.csv:4 [proposed_level]: 7 is outside 1-5",
        "bad.csv:4 [approval_date]: '31/02/2023' is not a date (dd/mm/yyyy)",
        "bad.csv:4 [public_ips]: 'not-an-ip' is not an IP address",
        "bad.csv:4 [status]: unknown value 'dreaming' (known: live, planned, retired)",
    ]


def test_unknown_and_missing_columns(tmp_path: Path) -> None:
    assert problems("code,name,owner_unit,colour\nS,N,A,red\n", tmp_path) == [
        "bad.csv:1 [colour]: unknown column 'colour' in the systems table (known: code, name, "
        "owner_unit, operator_unit, provider_unit, isp, purpose, system_type, "
        "information_types, user_count, online_service_level, proposed_level, approved_level, "
        "approval_decision, approval_date, approver, public_ips, domains, status)"
    ]
    assert problems("unit,name\nA,Host\n", tmp_path) == [
        "bad.csv:1: the assets table needs a 'kind' column (Loại tài sản)"
    ]


def test_unknown_sheet_and_broken_workbook(tmp_path: Path) -> None:
    workbook = tmp_path / "odd.xlsx"
    write_workbook(workbook, {"Sheet9": SAMPLES / "inventory-systems.csv"})
    with pytest.raises(ValidationError) as caught:
        XlsxParser().parse(workbook, source="odd.xlsx")
    assert [str(p) for p in caught.value.problems] == [
        "odd.xlsx#Sheet9: unknown sheet 'Sheet9' (expected HeThong, TaiSan, PhanMem)"
    ]
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(workbook.read_bytes()[:500])
    with pytest.raises(ParseError, match=r"broken\.xlsx: not an XLSX workbook"):
        XlsxParser().parse(broken, source="broken.xlsx")


def test_oversize_and_encoding(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "big.csv"
    path.write_text("code,name,owner_unit\n" + "S,N,A\n" * 100, encoding="utf-8")
    monkeypatch.setenv("CANHGAC_IMPORT_MAX_BYTES", "100")
    with pytest.raises(ParseError, match="the limit is 100"):
        CsvParser().parse(path, source="big.csv")
    monkeypatch.delenv("CANHGAC_IMPORT_MAX_BYTES")
    latin = tmp_path / "latin.csv"
    latin.write_bytes("code,name,owner_unit\nS,Caf\xe9,A\n".encode("latin-1"))
    with pytest.raises(ParseError, match=r"latin.csv:2: not UTF-8"):
        CsvParser().parse(latin, source="latin.csv")


def test_zip_bomb_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    workbook = tmp_path / "bomb.xlsx"
    write_workbook(workbook, {"HeThong": SAMPLES / "inventory-systems.csv"})
    monkeypatch.setenv("CANHGAC_IMPORT_MAX_BYTES", str(workbook.stat().st_size + 10))
    with pytest.raises(ParseError, match="the workbook expands to"):
        XlsxParser().parse(workbook, source="bomb.xlsx")


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_mutated_csv_raises_only_documented_errors(tmp_path: Path, data: st.DataObject) -> None:
    original = (SAMPLES / "inventory-systems.csv").read_bytes()
    cut = data.draw(st.integers(0, len(original)))
    noise = data.draw(st.binary(max_size=20))
    where = data.draw(st.integers(0, cut))
    mutated = original[:where] + noise + original[where:cut]
    path = tmp_path / "mutated.csv"
    path.write_bytes(mutated)
    with contextlib.suppress(ValidationError):  # the only error a bad file may raise
        CsvParser().parse(path, source="mutated.csv")
