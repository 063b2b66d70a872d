"""Official documents as PDF: the Django template `reports/<kind>.html` (with the shared A4
stylesheet `reports/official.css`) laid out by WeasyPrint, in Liberation Serif (Times New
Roman's metrics, with Vietnamese glyphs) or DejaVu Serif."""

from __future__ import annotations

import logging
from typing import Any

from django.template.loader import render_to_string
from weasyprint import HTML  # type: ignore[import-untyped]  # (no type information)
from weasyprint.urls import URLFetcher  # type: ignore[import-untyped]  # (no type information)

# WeasyPrint reports every CSS property it ignores at WARNING: keep the logs for real problems.
logging.getLogger("weasyprint").setLevel(logging.ERROR)
logging.getLogger("weasyprint.progress").setLevel(logging.ERROR)
logging.getLogger("fontTools").setLevel(logging.ERROR)


def pdf_bytes(kind_id: str, context: dict[str, Any]) -> bytes:
    html = render_to_string(f"reports/{kind_id}.html", context)
    # Everything is inline: a document never fetches anything (data: URIs only, for images).
    fetcher = URLFetcher(allowed_protocols={"data"}, timeout=5, allow_redirects=False)
    document: bytes = HTML(string=html, url_fetcher=fetcher).write_pdf()
    return document
