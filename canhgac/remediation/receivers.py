"""Remediation follows matching: after every successful run, tasks are refreshed."""

from __future__ import annotations

from typing import Any

from canhgac.accounts.actors import SystemActor

ACTOR = SystemActor("system:remediation")


def after_matching(sender: Any, **kwargs: Any) -> None:
    from canhgac.remediation.services.refresh import tasks_refresh

    tasks_refresh(by=ACTOR)
