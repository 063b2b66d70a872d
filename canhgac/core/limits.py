"""Values the database cannot store as given: longer than their column, or holding NUL.

ADR 0005: such values are refused with a located problem, never cut. The limits are read from
the models' `max_length`, so a migration that widens a column widens the check.
"""

from __future__ import annotations

from django.db import models

from canhgac.core.exceptions import Problem, SourceLocation


def _limit(model: type[models.Model], name: str) -> int | None:
    field = model._meta.get_field(name)
    return getattr(field, "max_length", None)


class Limits:
    """Collects the problems of many values; `check` them, then read `problems`."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def check(
        self,
        model: type[models.Model],
        location: SourceLocation,
        label: str = "",
        **values: str,
    ) -> None:
        """Each `field=value` must fit `model.field`; `label` prefixes the message."""
        prefix = f"{label} " if label else ""
        for name, value in values.items():
            limit = _limit(model, name)
            if limit is not None and len(value) > limit:
                self.problems.append(
                    Problem(
                        f"{prefix}{name} {value[:30]!r}… is longer than {limit} characters",
                        location,
                    )
                )
            if "\x00" in value:
                self.problems.append(
                    Problem(f"{prefix}{name} {value[:30]!r} contains a NUL character", location)
                )
