"""Background matching: incremental runs on a schedule, runs asked for from the web or the API,
and the daily end of expired risk acceptances.

EXPOSURE_MATCH_SCHEDULE (cron in TIME_ZONE) drives the incremental run: what changed since the
last successful run (inventory imports, advisory imports and syncs, warning letters) is matched.
One run per scope at a time: the Huey lock here, and the running-run check of the service.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from canhgac.accounts.actors import SystemActor
from canhgac.core.tasks import local_schedule

SCHEDULER = SystemActor("system:exposure")


def _changes(unit_code: str, full: bool) -> list[dict[str, Any]]:
    from canhgac.accounts.models import Unit
    from canhgac.exposure.services.matching import exposure_match_changes

    unit = Unit.objects.filter(code=unit_code).first() if unit_code else None
    with lock_task(f"exposure-match-{unit_code or 'all'}"):
        runs = exposure_match_changes(by=SCHEDULER, unit=unit, full=full)
    return [{"scope": run.scope, "status": run.status, **run.counts} for run in runs]


@db_periodic_task(  # type: ignore[untyped-decorator]
    local_schedule(settings.EXPOSURE_MATCH_SCHEDULE, settings.TIME_ZONE, "EXPOSURE_MATCH_SCHEDULE")
)
def exposure_match_periodic() -> list[dict[str, Any]]:
    return _changes("", False)


@db_task()  # type: ignore[untyped-decorator]
def exposure_match_task(unit_code: str = "", full: bool = False) -> list[dict[str, Any]]:
    """A matching run asked for from the web or the API, run by the worker."""
    return _changes(unit_code, full)


@db_periodic_task(crontab(minute="5", hour="17"))  # type: ignore[untyped-decorator]
def decisions_expire_periodic() -> int:
    """00:05 in Hà Nội (17:05 UTC): end the accepted risks whose date has passed."""
    from canhgac.exposure.services.decisions import decisions_expire

    return decisions_expire(by=SCHEDULER)
