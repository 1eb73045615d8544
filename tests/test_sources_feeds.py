"""Feed lists, RSS/Atom parsing, back-off, and sitemaps (news, index, gzip'd, hostile)."""

from __future__ import annotations

import gzip
import time
from pathlib import Path

import httpx
import pytest

from storyline.errors import ConfigError, InputError
from storyline.sources.feeds import (
    MAX_BACKOFF_SECONDS,
    FeedError,
    backoff_seconds,
    parse_feed,
    read_feed_list,
)
from storyline.sources.sitemaps import is_sitemap, parse_sitemap, read_sitemap_tree
from tests.test_sources_fetch import Site, make_fetcher

RSS = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Varna News</title><link>https://news.example/</link>
<item><title>Bridge closes</title><link>https://news.example/bridge</link>
  <guid isPermaLink="false">id-1</guid><pubDate>Thu, 02 May 2024 08:00:00 +0200</pubDate></item>
<item><title>Relative link</title><link>/strike</link></item>
<item><title>No link at all</title><description>status update</description></item>
</channel></rss>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Space</title><id>urn:space</id>
<updated>2024-05-02T10:00:00Z</updated>
<entry><title>Aster-3 reaches orbit</title><id>urn:aster</id>
  <link rel="alternate" href="https://space.example/aster"/>
  <updated>2024-05-02T10:00:00Z</updated></entry>
</feed>"""

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]>
ROOT"""


def test_feeds_read_text_list_with_comments(tmp_path: Path) -> None:
    listing = tmp_path / "feeds.txt"
    listing.write_text(
        "# my feeds\n\nhttps://a.example/rss\n  https://b.example/atom  # sport\n"
        "https://a.example/rss\n"
    )
    assert read_feed_list(listing) == ["https://a.example/rss", "https://b.example/atom"]


def test_feeds_read_list_errors_name_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("https://a.example/rss\nftp://b.example/feed\n")
    with pytest.raises(ConfigError, match=r"bad\.txt:2: 'ftp://b\.example/feed'"):
        read_feed_list(bad)
    empty = tmp_path / "empty.txt"
    empty.write_text("# nothing yet\n")
    with pytest.raises(ConfigError, match="lists no feeds"):
        read_feed_list(empty)
    with pytest.raises(ConfigError, match="cannot read"):
        read_feed_list(tmp_path / "missing.txt")


def test_feeds_read_opml(tmp_path: Path) -> None:
    opml = tmp_path / "feeds.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="2.0"><head><title>x</title></head><body>'
        '<outline text="News"><outline text="A" type="rss" xmlUrl="https://a.example/rss"/>'
        '<outline text="B" xmlUrl="https://b.example/atom"/></outline>'
        '<outline text="site only" htmlUrl="https://c.example/"/></body></opml>'
    )
    assert read_feed_list(opml) == ["https://a.example/rss", "https://b.example/atom"]


def test_feeds_opml_entities_are_not_expanded(tmp_path: Path) -> None:
    opml = tmp_path / "bomb.opml"
    opml.write_bytes(BILLION_LAUGHS.replace(b"ROOT", b"<opml><body>&lol9;</body></opml>"))
    started = time.monotonic()
    with pytest.raises(ConfigError):
        read_feed_list(opml)  # no outlines: nothing listed, nothing expanded
    assert time.monotonic() - started < 2


def test_feeds_parse_rss_and_atom() -> None:
    entries = parse_feed(RSS, "https://news.example/rss", "application/rss+xml")
    assert [(e.key, e.url, e.title) for e in entries] == [
        ("id-1", "https://news.example/bridge", "Bridge closes"),
        ("https://news.example/strike", "https://news.example/strike", "Relative link"),
    ]
    assert entries[0].published == "2024-05-02T06:00:00+00:00"
    atom = parse_feed(ATOM, "https://space.example/feed")
    assert [(e.key, e.url, e.published) for e in atom] == [
        ("urn:aster", "https://space.example/aster", "2024-05-02T10:00:00+00:00")
    ]


def test_feeds_broken_documents() -> None:
    for data in (b"<html><body>Not found</body></html>", b"\x00\x01\x02garbage", b""):
        with pytest.raises(FeedError, match="not an RSS or Atom feed") as caught:
            parse_feed(data, "https://news.example/rss")
        assert caught.value.origin == "https://news.example/rss"
    # Truncated mid-document: what could be read is kept.
    entries = parse_feed(RSS[: RSS.index(b"<item><title>Relative")], "https://news.example/rss")
    assert [e.url for e in entries] == ["https://news.example/bridge"]


def test_feeds_entity_bomb_is_not_expanded() -> None:
    bomb = BILLION_LAUGHS.replace(
        b"ROOT", b"<rss version='2.0'><channel><title>&lol9;</title></channel></rss>"
    )
    started = time.monotonic()
    try:
        entries = parse_feed(bomb, "https://news.example/rss")
    except FeedError:
        entries = []
    assert entries == [] and time.monotonic() - started < 2


def test_feeds_parser_never_opens_files_or_urls(tmp_path: Path) -> None:
    """Given bytes, feedparser would read them as a file name; it must not."""
    local = tmp_path / "local.rss"
    local.write_bytes(RSS)
    for data in (str(local).encode(), b"https://news.example/rss"):
        with pytest.raises(FeedError):
            parse_feed(data, "https://news.example/rss")


def test_feeds_backoff_doubles_and_is_capped() -> None:
    assert backoff_seconds(0, 300) == 300
    assert [backoff_seconds(n, 300) for n in (1, 2, 3)] == [600, 1200, 2400]
    assert backoff_seconds(50, 300) == MAX_BACKOFF_SECONDS
    assert backoff_seconds(1, 300, retry_after=3600) == 3600


SITEMAP = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
  <url><loc>https://news.example/bridge</loc><lastmod>2024-05-02</lastmod>
    <news:news><news:publication><news:name>Varna News</news:name><news:language>en</news:language>
    </news:publication><news:publication_date>2024-05-02T08:00:00+02:00</news:publication_date>
    <news:title>Bridge closes</news:title></news:news></url>
  <url><loc>https://news.example/strike</loc><lastmod>2024-05-03</lastmod></url>
  <url><loc>javascript:alert(1)</loc></url>
</urlset>"""


def test_sitemaps_parse_news_sitemap() -> None:
    assert is_sitemap(SITEMAP) and is_sitemap(gzip.compress(SITEMAP)) and not is_sitemap(RSS)
    urls = parse_sitemap(SITEMAP, "https://news.example/sitemap.xml", 1_000_000).urls
    assert [(u.loc, u.title, u.published) for u in urls] == [
        ("https://news.example/bridge", "Bridge closes", "2024-05-02T08:00:00+02:00"),
        ("https://news.example/strike", None, "2024-05-03"),
    ]


def test_sitemaps_gzip_and_bombs() -> None:
    url = "https://news.example/sitemap.xml.gz"
    assert len(parse_sitemap(gzip.compress(SITEMAP), url, 1_000_000).urls) == 2
    bomb = gzip.compress(SITEMAP[:-10] + b" " * 20_000_000 + b"</urlset>")
    with pytest.raises(InputError, match="decompresses"):
        parse_sitemap(bomb, url, 1_000_000)


def test_sitemaps_refuse_entities_and_broken_xml(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    xxe = (
        f'<?xml version="1.0"?><!DOCTYPE u [<!ENTITY x SYSTEM "file://{secret}">]>'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        "<url><loc>https://news.example/&x;</loc></url></urlset>"
    ).encode()
    urls = parse_sitemap(xxe, "https://news.example/s.xml", 1_000_000).urls
    assert all("SECRET" not in u.loc for u in urls)
    bomb = BILLION_LAUGHS.replace(
        b"ROOT", b"<urlset><url><loc>https://x.example/&lol9;</loc></url></urlset>"
    )
    started = time.monotonic()
    try:
        urls = parse_sitemap(bomb, "https://news.example/s.xml", 1_000_000).urls
    except InputError:
        urls = ()
    assert all(len(u.loc) < 1000 for u in urls) and time.monotonic() - started < 2
    with pytest.raises(InputError, match="not valid XML"):
        parse_sitemap(b"<urlset><url>", "https://news.example/s.xml", 1_000_000)
    with pytest.raises(InputError, match="root element is <rss>"):
        parse_sitemap(RSS, "https://news.example/s.xml", 1_000_000)


def test_sitemaps_text_sitemap() -> None:
    data = b"https://news.example/a\nnot a url\nhttps://news.example/b\n"
    urls = parse_sitemap(data, "https://news.example/sitemap.txt", 1_000_000).urls
    assert [u.loc for u in urls] == ["https://news.example/a", "https://news.example/b"]


def test_sitemaps_index_is_followed_and_failures_kept() -> None:
    index = b"""<?xml version="1.0"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://news.example/news.xml.gz</loc></sitemap>
<sitemap><loc>https://news.example/missing.xml</loc></sitemap>
<sitemap><loc>https://news.example/index.xml</loc></sitemap>
</sitemapindex>"""
    site = Site()
    gz = {"Content-Type": "application/gzip"}
    site.add(
        "https://news.example/news.xml.gz",
        httpx.Response(200, content=gzip.compress(SITEMAP), headers=gz),
    )
    site.add("https://news.example/index.xml", httpx.Response(200, content=index))
    with make_fetcher(site) as fetcher:
        urls, errors = read_sitemap_tree(fetcher, "https://news.example/index.xml", index, 10**6)
    assert [u.loc for u in urls] == ["https://news.example/bridge", "https://news.example/strike"]
    assert [e.origin for e in errors] == ["https://news.example/missing.xml"]
    assert site.hits("https://news.example/index.xml") == 0  # no loop back to itself
