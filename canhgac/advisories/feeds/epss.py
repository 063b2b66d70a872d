"""FIRST's EPSS scores: the daily CSV, gzip-compressed (`epss_scores-YYYY-MM-DD.csv.gz`) or plain.

    #model_version:v2023.03.01,score_date:2023-03-20T00:00:00+0000
    cve,epss,percentile
    CVE-1999-0001,0.01013,0.83228

Read line by line (a full day is about 250,000 lines); the decompressed size is capped by
`max_bytes()`, so a gzip bomb stops with a ParseError. Format and mapping: docs/feeds/epss.md.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import math
import re
import zlib
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import ClassVar

from canhgac.advisories.feeds.common import CVE_ID, GZIP_MAGIC, Problems, Readable, gunzip_head
from canhgac.advisories.feeds.interface import AdvisoryParser
from canhgac.advisories.feeds.records import AdvisoryBatch, EpssRecord
from canhgac.core.exceptions import ParseError, SourceLocation
from canhgac.core.files import check_size, max_bytes

HEADER = ["cve", "epss", "percentile"]
CHUNK = 1 << 16
MAX_LINE = 64 * 1024  # a real line is about 40 bytes

_SNIFF = re.compile(rb"#model_version:|cve,epss,percentile\r?\n")


class EpssParser(AdvisoryParser):
    id: ClassVar[str] = "epss"
    display_name: ClassVar[str] = "FIRST EPSS scores (CSV, plain or gzip)"
    extensions: ClassVar[tuple[str, ...]] = (".csv.gz", ".csv")

    @classmethod
    def sniff(cls, head: bytes, name: str) -> bool:
        return bool(_SNIFF.match(gunzip_head(head).removeprefix(codecs.BOM_UTF8)))

    def parse(self, path: Path, *, source: str) -> AdvisoryBatch:
        check_size(path, source)
        try:
            with path.open("rb") as raw:
                gzipped = raw.read(2) == GZIP_MAGIC
                raw.seek(0)
                if gzipped:
                    with gzip.GzipFile(fileobj=raw) as unpacked:
                        return _read(_lines(unpacked, source), source)
                return _read(_lines(raw, source), source)
        except OSError as error:
            raise ParseError(
                f"cannot read the file: {error.strerror or error}", source=SourceLocation(source)
            ) from None


def _lines(handle: Readable, source: str) -> Iterator[str]:
    """Decoded lines (with their ends); stops at `max_bytes()` decompressed bytes."""
    limit = max_bytes()
    total = number = 0
    rest = b""
    while True:
        try:
            chunk = handle.read(CHUNK)
        except (EOFError, zlib.error, OSError) as error:  # gzip.BadGzipFile is an OSError
            raise ParseError(
                f"cannot decompress the file: {error}", source=SourceLocation(source, number + 1)
            ) from None
        total += len(chunk)
        if total > limit:
            raise ParseError(
                f"the content is larger than the limit of {limit} bytes",
                source=SourceLocation(source, number + 1),
            )
        if not chunk:
            break
        if total == len(chunk):
            chunk = chunk.removeprefix(codecs.BOM_UTF8)
        pieces = (rest + chunk).split(b"\n")
        rest = pieces.pop()
        if len(rest) > MAX_LINE:
            raise ParseError(
                f"a line is longer than {MAX_LINE} bytes; not an EPSS file",
                source=SourceLocation(source, number + len(pieces) + 1),
            )
        for piece in pieces:
            number += 1
            yield _decode(piece + b"\n", source, number)
    if rest:
        yield _decode(rest, source, number + 1)


def _decode(line: bytes, source: str, number: int) -> str:
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ParseError(
            f"not UTF-8 text (column {error.start + 1}); save the file as UTF-8",
            source=SourceLocation(source, number),
        ) from None


def _read(lines: Iterator[str], source: str) -> AdvisoryBatch:
    problems = Problems(source)
    reader = csv.reader(lines)
    model_version, score_date = "", None
    try:
        first = next(reader, None)
        if first and first[0].startswith("#"):
            model_version, score_date = _model_line(first, problems)
            first = next(reader, None)
        elif first is not None:
            problems.warn("no '#model_version:…,score_date:…' line before the header", None, 1)
        if first is None:
            raise ParseError("no header 'cve,epss,percentile'", source=SourceLocation(source))
        if [cell.strip().lower() for cell in first[:3]] != HEADER:
            shown = ",".join(first)[:60]
            raise ParseError(
                f"not an EPSS file: the header is '{shown}', expected 'cve,epss,percentile'",
                source=SourceLocation(source, reader.line_num),
            )
        records: dict[str, tuple[EpssRecord, int]] = {}
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            record = _record(row, reader.line_num, problems)
            if record is not None:
                _keep(records, record, reader.line_num, problems)
    except csv.Error as error:
        raise ParseError(
            f"invalid CSV: {error}", source=SourceLocation(source, reader.line_num)
        ) from None
    problems.raise_if_any()
    return AdvisoryBatch(
        source_format=EpssParser.id,
        source_name=source,
        epss=tuple(record for record, _ in records.values()),
        epss_model_version=model_version,
        epss_score_date=score_date,
        warnings=tuple(problems.warnings),
    )


def _model_line(cells: list[str], problems: Problems) -> tuple[str, date | None]:
    """'#model_version:v2023.03.01,score_date:2023-03-20T00:00:00+0000' → version, UTC day."""
    values = dict(cell.strip().lstrip("#").partition(":")[::2] for cell in cells if ":" in cell)
    version = values.get("model_version", "").strip()
    if not version:
        problems.warn("the first line names no model_version", "model_version", 1)
    text = values.get("score_date", "").strip()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        problems.warn(f"score_date '{text}' is not a date-time; ignored", "score_date", 1)
        return version, None
    if moment.tzinfo is None:  # no zone written: the file's dates are UTC
        return version, moment.date()
    return version, moment.astimezone(UTC).date()


def _record(row: list[str], line: int, problems: Problems) -> EpssRecord | None:
    if len(row) < len(HEADER):
        problems.add(f"the row has {len(row)} cells, expected {len(HEADER)}", None, line)
        return None
    cve_id = row[0].strip()
    valid = bool(CVE_ID.fullmatch(cve_id))
    if not valid:
        problems.add(f"'{cve_id[:40]}' is not a CVE id", "cve", line)
    numbers = []
    for column, cell in zip(HEADER[1:], row[1:3], strict=True):
        try:
            number = float(cell)
        except ValueError:
            number = math.nan
        if not 0.0 <= number <= 1.0:
            problems.add(
                f"{column} '{cell.strip()[:40]}' is not a number from 0 to 1", column, line
            )
            valid = False
        numbers.append(number)
    return EpssRecord(cve_id.upper(), numbers[0], numbers[1]) if valid else None


def _keep(
    records: dict[str, tuple[EpssRecord, int]], record: EpssRecord, line: int, problems: Problems
) -> None:
    first, first_line = records.setdefault(record.cve_id, (record, line))
    if first is record:
        return
    if first == record:
        problems.warn(f"{record.cve_id} is repeated (line {first_line}); kept once", "cve", line)
    else:
        problems.add(
            f"{record.cve_id} is repeated with other scores (line {first_line})", "cve", line
        )
