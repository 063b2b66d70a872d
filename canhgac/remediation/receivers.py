"""Remediation follows matching: after every successful run, tasks are refreshed."""

from __future__ import annotations

from typing import Any

from canhgac.accounts.actors import SystemActor

ACTOR = SystemActor("system:remediation")


# A run that opened, reopened or closed nothing cannot change a task (triage changes are picked
# up by the next run that does, and by the hourly refresh).
CHANGES = ("new", "reopened", "closed", "verified")


def after_matching(sender: Any, *, run: Any, **kwargs: Any) -> None:
    from canhgac.remediation.services.refresh import tasks_refresh

    if any(run.counts.get(name) for name in CHANGES):
        tasks_refresh(by=ACTOR)
