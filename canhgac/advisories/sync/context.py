"""What a sync source works with: the fetcher, its state row, a work folder, progress."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from canhgac.accounts.services.common import Actor
from canhgac.advisories.models import FeedRun, FeedState
from canhgac.advisories.store import AdvisoryReport
from canhgac.advisories.sync.http import Downloaded, Fetcher
from canhgac.core.exceptions import ServiceError

# (source id, done, total, label): how far a source is; total 0 when unknown.
Progress = Callable[[str, int, int, str], None]


def no_progress(source: str, done: int, total: int, label: str) -> None:
    """The default `Progress`: say nothing."""


@dataclass
class SyncContext:
    by: Actor
    source: str
    fetcher: Fetcher
    state: FeedState
    workdir: Path
    started: datetime
    on_progress: Progress = no_progress
    reports: list[AdvisoryReport] = field(default_factory=list)

    def fetch(
        self,
        url: str,
        name: str,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        validators: Mapping[str, str] | None = None,
    ) -> Downloaded:
        return self.fetcher.download(
            url, self.workdir / name, params=params, headers=headers, validators=validators
        )

    def fetch_file(
        self,
        url: str,
        name: str,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Path:
        """Fetch a body that must be there (no conditional request, so never a 304)."""
        got = self.fetch(url, name, params=params, headers=headers)
        if got.path is None:
            raise ServiceError(f"{url}: answered 304 Not Modified to a plain request")
        return got.path

    def import_file(self, path: Path, format_id: str, label: str) -> AdvisoryReport:
        """Import one downloaded file (its own transaction and run record), then drop it."""
        from canhgac.advisories.services import advisories_import_file

        report = advisories_import_file(
            by=self.by, path=path, source=label, format_id=format_id, origin=FeedRun.Origin.SYNC
        )
        self.reports.append(report)
        path.unlink(missing_ok=True)
        return report

    def save(self, *, cursor: dict[str, Any], synced_until: datetime | None = None) -> None:
        """Keep the resume point (and how far the data goes) after each imported file."""
        self.state.cursor = cursor
        fields = ["cursor"]
        if synced_until is not None:
            self.state.synced_until = synced_until
            fields.append("synced_until")
        self.state.save(update_fields=fields)

    def progress(self, done: int, total: int, label: str = "") -> None:
        self.on_progress(self.source, done, total, label)
