"""Type-checked reads of the values of parsed JSON objects, shared by the JSON feed parsers."""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import date, datetime
from typing import Any, ClassVar

from canhgac.advisories.feeds.common import Problems, iso_date
from canhgac.core.files import json_type


class JsonFields(ABC):
    """Reads of `container[key]`, the container being at the JSON path `path`: a value of the
    wrong type, a missing required one or a bad date is an error in `problems`, located at
    "<path>.<key>" (and at `line` when known), and the read gives an empty value.

    A format says how it writes date-times (`parse_moment`) and what a bad one is called.
    """

    moment_kind: ClassVar[str] = "a date-time"  # "<key> '<text>' is not <moment_kind>"
    moment_shown: ClassVar[int | None] = None  # at most this many characters of <text>

    def __init__(self, problems: Problems, line: int | None = None) -> None:
        self.problems = problems
        self.line = line

    @abstractmethod
    def parse_moment(self, text: str) -> datetime | None:
        """The date-time written `text`; ValueError or OverflowError if it is not one."""

    def problem(self, message: str, field: str) -> None:
        self.problems.add(message, field, self.line)

    def warn(self, message: str, field: str) -> None:
        self.problems.warn(message, field, self.line)

    def _wrong_value(self, value: Any, key: str, path: str, required: bool, expected: str) -> None:
        """`value` of `key` is not `expected` ("a string"...): it has another type, or it is
        missing (None), which is an error only when `required`."""
        if value is not None:
            self.problem(f"{key} is {json_type(value)}, not {expected}", f"{path}.{key}")
        elif required:
            self.problem(f"{key} is missing", f"{path}.{key}")

    def text(self, container: dict[str, Any], key: str, path: str, required: bool = False) -> str:
        value = container.get(key)
        if isinstance(value, str) and (value.strip() or not required):
            return value.strip()
        wrong = None if isinstance(value, str) else value  # a blank string is missing
        self._wrong_value(wrong, key, path, required, "a string")
        return ""

    def flag(self, container: dict[str, Any], key: str, path: str, required: bool = False) -> bool:
        value = container.get(key)
        if isinstance(value, bool):
            return value
        self._wrong_value(value, key, path, required, "true or false")
        return False

    def object(
        self, container: dict[str, Any], key: str, path: str, required: bool = False
    ) -> dict[str, Any]:
        value = container.get(key)
        if isinstance(value, dict):
            return value
        self._wrong_value(value, key, path, required, "an object")
        return {}

    def items(self, container: dict[str, Any], key: str, path: str) -> list[tuple[Any, str]]:
        """The objects of the list `key` with their paths (a missing list is empty)."""
        value = container.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.problem(f"{key} is {json_type(value)}, not a list", f"{path}.{key}")
            return []
        found = []
        for index, item in enumerate(value):
            where = f"{path}.{key}[{index}]"
            if isinstance(item, dict):
                found.append((item, where))
            else:
                self.problem(f"entry is {json_type(item)}, not an object", where)
        return found

    def strings(self, container: dict[str, Any], key: str, path: str) -> list[str]:
        """The non-empty strings of the list `key`, stripped (a missing list is empty)."""
        value = container.get(key)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            self.problem(f"{key} is not a list of strings", f"{path}.{key}")
            return []
        return [item.strip() for item in value if item.strip()]

    def moment(
        self, container: dict[str, Any], key: str, path: str, required: bool = False
    ) -> datetime | None:
        text = self.text(container, key, path, required=required)
        try:
            return self.parse_moment(text) if text else None
        except (ValueError, OverflowError):  # OverflowError: out of range once moved to UTC
            shown = text[: self.moment_shown]
            self.problem(f"{key} '{shown}' is not {self.moment_kind}", f"{path}.{key}")
            return None

    def day(self, container: dict[str, Any], key: str, path: str) -> date | None:
        text = self.text(container, key, path)
        try:
            return iso_date(text) if text else None
        except ValueError:
            self.problem(f"{key} '{text}' is not a date (YYYY-MM-DD)", f"{path}.{key}")
            return None
