"""`canhgac reports render` and `register` (in process, on the demo province)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from canhgac.cli.main import app
from canhgac.demo.loader import demo_load
from canhgac.reports.tests.helpers import FORWARDED, forward, pdf_text, squeezed

runner = CliRunner()


@pytest.fixture
def demo(db: None) -> None:
    demo_load()


def test_cli_renders_and_lists_the_register(demo: None, tmp_path: Path) -> None:
    forward()
    output = tmp_path / "cong-van.pdf"
    rendered = runner.invoke(
        app,
        [
            "reports",
            "render",
            "forwarding_letter",
            "--letter",
            FORWARDED,
            "--format",
            "pdf",
            "--output",
            str(output),
        ],
    )
    assert rendered.exit_code == 0, rendered.output
    assert squeezed(f"Số: {FORWARDED}") in squeezed(pdf_text(output.read_bytes()))
    unit = tmp_path / "bao-cao.docx"
    rendered = runner.invoke(
        app,
        [
            "reports",
            "render",
            "unit_report",
            "--letter",
            FORWARDED,
            "--unit",
            "TT-CNTT",
            "-f",
            "docx",
            "-o",
            str(unit),
        ],
    )
    assert rendered.exit_code == 0, rendered.output
    assert unit.read_bytes()[:2] == b"PK"
    listed = runner.invoke(app, ["reports", "register", "--format", "json"])
    assert listed.exit_code == 0, listed.output
    rows = json.loads(listed.output)
    assert [(row["kind"], row["number"]) for row in rows] == [
        ("unit_report", "1/BC-TT-CNTT"),
        ("forwarding_letter", FORWARDED),
    ]
    missing = runner.invoke(
        app,
        [
            "reports",
            "render",
            "unit_report",
            "--letter",
            FORWARDED,
            "--unit",
            "SO-NV",
            "-f",
            "pdf",
            "-o",
            str(unit),
        ],
    )
    assert missing.exit_code != 0
