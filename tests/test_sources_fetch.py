"""The fetcher: SSRF refusals, redirects, limits, robots.txt, conditional GET.

Everything is served by ``httpx.MockTransport`` (with a fake resolver, so no name is
ever looked up) or by a real HTTP server on 127.0.0.1; no other address is contacted.
"""

from __future__ import annotations

import gzip
import http.server
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any, ClassVar

import httpx
import pytest

from storyline.config import Settings
from storyline.sources.fetch import USER_AGENT, Fetcher, Kind, inflate
from storyline.sources.net import (
    AddressGuard,
    AddressRefused,
    BodyTooLarge,
    ContentTypeRefused,
    FetchError,
    FetchTimeout,
    GuardedTransport,
    HTTPStatusError,
    RedirectError,
    RobotsRefused,
    refusal,
)

PUBLIC = "93.184.216.34"  # a public address the fake resolver hands out; never contacted
HTML = "text/html; charset=utf-8"
Handler = Callable[[httpx.Request], httpx.Response]


class Site:
    """URLs served through a MockTransport; every request is recorded."""

    def __init__(self) -> None:
        self.routes: dict[str, Handler] = {}
        self.requests: list[httpx.Request] = []

    def add(self, url: str, response: httpx.Response | Handler) -> None:
        """Serve ``response`` (a fresh, unread copy per request) or call a handler."""
        if isinstance(response, httpx.Response):
            status, headers = response.status_code, response.headers
            body = b"".join(response.stream)  # type: ignore[arg-type]  # raw, still encoded
            self.routes[url] = lambda _: httpx.Response(
                status, headers=headers, stream=httpx.ByteStream(body)
            )
        else:
            self.routes[url] = response

    def page(self, url: str, html: str, **headers: str) -> None:
        self.add(url, httpx.Response(200, text=html, headers={"Content-Type": HTML, **headers}))

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        handler = self.routes.get(str(request.url))
        return handler(request) if handler else httpx.Response(404, text="not found")

    def hits(self, url: str) -> int:
        return sum(str(r.url) == url for r in self.requests)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)


def resolver(table: dict[str, list[str]] | None = None) -> Callable[[str, int], list[str]]:
    """Names in ``table`` resolve as given, every other name to PUBLIC."""

    def resolve(host: str, port: int) -> list[str]:
        return (table or {}).get(host, [PUBLIC])

    return resolve


def fast_settings(db: str = ":memory:", **changes: Any) -> Settings:
    """No politeness delay and a short timeout, so tests stay fast."""
    base = Settings(db=db, host_delay_seconds=0.0, fetch_timeout_seconds=2.0)
    return replace(base, **changes)


def make_fetcher(site: Site, table: dict[str, list[str]] | None = None, **changes: Any) -> Fetcher:
    return Fetcher(fast_settings(**changes), transport=site.transport(), resolver=resolver(table))


@pytest.fixture
def site() -> Site:
    return Site()


def test_fetch_page_with_user_agent_and_final_url(site: Site) -> None:
    site.add("https://news.example/a", httpx.Response(301, headers={"Location": "/b"}))
    site.page("https://news.example/b", "<html><p>Grüße</p></html>", ETag='"v1"')
    with make_fetcher(site) as fetcher:
        page = fetcher.get("https://news.example/a", Kind.PAGE)
    assert page.url == "https://news.example/b" and page.status == 200
    assert "Grüße" in page.text() and page.etag == '"v1"'
    assert USER_AGENT.startswith("Storyline/") and "example" not in USER_AGENT
    assert all(r.headers["User-Agent"] == USER_AGENT for r in site.requests)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://[::1]/",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.1/",
        "http://192.168.1.1:8080/",
        "http://172.16.0.1/",
        "http://100.64.0.1/",  # carrier-grade NAT
        "http://0.0.0.0/",
        "http://224.0.0.1/",
        "http://[fe80::1]/",
        "http://[fc00::1]/",
        "http://[::ffff:127.0.0.1]/",  # IPv4-mapped
        "http://[::ffff:a9fe:a9fe]/",  # IPv4-mapped 169.254.169.254 in hex
        "http://[2002:7f00:1::]/",  # 6to4 around 127.0.0.1
        "http://[64:ff9b::a00:1]/",  # NAT64 around 10.0.0.1
        "http://2130706433/",  # 127.0.0.1 as one decimal number
        "http://0x7f.1/",  # hexadecimal, short form
        "http://127.1/",
        "http://017700000001/",  # octal
    ],
)
def test_fetch_refuses_internal_addresses(site: Site, url: str) -> None:
    with make_fetcher(site) as fetcher, pytest.raises(AddressRefused) as caught:
        fetcher.get(url, Kind.PAGE)
    assert caught.value.origin == url and "allow_private_addresses" in caught.value.reason
    assert site.requests == []  # refused before any request, robots.txt included


def test_fetch_refuses_names_resolving_to_internal_addresses(site: Site) -> None:
    table = {
        "localhost": ["127.0.0.1"],
        "intranet.example": ["10.1.2.3"],
        "mixed.example": [PUBLIC, "::1"],  # every address is checked, not only the first
        "nothing.example": [],
    }
    with make_fetcher(site, table=table) as fetcher:
        for host in table:
            with pytest.raises(AddressRefused, match=host):
                fetcher.get(f"http://{host}/feed", Kind.FEED)
    assert site.requests == []


def test_fetch_refuses_unparseable_and_non_web_urls(site: Site) -> None:
    with make_fetcher(site) as fetcher:
        for url in ("http://0177.0.0.1/", "file:///etc/passwd", "ftp://news.example/", "x"):
            with pytest.raises(FetchError):
                fetcher.get(url, Kind.PAGE)
    assert site.requests == []


def test_fetch_allows_private_addresses_when_asked(site: Site) -> None:
    site.page("http://10.0.0.1/a", "<p>internal</p>")
    with make_fetcher(site, allow_private_addresses=True) as fetcher:
        assert fetcher.get("http://10.0.0.1/a", Kind.PAGE).content == b"<p>internal</p>"


def test_refusal_names_the_kind_of_address() -> None:
    import ipaddress

    assert refusal(ipaddress.ip_address("8.8.8.8")) is None
    assert refusal(ipaddress.ip_address("2606:4700::1111")) is None
    assert refusal(ipaddress.ip_address("127.0.0.1")) == "loopback"
    assert "127.0.0.1" in (refusal(ipaddress.ip_address("::ffff:127.0.0.1")) or "")


def test_fetch_checks_every_redirect_hop(site: Site) -> None:
    metadata = "http://169.254.169.254/latest/meta-data/"
    site.add("https://news.example/go", httpx.Response(302, headers={"Location": metadata}))
    with make_fetcher(site) as fetcher, pytest.raises(AddressRefused, match=r"169\.254\.169\.254"):
        fetcher.get("https://news.example/go", Kind.PAGE)
    assert site.hits(metadata) == 0


def test_fetch_stops_redirect_loops_and_chains(site: Site) -> None:
    site.add("https://a.example/1", httpx.Response(302, headers={"Location": "/2"}))
    site.add("https://a.example/2", httpx.Response(307, headers={"Location": "/1"}))
    for n in range(10):
        site.add(f"https://b.example/{n}", httpx.Response(301, headers={"Location": f"/{n + 1}"}))
    site.add("https://c.example/x", httpx.Response(302))
    site.add("https://d.example/x", httpx.Response(302, headers={"Location": "gopher://x/"}))
    with make_fetcher(site, max_redirects=3) as fetcher:
        with pytest.raises(RedirectError, match="loop"):
            fetcher.get("https://a.example/1", Kind.PAGE)
        with pytest.raises(RedirectError, match="more than 3 redirects"):
            fetcher.get("https://b.example/0", Kind.PAGE)
        with pytest.raises(RedirectError, match="Location"):
            fetcher.get("https://c.example/x", Kind.PAGE)
        with pytest.raises(FetchError, match="not an http"):
            fetcher.get("https://d.example/x", Kind.PAGE)
    assert site.hits("https://b.example/4") == 0


def test_fetch_reports_http_errors_with_retry_after(site: Site) -> None:
    site.add("https://news.example/gone", httpx.Response(404))
    site.add("https://news.example/down", httpx.Response(500))
    site.add("https://news.example/busy", httpx.Response(429, headers={"Retry-After": "120"}))
    with make_fetcher(site) as fetcher:
        with pytest.raises(HTTPStatusError, match="HTTP 404") as gone:
            fetcher.get("https://news.example/gone", Kind.PAGE)
        with pytest.raises(HTTPStatusError, match="HTTP 500") as down:
            fetcher.get("https://news.example/down", Kind.PAGE)
        with pytest.raises(HTTPStatusError) as busy:
            fetcher.get("https://news.example/busy", Kind.PAGE)
    assert not gone.value.transient and down.value.transient
    assert busy.value.transient and busy.value.retry_after == 120.0


def test_fetch_checks_content_type(site: Site) -> None:
    site.add(
        "https://news.example/photo",
        httpx.Response(200, content=b"\x89PNG", headers={"Content-Type": "image/png"}),
    )
    site.add(
        "https://news.example/rss",
        httpx.Response(200, content=b"<rss/>", headers={"Content-Type": "application/rss+xml"}),
    )
    with make_fetcher(site) as fetcher:
        with pytest.raises(ContentTypeRefused, match="image/png"):
            fetcher.get("https://news.example/photo", Kind.PAGE)
        with pytest.raises(ContentTypeRefused):
            fetcher.get("https://news.example/rss", Kind.PAGE)
        assert fetcher.get("https://news.example/rss", Kind.FEED).content == b"<rss/>"


def test_fetch_stops_reading_huge_bodies(site: Site) -> None:
    sent = []

    def endless() -> Iterator[bytes]:
        while True:
            sent.append(1)
            yield b"x" * 1000

    site.add(
        "https://news.example/stream",
        lambda _: httpx.Response(200, content=endless(), headers={"Content-Type": HTML}),
    )
    site.add(
        "https://news.example/announced",
        httpx.Response(
            200, content=b"x", headers={"Content-Type": HTML, "Content-Length": "999999999"}
        ),
    )
    with make_fetcher(site, max_input_bytes=10_000) as fetcher:
        with pytest.raises(BodyTooLarge, match="10,000 bytes"):
            fetcher.get("https://news.example/stream", Kind.PAGE)
        with pytest.raises(BodyTooLarge, match="announces"):
            fetcher.get("https://news.example/announced", Kind.PAGE)
    assert len(sent) <= 12  # stopped just past the limit


def test_fetch_decompresses_gzip_and_stops_bombs(site: Site) -> None:
    page = b"<html><p>" + b"news " * 100 + b"</p></html>"
    bomb = gzip.compress(b"\0" * 5_000_000)  # 5 MB of zeros in 5 kB
    site.add(
        "https://news.example/page",
        httpx.Response(
            200,
            content=gzip.compress(page),
            headers={"Content-Type": HTML, "Content-Encoding": "gzip"},
        ),
    )
    site.add(
        "https://news.example/bomb",
        httpx.Response(
            200, content=bomb, headers={"Content-Type": HTML, "Content-Encoding": "gzip"}
        ),
    )
    with make_fetcher(site, max_input_bytes=100_000) as fetcher:
        assert fetcher.get("https://news.example/page", Kind.PAGE).content == page
        with pytest.raises(BodyTooLarge, match="decompresses"):
            fetcher.get("https://news.example/bomb", Kind.PAGE)


def test_inflate_caps_output_and_reports_corrupt_data() -> None:
    data = zlib.compress(b"a" * 5000)
    assert inflate([data], "deflate", 5000, "x") == b"a" * 5000
    with pytest.raises(BodyTooLarge):
        inflate([data], "deflate", 4999, "x")
    assert inflate([data], "deflate", 100, "x", truncate=True) == b"a" * 100
    with pytest.raises(FetchError, match="corrupt"):
        inflate([b"not gzip at all"], "gzip", 100, "x")
    with pytest.raises(FetchError, match="unsupported"):
        inflate([b""], "br", 100, "x")


def test_fetch_timeouts(site: Site) -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    ticks = iter(range(0, 1000, 1))  # a clock that moves one second per look

    def drip() -> Iterator[bytes]:
        for _ in range(100):
            yield b"x"

    site.add("https://slow.example/a", slow)
    site.add(
        "https://drip.example/a",
        lambda _: httpx.Response(200, content=drip(), headers={"Content-Type": HTML}),
    )
    with make_fetcher(site) as fetcher:
        with pytest.raises(FetchTimeout) as caught:
            fetcher.get("https://slow.example/a", Kind.PAGE)
        assert caught.value.transient
        fetcher.clock = lambda: float(next(ticks))
        with pytest.raises(FetchTimeout, match="took longer"):
            fetcher.get("https://drip.example/a", Kind.PAGE)


def test_fetch_respects_robots_txt_cached_per_site(site: Site) -> None:
    robots = "User-agent: *\nDisallow: /private/\n\nUser-agent: Storyline\nDisallow: /no-bots/\n"
    site.add("https://news.example/robots.txt", httpx.Response(200, text=robots))
    site.page("https://news.example/private/a", "<p>x</p>")
    site.page("https://news.example/public/a", "<p>x</p>")
    site.page("https://news.example/public/b", "<p>x</p>")
    with make_fetcher(site) as fetcher:
        with pytest.raises(RobotsRefused, match="disallows"):
            fetcher.get("https://news.example/no-bots/a", Kind.PAGE)
        fetcher.get("https://news.example/public/a", Kind.PAGE)
        fetcher.get("https://news.example/public/b", Kind.PAGE)
        # Storyline's own group applies, not the "*" one.
        fetcher.get("https://news.example/private/a", Kind.PAGE)
    assert site.hits("https://news.example/robots.txt") == 1
    assert site.hits("https://news.example/no-bots/a") == 0


def test_fetch_robots_unreachable_blocks_missing_allows(site: Site) -> None:
    site.add("https://down.example/robots.txt", httpx.Response(503))
    site.add("https://gone.example/robots.txt", httpx.Response(403))
    site.page("https://down.example/a", "<p>x</p>")
    site.page("https://gone.example/a", "<p>x</p>")
    with make_fetcher(site) as fetcher:
        with pytest.raises(RobotsRefused, match="cannot be read"):
            fetcher.get("https://down.example/a", Kind.PAGE)
        assert fetcher.get("https://gone.example/a", Kind.PAGE).status == 200
    assert site.hits("https://down.example/a") == 0


def test_fetch_conditional_get(site: Site) -> None:
    def feed(request: httpx.Request) -> httpx.Response:
        if request.headers.get("If-None-Match") == '"v1"':
            return httpx.Response(304)
        return httpx.Response(
            200, text="<rss/>", headers={"ETag": '"v1"', "Content-Type": "text/xml"}
        )

    site.add("https://news.example/rss", feed)
    with make_fetcher(site) as fetcher:
        first = fetcher.get("https://news.example/rss", Kind.FEED)
        again = fetcher.get("https://news.example/rss", Kind.FEED, etag=first.etag)
        since = "Wed, 01 May 2024 10:00:00 GMT"
        fetcher.get("https://news.example/rss", Kind.FEED, last_modified=since)
    assert first.etag == '"v1"' and not first.not_modified
    assert again.not_modified and again.content == b""
    assert site.requests[-1].headers["If-Modified-Since"] == since


def test_fetch_decodes_declared_charset(site: Site) -> None:
    body = "<p>Straße über Köln</p>".encode("cp1252")
    site.add(
        "https://news.example/a",
        httpx.Response(
            200, content=body, headers={"Content-Type": "text/html; charset=windows-1252"}
        ),
    )
    with make_fetcher(site) as fetcher:
        assert "Straße über Köln" in fetcher.get("https://news.example/a", Kind.PAGE).text()


def test_fetch_waits_between_requests_to_one_host(site: Site) -> None:
    for path in ("a", "b"):
        site.page(f"https://one.example/{path}", "<p>x</p>")
        site.page(f"https://two.example/{path}", "<p>x</p>")
    now = [100.0]
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    fetcher = Fetcher(
        fast_settings(host_delay_seconds=2.0),
        transport=site.transport(),
        resolver=resolver(),
        clock=lambda: now[0],
        sleep=sleep,
    )
    with fetcher:
        fetcher.get("https://one.example/a", Kind.PAGE)  # robots.txt, then the page: 1 wait
        fetcher.get("https://two.example/a", Kind.PAGE)  # another host: robots.txt, 1 wait
        fetcher.get("https://one.example/b", Kind.PAGE)  # one.example was left 2 s ago
    assert waits == [2.0, 2.0]


# A real server on loopback: the guard must refuse it unless private addresses are allowed.


class _Handler(http.server.BaseHTTPRequestHandler):
    seen: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        type(self).seen.append(self.path)
        if self.path == "/slow":
            time.sleep(1.0)
        body = b"<html><p>local page</p></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def local_server() -> Iterator[str]:
    _Handler.seen = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_fetch_real_server_refused_then_allowed(local_server: str) -> None:
    with Fetcher(fast_settings()) as fetcher, pytest.raises(AddressRefused):
        fetcher.get(f"{local_server}/a", Kind.PAGE)
    assert _Handler.seen == []
    with Fetcher(fast_settings(allow_private_addresses=True)) as fetcher:
        page = fetcher.get(f"{local_server}/a", Kind.PAGE)
    assert page.text() == "<html><p>local page</p></html>"
    assert _Handler.seen == ["/robots.txt", "/a"]


def test_fetch_real_server_timeout(local_server: str) -> None:
    settings = fast_settings(allow_private_addresses=True, fetch_timeout_seconds=0.2)
    with Fetcher(settings) as fetcher, pytest.raises(FetchTimeout):
        fetcher.get(f"{local_server}/slow", Kind.PAGE)


def test_fetch_guard_at_connect_defeats_dns_rebinding(local_server: str) -> None:
    """The name passes the URL check (public), then resolves to loopback at connect:
    the connection is refused, not made."""
    port = int(local_server.rsplit(":", 1)[1])
    connect_guard = AddressGuard(False, resolver({"rebind.example": ["127.0.0.1"]}))
    fetcher = Fetcher(
        fast_settings(), transport=GuardedTransport(connect_guard), resolver=resolver()
    )
    with fetcher, pytest.raises(AddressRefused, match=r"127\.0\.0\.1"):
        fetcher.get(f"http://rebind.example:{port}/a", Kind.PAGE)
    assert _Handler.seen == []


def test_fetch_settings_flag_from_environment() -> None:
    from storyline.config import load_settings
    from storyline.errors import ConfigError

    name = "STORYLINE_ALLOW_PRIVATE_ADDRESSES"
    assert load_settings(environ={name: "0"}).allow_private_addresses is False
    assert load_settings(environ={name: "false"}).allow_private_addresses is False
    assert load_settings(environ={name: "yes"}).allow_private_addresses is True
    with pytest.raises(ConfigError, match=name):
        load_settings(environ={name: "maybe"})
