"""What matching tells the contexts built on findings (remediation tasks follow them).

`findings_reconciled` is sent after a matching run stored its findings successfully, with the
run (`run=`). Receivers must not fail the run: it is sent robustly and failures are logged.
"""

from __future__ import annotations

import logging

from django.dispatch import Signal

from canhgac.exposure.models import MatchRun

findings_reconciled = Signal()

logger = logging.getLogger(__name__)


def announce(run: MatchRun) -> None:
    for receiver, outcome in findings_reconciled.send_robust(sender=MatchRun, run=run):
        if isinstance(outcome, Exception):
            logger.error("after matching run %s: %s failed", run.pk, receiver, exc_info=outcome)
