"""Uploaded files (web and API) as private temporary files, refused early when too large."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol

from canhgac.core.exceptions import ParseError, SourceLocation, ValidationError
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


# Documents people attach (letters, annexes, evidence), by suffix: what each is served as.
DOCUMENT_TYPES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".doc": "application/msword",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".csv": "text/csv",
    ".txt": "text/plain",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".zip": "application/zip",
}
_ZIP = (b"PK\x03\x04", b"PK\x05\x06")
_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    ".pdf": (b"%PDF-",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".doc": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
    ".docx": _ZIP,
    ".xlsx": _ZIP,
    ".odt": _ZIP,
    ".zip": _ZIP,
}
_TEXT_SAMPLE = 1 << 16


def content_matches(path: Path, suffix: str) -> bool:
    """Whether the file's first bytes are those of its type (a renamed executable is not a
    PDF); text types must be UTF-8 without NUL bytes."""
    with path.open("rb") as handle:
        head = handle.read(_TEXT_SAMPLE)
    signatures = _SIGNATURES.get(suffix)
    if signatures is not None:
        return head.startswith(signatures)
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:  # a sample may cut a character at its end
        return error.start >= len(head) - 3
    return True


def document_checked(path: Path, name: str, *, what: str, limit: int | None = None) -> str:
    """The suffix of an uploaded document once its type is one of DOCUMENT_TYPES, its size at
    most `limit` bytes and its content of that type; else ValidationError on the "file" field,
    naming the file. `what` says what takes it ("a warning letter", "evidence")."""
    suffix = Path(name).suffix.lower()
    if suffix not in DOCUMENT_TYPES:
        raise ValidationError(
            f"{name}: {what} takes {', '.join(sorted(DOCUMENT_TYPES))} files",
            extra={"field": "file"},
        )
    size = path.stat().st_size
    if limit is not None and size > limit:
        raise ValidationError(
            f"{name} is {size:,} bytes; {what} is limited to {limit:,} bytes",
            extra={"field": "file"},
        )
    if not content_matches(path, suffix):
        raise ValidationError(
            f"{name}: the content is not a {suffix} file", extra={"field": "file"}
        )
    return suffix
