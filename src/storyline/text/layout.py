"""Read the plain text layout: an optional ``date`` header, a title line, the body.

::

     date 2022-11 Militär-Koalition: Russland bestätigt ...   <- header, title on it
    date 2022-11-23                                           <- or header alone
    <boilerplate lines: section label, aggregator disclaimer> <- skipped
    Title                                                     <- first prose line
    Title, repeated with small edits                          <- dropped
    Body ...

A date keeps the precision it was given: ``date 2022-11`` is November 2022 (stored
as the first of the month, UTC) with ``DatePrecision.MONTH``, never a made-up day.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from storyline.model import DatePrecision
from storyline.text.clean import is_boilerplate_line, is_near_repeat, normalize_text
from storyline.text.dates import plausible_date

__all__ = ["TextLayout", "parse_text_layout"]

MAX_TITLE_CHARS = 300
"""Headlines run to about 150 characters; a first line longer than this is a
paragraph, so the text has no title line."""

_HEADER = re.compile(
    r"\s*date:?[ \t]+(?P<year>[0-9]{4})(?:-(?P<month>[0-9]{1,2})(?:-(?P<day>[0-9]{1,2}))?)?"
    r"(?=\s|\Z)\s*(?P<rest>.*)",
    re.IGNORECASE | re.DOTALL,
)


@dataclass(frozen=True, slots=True)
class TextLayout:
    """Title, body and dated header read from a plain text article."""

    title: str
    body: str
    published: datetime | None = None
    precision: DatePrecision | None = None


def _header_date(m: re.Match[str]) -> tuple[datetime | None, DatePrecision | None]:
    year, month, day = m["year"], m["month"], m["day"]
    precision = DatePrecision.DAY if day else DatePrecision.MONTH if month else DatePrecision.YEAR
    try:
        when = datetime(int(year), int(month or 1), int(day or 1), tzinfo=UTC)
    except ValueError:  # "date 2022-13": a header, but not a date
        return None, None
    # "date 0001-01-01" is a placeholder, as in any other field that dates an article.
    return plausible_date(when, precision)


def _first_prose(lines: list[str], start: int, *, at_edge: bool) -> int | None:
    """Index of the first line from ``start`` that is neither blank nor boilerplate."""
    for i in range(start, len(lines)):
        if lines[i].strip() and not is_boilerplate_line(lines[i], at_edge=at_edge):
            return i
    return None


# A first line of at most this many words, with no sentence punctuation, directly
# above a longer line is a kicker or section label ("Hamburg", "Recht", "Ausland"),
# not the headline: news pages print them above the title.
KICKER_MAX_WORDS = 2

# ... provided the line below it is long enough to be a headline.
HEADLINE_MIN_WORDS = 4


def _skip_kicker(lines: list[str], at: int) -> int:
    words = lines[at].split()
    if len(words) > KICKER_MAX_WORDS or any(ch in lines[at] for ch in ".!?:"):
        return at
    below = next((i for i in range(at + 1, len(lines)) if lines[i].strip()), None)
    if below is None or below != at + 1 or len(lines[below].split()) < HEADLINE_MIN_WORDS:
        return at
    return below


def parse_text_layout(content: str) -> TextLayout:
    """Split a plain text article into title, body and header date.

    Boilerplate before the title (section labels, aggregator disclaimers) is
    skipped; a line right after the title that repeats it with small edits is
    dropped. The body is otherwise returned as written, for ``clean_text``.
    """
    lines = content.lstrip("\ufeff").splitlines()
    published: datetime | None = None
    precision: DatePrecision | None = None

    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        return TextLayout("", "")
    header = _HEADER.fullmatch(lines[first])
    if header:
        published, precision = _header_date(header)
        rest = header["rest"].strip()
        if rest:
            lines[first] = rest
        else:
            first += 1

    title_at = _first_prose(lines, first, at_edge=True)
    if title_at is None:
        return TextLayout("", "", published, precision)
    title_at = _skip_kicker(lines, title_at)
    title = normalize_text(lines[title_at]).replace("\n", " ").strip()
    if len(title) > MAX_TITLE_CHARS:
        body_lines = lines[title_at:]
        title = ""
    else:
        body_lines = lines[title_at + 1 :]
        repeat_at = _first_prose(body_lines, 0, at_edge=False)
        if repeat_at is not None and is_near_repeat(
            normalize_text(body_lines[repeat_at]).strip(), title
        ):
            del body_lines[repeat_at]
    body = "\n".join(body_lines).strip("\n")
    return TextLayout(title, body, published, precision)
