"""Background work: the heartbeat task, enqueueing after commit, and a real Redis round trip."""

from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.db import transaction

from canhgac.core.models import WorkerHeartbeat
from canhgac.core.tasks import enqueue_on_commit, heartbeat
from canhgac.core.tests.processes import ROOT, environment, run_canhgac, run_python


def test_heartbeat_task_records_the_worker(db: None) -> None:
    heartbeat("worker-a")
    heartbeat("worker-a")
    beat = WorkerHeartbeat.objects.get(worker="worker-a")
    assert beat.beats == 2


def test_enqueue_waits_for_the_commit(
    db: None, django_capture_on_commit_callbacks: Callable[..., object]
) -> None:
    capture = django_capture_on_commit_callbacks(execute=True)
    with capture as callbacks, transaction.atomic():  # type: ignore[attr-defined]
        enqueue_on_commit(heartbeat, "after-commit")
        assert not WorkerHeartbeat.objects.filter(worker="after-commit").exists()
    assert len(callbacks) == 1
    assert WorkerHeartbeat.objects.filter(worker="after-commit").exists()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    """CANHGAC_TEST_REDIS_URL (started by scripts/services.sh), else a redis-server of our own."""
    given = os.environ.get("CANHGAC_TEST_REDIS_URL")
    if given:
        yield given
        return
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is not installed: run `bash scripts/system-packages.sh test`")
    port = free_port()
    server = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/15"
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.mark.integration
def test_task_round_trip_through_redis(redis_url: str, tmp_path: Path) -> None:
    """A task enqueued by one process runs in `canhgac worker` and its result comes back."""
    env = environment(home=tmp_path, REDIS_URL=redis_url)
    assert run_canhgac(["init"], env=env).returncode == 0
    worker = subprocess.Popen(
        [sys.executable, "-m", "canhgac.cli.main", "worker", "--workers", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        producer = (
            "import django; django.setup(); "
            "from django.conf import settings; assert type(settings.HUEY).__name__ == 'RedisHuey'; "
            "from canhgac.core.tasks import heartbeat; "
            "print(heartbeat('redis-round-trip')(blocking=True, timeout=60))"
        )
        result = run_python(["-c", producer], env=env, timeout=90)
    finally:
        worker.terminate()
        worker.wait(timeout=20)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "redis-round-trip"
    with sqlite3.connect(tmp_path / "canhgac.sqlite3") as database:
        rows = database.execute(
            "SELECT worker, beats FROM core_workerheartbeat WHERE worker = 'redis-round-trip'"
        ).fetchall()
    assert rows == [("redis-round-trip", 1)]
