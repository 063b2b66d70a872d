"""The committed DOCX templates are what the script builds; every kind has its templates."""

from __future__ import annotations

import importlib.util
import io
import zipfile
from pathlib import Path
from types import ModuleType

import pytest
from django.template.loader import get_template

from canhgac.core.registry import DuplicatePluginError, Registry
from canhgac.reports.enums import ReportFormat
from canhgac.reports.interface import ReportKind
from canhgac.reports.kinds.registry import KINDS
from canhgac.reports.renderers.docx import docx_template_path

ROOT = Path(__file__).resolve().parents[3]
PARTS = ("word/document.xml", "word/styles.xml", "word/header1.xml", "word/settings.xml")


def _script() -> ModuleType:
    path = ROOT / "scripts" / "build_report_templates.py"
    spec = importlib.util.spec_from_file_location("build_report_templates", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        return {part: archive.read(part) for part in PARTS if part in names}


def test_regenerating_the_templates_gives_the_committed_ones(tmp_path: Path) -> None:
    written = _script().build(tmp_path)
    documents = {kind.id for kind in KINDS if ReportFormat.DOCX in kind.formats}
    assert {path.stem for path in written} == documents
    for path in written:
        committed = docx_template_path(path.stem)
        assert _parts(path) == _parts(committed), (
            f"{committed.name} is stale: run uv run python scripts/build_report_templates.py"
        )
        assert b"{{ head.number }}" in _parts(path)["word/document.xml"]


@pytest.mark.parametrize("kind", list(KINDS), ids=KINDS.ids())
def test_every_kind_has_the_templates_of_its_formats(kind: type[ReportKind]) -> None:
    if ReportFormat.DOCX in kind.formats:
        assert docx_template_path(kind.id).is_file()
    if ReportFormat.PDF in kind.formats:
        get_template(f"reports/{kind.id}.html")
    assert kind.formats


def test_the_registry_refuses_a_duplicate_id() -> None:
    with pytest.raises(DuplicatePluginError):
        Registry("report kind", [*KINDS, next(iter(KINDS))])


def test_a_picture_is_placed_in_the_docx(tmp_path: Path) -> None:
    """The path a chart takes into a DOCX (a later campaign report): PNG bytes in the context."""
    from docx import Document
    from docxtpl import DocxTemplate
    from PIL import Image

    from canhgac.reports.official import Picture
    from canhgac.reports.renderers.docx import docx_context

    source = Document()
    source.add_paragraph("{{ chart }}")
    path = tmp_path / "chart.docx"
    source.save(str(path))
    png = io.BytesIO()
    Image.new("RGB", (40, 20), "white").save(png, format="PNG")
    template = DocxTemplate(str(path))
    picture = Picture(svg="<svg></svg>", png=png.getvalue(), width_mm=80)
    template.render(docx_context(template, {"chart": picture}))
    output = tmp_path / "out.docx"
    template.save(str(output))
    with zipfile.ZipFile(output) as archive:
        assert any(name.startswith("word/media/") for name in archive.namelist())
        assert b"{{ chart }}" not in archive.read("word/document.xml")
