"""Charts of the documents, drawn without a browser (pure: no Django).

A horizontal bar chart of percentages per label (a campaign's readiness per unit): the same
geometry written as SVG (inline in the PDF's HTML) and drawn as PNG with Pillow (placed in the
DOCX), so both documents show the same figure.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from PIL import Image, ImageDraw, ImageFont

from canhgac.reports.official import Picture

# Fonts with Vietnamese glyphs (Debian fonts-dejavu-core, fonts-liberation2).
FONT_FILES = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf"),
)
LABEL_WIDTH, BAR_WIDTH, VALUE_WIDTH = 260, 330, 60  # px at SCALE 1
ROW, TOP, FONT_SIZE = 26, 10, 13
SCALE = 2  # the PNG is drawn at twice the size for print
GOOD, PARTIAL, LOW = "#2e7d32", "#f9a825", "#c62828"


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    percent: int


def colour(percent: int) -> str:
    return GOOD if percent >= 100 else PARTIAL if percent >= 50 else LOW


def bar_chart(bars: Sequence[Bar], *, width_mm: float = 165) -> Picture:
    """One bar per label, 0-100 %, labels shortened to fit."""
    width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH
    height = TOP * 2 + ROW * max(len(bars), 1)
    return Picture(svg=_svg(bars, width, height), png=_png(bars, width, height), width_mm=width_mm)


def _fit(label: str, limit: int = 34) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _length(bar: Bar) -> int:
    return round(BAR_WIDTH * max(0, min(bar.percent, 100)) / 100)


def _svg(bars: Sequence[Bar], width: int, height: int) -> str:
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" font-family="DejaVu Sans, Liberation Sans, sans-serif" '
        f'font-size="{FONT_SIZE}">',
        f'<line x1="{LABEL_WIDTH}" y1="{TOP}" x2="{LABEL_WIDTH}" y2="{height - TOP}" '
        f'stroke="#555" stroke-width="1"/>',
    ]
    for index, bar in enumerate(bars):
        y = TOP + index * ROW
        parts += [
            f'<text x="{LABEL_WIDTH - 6}" y="{y + ROW * 0.65:.1f}" text-anchor="end">'
            f"{escape(_fit(bar.label))}</text>",
            f'<rect x="{LABEL_WIDTH}" y="{y + 4}" width="{_length(bar)}" height="{ROW - 8}" '
            f'fill="{colour(bar.percent)}"/>',
            f'<text x="{LABEL_WIDTH + _length(bar) + 6}" y="{y + ROW * 0.65:.1f}">'
            f"{bar.percent}%</text>",
        ]
    parts.append("</svg>")
    return "".join(parts)


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for path in FONT_FILES:
        if path.exists():
            return ImageFont.truetype(str(path), size)
    return ImageFont.load_default()


def _png(bars: Sequence[Bar], width: int, height: int) -> bytes:
    image = Image.new("RGB", (width * SCALE, height * SCALE), "white")
    draw = ImageDraw.Draw(image)
    font = _font(FONT_SIZE * SCALE)
    axis = LABEL_WIDTH * SCALE
    draw.line([(axis, TOP * SCALE), (axis, (height - TOP) * SCALE)], fill="#555555", width=SCALE)
    for index, bar in enumerate(bars):
        y = (TOP + index * ROW) * SCALE
        middle = y + ROW * SCALE // 2
        draw.text((axis - 6 * SCALE, middle), _fit(bar.label), font=font, fill="black", anchor="rm")
        right = axis + _length(bar) * SCALE
        if right > axis:
            draw.rectangle(
                [(axis, y + 4 * SCALE), (right, y + (ROW - 4) * SCALE)], fill=colour(bar.percent)
            )
        draw.text(
            (right + 6 * SCALE, middle), f"{bar.percent}%", font=font, fill="black", anchor="lm"
        )
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
