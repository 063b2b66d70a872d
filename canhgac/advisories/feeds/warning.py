"""Warning letters in YAML (the documented exchange format, docs/feeds/warning-letters.md).

    warnings:                       # or a single mapping under `warning:`
      - number: 674/CATTT-NCSC
        issuer: Cục An toàn thông tin
        issued_on: 13/04/2022       # dd/mm/yyyy or yyyy-mm-dd
        title: Lỗ hổng trong các sản phẩm Microsoft công bố tháng 4/2022
        due_date: 30/04/2022
        exploited: có               # có/không, yes/no
        public_exploit: không
        forwarded_from: ""          # the number of the letter this one re-issues
        summary / affected_products / required_actions: text
        cves:
          nghiem_trong: [CVE-2022-26809, CVE-2022-24491]   # or critical
          cao: [CVE-2022-26815]                            # or high
          khac: []                                         # or other

Every value is read as written (YAML BaseLoader: no octal numbers, no yes/no surprises).
"""

from __future__ import annotations

import dataclasses
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any, ClassVar

import yaml

from canhgac.advisories.feeds.interface import AdvisoryParser
from canhgac.advisories.feeds.records import AdvisoryBatch, WarningLetterRecord
from canhgac.core.exceptions import ParseError, Problem, SourceLocation, ValidationError
from canhgac.core.files import read_text
from canhgac.core.text import fold, parse_flag

CVE = re.compile(r"^CVE-\d{4}-\d{4,}$", re.IGNORECASE)
SEVERITIES = {
    "nghiem_trong": "critical",
    "critical": "critical",
    "cao": "high",
    "high": "high",
    "khac": "other",
    "other": "other",
}
# The keys a letter may have: the record's fields (its location is where it was read).
FIELDS = {field.name for field in dataclasses.fields(WarningLetterRecord)} - {"location"}
REQUIRED = ("number", "issuer", "issued_on", "title")


def _day(text: str) -> date | None:
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, pattern).date()  # noqa: DTZ007 (a date only)
        except ValueError:
            continue
    return None


class WarningYamlParser(AdvisoryParser):
    id: ClassVar[str] = "warning"
    display_name: ClassVar[str] = "Warning letters (YAML)"
    extensions: ClassVar[tuple[str, ...]] = (".yaml", ".yml")

    @classmethod
    def sniff(cls, head: bytes, name: str) -> bool:
        return name.lower().endswith(cls.extensions) and b"cves" in head and b"number" in head

    def parse(self, path: Path, *, source: str) -> AdvisoryBatch:
        text = read_text(path, source)
        try:
            root = yaml.compose(text, Loader=yaml.BaseLoader)
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            raise ParseError(
                f"invalid YAML: {error}",
                source=SourceLocation(source, mark.line + 1 if mark is not None else None),
            ) from None
        items = self._items(root, source)
        problems: list[Problem] = []
        letters = [
            letter for node in items if (letter := self._letter(node, source, problems)) is not None
        ]
        numbers: dict[str, int | None] = {}
        for letter in letters:
            if letter.number in numbers:
                problems.append(
                    Problem(
                        f"number {letter.number!r} repeats line {numbers[letter.number]}",
                        SourceLocation(source, letter.location.line, "number"),
                    )
                )
            numbers.setdefault(letter.number, letter.location.line)
        if problems:
            raise ValidationError(f"{source}: {len(problems)} problem(s)", problems=problems)
        return AdvisoryBatch(self.id, source, letters=tuple(letters))

    @staticmethod
    def _items(root: Any, source: str) -> list[yaml.MappingNode]:
        if isinstance(root, yaml.MappingNode):
            for key, value in root.value:
                if key.value == "warnings" and isinstance(value, yaml.SequenceNode):
                    return [node for node in value.value if isinstance(node, yaml.MappingNode)]
                if key.value == "warning" and isinstance(value, yaml.MappingNode):
                    return [value]
        raise ParseError(
            "expected `warning:` (one letter) or `warnings:` (a list)",
            source=SourceLocation(source, 1),
        )

    @staticmethod
    def _letter(
        node: yaml.MappingNode, source: str, problems: list[Problem]
    ) -> WarningLetterRecord | None:
        line = node.start_mark.line + 1
        before = len(problems)

        def at(name: str, node_line: int = line) -> SourceLocation:
            return SourceLocation(source, node_line, name)

        values: dict[str, str] = {}
        cves: list[tuple[str, str]] = []
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key not in FIELDS:
                problems.append(Problem(f"unknown field {key!r}", at(key)))
            elif key == "cves":
                if not isinstance(value_node, yaml.MappingNode):
                    problems.append(Problem("cves must map severities to lists", at(key)))
                    continue
                for group_node, list_node in value_node.value:
                    severity = SEVERITIES.get(fold(str(group_node.value)))
                    group_line = group_node.start_mark.line + 1
                    if severity is None or not isinstance(list_node, yaml.SequenceNode):
                        problems.append(
                            Problem(
                                f"unknown severity group {group_node.value!r} (nghiem_trong, cao, "
                                "khac)",
                                at("cves", group_line),
                            )
                        )
                        continue
                    for item in list_node.value:
                        cve_id = str(getattr(item, "value", "")).strip().upper()
                        if not CVE.match(cve_id):
                            problems.append(
                                Problem(
                                    f"{cve_id!r} is not a CVE id",
                                    at("cves", item.start_mark.line + 1),
                                )
                            )
                        else:
                            cves.append((cve_id, severity))
            elif not isinstance(value_node, yaml.ScalarNode):
                problems.append(Problem(f"{key} must be a single value", at(key)))
            else:
                values[key] = str(value_node.value).strip()
        problems.extend(
            Problem(f"{name} is required", at(name)) for name in REQUIRED if not values.get(name)
        )
        issued = _day(values.get("issued_on", ""))
        if values.get("issued_on") and issued is None:
            problems.append(Problem("issued_on is not a date (dd/mm/yyyy)", at("issued_on")))
        due = _day(values["due_date"]) if values.get("due_date") else None
        if values.get("due_date") and due is None:
            problems.append(Problem("due_date is not a date (dd/mm/yyyy)", at("due_date")))
        flags = {}
        for name in ("exploited", "public_exploit"):
            flag = parse_flag(values.get(name, ""))
            if flag is None:
                problems.append(Problem(f"{name} must be có/không (yes/no)", at(name)))
            flags[name] = bool(flag)
        if len(problems) > before or issued is None:
            return None
        return WarningLetterRecord(
            number=values["number"],
            issuer=values["issuer"],
            issued_on=issued,
            title=values["title"],
            location=SourceLocation(source, line),
            cves=tuple(dict.fromkeys(cves)),
            summary=values.get("summary", ""),
            affected_products=values.get("affected_products", ""),
            required_actions=values.get("required_actions", ""),
            due_date=due,
            exploited=flags["exploited"],
            public_exploit=flags["public_exploit"],
            forwarded_from=values.get("forwarded_from", ""),
        )


def dump_letters(letters: list[WarningLetterRecord]) -> str:
    """The letters in this YAML format (what `WarningYamlParser` reads back to equal records).

    Letters that forward another one come after the letters they forward.
    """
    groups = {"critical": "nghiem_trong", "high": "cao", "other": "khac"}
    items = []
    for letter in sorted(letters, key=lambda record: bool(record.forwarded_from)):
        item: dict[str, Any] = {
            "number": letter.number,
            "issuer": letter.issuer,
            "issued_on": letter.issued_on.isoformat(),
            "title": letter.title,
            "exploited": "yes" if letter.exploited else "no",
            "public_exploit": "yes" if letter.public_exploit else "no",
        }
        if letter.due_date:
            item["due_date"] = letter.due_date.isoformat()
        for name in ("summary", "affected_products", "required_actions", "forwarded_from"):
            if getattr(letter, name):
                item[name] = getattr(letter, name)
        cves: dict[str, list[str]] = {}
        for cve_id, severity in letter.cves:
            cves.setdefault(groups[severity], []).append(cve_id)
        item["cves"] = cves
        items.append(item)
    return yaml.safe_dump(
        {"warnings": items}, allow_unicode=True, sort_keys=False, default_flow_style=False
    )
