"""Golden-file comparison for parser tests: `<sample>.expected.json` beside each sample.

Set CANHGAC_REGENERATE_GOLDEN=1 to (re)write the expected files, then review the diff.
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path
from typing import Any


def to_jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            field.name: to_jsonable(getattr(value, field.name))
            for field in dataclasses.fields(value)
        }
    if isinstance(value, list | tuple):
        return [to_jsonable(item) for item in value]
    if isinstance(value, set | frozenset):
        return sorted(to_jsonable(item) for item in value)
    if isinstance(value, dict):
        return {str(key): to_jsonable(item) for key, item in value.items()}
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def assert_matches_golden(actual: Any, sample: Path) -> None:
    expected_path = sample.with_name(sample.name + ".expected.json")
    rendered = json.dumps(to_jsonable(actual), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    if os.environ.get("CANHGAC_REGENERATE_GOLDEN") == "1":
        expected_path.write_text(rendered, encoding="utf-8")
    if not expected_path.exists():
        raise AssertionError(f"{expected_path} is missing: run with CANHGAC_REGENERATE_GOLDEN=1")
    expected = expected_path.read_text(encoding="utf-8")
    if json.loads(rendered) != json.loads(expected):
        raise AssertionError(f"{sample} differs from {expected_path}:\n{rendered}")
