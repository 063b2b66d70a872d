"""`canhgac notifications deliveries|send-due`, as real processes on a database of their own,
sending to the loopback SMTP server of the test."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from canhgac.core.tests.processes import environment, run_canhgac, run_python
from canhgac.core.tests.smtp_server import SmtpServer

NOTIFY = """
import django; django.setup()
from canhgac.accounts.actors import SystemActor
from canhgac.duty.services.notifications import notify
notify(by=SystemActor("test:cli"), users=[], subject="Cảnh báo", body="Nội dung",
       kind="test.cli", emails=["van-thu@example.gov.vn"], link="/notifications/")
"""
OVERDUE = """
import django; django.setup()
from datetime import timedelta
from canhgac.core import clock
from canhgac.duty.models import Delivery
Delivery.objects.update(next_attempt_at=clock.now() - timedelta(seconds=1))
"""


@pytest.mark.slow
def test_deliveries_and_send_due(tmp_path: Path) -> None:
    server = SmtpServer()  # not started: the mail server is down
    env = environment(
        home=tmp_path, EMAIL_HOST=server.host, EMAIL_PORT=str(server.port), EMAIL_TIMEOUT="5"
    )
    assert run_canhgac(["init"], env=env).returncode == 0
    assert run_python(["-c", NOTIFY], env=env).returncode == 0  # queued; no worker runs

    pending = run_canhgac(["notifications", "deliveries", "--format", "json"], env=env)
    assert pending.returncode == 0, pending.stderr
    (row,) = json.loads(pending.stdout)
    assert (row["address"], row["status"], row["attempts"]) == (
        "van-thu@example.gov.vn",
        "pending",
        0,
    )

    down = run_canhgac(["notifications", "send-due"], env=env)
    assert down.stdout.strip() == "sent=0 failed=1 gave_up=0 skipped=0", down.stderr
    failed = run_canhgac(
        ["notifications", "deliveries", "--status", "failed", "--format", "json"], env=env
    )
    assert "ConnectionRefusedError" in json.loads(failed.stdout)[0]["last_error"]

    with server:
        assert run_python(["-c", OVERDUE], env=env).returncode == 0  # the minute has passed
        up = run_canhgac(["notifications", "send-due", "--format", "json"], env=env)
        again = run_canhgac(["notifications", "send-due"], env=env)
    assert json.loads(up.stdout) == [{"sent": 1, "failed": 0, "gave_up": 0, "skipped": 0}]
    assert again.stdout.strip() == "sent=0 failed=0 gave_up=0 skipped=0"
    (received,) = server.messages
    assert received.subject == "Cảnh báo"
    assert received.text == "Nội dung\n\nhttp://127.0.0.1:8000/notifications/\n"
    bad = run_canhgac(["notifications", "deliveries", "--status", "lost"], env=env)
    assert bad.returncode != 0
