"""What one input item may cost: checked before the expensive stages, with clear refusals.

Bytes are limited where items are read (``max_input_bytes``: files, lines, WARC records,
fetched bodies, request bodies) and fetches by time (``fetch_timeout_seconds``). The
stages after reading cost more than their input's size says: HTML extraction slows down
faster than linearly with the number of elements (100,000 paragraphs take minutes) and
the HTML parser with the square of one element's attributes, and analysis costs about
five seconds per million characters of text. So before parsing, a page's markup and an
article's text are measured here, in one linear pass, and an item over a limit becomes a
``TooLarge`` error naming it, the measure, the limit and the setting that raises it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from storyline.config import Settings, env_name
from storyline.errors import InputError, TooLarge
from storyline.model import DocKind, RawDocument

__all__ = ["Limits", "check_document", "markup_problem", "within_limits"]

ATTRIBUTE_SCAN_CHARS = 1_000
"""Tags shorter than this cannot hold enough attributes to matter and are not scanned."""

_ELEMENT = re.compile(r"<[A-Za-z]")
_LONG_TAG = re.compile(rf"<[A-Za-z][^<>]{{{ATTRIBUTE_SCAN_CHARS},}}>?")
_ATTRIBUTE = re.compile(r"""\s[^\s=/>"']+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]*))?""")
_NOT_TEXT = re.compile(r"<(?:(script|style|template)\b|!--)", re.IGNORECASE)
_TAG = re.compile(r"<[^<>]*>")


@dataclass(frozen=True, slots=True)
class Limits:
    """The per-item limits of a ``Settings``."""

    max_article_chars: int
    max_html_elements: int
    max_element_attributes: int

    @classmethod
    def of(cls, settings: Settings) -> Limits:
        return cls(
            settings.max_article_chars, settings.max_html_elements, settings.max_element_attributes
        )


def within_limits(
    items: Iterable[RawDocument | InputError], limits: Limits
) -> Iterator[RawDocument | InputError]:
    """``items`` with every document over a limit replaced by its ``TooLarge`` error."""
    for item in items:
        if isinstance(item, RawDocument):
            yield check_document(item, limits) or item
        else:
            yield item


def check_document(raw: RawDocument, limits: Limits) -> TooLarge | None:
    """The error for a document over a limit, or None."""
    if raw.kind is DocKind.HTML:
        return _check_markup(raw.origin, raw.content, limits)
    if raw.kind is DocKind.TEXT:
        return _check_text(raw.origin, len(raw.content), "text", limits)
    # A record's title and description are analysed with its text.
    analysed = sum(len(raw.fields.get(key) or "") for key in ("title", "text", "description"))
    return _check_text(raw.origin, analysed, "text", limits)


def _check_markup(origin: str, html: str, limits: Limits) -> TooLarge | None:
    problem = markup_problem(html, limits.max_html_elements, limits.max_element_attributes)
    if problem is not None:
        return TooLarge(origin, f"page {problem}")
    return _check_text(origin, _text_chars(html), "page text", limits)


def markup_problem(
    markup: str,
    max_elements: int,
    max_attributes: int,
    elements_setting: str = "max_html_elements",
) -> str | None:
    """Why ``markup`` (HTML or XML) is too costly to parse, or None: too many elements,
    or an element with too many attributes. The message names the setting to raise."""
    elements = len(_ELEMENT.findall(markup))
    if elements > max_elements:
        return (
            f"has {elements:,} elements, over the limit of {max_elements:,}"
            f"{_raise(elements_setting)}"
        )
    for tag in _LONG_TAG.finditer(markup):
        attributes = len(_ATTRIBUTE.findall(tag.group()))
        if attributes > max_attributes:
            name = tag.group()[1:].split(None, 1)[0][:40]
            return (
                f"has a <{name}> element with {attributes:,} attributes, over the limit of "
                f"{max_attributes:,}{_raise('max_element_attributes')}"
            )
    return None


def _text_chars(html: str) -> int:
    """Characters outside tags, scripts, styles and comments: the most extraction can
    return. One pass: each search starts where the last one ended."""
    lower = html.lower()
    outside: list[str] = []
    at = 0
    while (opening := _NOT_TEXT.search(lower, at)) is not None:
        outside.append(lower[at : opening.start()])
        end = "</" + opening.group(1) if opening.group(1) else "-->"
        closing = lower.find(end, opening.end())
        if closing < 0:
            at = len(lower)  # unclosed: the rest is script or comment, as browsers read it
            break
        at = closing + len(end)
    outside.append(lower[at:])
    return len(_TAG.sub("", "".join(outside)))


def _check_text(origin: str, chars: int, what: str, limits: Limits) -> TooLarge | None:
    if chars <= limits.max_article_chars:
        return None
    return TooLarge(
        origin,
        f"{what} is {chars:,} characters, over the limit of {limits.max_article_chars:,} for "
        f"one article (a dump or a listing?){_raise('max_article_chars')}",
    )


def _raise(setting: str) -> str:
    return f"; raise {setting} ({env_name(setting)}) to accept it"
