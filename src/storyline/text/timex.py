"""Dates and times in running text, with TIMEX-like normal forms.

"am Mittwoch" -> ``wednesday``; "im Oktober" -> ``XXXX-10`` (the year the text does
not give is ``XXXX``); "vom 3. bis 5. März 2024" and "March 3-5" ->
``2024-03-03/2024-03-05``; "14.30 Uhr", "2 p.m." -> ``14:30``, ``14:00``. Date
ranges are tried before single dates so that a range is found whole.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from storyline.text.quantities import (
    MONTHS,
    WEEKDAYS,
    WORD_END,
    alternation,
    number_value,
)

# (start, end, kind, normal): kind is "date" or "time".
Span = tuple[int, int, str, str]

_M = alternation(MONTHS)
_WD = alternation(WEEKDAYS)
_ORD = r"(?:st|nd|rd|th)?"
_Y = r"(?P<y>\d{4})(?!\d)"
# Dates start at a digit or a month name; the words before them that belong to them
# ("am", "vom", "im", "on", "since") are found by ``_lead``, which keeps every pattern
# starting with a digit or a capital and the scan fast.
_DATES = [
    re.compile(p)
    for p in (
        # 3. bis 5. März 2024; 3.–5. März; 3. März bis 5. April
        rf"(?<![\d.])(?P<d1>\d{{1,2}})\.\s*(?:(?P<m1>{_M})\s+)?"
        rf"(?:(?i:bis)\s+(?:zum\s+)?|[-–]\s*|und\s+(?:dem\s+)?)(?P<d2>\d{{1,2}})\.\s*"
        rf"(?P<m2>{_M}){WORD_END}(?:\s+{_Y})?",
        # March 3-5; March 3 to April 5, 2024
        rf"(?P<m1>{_M})\s+(?P<d1>\d{{1,2}}){_ORD}\s*"
        rf"(?:-|–|to|through|until|and)\s*(?:(?P<m2>{_M})\s+)?(?P<d2>\d{{1,2}}){_ORD}(?!\d)"
        rf"(?:,?\s+{_Y})?",
        # 3-5 March 2024
        rf"(?<![\d.])(?P<d1>\d{{1,2}}){_ORD}\s*(?:-|–|to)\s*(?P<d2>\d{{1,2}}){_ORD}\s+"
        rf"(?P<m2>{_M}){WORD_END}(?:\s+{_Y})?",
        # 3. März 2024
        rf"(?<![\d.])(?P<d>\d{{1,2}})\.\s*(?P<m>{_M}){WORD_END}(?:\s+{_Y})?",
        # March 3, 2024; 3 March 2024
        rf"(?P<m>{_M})\s+(?P<d>\d{{1,2}}){_ORD}(?!\d)(?:,?\s+{_Y})?",
        rf"(?<![\d.])(?P<d>\d{{1,2}}){_ORD}\s+(?P<m>{_M}){WORD_END}(?:\s+{_Y})?",
        # 30.11.2022; 2024-03-16
        r"(?<![\d.])(?P<d>\d{1,2})\.(?P<mo>\d{1,2})\.(?P<y>\d{4})(?!\d)",
        r"(?<![\d-])(?P<y>\d{4})-(?P<mo>\d{2})(?:-(?P<d>\d{2}))?(?![\d-])",
        # Oktober 2022; a month alone needs a word before it ("im Oktober")
        rf"(?P<m>{_M}){WORD_END}(?:\s+{_Y})?",
    )
]
_LEAD = re.compile(
    r"(?i:am|on|vom|im|in|seit|ab|bis|zum|anfang|ende|mitte|early|late|since|until|by|from|"
    r"during|between|zwischen|last|next|this|vergangenen|kommenden|nächsten|diesen|letzten|"
    r"seit\s+dem|bis\s+zum|ab\s+dem|zwischen\s+dem|nacht\s+zum)\s+$"
)
# Longest lead word with its space ("vergangenen ", "zwischen dem ").
_LEAD_CHARS = 16
_WEEKDAY = re.compile(
    rf"(?P<w>{_WD})(?:abend|morgen|nachmittag|vormittag|mittag|nacht)?(?:'s|s)?{WORD_END}"
)
_TIME_EN = re.compile(
    r"(?<![\d.,])(?P<h>\d{1,2})(?::(?P<mi>\d{2}))?\s*(?P<ap>(?i:a\.m\.|p\.m\.|am|pm))" + WORD_END
)
# German times end in "Uhr"; the hour before it is found looking back from there.
_UHR = re.compile(r"(?<![^\W\d_])Uhr" + WORD_END)
_HOUR_BEFORE = re.compile(r"(?<![\d.,])(?P<h>\d{1,2}|[^\W\d_]+)(?:[.:](?P<mi>\d{2}))?\s+$")


def _lead(text: str, start: int) -> int:
    """Where a date starts when the word before it belongs to it ("am Mittwoch")."""
    m = _LEAD.search(text, max(0, start - _LEAD_CHARS), start)
    return m.start() if m is not None else start


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
                m2 = _month(groups.get("m2"), None) or _month(groups.get("m1"), None)
                m1 = _month(groups.get("m1"), None) or m2
                d1, d2 = int(groups["d1"]), int(groups["d2"])
                if 1 <= d1 <= 31 and 1 <= d2 <= 31 and (m1, d1) < (m2, d2):
                    normal = f"{year}-{m1:02d}-{d1:02d}/{year}-{m2:02d}-{d2:02d}"
                    yield _lead(text, m.start()), m.end(), "date", normal
                continue
            month = _month(groups.get("m"), groups.get("mo"))
            day = int(groups["d"]) if groups.get("d") else 0
            if not 1 <= month <= 12 or day > 31:
                continue
            start = _lead(text, m.start())
            if not groups.get("d") and start == m.start() and not groups.get("y"):
                continue  # "August" alone may be a given name; "May" a verb
            normal = f"{year}-{month:02d}" + (f"-{day:02d}" if day else "")
            yield start, m.end(), "date", normal
    for m in _WEEKDAY.finditer(text):
        yield _lead(text, m.start()), m.end(), "date", WEEKDAYS[m["w"]]
    yield from _times(text, language)


def _times(text: str, language: str) -> Iterator[Span]:
    """ "14.30 Uhr", "fünf Uhr", "2 p.m."."""
    found: list[tuple[int, int, str, str | None, str | None]] = []
    if language == "de":
        for m in _UHR.finditer(text):
            before = _HOUR_BEFORE.search(text, max(0, m.start() - 20), m.start())
            if before is not None:
                found.append((before.start(), m.end(), before["h"], before["mi"], None))
    else:
        found = [(m.start(), m.end(), m["h"], m["mi"], m["ap"]) for m in _TIME_EN.finditer(text)]
    for start, end, h, mi, ap in found:
        value = 1.0 if h.lower() == "ein" else number_value(h, language)
        if value is None or value != int(value):
            continue
        hours, minutes = int(value), int(mi or 0)
        if ap and ap.lower().startswith("p") and hours < 12:
            hours += 12
        if hours <= 24 and minutes < 60:
            yield start, end, "time", f"{hours:02d}:{minutes:02d}"
