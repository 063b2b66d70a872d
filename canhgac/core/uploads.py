"""Uploaded files (web and API) as private temporary files, refused early when too large."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol

from canhgac.core.exceptions import ParseError, SourceLocation
from canhgac.core.files import max_bytes


class Upload(Protocol):
    """What the web and API hand over (Django's UploadedFile)."""

    name: str | None
    size: int | None

    def chunks(self) -> Iterable[bytes]: ...


@contextmanager
def uploaded_file(upload: Upload) -> Iterator[tuple[Path, str]]:
    """(path of a private copy, safe file name); the copy is deleted afterwards."""
    name = Path(upload.name or "upload").name[:200] or "upload"
    if (upload.size or 0) > max_bytes():
        raise ParseError(
            f"the file is {upload.size} bytes; the limit is {max_bytes()}",
            source=SourceLocation(name),
        )
    with tempfile.TemporaryDirectory(prefix="canhgac-upload-") as directory:
        path = Path(directory) / name
        with path.open("wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
        yield path, name
