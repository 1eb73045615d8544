"""Map JSON article objects onto the fields of a ``RECORD`` :class:`RawDocument`.

news-please keys are read first; where one is absent, the generic alternatives in
:data:`FIELD_KEYS` are tried in order, so exports from feeds, NewsAPI-like services
and home-made scrapers load without conversion. ``docs/input-formats.md`` shows the
same table; a test keeps the two in step.

A value of the wrong type (a number as title, an object as text, NaN, null) is
skipped as if absent, and the next key is tried. Only a record with no usable text
is refused, with :class:`MalformedRecord`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence

from storyline.errors import MalformedRecord
from storyline.text.dates import parse_date

FIELD_KEYS: dict[str, tuple[str, ...]] = {
    "title": ("title", "headline"),
    "text": ("maintext", "text", "body", "content", "article", "articleBody"),
    "description": ("description", "summary", "abstract", "lead"),
    # Publication keys before modification and download times: a crawl date is a
    # poor stand-in for the publication date, so it comes last.
    "published": (
        "date_publish",
        "published",
        "published_at",
        "publishedAt",
        "pubDate",
        "datePublished",
        "date",
        "date_modify",
        "date_download",
    ),
    "url": ("url", "link"),
    "source": ("source_domain", "source", "site", "publisher", "sitename"),
    "language": ("language", "lang"),
    "authors": ("authors", "author"),
}
"""Field -> JSON keys that may hold it, news-please's key first."""

AUTHOR_SEPARATOR = "\n"
"""RawDocument fields are strings; names never hold a line break, so it joins them."""

PARAGRAPH_SEPARATOR = "\n\n"
"""Text given as a list of paragraphs is joined with a blank line, as in plain text."""

_Reader = Callable[[object], str | None]


def record_fields(obj: object, origin: str) -> dict[str, str | None]:
    """Map one JSON value to RawDocument fields; raise MalformedRecord if unusable."""
    if not isinstance(obj, Mapping):
        raise MalformedRecord(
            origin,
            f"expected a JSON object for an article, found {json_type(obj)}",
        )
    fields: dict[str, str | None] = {
        "title": _first(obj, FIELD_KEYS["title"], _as_text),
        "text": _first(obj, FIELD_KEYS["text"], _as_body),
        "description": _first(obj, FIELD_KEYS["description"], _as_text),
        "published": _first(obj, FIELD_KEYS["published"], _as_date),
        "url": _first(obj, FIELD_KEYS["url"], _as_text),
        "source": _first(obj, FIELD_KEYS["source"], _as_source),
        "language": _first(obj, FIELD_KEYS["language"], _as_text),
        "authors": _first(obj, FIELD_KEYS["authors"], _as_authors),
    }
    if fields["text"] is None:
        keys = ", ".join(FIELD_KEYS["text"])
        raise MalformedRecord(
            origin, f"record has no article text: give a non-empty string in one of {keys}"
        )
    return fields


def _first(obj: Mapping[object, object], keys: Sequence[str], read: _Reader) -> str | None:
    for key in keys:
        value = read(obj.get(key))
        if value is not None:
            return value
    return None


def _as_text(value: object) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def _as_body(value: object) -> str | None:
    # Some scrapers store the body as a list of paragraphs.
    if isinstance(value, list):
        paragraphs = [part.strip() for part in value if isinstance(part, str) and part.strip()]
        return PARAGRAPH_SEPARATOR.join(paragraphs) or None
    return _as_text(value)


def _as_date(value: object) -> str | None:
    """Keep a date only if it parses, so a broken date_publish falls back to the next key."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if parse_date(value)[0] is None:
        return None
    return value.strip() if isinstance(value, str) else repr(value)


def _as_source(value: object) -> str | None:
    # NewsAPI and similar give the source as {"id": ..., "name": ...}.
    if isinstance(value, Mapping):
        return _as_text(value.get("name"))
    return _as_text(value)


def _as_authors(value: object) -> str | None:
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, list):
        return None
    kept = [" ".join(name.split()) for name in names if isinstance(name, str) and name.strip()]
    return AUTHOR_SEPARATOR.join(kept) or None


def json_type(value: object) -> str:
    """How a JSON value is called in error messages: "an array", "a string", ..."""
    names = {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}
    return names.get(type(value), "a number")
