"""The watcher: new entries become stored articles; failures are recorded per item;
a restart resumes without re-fetching; nothing is lost when it is stopped."""

from __future__ import annotations

import hashlib
import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import httpx
import pytest
from typer.testing import CliRunner

from storyline.cli import app
from storyline.config import Settings
from storyline.sources import watch as watch_module
from storyline.sources.feed_state import FeedState
from storyline.sources.fetch import Fetcher
from storyline.sources.watch import WatchReport, watch
from storyline.store.sqlite import SQLiteStore
from tests.conftest import EVENTS
from tests.test_sources_fetch import HTML, Site, fast_settings, resolver

FEED = "https://news.example/rss"
NOW = 1_000_000.0  # the watcher's clock in these tests


def article_html(event: str, n: int) -> str:
    day, title, body = EVENTS[event][n]
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f'<meta property="article:published_time" content="{day}T08:00:00Z"></head><body>'
        f'<nav><a href="/">Home</a></nav><article><h1>{title}</h1><p>{body}</p></article>'
        "</body></html>"
    )


def rss(links: list[str]) -> bytes:
    items = "".join(
        f"<item><title>Entry {i}</title><link>{link}</link><guid>{link}</guid>"
        f"<pubDate>Thu, 02 May 2024 0{i % 10}:00:00 GMT</pubDate></item>"
        for i, link in enumerate(links)
    )
    return f'<rss version="2.0"><channel><title>News</title>{items}</channel></rss>'.encode()


class NewsSite(Site):
    """A feed at FEED that honours If-None-Match, and article pages."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.add(FEED, self.feed)

    def feed(self, request: httpx.Request) -> httpx.Response:
        body = rss(self.links)
        etag = '"' + hashlib.sha1(body).hexdigest() + '"'
        if request.headers.get("If-None-Match") == etag:
            return httpx.Response(304, headers={"ETag": etag})
        return httpx.Response(200, content=body, headers={"ETag": etag, "Content-Type": "text/xml"})

    def article(self, event: str, n: int) -> str:
        url = f"https://news.example/{event}-{n}"
        self.page(url, article_html(event, n))
        self.links.append(url)
        return url

    def page_hits(self) -> int:
        return sum(r.url.path not in ("/rss", "/robots.txt") for r in self.requests)


@pytest.fixture
def feeds_file(tmp_path: Path) -> Path:
    path = tmp_path / "feeds.txt"
    path.write_text(FEED + "\n")
    return path


def run(site: Site, feeds_file: Path, settings: Settings, **kwargs: Any) -> WatchReport:
    """One watcher process: its own store and fetcher, as after a restart."""
    store = SQLiteStore(settings.db)
    try:
        with Fetcher(settings, transport=site.transport(), resolver=resolver()) as fetcher:
            once = kwargs.pop("once", True)
            return watch(feeds_file, store, settings, once, fetcher, clock=lambda: NOW, **kwargs)
    finally:
        store.close()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return fast_settings(str(tmp_path / "watch.db"))


def test_watch_ingests_new_entries_and_resumes_after_restart(
    feeds_file: Path, settings: Settings
) -> None:
    site = NewsSite()
    first = [site.article("bridge", 0), site.article("launch", 0)]
    report = run(site, feeds_file, settings)
    assert (report.added, report.failed, report.entries) == (2, 0, 2)
    store = SQLiteStore(settings.db)
    stored = {a.article.url: a.article for a in store.articles()}
    assert set(stored) == set(first)
    assert stored[first[0]].title == EVENTS["bridge"][0][1]
    store.close()

    site.article("bridge", 1)  # a second report of the same event
    before = site.page_hits()
    report = run(site, feeds_file, settings)
    assert site.page_hits() - before == 1  # only the new page was fetched
    assert (report.added, report.entries) == (1, 1)
    store = SQLiteStore(settings.db)
    assert len(list(store.articles())) == 3
    assert max(s.article_count for s in store.stories(_all())) == 2  # the story grew
    store.close()


def _all() -> Any:
    from storyline.store import StoryFilter

    return StoryFilter(limit=100)


def test_watch_conditional_get_refetches_nothing(feeds_file: Path, settings: Settings) -> None:
    site = NewsSite()
    site.article("bridge", 0)
    run(site, feeds_file, settings)
    before = len(site.requests)
    report = run(site, feeds_file, settings)
    assert report.not_modified == 1 and report.entries == 0
    assert [str(r.url) for r in site.requests[before:]] == ["https://news.example/robots.txt", FEED]
    assert site.requests[-1].headers["If-None-Match"].startswith('"')


def test_watch_records_every_failure_and_keeps_going(tmp_path: Path, settings: Settings) -> None:
    site = NewsSite()
    good = site.article("strike", 0)
    bad = {
        "https://news.example/gone": httpx.Response(404),
        "https://news.example/loop": httpx.Response(302, headers={"Location": "/loop"}),
        "https://news.example/private/x": None,  # robots.txt disallows it
        "https://news.example/huge": httpx.Response(
            200, content=b"<p>" + b"x" * 200_000, headers={"Content-Type": HTML}
        ),
        "https://news.example/photo": httpx.Response(
            200, content=b"\x89PNG", headers={"Content-Type": "image/png"}
        ),
        "https://news.example/empty": httpx.Response(
            200, text="<html><body></body></html>", headers={"Content-Type": HTML}
        ),
        "http://169.254.169.254/latest/meta-data/": None,  # SSRF through a feed entry
    }
    for url, response in bad.items():
        if response is not None:
            site.add(url, response)
        site.links.append(url)
    robots = "User-agent: *\nDisallow: /private/\n"
    site.add("https://news.example/robots.txt", httpx.Response(200, text=robots))
    site.add("https://broken.example/rss", httpx.Response(200, text="<html>not a feed</html>"))
    site.add("https://down.example/rss", httpx.Response(500))
    feeds = tmp_path / "feeds.txt"
    feeds.write_text("https://broken.example/rss\nhttps://down.example/rss\n" + FEED + "\n")
    settings = fast_settings(settings.db, max_input_bytes=100_000)

    report = run(site, feeds, settings)
    assert report.added == 1 and report.feed_failures == 2
    store = SQLiteStore(settings.db)
    assert [a.article.url for a in store.articles()] == [good]
    failed = {f.origin: f.reason for f in store.failures()}
    assert set(failed) == set(bad) | {"https://broken.example/rss", "https://down.example/rss"}
    assert "HTTP 404" in failed["https://news.example/gone"]
    assert "loop" in failed["https://news.example/loop"]
    assert "robots.txt disallows" in failed["https://news.example/private/x"]
    assert "limit" in failed["https://news.example/huge"]
    assert "image/png" in failed["https://news.example/photo"]
    assert "private_addresses" in failed["http://169.254.169.254/latest/meta-data/"]
    assert site.hits("http://169.254.169.254/latest/meta-data/") == 0
    state = FeedState(store.db)
    down = state.feed("https://down.example/rss")
    assert down.failures == 1 and down.next_poll == NOW + 2 * settings.watch_interval_seconds
    assert state.feed(FEED).failures == 0
    store.close()

    again = run(site, feeds, settings)  # every failed entry is final: nothing re-fetched
    assert again.entries == 0 and state_failures(settings, "https://down.example/rss") == 2


def state_failures(settings: Settings, url: str) -> int:
    store = SQLiteStore(settings.db)
    try:
        return FeedState(store.db).feed(url).failures
    finally:
        store.close()


def test_watch_retries_transient_page_errors(feeds_file: Path, settings: Settings) -> None:
    site = NewsSite()
    flaky = site.article("launch", 1)
    answers = iter([503, 503, 200])

    def sometimes(request: httpx.Request) -> httpx.Response:
        status = next(answers)
        html = article_html("launch", 1) if status == 200 else "busy"
        return httpx.Response(status, text=html, headers={"Content-Type": HTML})

    site.add(flaky, sometimes)
    assert run(site, feeds_file, settings).retrying == 1
    assert run(site, feeds_file, settings).retrying == 1  # the feed is fetched in full again
    report = run(site, feeds_file, settings)
    assert report.added == 1 and report.failed == 0
    always_down = site.article("launch", 0)
    site.add(always_down, httpx.Response(503))
    reports = [run(site, feeds_file, settings) for _ in range(3)]
    assert [r.retrying for r in reports] == [1, 1, 0] and reports[-1].failed == 1
    assert run(site, feeds_file, settings).not_modified == 1  # done with: the feed is quiet


def test_watch_caps_entries_per_poll(feeds_file: Path, settings: Settings) -> None:
    site = NewsSite()
    for event in EVENTS:
        site.article(event, 0)
        site.article(event, 1)
    settings = fast_settings(settings.db, max_entries_per_poll=4)
    added = [run(site, feeds_file, settings).added for _ in range(3)]
    assert added == [4, 2, 0]


def test_watch_reads_news_sitemaps(feeds_file: Path, settings: Settings) -> None:
    site = Site()
    site.page("https://news.example/bridge", article_html("bridge", 0))
    sitemap = (
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"><url>'
        "<loc>https://news.example/bridge</loc><news:news>"
        "<news:publication_date>2024-05-02T08:00:00Z</news:publication_date>"
        "<news:title>Bridge closes</news:title></news:news></url></urlset>"
    )
    site.add(FEED, httpx.Response(200, text=sitemap, headers={"Content-Type": "application/xml"}))
    assert run(site, feeds_file, settings).added == 1


def test_watch_stopped_mid_run_loses_nothing(
    feeds_file: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(watch_module, "WATCH_BATCH", 1)
    site = NewsSite()
    links = [site.article(event, n) for event in EVENTS for n in (0, 1)]
    interrupt_at = links[2]
    handler = site.routes[interrupt_at]
    calls = iter([KeyboardInterrupt(), None])

    def interrupted(request: httpx.Request) -> httpx.Response:
        if (exc := next(calls)) is not None:
            raise exc
        return handler(request)

    site.add(interrupt_at, interrupted)
    with pytest.raises(KeyboardInterrupt):
        run(site, feeds_file, settings)
    hits = {link: site.hits(link) for link in links}
    report = run(site, feeds_file, settings)
    store = SQLiteStore(settings.db)
    stored = [a.article.url for a in store.articles()]
    store.close()
    assert sorted(stored) == sorted(links)  # each exactly once
    assert report.added == len(links) - sum(1 for v in hits.values() if v) + 1
    newest_first = sorted(links, key=lambda url: -links.index(url))
    for done in newest_first[:2]:  # stored before the stop: not fetched again
        assert site.hits(done) == 1


def test_watch_runs_until_stopped(feeds_file: Path, settings: Settings) -> None:
    site = NewsSite()
    site.article("bridge", 0)
    stop = threading.Event()
    lines: list[str] = []

    def log(line: str) -> None:
        lines.append(line)
        if len(lines) == 3:
            stop.set()

    settings = fast_settings(settings.db, watch_interval_seconds=0.01)
    store = SQLiteStore(settings.db)
    with Fetcher(settings, transport=site.transport(), resolver=resolver()) as fetcher:
        report = watch(feeds_file, store, settings, False, fetcher, stop=stop, log=log)
    store.close()
    assert report.polls == 3 and report.added == 1 and report.not_modified == 2


# A real feed server on 127.0.0.1, through the CLI.


class _FeedServer(http.server.BaseHTTPRequestHandler):
    pages: ClassVar[dict[str, tuple[str, bytes]]] = {}

    def do_GET(self) -> None:
        found = self.pages.get(self.path)
        status = 200 if found else 404
        kind, body = found or ("text/plain", b"not found")
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def feed_server() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _FeedServer)
    server.daemon_threads = True
    base = f"http://127.0.0.1:{server.server_address[1]}"
    links = [f"{base}/bridge-0", f"{base}/bridge-1"]
    _FeedServer.pages = {
        "/rss": ("application/rss+xml", rss(links)),
        "/bridge-0": ("text/html; charset=utf-8", article_html("bridge", 0).encode()),
        "/bridge-1": ("text/html; charset=utf-8", article_html("bridge", 1).encode()),
    }
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    yield base
    server.shutdown()
    server.server_close()


def test_watch_cli_against_local_server(feed_server: str, tmp_path: Path) -> None:
    feeds = tmp_path / "feeds.txt"
    feeds.write_text(f"{feed_server}/rss\n")
    runner = CliRunner()
    env = {"STORYLINE_HOST_DELAY_SECONDS": "0", "STORYLINE_FETCH_TIMEOUT_SECONDS": "5"}

    plain = ["watch", str(feeds), "--once", "--json", "--db", str(tmp_path / "a.db")]
    refused = runner.invoke(app, plain, env=env)
    assert refused.exit_code == 1
    assert "allow_private_addresses" in json.loads(refused.stdout)["failures"][0]["reason"]

    args = ["watch", str(feeds), "--once", "--allow-private-addresses", "--json"]
    result = runner.invoke(app, [*args, "--db", str(tmp_path / "b.db")], env=env)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert (summary["added"], summary["failed"], summary["stories"]) == (2, 0, 1)
    again = runner.invoke(app, [*args, "--db", str(tmp_path / "b.db")], env=env)
    assert json.loads(again.stdout)["entries"] == 0
