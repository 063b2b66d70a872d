"""Lists the API renders row by row: `@paginate` counts and slices the queryset, and only the
rows of the requested page are turned into dicts (a list of 50,000 findings renders 100)."""

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from django.db.models import Model, QuerySet

RowT = TypeVar("RowT", bound=Model)


class Rendered(Generic[RowT]):
    def __init__(self, rows: QuerySet[RowT], render: Callable[[RowT], dict[str, Any]]) -> None:
        self.rows = rows
        self.render = render

    def __len__(self) -> int:
        return self.rows.count()

    def count(self) -> int:
        return self.rows.count()

    def __getitem__(self, page: slice) -> list[dict[str, Any]]:
        return [self.render(row) for row in self.rows[page]]
