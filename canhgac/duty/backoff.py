"""When a failed delivery is tried again: 1, 5, 15, 30 and 60 minutes, then every hour."""

from __future__ import annotations

from datetime import timedelta

DELAYS_MINUTES = (1, 5, 15, 30, 60)
EVERY_HOUR = timedelta(hours=1)


def retry_delay(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed attempt (1-based)."""
    if attempts < 1:
        return timedelta(0)
    if attempts <= len(DELAYS_MINUTES):
        return timedelta(minutes=DELAYS_MINUTES[attempts - 1])
    return EVERY_HOUR
