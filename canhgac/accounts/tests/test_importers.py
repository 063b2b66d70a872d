"""The pure unit-list parser: golden samples and every kind of bad input, located."""

from __future__ import annotations

from pathlib import Path

import pytest

from canhgac.accounts.importers import MAX_FILE_BYTES, parse_units_csv, parse_units_file
from canhgac.core.exceptions import ParseError, ValidationError
from canhgac.core.golden import assert_matches_golden

SAMPLES = Path(__file__).parent / "samples"


@pytest.mark.parametrize("name", ["units.csv", "units.yaml"])
def test_samples_match_golden(name: str) -> None:
    sample = SAMPLES / name
    records = parse_units_file(sample)
    assert {record.location.path for record in records} == {str(sample)}
    assert_matches_golden(
        [
            {
                "line": record.location.line,
                "code": record.code,
                "name": record.name,
                "kind": record.kind,
                "parent": record.parent_code,
                "short_name": record.short_name,
                "email": record.email,
                "phone": record.phone,
                "is_coordinator": record.is_coordinator,
            }
            for record in records
        ],
        sample,
    )


def test_vietnamese_headers_and_kind_aliases() -> None:
    records = parse_units_file(SAMPLES / "units.csv")
    by_code = {record.code: record for record in records}
    assert by_code["SO-TTTT-MAU"].kind == "department"
    assert by_code["SO-TTTT-MAU"].is_coordinator is True
    assert by_code["TT-CNTT-MAU"].kind == "sub_unit"
    assert by_code["NCC-MAU"].kind == "service_provider"
    assert by_code["UBND-MAU"].parent_code is None


def problems_of(text: str) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        parse_units_csv(text, source="units.csv")
    return [str(problem) for problem in caught.value.problems]


def test_unknown_column_is_named() -> None:
    assert problems_of("code,name,kind,colour\nA,B,department,red\n") == [
        "units.csv:1 [colour]: unknown column 'colour' (known: address, code, email, "
        "is_coordinator, kind, name, name_en, parent, phone, short_name)"
    ]


def test_every_row_problem_is_reported_with_line_and_field() -> None:
    text = (
        "code,name,kind,parent,email,is_coordinator\n"
        "ok-1,Fine,department,ROOT,a@b.vn,no\n"
        ",Missing code,department,,,\n"
        "bad code!,Name,department,,,\n"
        "K,Name,planet,,,\n"
        "E,Name,department,,not-an-email,\n"
        "F,Name,department,,,perhaps\n"
        "G,Name,department,G,,\n"
        "ok-1,Again,department,,,\n"
    )
    assert problems_of(text) == [
        "units.csv:3 [code]: code is required",
        "units.csv:4 [code]: code 'bad code!' may hold only letters, digits, '-' and '_' (max 64)",
        "units.csv:5 [kind]: unknown kind 'planet' (known: province_committee, department, "
        "district, commune, sub_unit, service_provider, assessor, national_body, isp)",
        "units.csv:6 [email]: invalid email 'not-an-email'",
        "units.csv:7 [is_coordinator]: is_coordinator must be yes/no, got 'perhaps'",
        "units.csv:8 [parent]: a unit cannot be its own parent",
        "units.csv:9 [code]: code 'ok-1' already used on line 2",
    ]


def test_extra_cells_and_blank_rows() -> None:
    assert problems_of("code,name,kind\nA,B,department,extra\n") == [
        "units.csv:2: the row has more cells than the header"
    ]
    assert parse_units_csv("code,name,kind\n\nA,B,department\n,,\n", source="x") != []


def test_empty_file() -> None:
    with pytest.raises(ParseError, match=r"units\.csv:1: the file is empty"):
        parse_units_csv("", source="units.csv")


def test_wrong_encoding_is_named(tmp_path: Path) -> None:
    path = tmp_path / "units.csv"
    path.write_bytes("code,name,kind\nA,Café Sở,department\n".encode("utf-16"))
    with pytest.raises(ParseError, match=r"units.csv: not UTF-8 text \(byte 0\)"):
        parse_units_file(path)


def test_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "units.csv"
    path.write_bytes("\ufeffcode,name,kind\nA,Sở Y tế,department\n".encode())
    assert parse_units_file(path)[0].name == "Sở Y tế"


def test_oversize_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "units.csv"
    path.write_bytes(b"x" * (MAX_FILE_BYTES + 1))
    with pytest.raises(ParseError, match="the limit is"):
        parse_units_file(path)


def test_yaml_errors_are_located(tmp_path: Path) -> None:
    broken = tmp_path / "units.yaml"
    broken.write_text("units:\n  - code: A\n    name: [unclosed\n", encoding="utf-8")
    with pytest.raises(ParseError, match=r"units.yaml:\d+: invalid YAML"):
        parse_units_file(broken)
    wrong_shape = tmp_path / "shape.yaml"
    wrong_shape.write_text("code: A\n", encoding="utf-8")
    with pytest.raises(ParseError, match="expected a list of units"):
        parse_units_file(wrong_shape)
    bad_item = tmp_path / "item.yaml"
    bad_item.write_text("- code: A\n  name: N\n  kind: department\n- just text\n", encoding="utf-8")
    with pytest.raises(ValidationError) as caught:
        parse_units_file(bad_item)
    assert [str(problem) for problem in caught.value.problems] == [
        f"{bad_item}:4: each unit must be a mapping of field: value"
    ]


def test_yaml_does_not_construct_python_objects(tmp_path: Path) -> None:
    hostile = tmp_path / "hostile.yaml"
    hostile.write_text("- !!python/object/apply:os.system ['echo owned']\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="1 problem"):
        parse_units_file(hostile)


def test_yaml_values_stay_as_written(tmp_path: Path) -> None:
    path = tmp_path / "units.yaml"
    path.write_text(
        "- code: 0123\n  name: NO\n  kind: department\n  parent: ROOT\n"
        "  phone: 0251234567\n  is_coordinator: no\n",
        encoding="utf-8",
    )
    record = parse_units_file(path)[0]
    assert (record.code, record.name, record.phone) == ("0123", "NO", "0251234567")
    assert record.is_coordinator is False
    assert record.present == {"code", "name", "kind", "parent", "phone", "is_coordinator"}
    nested = tmp_path / "nested.yaml"
    nested.write_text("- code: A\n  name: [x, y]\n  kind: department\n", encoding="utf-8")
    with pytest.raises(ValidationError) as caught:
        parse_units_file(nested)
    assert str(caught.value.problems[0]) == f"{nested}:2 [name]: name must be a single value"
