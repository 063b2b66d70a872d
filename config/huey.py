"""The Huey instance: `SqliteHuey` in CANHGAC_HOME by default, `RedisHuey` when REDIS_URL is set.

Settings put the instance in `HUEY`; `huey.contrib.djhuey` hands it to `@task` decorators and to
`canhgac worker` (the consumer). Tests run tasks immediately, in process.
"""

from __future__ import annotations

from pathlib import Path

from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey

HUEY_NAME = "canhgac"


def build_huey(*, redis_url: str, sqlite_path: Path, immediate: bool) -> Huey:
    if immediate:
        return MemoryHuey(HUEY_NAME, immediate=True)
    if redis_url:
        return RedisHuey(HUEY_NAME, url=redis_url)
    sqlite_path.parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(HUEY_NAME, filename=str(sqlite_path))
