"""`advisories_sync`: fetch the online sources, one after the other, each on its own.

A source that fails (network, HTTP errors after the retries, a file the parser refuses) keeps
its resume point and every file imported before the failure, records the error on its
`FeedState` and as a failed `FeedRun`, and the next source still runs. Nothing is deleted
because a fetch failed. One sync per source at a time: a second one is refused while the
first holds the source's lock (which expires, in case its process died).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import Q

from canhgac.accounts.enums import Permission
from canhgac.accounts.services.common import Actor, audit, require
from canhgac.advisories.models import FeedRun, FeedState
from canhgac.advisories.runs import run_failed, run_start
from canhgac.advisories.sync.context import Progress, SyncContext, no_progress
from canhgac.advisories.sync.http import Fetcher
from canhgac.advisories.sync.sources import SOURCES
from canhgac.audit.enums import AuditAction
from canhgac.core import clock
from canhgac.core.exceptions import ConflictError, ValidationError
from canhgac.core.files import max_bytes
from canhgac.core.registry import UnknownPluginError
from canhgac.core.text import shorten

LOCK = timedelta(hours=12)


@dataclass
class SyncOutcome:
    source: str
    ok: bool
    files: int = 0
    changed: int = 0  # vulnerabilities created or updated
    error: str = ""
    details: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "ok": self.ok,
            "files": self.files,
            "changed": self.changed,
            "error": self.error,
        }


def fetcher_from_settings() -> Fetcher:
    interval = settings.NVD_REQUEST_INTERVAL
    if interval is None:
        interval = 0.6 if settings.NVD_API_KEY else 6.0
    spacing = {
        urlsplit(settings.NVD_API_URL).netloc: interval,
        urlsplit(settings.NVD_CPE_API_URL).netloc: interval,
    }
    return Fetcher(
        timeout=settings.FEED_HTTP_TIMEOUT,
        attempts=max(1, settings.FEED_HTTP_ATTEMPTS),
        backoff=settings.FEED_HTTP_BACKOFF,
        max_bytes=max_bytes(),
        proxy=settings.FEED_HTTP_PROXY,
        spacing=spacing,
    )


def _lock(source: str) -> FeedState:
    now = clock.now()
    state, _ = FeedState.objects.get_or_create(source=source)
    taken = FeedState.objects.filter(
        Q(locked_until__isnull=True) | Q(locked_until__lt=now), pk=state.pk
    ).update(locked_until=now + LOCK, last_attempt_at=now)
    if not taken:
        raise ConflictError(
            f"{source}: a sync of this source is running (locked until {state.locked_until})"
        )
    state.refresh_from_db()
    return state


def _sync_one(
    by: Actor, source_id: str, fetcher: Fetcher, progress: Progress, workroot: Path
) -> SyncOutcome:
    source = SOURCES.get(source_id)()
    try:
        state = _lock(source_id)
    except ConflictError as error:
        return SyncOutcome(source_id, False, error=str(error))
    ctx = SyncContext(by, source_id, fetcher, state, workroot, clock.now(), progress)
    try:
        with tempfile.TemporaryDirectory(dir=workroot, prefix=f"{source_id}-") as work:
            ctx.workdir = Path(work)
            source.sync(ctx)
    except Exception as error:  # noqa: BLE001 (recorded, then the next source runs)
        run = run_start(feed=source_id, origin=FeedRun.Origin.SYNC, source_name="", by=by)
        run_failed(run, error)
        state.last_error = shorten(str(error), 4000)
        state.locked_until = None
        state.save(update_fields=["last_error", "locked_until"])
        return SyncOutcome(source_id, False, len(ctx.reports), _changes(ctx), str(error))
    state.last_success_at, state.last_error, state.locked_until = clock.now(), "", None
    state.save(update_fields=["last_success_at", "last_error", "locked_until"])
    return SyncOutcome(source_id, True, len(ctx.reports), _changes(ctx))


def _changes(ctx: SyncContext) -> int:
    return sum(r.vulnerabilities.created + r.vulnerabilities.updated for r in ctx.reports)


def advisories_sync(
    *,
    by: Actor,
    sources: list[str] | None = None,
    progress: Progress = no_progress,
    fetcher: Fetcher | None = None,
) -> list[SyncOutcome]:
    """Sync `sources` (default: ADVISORY_SYNC_SOURCES) in order; one outcome per source."""
    require(by, Permission.ADVISORY_MANAGE)
    wanted = list(sources or settings.ADVISORY_SYNC_SOURCES)
    for source_id in wanted:
        try:
            SOURCES.get(source_id)
        except UnknownPluginError as error:
            raise ValidationError(str(error.args[0]), extra={"field": "source"}) from None
    fetcher = fetcher or fetcher_from_settings()
    workroot = Path(settings.CANHGAC_HOME) / "advisories" / "downloads"
    workroot.mkdir(parents=True, exist_ok=True)
    try:
        outcomes = [_sync_one(by, source_id, fetcher, progress, workroot) for source_id in wanted]
    finally:
        fetcher.close()
    audit(
        by,
        AuditAction.ADVISORIES_SYNCED,
        parameters={"outcomes": [outcome.as_dict() for outcome in outcomes]},
    )
    return outcomes
