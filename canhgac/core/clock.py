"""The one source of "now": aware datetimes in UTC, local dates in the configured time zone."""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone


def now() -> datetime:
    return timezone.now()


def today() -> date:
    """Today's date in the configured time zone (Asia/Ho_Chi_Minh by default)."""
    return timezone.localdate(timezone.now())


def to_local(moment: datetime) -> datetime:
    return timezone.localtime(moment)


def local_date(moment: datetime) -> date:
    """The calendar date of `moment` in the configured time zone."""
    return timezone.localdate(moment)
