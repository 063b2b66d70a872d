"""Small helpers every parser test uses: write a file, expect an error, list its problems."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from canhgac.core.exceptions import ParseError, ValidationError
from canhgac.core.tests.mutation import Parses

Parser = Callable[[], Parses[object]]


def write(directory: Path, name: str, content: str | bytes) -> Path:
    path = directory / name
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return path


def parse_error(parser: Parser, path: Path) -> ParseError:
    """The ParseError (a file that cannot be read as its format) parsing `path` raises."""
    with pytest.raises(ParseError) as caught:
        parser().parse(path, source=path.name)
    return caught.value


def rejected(parser: Parser, path: Path) -> ValidationError:
    """The ValidationError (a ParseError, or a readable file with bad fields) `path` raises."""
    with pytest.raises(ValidationError) as caught:
        parser().parse(path, source=path.name)
    return caught.value


def located(error: ValidationError) -> list[str]:
    return [str(problem) for problem in error.problems]
