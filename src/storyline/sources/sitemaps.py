"""Sitemaps and sitemap indexes (news sitemaps and gzip'd files too): article URLs.

The XML parser resolves no entities, loads no DTD and opens no network connection,
and refuses huge trees, so a sitemap cannot expand itself into gigabytes or make
the parser fetch anything. Gzip'd sitemaps are decompressed with the same size cap.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

from lxml import etree  # type: ignore[import-untyped]  # ships no type hints

from storyline.errors import InputError
from storyline.sources.fetch import Fetcher, Kind, inflate

GZIP_MAGIC = b"\x1f\x8b"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"

MAX_SITEMAP_URLS = 50_000
"""The sitemap protocol's own limit per file; more is not a sitemap we should trust."""

MAX_CHILD_SITEMAPS = 50
"""Child sitemaps read from one index per pass: news sites split by day or section,
and the newest few carry today's articles; an index of thousands is an archive."""

MAX_INDEX_DEPTH = 2
"""An index of indexes is allowed (large publishers); deeper nesting is a loop or a trap."""

_HEAD_BYTES = 2048
_ROOT = re.compile(rb"<(?:[\w.-]+:)?(urlset|sitemapindex)[\s>]")


@dataclass(frozen=True, slots=True)
class SitemapUrl:
    """One ``<url>`` of a sitemap, with its news fields when it is a news sitemap."""

    loc: str
    lastmod: str | None = None
    title: str | None = None  # news:title
    published: str | None = None  # news:publication_date, else lastmod


@dataclass(frozen=True, slots=True)
class Sitemap:
    """A parsed sitemap: article URLs, or (for an index) the child sitemaps."""

    urls: tuple[SitemapUrl, ...] = ()
    sitemaps: tuple[str, ...] = ()


def is_sitemap(data: bytes) -> bool:
    """Whether ``data`` (plain or gzip'd) is a sitemap or sitemap index."""
    head = data[:_HEAD_BYTES]
    if head.startswith(GZIP_MAGIC):
        try:
            head = zlib.decompressobj(31).decompress(data[: _HEAD_BYTES * 4], _HEAD_BYTES)
        except zlib.error:
            return False
    return _ROOT.search(head) is not None


def parse_sitemap(data: bytes, url: str, limit: int) -> Sitemap:
    """Parse a sitemap, sitemap index, or plain-text sitemap (one URL per line).

    Raises InputError naming ``url`` for broken XML, bombs and oversized files.
    """
    if data.startswith(GZIP_MAGIC):
        data = inflate([data], "gzip", limit, url)
    if not data.lstrip().startswith(b"<"):
        lines = data.decode("utf-8", errors="replace").splitlines()
        locs = [line.strip() for line in lines if _is_web_url(line.strip())]
        return Sitemap(urls=tuple(SitemapUrl(loc) for loc in locs[:MAX_SITEMAP_URLS]))
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise InputError(url, f"sitemap is not valid XML ({exc})") from None
    kind = etree.QName(root).localname
    if kind == "sitemapindex":
        children = [loc for loc in _locs(root, "sitemap") if _is_web_url(loc)]
        return Sitemap(sitemaps=tuple(children[:MAX_SITEMAP_URLS]))
    if kind != "urlset":
        raise InputError(url, f"not a sitemap: the root element is <{kind}>, not <urlset>")
    urls = []
    for element in root:
        if _local(element) != "url":
            continue
        fields = {_local(child): child for child in element}
        loc = _child_text(fields.get("loc"))
        if loc is None or not _is_web_url(loc):
            continue
        lastmod = _child_text(fields.get("lastmod"))
        news = element.find(f"{{{NEWS_NS}}}news")
        title = published = None
        if news is not None:
            title = _child_text(news.find(f"{{{NEWS_NS}}}title"))
            published = _child_text(news.find(f"{{{NEWS_NS}}}publication_date"))
        urls.append(SitemapUrl(loc, lastmod, title, published or lastmod))
        if len(urls) >= MAX_SITEMAP_URLS:
            break
    return Sitemap(urls=tuple(urls))


def read_sitemap_tree(
    fetcher: Fetcher, url: str, data: bytes, limit: int
) -> tuple[list[SitemapUrl], list[InputError]]:
    """The article URLs of the sitemap ``data`` fetched from ``url``, following an
    index to its children (at most MAX_CHILD_SITEMAPS, MAX_INDEX_DEPTH deep).

    A child that cannot be fetched or parsed is returned as an error; the rest go on.
    """
    urls: list[SitemapUrl] = []
    errors: list[InputError] = []
    for item in _walk(fetcher, url, data, limit, depth=0, seen={url}):
        if isinstance(item, InputError):
            errors.append(item)
        else:
            urls.append(item)
    return urls, errors


def _walk(
    fetcher: Fetcher, url: str, data: bytes, limit: int, depth: int, seen: set[str]
) -> Iterator[SitemapUrl | InputError]:
    try:
        sitemap = parse_sitemap(data, url, limit)
    except InputError as exc:
        yield exc
        return
    yield from sitemap.urls
    if sitemap.sitemaps and depth >= MAX_INDEX_DEPTH:
        yield InputError(url, f"sitemap indexes nested deeper than {MAX_INDEX_DEPTH}; skipped")
        return
    for child in sitemap.sitemaps[:MAX_CHILD_SITEMAPS]:
        if child in seen:
            continue
        seen.add(child)
        try:
            fetched = fetcher.get(child, Kind.SITEMAP)
        except InputError as exc:
            yield exc
            continue
        yield from _walk(fetcher, child, fetched.content, limit, depth + 1, seen)


def _locs(root: etree._Element, parent: str) -> Iterator[str]:
    for element in root:
        if _local(element) == parent:
            for child in element:
                if _local(child) == "loc" and (text := _child_text(child)):
                    yield text


def _local(element: etree._Element) -> str:
    tag = element.tag
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _child_text(element: etree._Element | None) -> str | None:
    if element is None or element.text is None:
        return None
    return element.text.strip() or None


def _is_web_url(text: str) -> bool:
    return text.lower().startswith(("http://", "https://")) and not any(c.isspace() for c in text)
