"""Publication dates from the many shapes sources give them, with their precision.

A date is kept only when it is plausible; a wrong date misplaces an article in its
story's timeline, so anything doubtful becomes ``(None, None)`` instead.
All datetimes come back timezone-aware in UTC; naive values are taken to be UTC.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

from storyline.model import DatePrecision

EARLIEST_YEAR = 1900
"""Older "publication dates" are placeholders (0001-01-01) or typos, not news."""

FUTURE_YEARS = 1
"""Accept next year too: time zones and scheduled releases put dates just ahead."""

MAX_DATE_CHARS = 100
"""The longest real date string (an RFC 822 date with a zone name) is ~40 characters;
longer values are prose or junk and are not worth scanning."""

YEAR_ONLY_BELOW = 10_000
"""A bare number below this is a year (2024), above it epoch seconds (1700000000)."""

EPOCH_MILLIS_FROM = 100_000_000_000
"""Epoch values this large are milliseconds: in seconds they would be after year 5000."""

_YEAR = re.compile(r"(\d{4})", re.ASCII)
_MONTH = re.compile(r"(\d{4})[-/](\d{1,2})", re.ASCII)
_DAY = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})|(\d{4})(\d{2})(\d{2})|(\d{4})/(\d{1,2})/(\d{1,2})", re.ASCII
)
# A date with a time of day; seconds, fractions and a zone are optional.
_DATETIME = re.compile(
    r"(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?)\s*(Z|[+-]\d{2}:?\d{2})?",
    re.ASCII | re.IGNORECASE,
)
# German and much of Europe write day first: 30.11.2022, optionally with 09:12.
_DOTTED = re.compile(
    r"(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4})(?:,?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*Uhr)?)?",
    re.ASCII | re.IGNORECASE,
)
_NUMBER = re.compile(r"\d+(?:\.\d+)?", re.ASCII)

Parsed = tuple[datetime | None, DatePrecision | None]
_NOTHING: Parsed = (None, None)


def parse_date(value: str | int | float | None) -> Parsed:
    """Read a publication date and how precise it is; ``(None, None)`` if unusable.

    Accepts ISO dates and datetimes (``2024``, ``2024-03``, ``2024-03-16``,
    ``2024-03-16 09:12:00``, ``2024-03-16T09:12:00+01:00``), RFC 822 feed dates,
    ``16.03.2024 09:12``, and epoch seconds (or milliseconds). Never raises.
    """
    try:
        if value is None or isinstance(value, bool):  # bool is an int; never a date
            return _NOTHING
        if isinstance(value, int | float):
            return _from_number(float(value))
        if isinstance(value, str):
            return _from_text(value.strip())
    except (ValueError, OverflowError, TypeError, IndexError):
        # The calendar arithmetic below guards ranges, but the stdlib parsers can
        # still refuse odd input (day 31 in April, offsets beyond 24 h).
        return _NOTHING
    return _NOTHING


def _from_number(number: float) -> Parsed:
    if not math.isfinite(number) or number < 0:
        return _NOTHING
    if number < YEAR_ONLY_BELOW:
        if number != int(number):
            return _NOTHING
        return plausible_date(datetime(int(number), 1, 1, tzinfo=UTC), DatePrecision.YEAR)
    if number >= EPOCH_MILLIS_FROM:
        number /= 1000
    # Refuse before converting: fromtimestamp overflows on absurd values.
    if number > _latest_epoch():
        return _NOTHING
    return plausible_date(datetime.fromtimestamp(number, tz=UTC), DatePrecision.MINUTE)


def _from_text(text: str) -> Parsed:
    if not text or len(text) > MAX_DATE_CHARS:
        return _NOTHING
    if _NUMBER.fullmatch(text):
        if len(text) == 8 and text.isdigit():  # ISO basic date: 20240316
            return _from_day(_DAY.fullmatch(text))
        return _from_number(float(text))
    if match := _DATETIME.fullmatch(text):
        day, time, zone = match.groups()
        iso = f"{day}T{time.replace(',', '.')}{zone or ''}"
        return plausible_date(datetime.fromisoformat(iso), DatePrecision.MINUTE)
    if match := _DAY.fullmatch(text):
        return _from_day(match)
    if match := _MONTH.fullmatch(text):
        year, month = int(match.group(1)), int(match.group(2))
        return plausible_date(datetime(year, month, 1, tzinfo=UTC), DatePrecision.MONTH)
    if match := _DOTTED.fullmatch(text):
        return _from_dotted(match)
    if _YEAR.fullmatch(text):
        return plausible_date(datetime(int(text), 1, 1, tzinfo=UTC), DatePrecision.YEAR)
    if any(char.isalpha() for char in text):
        return _from_rfc822(text)
    return _NOTHING


def _from_day(match: re.Match[str] | None) -> Parsed:
    if match is None:
        return _NOTHING
    parts = [int(part) for part in match.groups() if part is not None]
    year, month, day = parts
    return plausible_date(datetime(year, month, day, tzinfo=UTC), DatePrecision.DAY)


def _from_dotted(match: re.Match[str]) -> Parsed:
    day, month, year, hour, minute, second = match.groups()
    if hour is None:
        return plausible_date(
            datetime(int(year), int(month), int(day), tzinfo=UTC), DatePrecision.DAY
        )
    moment = datetime(
        int(year), int(month), int(day), int(hour), int(minute), int(second or 0), tzinfo=UTC
    )
    return plausible_date(moment, DatePrecision.MINUTE)


def _from_rfc822(text: str) -> Parsed:
    # RFC 822 dates always carry a time of day, so the precision is minutes.
    return plausible_date(parsedate_to_datetime(text), DatePrecision.MINUTE)


def plausible_date(moment: datetime, precision: DatePrecision) -> Parsed:
    """Keep plausible dates only, normalised to UTC."""
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    if not EARLIEST_YEAR <= moment.year <= datetime.now(UTC).year + FUTURE_YEARS:
        return _NOTHING
    return moment, precision


def _latest_epoch() -> float:
    return datetime(datetime.now(UTC).year + FUTURE_YEARS + 1, 1, 1, tzinfo=UTC).timestamp()


def window_start(moment: datetime, span: timedelta) -> datetime | None:
    """``moment - span``; None (no lower bound) when that falls before year 1, as it
    does for a span back from an article dated in the first days of year 1."""
    try:
        return moment - span
    except OverflowError:
        return None
