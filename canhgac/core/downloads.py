"""File downloads for the web and the API: always as an attachment, never sniffed."""

from __future__ import annotations

from django.db.models.fields.files import FieldFile
from django.http import FileResponse


def download(file: FieldFile, *, name: str, content_type: str = "") -> FileResponse:
    """`file` as a download named `name` (files come from outside: never shown inline)."""
    response = FileResponse(
        file.open("rb"),
        as_attachment=True,
        filename=name,
        content_type=content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
