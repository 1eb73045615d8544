"""Dates and times in running text, with TIMEX-like normal forms.

"am Mittwoch" -> ``wednesday``; "im Oktober" -> ``XXXX-10`` (the year the text does
not give is ``XXXX``); "vom 3. bis 5. März 2024" and "March 3-5" ->
``2024-03-03/2024-03-05``; "14.30 Uhr", "2 p.m." -> ``14:30``, ``14:00``. Date
ranges are tried before single dates so that a range is found whole.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from storyline.text.quantities import (
    MONTHS,
    WEEKDAYS,
    WORD_END,
    alternation,
    number_value,
    number_words,
)

# (start, end, kind, normal): kind is "date" or "time".
Span = tuple[int, int, str, str]

_M = alternation(MONTHS)
_WD = alternation(WEEKDAYS)
_ORD = r"(?:st|nd|rd|th)?"
_Y = r"(?P<y>\d{4})(?!\d)"
_DATES = [
    re.compile(p)
    for p in (
        # vom 3. bis 5. März 2024; 3.–5. März; vom 3. März bis 5. April
        rf"(?:(?i:vom|zwischen\s+dem)\s+)?(?<![\d.])(?P<d1>\d{{1,2}})\.\s*(?:(?P<m1>{_M})\s+)?"
        rf"(?:(?i:bis)\s+(?:zum\s+)?|[-–]\s*|und\s+(?:dem\s+)?)(?P<d2>\d{{1,2}})\.\s*"
        rf"(?P<m2>{_M}){WORD_END}(?:\s+{_Y})?",
        # March 3-5; from March 3 to April 5, 2024
        rf"(?:(?i:from|between)\s+)?(?P<m1>{_M})\s+(?P<d1>\d{{1,2}}){_ORD}\s*"
        rf"(?:-|–|to|through|until|and)\s*(?:(?P<m2>{_M})\s+)?(?P<d2>\d{{1,2}}){_ORD}(?!\d)"
        rf"(?:,?\s+{_Y})?",
        # 3-5 March 2024
        rf"(?<![\d.])(?P<d1>\d{{1,2}}){_ORD}\s*(?:-|–|to)\s*(?P<d2>\d{{1,2}}){_ORD}\s+"
        rf"(?P<m2>{_M}){WORD_END}(?:\s+{_Y})?",
        # am 3. März 2024
        rf"(?:(?i:am|vom|seit\s+dem|bis\s+zum|ab\s+dem)\s+)?(?<![\d.])(?P<d>\d{{1,2}})\.\s*"
        rf"(?P<m>{_M}){WORD_END}(?:\s+{_Y})?",
        # March 3, 2024; 3 March 2024
        rf"(?:(?i:on)\s+)?(?P<m>{_M})\s+(?P<d>\d{{1,2}}){_ORD}(?!\d)(?:,?\s+{_Y})?",
        rf"(?:(?i:on)\s+)?(?<![\d.])(?P<d>\d{{1,2}}){_ORD}\s+(?P<m>{_M}){WORD_END}(?:\s+{_Y})?",
        # 30.11.2022; 2024-03-16
        r"(?<![\d.])(?P<d>\d{1,2})\.(?P<mo>\d{1,2})\.(?P<y>\d{4})(?!\d)",
        r"(?<![\d-])(?P<y>\d{4})-(?P<mo>\d{2})(?:-(?P<d>\d{2}))?(?![\d-])",
        # im Oktober; October 2022 (a month alone needs a word before it)
        rf"(?:(?P<cue>(?i:im|in|seit|ab|bis|anfang|ende|mitte|early|late|since|until|by|from|"
        rf"during|vom|zum))\s+)?(?P<m>{_M}){WORD_END}(?:\s+{_Y})?",
    )
]
_WEEKDAY = re.compile(
    r"(?:(?i:am|on|last|next|this|vergangenen|kommenden|nächsten|diesen|letzten|seit|ab)\s+)?"
    rf"(?P<w>{_WD})(?:abend|morgen|nachmittag|vormittag|mittag|nacht)?(?:'s|s)?{WORD_END}"
)
_TIME_EN = re.compile(
    r"(?<![\d.,])(?P<h>\d{1,2})(?::(?P<mi>\d{2}))?\s*(?P<ap>(?i:a\.m\.|p\.m\.|am|pm))" + WORD_END
)


@lru_cache(maxsize=16)
def _time_pattern(language: str) -> re.Pattern[str]:
    if language != "de":
        return _TIME_EN
    hours = alternation(number_words(language))
    return re.compile(
        rf"(?<![\d.,])(?P<h>\d{{1,2}}|(?<![^\W\d_])(?i:{hours}|ein))(?:[.:](?P<mi>\d{{2}}))?"
        rf"\s+Uhr{WORD_END}"
    )


def _month(name: str | None, number: str | None) -> int:
    if name:
        return MONTHS[name]
    return int(number) if number else 0


def find_dates(text: str, language: str) -> Iterator[Span]:
    """Dates, date ranges, weekdays and times of day as (start, end, kind, normal)."""
    for pattern in _DATES:
        for m in pattern.finditer(text):
            groups = m.groupdict()
            year = groups.get("y") or "XXXX"
            if "d1" in groups:
                m2 = _month(groups["m2"], None) or _month(groups["m1"], None)
                m1 = _month(groups["m1"], None) or m2
                d1, d2 = int(groups["d1"]), int(groups["d2"])
                if 1 <= d1 <= 31 and 1 <= d2 <= 31 and (m1, d1) < (m2, d2):
                    normal = f"{year}-{m1:02d}-{d1:02d}/{year}-{m2:02d}-{d2:02d}"
                    yield m.start(), m.end(), "date", normal
                continue
            month = _month(groups.get("m"), groups.get("mo"))
            day = int(groups["d"]) if groups.get("d") else 0
            if not 1 <= month <= 12 or day > 31:
                continue
            if not groups.get("d") and not groups.get("cue") and not groups.get("y"):
                continue  # "August" alone may be a given name; "May" a verb
            normal = f"{year}-{month:02d}" + (f"-{day:02d}" if day else "")
            yield m.start(), m.end(), "date", normal
    for m in _WEEKDAY.finditer(text):
        yield m.start(), m.end(), "date", WEEKDAYS[m["w"]]
    for m in _time_pattern(language).finditer(text):
        hour_value = 1.0 if m["h"].lower() == "ein" else number_value(m["h"], language)
        if hour_value is None or hour_value != int(hour_value):
            continue
        hour, minute = int(hour_value), int(m["mi"] or 0)
        if m.groupdict().get("ap") and m["ap"].lower().startswith("p") and hour < 12:
            hour += 12
        if hour <= 24 and minute < 60:
            normal = f"{hour:02d}:{minute:02d}"
            yield m.start(), m.end(), "time", normal
