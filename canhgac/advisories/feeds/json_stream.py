"""A JSON text read piece by piece, for feed files too large to load as one tree."""

from __future__ import annotations

import codecs
import gzip
import json
import re
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from canhgac.advisories.feeds.common import GZIP_MAGIC, Readable
from canhgac.core.exceptions import ParseError, SourceLocation
from canhgac.core.files import check_size, max_bytes

CHUNK = 1 << 20  # characters decoded per read
_NOT_SPACE = re.compile(r"[^ \t\r\n]")
T = TypeVar("T")


class JsonStream:
    """A JSON text read piece by piece: UTF-8 decoded a chunk at a time, values by raw_decode.

    Only the value being decoded and one chunk are held; consumed text is dropped.
    """

    def __init__(self, handle: Readable, source: str) -> None:
        self.handle = handle
        self.source = source
        self.utf8 = codecs.getincrementaldecoder("utf-8")()
        self.json = json.JSONDecoder()
        self.text = ""
        self.position = 0
        self.eof = False
        self.bytes_read = 0
        self.lines_decoded = 0
        self.limit = max_bytes()
        # line and column of text[0]; line at text[counted] (counting moves forward only)
        self.first_line, self.first_column = 1, 1
        self.counted, self.counted_line = 0, 1

    def _fill(self, at_least: int = 0) -> bool:
        if self.eof:
            return False
        self._compact()
        try:
            # at least the 3 bytes of a UTF-8 byte-order mark at the start
            raw = self.handle.read(max(at_least, CHUNK, 3 if self.bytes_read == 0 else 0))
        except (EOFError, zlib.error, OSError) as error:  # gzip.BadGzipFile is an OSError
            raise self.error(f"cannot decompress the file: {error}") from None
        start, ended = self.bytes_read, not raw
        self.bytes_read += len(raw)
        if self.bytes_read > self.limit:
            raise self.error(f"the content is larger than the limit of {self.limit} bytes")
        if start == 0 and raw.startswith(codecs.BOM_UTF8):
            raw, start = raw[3:], 3
        pending = self.utf8.getstate()[0]
        try:
            decoded = self.utf8.decode(raw, final=ended)
        except UnicodeDecodeError as error:
            offset = start - len(pending) + error.start
            line = self.lines_decoded + (pending + raw)[: error.start].count(b"\n") + 1
            raise ParseError(
                f"not UTF-8 text (byte {offset}); save the file as UTF-8",
                source=SourceLocation(self.source, line),
            ) from None
        self.lines_decoded += decoded.count("\n")
        self.text += decoded
        self.eof = ended  # (not `not raw`: a first read may hold only the byte-order mark)
        return True

    def _compact(self) -> None:
        cut = self.position
        if cut < CHUNK:
            return
        newlines = self.text.count("\n", 0, cut)
        if newlines:
            self.first_column = cut - self.text.rfind("\n", 0, cut)
        else:
            self.first_column += cut
        self.line(cut)
        self.first_line += newlines
        self.counted -= cut
        self.text = self.text[cut:]
        self.position = 0

    def line(self, index: int) -> int:
        if index < self.counted:
            return self.first_line + self.text.count("\n", 0, index)
        self.counted_line += self.text.count("\n", self.counted, index)
        self.counted = index
        return self.counted_line

    def error(self, message: str, index: int | None = None) -> ParseError:
        if index is None:
            return ParseError(message, source=SourceLocation(self.source))
        newline = self.text.rfind("\n", 0, index)
        column = index - newline if newline >= 0 else self.first_column + index
        return ParseError(
            f"{message} (column {column})", source=SourceLocation(self.source, self.line(index))
        )

    def peek(self) -> str:
        """The next character that is not white space ("" at the end)."""
        while True:
            found = _NOT_SPACE.search(self.text, self.position)
            if found:
                self.position = found.start()
                return self.text[self.position]
            self.position = len(self.text)
            if not self._fill():
                return ""

    def take(self, allowed: str, expected: str) -> str:
        char = self.peek()
        if not char or char not in allowed:
            raise self.error(f"invalid JSON: Expecting {expected}", self.position)
        self.position += 1
        return char

    def value(self) -> Any:
        while True:
            self.peek()
            try:
                value, end = self.json.raw_decode(self.text, self.position)
            except json.JSONDecodeError as error:
                near_end = error.pos >= len(self.text) - 64
                if not self.eof and (near_end or error.msg.startswith("Unterminated")):
                    self._fill(len(self.text) - self.position)
                    continue
                raise self.error(f"invalid JSON: {error.msg}", error.pos) from None
            except RecursionError:
                raise self.error("invalid JSON: nested too deeply", self.position) from None
            except ValueError as error:  # an integer literal longer than Python converts
                raise self.error(f"invalid JSON: {error}", self.position) from None
            if end >= len(self.text) and self._fill():
                continue  # a number may go on in the next chunk
            self.position = end
            return value


def read_stream(path: Path, source: str, read: Callable[[JsonStream], T]) -> T:
    """`read` applied to the JSON file at `path` (plain or gzip) as a `JsonStream`; a file that
    cannot be read is a ParseError located at `source`."""
    check_size(path, source)
    try:
        with path.open("rb") as raw:
            gzipped = raw.read(2) == GZIP_MAGIC
            raw.seek(0)
            handle: Readable = gzip.GzipFile(fileobj=raw) if gzipped else raw
            return read(JsonStream(handle, source))
    except OSError as error:
        raise ParseError(
            f"cannot read the file: {error.strerror or error}", source=SourceLocation(source)
        ) from None
