"""Official documents as DOCX: the kind's template `templates/docx/<kind>.docx` (made by
`scripts/build_report_templates.py`) filled by docxtpl. The result stays editable and can be
signed digitally (chữ ký số) in Word or LibreOffice."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from docx.shared import Mm
from docxtpl import (  # type: ignore[import-untyped]  # (no type information)
    DocxTemplate,
    InlineImage,
)
from jinja2 import Environment, StrictUndefined

from canhgac.reports.official import Picture

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "docx"


def docx_template_path(kind_id: str) -> Path:
    return TEMPLATES / f"{kind_id}.docx"


def docx_bytes(kind_id: str, context: dict[str, Any]) -> bytes:
    template = DocxTemplate(str(docx_template_path(kind_id)))
    # Values are escaped for XML; a name the template uses and the context lacks is an error.
    environment = Environment(autoescape=True, undefined=StrictUndefined)
    template.render(docx_context(template, context), jinja_env=environment, autoescape=True)
    buffer = io.BytesIO()
    template.save(buffer)
    return buffer.getvalue()


def docx_context(template: Any, context: dict[str, Any]) -> dict[str, Any]:
    """The context with each `Picture` value turned into an image docxtpl places inline."""
    return {
        key: InlineImage(template, io.BytesIO(value.png), width=Mm(value.width_mm))
        if isinstance(value, Picture)
        else value
        for key, value in context.items()
    }
