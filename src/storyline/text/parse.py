"""Read the fields of one raw document: title, main text, date, source, url.

One parser per :class:`DocKind`. Plain text goes to ``storyline.text.layout``,
HTML to trafilatura (main text) and htmldate (date), records are already mapped by
``storyline.sources.records``. Cleaning comes later; this module only reads.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from htmldate import find_date
from lxml.html import HtmlElement  # type: ignore[import-untyped]  # ships no type hints
from trafilatura import bare_extraction
from trafilatura.settings import Document
from trafilatura.utils import load_html

from storyline.errors import EmptyInput, InputError, MalformedRecord
from storyline.model import DatePrecision, DocKind, Parsed, RawDocument
from storyline.sources.records import AUTHOR_SEPARATOR
from storyline.text.bylines import clean_authors
from storyline.text.dates import parse_date
from storyline.text.layout import parse_text_layout

MARKUP_DATE_PARAMS: dict[str, object] = {
    # The first publication, not the last edit: a story's timeline orders first reports.
    "original_date": True,
    # Markup only (meta tags, JSON-LD, <time>, the URL): these dates are meant as the
    # publication date, so they are trusted, with their time of day when given.
    "extensive_search": False,
    # A date in the URL only after the page's own metadata: URLs carry the date a slug was
    # made, an event's date, or none of them; meta tags and JSON-LD state publication.
    "deferred_url_extractor": True,
    # Keep the time and zone so a timestamp in the markup gives minute precision.
    "outputformat": "%Y-%m-%dT%H:%M:%S%z",
}
"""htmldate options for the date trafilatura reads from the page's markup."""

CRAWL_CLOCK_SKEW = timedelta(days=1)
"""A page cannot be published after it was crawled; a day of slack covers pages that
state a local time without its zone."""

LISTING_TYPES = frozenset({"ItemList", "BreadcrumbList", "CollectionPage", "SearchResultsPage"})
"""JSON-LD objects that list other pages: their dates belong to those pages."""

_AUTHOR_SPLIT = re.compile(r"\s*;\s*")  # trafilatura joins several authors with "; "
_MIDNIGHT = "T00:00:00"  # htmldate's filler when the markup gives a day only


def parse_document(raw: RawDocument) -> Parsed:
    """Read title, text, date and provenance; raise an InputError naming ``raw.origin``."""
    if raw.kind is DocKind.RECORD:
        return _parse_record(raw)
    if raw.kind is DocKind.HTML:
        return _parse_html(raw)
    return _parse_text(raw)


def _parse_record(raw: RawDocument) -> Parsed:
    fields = raw.fields
    text = _field(fields.get("text"))
    if text is None:
        raise MalformedRecord(raw.origin, "record has no article text (its text field is empty)")
    published, precision = parse_date(fields.get("published"))
    authors = clean_authors((fields.get("authors") or "").split(AUTHOR_SEPARATOR))
    return Parsed(
        origin=raw.origin,
        title=_field(fields.get("title")) or "",
        text=text,
        url=_field(fields.get("url")),
        source=_field(fields.get("source")),
        published=published,
        date_precision=precision,
        language=_field(fields.get("language")),
        description=_field(fields.get("description")),
        authors=authors,
    )


def _parse_text(raw: RawDocument) -> Parsed:
    if not raw.content.strip():
        raise EmptyInput(raw.origin, "holds no text")
    layout = parse_text_layout(raw.content)
    title, body = layout.title, layout.body
    published, precision = layout.published, layout.precision
    if not body.strip():
        raise EmptyInput(raw.origin, "holds a title but no article text below it")
    if published is None:  # a source may know the date the text itself does not state
        published, precision = parse_date(raw.fields.get("published"))
    return Parsed(
        origin=raw.origin,
        title=title,
        text=body,
        url=_field(raw.fields.get("url")),
        # The folder a file sits in is not an outlet; the pipeline picks the default.
        source=_field(raw.fields.get("source")),
        published=published,
        date_precision=precision,
        language=_field(raw.fields.get("language")),
    )


def _parse_html(raw: RawDocument) -> Parsed:
    if not raw.content.strip():
        raise EmptyInput(raw.origin, "holds no HTML")
    url_hint = _field(raw.fields.get("url"))
    try:
        tree = load_html(raw.content)
        result = (
            None
            if tree is None
            else bare_extraction(
                _without_foreign_dates(tree),
                url=url_hint,
                favor_precision=False,  # balanced: precision mode drops short real paragraphs
                include_comments=False,  # reader comments are not the outlet's report
                with_metadata=True,
                date_extraction_params=MARKUP_DATE_PARAMS,
            )
        )
    except Exception as exc:  # lxml and trafilatura raise many types on hostile markup
        raise InputError(
            raw.origin, f"HTML could not be parsed ({exc}); is it a web page?"
        ) from exc
    document = result if isinstance(result, Document) else None
    text = (document.text or "").strip() if document else ""
    if document is None or not text or tree is None:
        raise EmptyInput(
            raw.origin,
            "no main text found in the page; it may be an index page, a paywall stub "
            "or built by JavaScript (save the rendered page instead)",
        )
    # A feed entry's title is the fallback when the page names none.
    title = " ".join((document.title or raw.fields.get("title") or "").split())
    url = document.url or url_hint  # trafilatura prefers the canonical link
    published, precision = _markup_date(document.date)
    if published is None and raw.fields.get("published"):
        # The date a feed gave for this entry beats a guess from the page's text.
        published, precision = parse_date(raw.fields.get("published"))
    if published is None:
        published, precision = _free_text_date(tree, url)
    published, precision = _checked_against_crawl(published, precision, raw.fields.get("crawled"))
    return Parsed(
        origin=raw.origin,
        title=title,
        text=_without_title_line(text, title),
        url=url,
        source=_field(document.sitename) or _host(url),
        published=published,
        date_precision=precision,
        language=_field(document.language),
        description=_field(document.description),
        authors=clean_authors(_AUTHOR_SPLIT.split(document.author or "")),
    )


def _without_foreign_dates(tree: HtmlElement) -> HtmlElement:
    """Drop what dates other things than the article: scripts other than JSON-LD (app
    state, analytics, related items) and JSON-LD lists of other pages."""
    for script in list(tree.iter("script")):
        kind = (script.get("type") or "").strip().lower()
        if kind != "application/ld+json" or _lists_other_pages(script.text or ""):
            script.drop_tree()
    return tree


def _lists_other_pages(text: str) -> bool:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return False  # invalid JSON-LD is left to the extractors' own tolerance
    items = data if isinstance(data, list) else [data]
    types = [item.get("@type") for item in items if isinstance(item, dict)]
    return bool(types) and all(isinstance(t, str) and t in LISTING_TYPES for t in types)


def _markup_date(value: str | None) -> tuple[datetime | None, DatePrecision | None]:
    published, precision = parse_date(value)
    if value and precision is DatePrecision.MINUTE and value.endswith(_MIDNIGHT):
        precision = DatePrecision.DAY  # no zone and midnight: the markup gave a day
    return published, precision


def _free_text_date(
    html: HtmlElement, url: str | None
) -> tuple[datetime | None, DatePrecision | None]:
    """Only when the markup has no date: htmldate's extensive search scans the page text.

    It can pick a date the article merely mentions, but on news pages it is right far
    more often than not, and a day is worth more to the story window than no date.
    A time of day found in prose is not trusted, so the precision is a day at most.
    """
    try:
        found = find_date(html, url=url, original_date=True, extensive_search=True)
    except Exception:  # a date is optional; a failing heuristic must not lose the article
        return None, None
    published, _ = parse_date(found)
    if published is None:
        return None, None
    # htmldate fills parts it did not find with 1. Its January 1st is nearly always a
    # bare year, most often the footer's copyright year: when the page was rendered,
    # not published. A 1st of another month is a month-and-year find.
    if published.day == 1 and published.month == 1:
        return None, None
    return published, DatePrecision.MONTH if published.day == 1 else DatePrecision.DAY


def _checked_against_crawl(
    published: datetime | None, precision: DatePrecision | None, crawled_value: str | None
) -> tuple[datetime | None, DatePrecision | None]:
    """The crawl day (from a WARC) stands in when the page gives no date, or an impossible
    one; a crawler fetches news within hours or days, so the day is close."""
    crawled, _ = parse_date(crawled_value)
    if crawled is None or (published is not None and published <= crawled + CRAWL_CLOCK_SKEW):
        return published, precision
    return crawled.replace(hour=0, minute=0, second=0, microsecond=0), DatePrecision.DAY


def _without_title_line(text: str, title: str) -> str:
    """trafilatura keeps the headline as the first line; the title is kept apart."""
    first, _, rest = text.partition("\n")
    if title and " ".join(first.split()).casefold() == title.casefold() and rest.strip():
        return rest.strip()
    return text


def _field(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


def _host(url: str | None) -> str | None:
    if not url:
        return None
    try:
        host = urlsplit(url).hostname
    except ValueError:  # malformed, e.g. an unclosed IPv6 bracket
        return None
    return host.removeprefix("www.") if host else None
