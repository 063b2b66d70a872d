"""Reading untrusted input files safely, for every importer and feed parser.

Size limit, text decoding, JSON, XML without DTDs or entities, CPE 2.2 to 2.3.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from canhgac.core.exceptions import ParseError, SourceLocation

DEFAULT_MAX_BYTES = 200 * 1024 * 1024


def max_bytes() -> int:
    """Largest accepted file (CANHGAC_IMPORT_MAX_BYTES, default 200 MB)."""
    raw = os.environ.get("CANHGAC_IMPORT_MAX_BYTES", "")
    return int(raw) if raw.isdigit() else DEFAULT_MAX_BYTES


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def check_size(path: Path, source: str) -> None:
    try:
        size = path.stat().st_size
    except OSError as error:
        raise ParseError(
            f"cannot read the file: {error.strerror}", source=SourceLocation(source)
        ) from None
    limit = max_bytes()
    if size > limit:
        raise ParseError(
            f"the file is {size} bytes; the limit is {limit}", source=SourceLocation(source)
        )


def read_text(path: Path, source: str) -> str:
    """The file as UTF-8 text (a BOM is accepted), after the size check."""
    check_size(path, source)
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise ParseError(
            f"not UTF-8 text (byte {error.start}); save the file as UTF-8",
            source=SourceLocation(source, line),
        ) from None


def load_json(path: Path, source: str) -> Any:
    text = read_text(path, source)
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ParseError(
            f"invalid JSON: {error.msg} (column {error.colno})",
            source=SourceLocation(source, error.lineno),
        ) from None
    except RecursionError:
        raise ParseError("invalid JSON: nested too deeply", source=SourceLocation(source)) from None
    except ValueError as error:  # e.g. an integer longer than Python's digit limit
        raise ParseError(f"invalid JSON: {error}", source=SourceLocation(source)) from None


def iter_xml(
    path: Path, source: str, events: tuple[str, ...] = ("end",), parser: Any = None
) -> Iterator[tuple[str, Element]]:
    """Stream XML elements with DTDs, entities and external references refused.

    `parser` may be a `defusedxml.ElementTree.DefusedXMLParser` of the caller's (e.g. one that
    records line numbers, or accepts nmap's bare DOCTYPE line); it must stay defused.
    """
    check_size(path, source)
    try:
        if parser is None:
            yield from iterparse(
                str(path),
                events=events,
                forbid_dtd=True,
                forbid_entities=True,
                forbid_external=True,
            )
        else:
            yield from iterparse(str(path), events=events, parser=parser)
    except DefusedXmlException as error:
        raise ParseError(
            f"refused XML: {type(error).__name__} (DTDs and entities are not allowed)",
            source=SourceLocation(source),
        ) from None
    except SyntaxError as error:  # xml.etree.ElementTree.ParseError is a SyntaxError
        position = getattr(error, "position", (None, None))
        raise ParseError(
            f"invalid XML: {error}", source=SourceLocation(source, position[0])
        ) from None
    except LookupError as error:  # an encoding Python does not know (encoding="utf-9")
        raise ParseError(
            f"invalid XML: unsupported encoding ({error})", source=SourceLocation(source, 1)
        ) from None
    except ValueError as error:  # expat: "multi-byte encodings are not supported" (utf-32)
        raise ParseError(f"invalid XML: {error}", source=SourceLocation(source, 1)) from None
    except OSError as error:
        raise ParseError(
            f"cannot read the file: {error.strerror}", source=SourceLocation(source)
        ) from None


def json_type(value: Any) -> str:
    """How a JSON value's type reads in an error message ("an object", "null", ...)."""
    names = {
        dict: "an object",
        list: "a list",
        str: "a string",
        bool: "a boolean",
        int: "a number",
        float: "a number",
        type(None): "null",
    }
    return names.get(type(value), type(value).__name__)


def local_name(tag: str) -> str:
    """Element name without its namespace: '{http://cyclonedx.org/schema/bom/1.4}component'."""
    return tag.rsplit("}", 1)[-1]


def cpe22_to_23(uri: str) -> str:
    """'cpe:/a:apache:http_server:2.4.52' → 'cpe:2.3:a:apache:http_server:2.4.52:*:*:*:*:*:*:*'.

    Already-2.3 strings are returned unchanged; anything else gives ''.
    """
    if uri.startswith("cpe:2.3:"):
        return uri
    if not uri.startswith("cpe:/"):
        return ""
    parts = uri[len("cpe:/") :].split(":")
    parts += [""] * (7 - len(parts))
    part, vendor, product, version, update, edition, language = parts[:7]
    values = [part, vendor, product, version, update, edition, language]
    converted = [value.replace("%7e", "~").replace("%7E", "~") or "*" for value in values]
    return "cpe:2.3:" + ":".join(converted + ["*"] * 4)


_CPE_SPLIT = re.compile(r"(?<!\\):")
_CPE_UNESCAPE = re.compile(r"\\(.)")


def cpe_product_key(name: str) -> str:
    """'cpe:2.3:a:vmware:spring_framework:*:…' → 'a:vmware:spring_framework' (unescaped,
    lower-case): how the knowledge base and the matcher index CPE names. '' when not a CPE."""
    parts = _CPE_SPLIT.split(cpe22_to_23(name))
    if len(parts) < 5:
        return ""
    part, vendor, product = (_CPE_UNESCAPE.sub(r"\1", value).lower() for value in parts[2:5])
    return f"{part}:{vendor}:{product}"
