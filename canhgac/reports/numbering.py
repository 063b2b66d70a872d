"""Register numbers: the series a document is numbered in, and the next sequence of a series.

`sequence_take` must run inside the transaction that records the document: the counter row
is locked (SELECT … FOR UPDATE on PostgreSQL; SQLite's IMMEDIATE transactions serialise
writers), so two renders never get the same number, and a render that fails rolls the
counter back with everything else: no number is consumed.
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.db.models import F

from canhgac.accounts.models import Unit
from canhgac.reports.models import Counter


def province_series() -> str:
    """The series of documents the province (the DIC) issues: REPORT_SERIES."""
    return str(settings.REPORT_SERIES)


def unit_series(unit: Unit) -> str:
    """The series of reports a unit issues: BC-<unit code>."""
    return f"BC-{unit.code.upper()}"


def number_format(*, sequence: int, series: str, year: int) -> str:
    """The number as written on the document (REPORT_NUMBER_FORMAT)."""
    return str(settings.REPORT_NUMBER_FORMAT).format(sequence=sequence, series=series, year=year)


def sequence_next(*, series: str, year: int) -> int:
    """The sequence the next document of the series will get (a prediction, not a claim)."""
    last = Counter.objects.filter(series=series, year=year).values_list("last", flat=True).first()
    return (last or 0) + 1


def in_transaction() -> bool:
    return bool(transaction.get_connection().in_atomic_block)


def sequence_take(*, series: str, year: int) -> int:
    """Claim the next sequence of `series` in `year` (in the caller's transaction)."""
    if not in_transaction():
        raise RuntimeError("sequence_take must run inside the transaction recording the entry")
    Counter.objects.get_or_create(series=series, year=year)
    counter = Counter.objects.select_for_update().get(series=series, year=year)
    Counter.objects.filter(pk=counter.pk).update(last=F("last") + 1)
    return counter.last + 1
