"""The record of every advisory import (`FeedRun`) and the archive of the files imported.

Each successful import keeps a copy of its file under `CANHGAC_HOME/advisories/archive/`,
named by the SHA-256 of the original bytes (so the same file is kept once): `<sha256>.gz`
when we compressed it, `<sha256>.orig` when it came compressed already. Offline bundles are
made from this archive.
A failed import records its error and keeps nothing else; the data stored before stays.
"""

from __future__ import annotations

import gzip
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from django.conf import settings

from canhgac.accounts.services.common import Actor, actor_name
from canhgac.advisories.models import FeedRun
from canhgac.core import clock
from canhgac.core.text import shorten

GZIP_MAGIC = b"\x1f\x8b"
ZIP_MAGIC = b"PK\x03\x04"
READ = 1 << 20


def archive_root() -> Path:
    return Path(settings.CANHGAC_HOME) / "advisories" / "archive"


def archive_file(path: Path, digest: str) -> str:
    """Keep a copy of `path` (whose SHA-256 is `digest`); returns its archive name."""
    with path.open("rb") as source:
        head = source.read(4)
    compressed = head[:2] == GZIP_MAGIC or head == ZIP_MAGIC
    name = f"{digest[:2]}/{digest}.{'orig' if compressed else 'gz'}"
    target = archive_root() / name
    if target.exists():
        return name
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    with path.open("rb") as source:
        if compressed:  # gzip or zip already: kept as it came
            with partial.open("wb") as out:
                shutil.copyfileobj(source, out, READ)
        else:
            with gzip.open(partial, "wb", compresslevel=6) as out:
                shutil.copyfileobj(source, out, READ)
    partial.replace(target)
    return name


def restore(stored: IO[bytes], name: str, target: Path) -> None:
    """Write the original bytes of archive member `name` (read from `stored`) to `target`."""
    with target.open("wb") as out:
        if name.endswith(".gz"):
            with gzip.open(stored, "rb") as unzipped:
                shutil.copyfileobj(unzipped, out, READ)
        else:
            shutil.copyfileobj(stored, out, READ)


def run_start(*, feed: str, origin: str, source_name: str, by: Actor | None) -> FeedRun:
    return FeedRun.objects.create(
        feed=feed,
        origin=origin,
        source_name=source_name[-1024:],
        status=FeedRun.Status.RUNNING,
        started_at=clock.now(),
        actor=actor_name(by),
    )


def run_finished(
    run: FeedRun, *, counts: dict[str, Any], sha256: str = "", archived: str = "", feed: str = ""
) -> None:
    run.status, run.finished_at, run.counts = FeedRun.Status.OK, clock.now(), counts
    run.sha256, run.archived = sha256, archived
    run.feed = feed or run.feed
    run.save(update_fields=["status", "finished_at", "counts", "sha256", "archived", "feed"])


def run_failed(run: FeedRun, error: BaseException) -> None:
    """Record why the run failed: the message and its located problems (shortened)."""
    run.status, run.finished_at = FeedRun.Status.FAILED, clock.now()
    run.error = shorten(str(error), 4000)
    run.save(update_fields=["status", "finished_at", "error"])


@contextmanager
def recorded_run(*, feed: str, origin: str, source_name: str, by: Actor) -> Iterator[FeedRun]:
    """A run recorded as failed (with the error, which is raised again) if the block fails;
    the block calls `run_finished` when it succeeds."""
    run = run_start(feed=feed, origin=origin, source_name=source_name, by=by)
    try:
        yield run
    except Exception as error:
        run_failed(run, error)
        raise
