"""Publication dates: formats, precision, UTC, and refusal of implausible values."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from storyline.model import DatePrecision
from storyline.text.dates import EARLIEST_YEAR, FUTURE_YEARS, parse_date, window_start

DAY = DatePrecision.DAY
MINUTE = DatePrecision.MINUTE


@pytest.mark.parametrize(
    ("value", "expected", "precision"),
    [
        ("2024", datetime(2024, 1, 1, tzinfo=UTC), DatePrecision.YEAR),
        ("2022-11", datetime(2022, 11, 1, tzinfo=UTC), DatePrecision.MONTH),
        ("2024-03-16", datetime(2024, 3, 16, tzinfo=UTC), DAY),
        ("20240316", datetime(2024, 3, 16, tzinfo=UTC), DAY),
        ("2024/3/16", datetime(2024, 3, 16, tzinfo=UTC), DAY),
        ("16.03.2024", datetime(2024, 3, 16, tzinfo=UTC), DAY),
        ("2024-03-16 09:12:00", datetime(2024, 3, 16, 9, 12, tzinfo=UTC), MINUTE),
        ("2024-03-16T09:12", datetime(2024, 3, 16, 9, 12, tzinfo=UTC), MINUTE),
        ("2024-03-16T09:12:00Z", datetime(2024, 3, 16, 9, 12, tzinfo=UTC), MINUTE),
        ("2024-03-16T09:12:00+01:00", datetime(2024, 3, 16, 8, 12, tzinfo=UTC), MINUTE),
        ("2024-03-16T09:12:00+0100", datetime(2024, 3, 16, 8, 12, tzinfo=UTC), MINUTE),
        ("16.03.2024 09:12", datetime(2024, 3, 16, 9, 12, tzinfo=UTC), MINUTE),
        ("Sat, 16 Mar 2024 09:12:00 +0100", datetime(2024, 3, 16, 8, 12, tzinfo=UTC), MINUTE),
        ("Sat, 16 Mar 2024 09:12:00 GMT", datetime(2024, 3, 16, 9, 12, tzinfo=UTC), MINUTE),
        ("1710580320", datetime(2024, 3, 16, 9, 12, tzinfo=UTC), MINUTE),
        (1710580320, datetime(2024, 3, 16, 9, 12, tzinfo=UTC), MINUTE),
        (1710580320000, datetime(2024, 3, 16, 9, 12, tzinfo=UTC), MINUTE),
        (2024, datetime(2024, 1, 1, tzinfo=UTC), DatePrecision.YEAR),
        ("  2024-03-16  ", datetime(2024, 3, 16, tzinfo=UTC), DAY),
    ],
)
def test_dates_formats(value: str | int, expected: datetime, precision: DatePrecision) -> None:
    assert parse_date(value) == (expected, precision)


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "garbage",
        "nan",
        float("nan"),
        float("inf"),
        True,
        "1899",
        "1899-12-31",
        str(datetime.now(UTC).year + FUTURE_YEARS + 1),
        "0001-01-01T00:00:00+01:00",
        "2024-02-30",
        "2024-13",
        "2024-W10",
        "Sat, 16 Mar 2024",
        "[Update] 2024",
        -5,
        2024.5,
        1e300,
        "9" * 400,
    ],
)
def test_dates_nonsense_is_none(value: str | float | None) -> None:
    assert parse_date(value) == (None, None)


def test_dates_naive_datetime_is_utc() -> None:
    published, _ = parse_date("2024-03-16 09:12")
    assert published is not None and published.utcoffset() == timedelta(0)


@given(st.text())
def test_dates_never_raise_on_text(text: str) -> None:
    published, precision = parse_date(text)
    assert (published is None) == (precision is None)
    if published is not None:
        assert published.tzinfo is UTC
        assert EARLIEST_YEAR <= published.year <= datetime.now(UTC).year + FUTURE_YEARS


@given(st.one_of(st.integers(), st.floats(allow_nan=True, allow_infinity=True)))
def test_dates_never_raise_on_numbers(number: float) -> None:
    published, _ = parse_date(number)
    assert published is None or published.tzinfo is UTC


@given(
    st.datetimes(
        min_value=datetime(EARLIEST_YEAR + 1, 1, 1),
        max_value=datetime(datetime.now(UTC).year, 12, 31),
        timezones=st.sampled_from([UTC, timezone(timedelta(hours=5, minutes=30))]),
    )
)
def test_dates_isoformat_round_trips(moment: datetime) -> None:
    assert parse_date(moment.isoformat()) == (moment.astimezone(UTC), MINUTE)


def test_dates_epoch_float_keeps_fraction() -> None:
    published, _ = parse_date(1710580320.5)
    assert published is not None and math.isclose(published.timestamp(), 1710580320.5)


def test_window_start_is_no_bound_before_the_first_representable_day() -> None:
    first = datetime(1, 1, 1, tzinfo=UTC)
    assert window_start(first + timedelta(days=40), timedelta(days=30)) == first + timedelta(
        days=10
    )
    assert window_start(first + timedelta(days=2), timedelta(days=30)) is None
