"""RSS/Atom feeds: the feed list, feed parsing and back-off after errors.

Feeds are fetched by :class:`storyline.sources.fetch.Fetcher` and only parsed here:
feedparser is handed the bytes, never a URL or a file name, so it opens nothing
itself. The feed list is a text file (one URL per line, ``#`` comments) or OPML.
"""

from __future__ import annotations

import io
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import feedparser  # type: ignore[import-untyped]  # ships no type hints
from lxml import etree  # type: ignore[import-untyped]  # ships no type hints

from storyline.config import Settings
from storyline.errors import ConfigError, InputError
from storyline.limits import markup_problem

MAX_BACKOFF_SECONDS = 6 * 3600.0
"""A feed failing for days is still tried four times a day, so its return is noticed."""

MAX_FEEDS = 10_000
"""Feeds in one list: far above any newsroom's list, low enough to catch a wrong file."""

MAX_ENTRIES_PER_FEED = Settings().max_feed_entries
"""The ``max_feed_entries`` default, for callers without settings."""

MAX_ATTRIBUTES = Settings().max_element_attributes
"""The ``max_element_attributes`` default, for callers without settings."""

ELEMENTS_PER_ENTRY = 50
"""Elements a feed may have per entry it may carry: an item has 5-20 (title, link, guid,
dates, categories, media), so a document with more is not a feed of that many entries;
feedparser's time grows with the elements (100,000 take seconds)."""


class FeedError(InputError):
    """A fetched document is not a readable RSS/Atom feed."""


@dataclass(frozen=True, slots=True)
class Entry:
    """One item of a feed or sitemap: what the watcher needs to fetch its page."""

    key: str  # the entry's id (guid), or its URL when it has none
    url: str
    title: str | None = None
    published: str | None = None  # ISO 8601, UTC


def read_feed_list(path: str | Path) -> list[str]:
    """Feed URLs from a text file or an OPML file, in order, without repeats.

    Raises ConfigError naming the file (and line) when it cannot be used.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read the feed list {path}: {exc.strerror or exc}") from None
    head = data.lstrip()[:512].lower()
    urls = (
        _opml_urls(data, path) if head.startswith((b"<?xml", b"<opml")) else _text_urls(data, path)
    )
    if not urls:
        raise ConfigError(f"{path} lists no feeds; write one feed URL per line")
    if len(urls) > MAX_FEEDS:
        raise ConfigError(f"{path} lists {len(urls):,} feeds, more than {MAX_FEEDS:,}")
    return list(dict.fromkeys(urls))


def _text_urls(data: bytes, path: Path) -> list[str]:
    urls = []
    for number, line in enumerate(data.decode("utf-8", errors="replace").splitlines(), 1):
        line = line.strip()
        if line.startswith("#"):
            continue
        line = line.split(" #", 1)[0].strip()  # a comment after the URL
        if not line:
            continue
        if not _is_web_url(line):
            raise ConfigError(f"{path}:{number}: {line!r} is not an http(s) URL")
        urls.append(line)
    return urls


def _opml_urls(data: bytes, path: Path) -> list[str]:
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise ConfigError(f"{path} is not valid OPML: {exc}") from None
    urls = []
    for outline in root.iter("outline"):
        url = (outline.get("xmlUrl") or outline.get("xmlurl") or "").strip()
        if url:
            if not _is_web_url(url):
                raise ConfigError(f"{path}: feed {url!r} is not an http(s) URL")
            urls.append(url)
    return urls


def _is_web_url(text: str) -> bool:
    return text.lower().startswith(("http://", "https://")) and " " not in text


def parse_feed(
    data: bytes,
    url: str,
    content_type: str = "",
    max_entries: int = MAX_ENTRIES_PER_FEED,
    max_attributes: int = MAX_ATTRIBUTES,
) -> list[Entry]:
    """The entries of an RSS/Atom document, in document order; the first ``max_entries``.

    A feed with syntax errors still yields what feedparser recovered; a document that
    is no feed at all (an HTML page, garbage) raises FeedError naming ``url``.
    """
    # Measured before parsing: feedparser's time grows with the square of one element's
    # attributes. NULs are dropped so UTF-16 markup is measured too.
    markup = data.replace(b"\x00", b"").decode("latin-1")
    problem = markup_problem(
        markup, max_entries * ELEMENTS_PER_ENTRY, max_attributes, "max_feed_entries"
    )
    if problem is not None:
        raise FeedError(url, f"feed {problem}")
    headers = {"content-location": url}  # base for relative links
    if content_type:
        headers["content-type"] = content_type
    try:
        # A file-like object: given bytes, feedparser would try them as a file name.
        parsed = feedparser.parse(io.BytesIO(data), response_headers=headers)
    except Exception as exc:  # feedparser and its SAX parsers raise many types
        raise FeedError(url, f"feed could not be parsed ({type(exc).__name__}: {exc})") from exc
    entries: list[Any] = list(parsed.get("entries") or [])[:max_entries]
    if not entries and not parsed.get("version"):  # a valid empty feed has a version
        problem = parsed.get("bozo_exception") or "no feed element found"
        raise FeedError(url, f"not an RSS or Atom feed ({problem}); check the feed URL")
    found = []
    for item in entries:
        link = _text(item.get("link"))
        if link is None:
            link = next(
                (_text(x.get("href")) for x in item.get("links") or [] if x.get("href")), None
            )
        if link is None or not _is_web_url(link):
            continue  # no page to fetch: a status update, or a javascript: or file: link
        found.append(
            Entry(
                key=_text(item.get("id")) or link,
                url=link,
                title=_text(item.get("title")),
                published=_iso(item.get("published_parsed") or item.get("updated_parsed")),
            )
        )
    return found


def backoff_seconds(failures: int, interval: float, retry_after: float | None = None) -> float:
    """Wait before the next poll of a feed that failed ``failures`` times in a row:
    the interval doubled per failure, at least the server's Retry-After, capped."""
    if failures <= 0:
        return interval
    delay = interval * 2.0 ** min(failures, 30)
    if retry_after is not None:
        delay = max(delay, retry_after)
    return min(delay, max(MAX_BACKOFF_SECONDS, interval))


def _text(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    value = " ".join(value.split())
    return value or None


def _iso(value: object) -> str | None:
    if not isinstance(value, time.struct_time):
        return None
    try:
        return datetime(*value[:6], tzinfo=UTC).isoformat()
    except (ValueError, OverflowError):
        return None
