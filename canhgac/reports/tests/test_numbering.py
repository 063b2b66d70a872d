"""Register numbers: consecutive per series and year, formatted from the settings."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.db import transaction

from canhgac.accounts.models import Unit
from canhgac.reports.models import Counter
from canhgac.reports.numbering import (
    number_format,
    sequence_next,
    sequence_take,
    unit_series,
)
from canhgac.reports.official import day_text, place_date


def test_two_allocations_get_distinct_consecutive_numbers(db: None) -> None:
    taken = []
    for _ in range(2):
        with transaction.atomic():
            taken.append(sequence_take(series="STTTT-ATTT", year=2022))
    assert taken == [1, 2]
    assert sequence_next(series="STTTT-ATTT", year=2022) == 3
    assert Counter.objects.get(series="STTTT-ATTT", year=2022).last == 2


@pytest.mark.django_db
def test_series_and_years_count_apart() -> None:
    with transaction.atomic():
        assert sequence_take(series="STTTT-ATTT", year=2022) == 1
        assert sequence_take(series="STTTT-ATTT", year=2023) == 1
        assert sequence_take(series="BC-SO-YT", year=2022) == 1
        assert sequence_take(series="STTTT-ATTT", year=2022) == 2


@pytest.mark.django_db
def test_a_rolled_back_allocation_is_not_consumed() -> None:
    def failed_render() -> None:
        with transaction.atomic():
            sequence_take(series="STTTT-ATTT", year=2022)
            raise RuntimeError("rendering failed")

    with pytest.raises(RuntimeError):
        failed_render()
    with transaction.atomic():
        assert sequence_take(series="STTTT-ATTT", year=2022) == 1


def test_taking_a_number_outside_a_transaction_is_refused(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """(The test itself runs in a transaction: the connection is made to say it is not.)"""
    monkeypatch.setattr("canhgac.reports.numbering.in_transaction", lambda: False)
    with pytest.raises(RuntimeError, match="inside the transaction"):
        sequence_take(series="STTTT-ATTT", year=2022)
    assert not Counter.objects.exists()


def test_number_format_comes_from_the_settings(settings: Any) -> None:
    assert number_format(sequence=7, series="STTTT-ATTT", year=2022) == "7/STTTT-ATTT"
    settings.REPORT_NUMBER_FORMAT = "{sequence:03d}/{year}/{series}"
    assert number_format(sequence=7, series="STTTT-ATTT", year=2022) == "007/2022/STTTT-ATTT"


def test_unit_series_uses_the_unit_code() -> None:
    assert unit_series(Unit(code="so-yt")) == "BC-SO-YT"


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2022, 4, 15), "Thanh Vân, ngày 15 tháng 4 năm 2022"),
        (date(2022, 4, 2), "Thanh Vân, ngày 02 tháng 4 năm 2022"),
        (date(2022, 2, 5), "Thanh Vân, ngày 05 tháng 02 năm 2022"),
        (date(2022, 12, 31), "Thanh Vân, ngày 31 tháng 12 năm 2022"),
    ],
)
def test_place_and_date_as_decree_30_writes_them(day: date, expected: str) -> None:
    assert place_date("Thanh Vân", day) == expected


def test_day_text() -> None:
    assert day_text(date(2022, 4, 5)) == "05/04/2022"
    assert day_text(None) == ""
