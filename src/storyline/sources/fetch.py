"""The one web fetcher: every page, feed, sitemap and robots.txt goes through it.

Per request hop it checks the address (:mod:`storyline.sources.net`), robots.txt and
the per-host delay; it follows at most ``max_redirects`` redirects by hand, refuses
unexpected content types and stops reading past the size limit, decompressing gzip
itself so a compression bomb is stopped at the limit too. Every failure is a
:class:`FetchError` naming the URL. The transport is injectable: tests pass
``httpx.MockTransport`` and never touch the network.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from enum import Enum
from types import TracebackType

import httpx

from storyline import __version__
from storyline.config import Settings
from storyline.sources.files import decode_bytes
from storyline.sources.net import (
    AddressGuard,
    AddressRefused,
    BodyTooLarge,
    ContentTypeRefused,
    FetchError,
    FetchTimeout,
    GuardedTransport,
    HTTPStatusError,
    NetworkError,
    RedirectError,
    Resolver,
    system_resolver,
)
from storyline.sources.robots import RobotsCache

__all__ = ["USER_AGENT", "FetchError", "Fetched", "Fetcher", "Kind", "inflate"]

USER_AGENT = f"Storyline/{__version__} (news story engine; honours robots.txt)"

ROBOTS_MAX_BYTES = 512_000
"""RFC 9309 asks crawlers to read at least 500 KiB of robots.txt; the rest is ignored."""

_REDIRECTS = (301, 302, 303, 307, 308)
_XML = ("application/xml", "text/xml")


class Kind(Enum):
    """What is being fetched, and so which content types are accepted."""

    PAGE = ("text/html", "application/xhtml+xml")
    # Feeds are served under many labels, text/html included; feedparser decides.
    FEED = (*_XML, "application/rss+xml", "application/atom+xml", "application/rdf+xml",
            "text/html", "text/plain", "application/octet-stream")  # fmt: skip
    SITEMAP = (*_XML, "text/plain", "application/gzip", "application/x-gzip",
               "application/octet-stream")  # fmt: skip
    ROBOTS = ()  # anything: robots.txt is read as text whatever its label

    def accepts(self, media_type: str) -> bool:
        if not self.value or not media_type:  # no label: the parser decides
            return True
        return media_type in self.value or (self is not Kind.PAGE and media_type.endswith("+xml"))


@dataclass(frozen=True, slots=True)
class Fetched:
    """A response: ``status`` 304 (not modified, empty body) or 2xx with its body."""

    url: str  # after redirects
    status: int
    content: bytes
    media_type: str
    charset: str | None
    etag: str | None
    last_modified: str | None

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    def text(self) -> str:
        """The body as text: UTF-8 when it is valid, else the declared charset, else
        detection (``files.decode_bytes``); an InputError names the URL otherwise."""
        try:
            return self.content.decode("utf-8")
        except UnicodeDecodeError:
            pass
        if self.charset:
            try:
                return self.content.decode(self.charset)
            except (LookupError, UnicodeDecodeError):
                pass
        return decode_bytes(self.content, self.url)


class Fetcher:
    """Fetches URLs politely and safely; use as a context manager or call close()."""

    def __init__(
        self,
        settings: Settings,
        transport: httpx.BaseTransport | None = None,
        resolver: Resolver = system_resolver,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.guard = AddressGuard(settings.allow_private_addresses, resolver)
        self.timeout = settings.fetch_timeout_seconds
        self.max_bytes = settings.max_input_bytes
        self.max_redirects = settings.max_redirects
        self.host_delay = settings.host_delay_seconds
        self.clock, self.sleep = clock, sleep
        self.client = httpx.Client(
            transport=transport or GuardedTransport(self.guard),
            timeout=httpx.Timeout(self.timeout),
            follow_redirects=False,  # every hop is checked here
            trust_env=False,  # a proxy from the environment would bypass the address guard
            headers={"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"},
        )
        self._last_request: dict[str, float] = {}
        self.robots = RobotsCache(lambda url: self.get(url, Kind.ROBOTS).content, clock)

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self.client.close()

    def get(
        self, url: str, kind: Kind, etag: str | None = None, last_modified: str | None = None
    ) -> Fetched:
        """Fetch ``url``; conditional when ``etag``/``last_modified`` are given (304)."""
        try:
            current = httpx.URL(url)
        except (httpx.InvalidURL, TypeError) as exc:
            raise FetchError(url, f"not a valid URL ({exc})") from None
        headers = {"Accept": ", ".join(kind.value) or "*/*"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        visited = {str(current)}
        for _ in range(self.max_redirects + 1):
            self.guard.check_url(current, url)
            if kind is not Kind.ROBOTS:
                self.robots.check(current, url)
            result = self._request(current, url, kind, headers)
            if isinstance(result, Fetched):
                return result
            current = result
            if str(current) in visited:
                raise RedirectError(url, f"redirect loop: {current} was visited already")
            visited.add(str(current))
        raise RedirectError(
            url, f"more than {self.max_redirects} redirects; raise max_redirects to follow more"
        )

    def _request(
        self, url: httpx.URL, origin: str, kind: Kind, headers: dict[str, str]
    ) -> Fetched | httpx.URL:
        self._pace(url.host)
        deadline = self.clock() + self.timeout
        where = "" if str(url) == origin else f" (at {url})"
        try:
            with self.client.stream("GET", url, headers=headers) as response:
                return self._handle(response, origin, kind, where, deadline)
        except AddressRefused as exc:  # raised at connect time by GuardedTransport
            raise AddressRefused(origin, f"{exc.reason}{where}") from None
        except httpx.TimeoutException:
            raise FetchTimeout(
                origin, f"no answer within {self.timeout:g} s{where}; raise fetch_timeout_seconds"
            ) from None
        except httpx.InvalidURL as exc:
            raise FetchError(origin, f"invalid URL{where}: {exc}") from None
        except httpx.HTTPError as exc:
            raise NetworkError(
                origin, f"network error{where}: {exc or type(exc).__name__}"
            ) from None
        except (httpx.StreamError, ValueError, UnicodeError) as exc:  # odd headers or bytes
            raise FetchError(origin, f"unusable response{where}: {exc}") from None

    def _handle(
        self, response: httpx.Response, origin: str, kind: Kind, where: str, deadline: float
    ) -> Fetched | httpx.URL:
        status = response.status_code
        if status in _REDIRECTS:
            location = response.headers.get("Location")
            if not location:
                raise RedirectError(origin, f"HTTP {status} without a Location header{where}")
            try:
                return response.url.join(location)
            except httpx.InvalidURL as exc:
                raise RedirectError(origin, f"redirect to an invalid URL{where}: {exc}") from None
        etag, modified = response.headers.get("ETag"), response.headers.get("Last-Modified")
        media_type, _, params = response.headers.get("Content-Type", "").partition(";")
        media_type = media_type.strip().lower()
        charset = _charset(params)
        if status == 304:
            return Fetched(str(response.url), 304, b"", media_type, charset, etag, modified)
        if status >= 400 or status < 200 or status in (204, 205):
            phrase = f" {response.reason_phrase}" if response.reason_phrase else ""
            raise HTTPStatusError(
                origin,
                f"the server answered HTTP {status}{phrase}{where}",
                status,
                _retry_after(response.headers.get("Retry-After")),
            )
        if not kind.accepts(media_type):
            raise ContentTypeRefused(
                origin, f"content type {media_type} is not a {kind.name.lower()}{where}"
            )
        body = self._read(response, origin, kind, where, deadline)
        return Fetched(str(response.url), status, body, media_type, charset, etag, modified)

    def _read(
        self, response: httpx.Response, origin: str, kind: Kind, where: str, deadline: float
    ) -> bytes:
        limit = ROBOTS_MAX_BYTES if kind is Kind.ROBOTS else self.max_bytes
        # RFC 9309: of a longer robots.txt the first 500 KiB are read, the rest ignored.
        truncate = kind is Kind.ROBOTS
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > limit and not truncate:
            announced = f"the server announces {int(declared):,} bytes{where}, more than"
            raise BodyTooLarge(origin, _too_large(announced, limit))
        encoding = response.headers.get("Content-Encoding", "identity").strip().lower()
        if response.is_stream_consumed:  # a transport that returned a read response:
            chunks: Iterable[bytes] = [response.content]  # httpx decoded it already
            encoding = "identity"
        else:
            chunks = response.iter_raw()  # as they arrive: the deadline is checked per read
        raw = _capped(chunks, limit, origin, truncate, self.clock, deadline)
        return inflate(raw, encoding, limit, origin, truncate)

    def _pace(self, host: str) -> None:
        """Wait until ``host_delay`` has passed since the last request to ``host``."""
        last = self._last_request.get(host)
        if last is not None:
            wait = last + self.host_delay - self.clock()
            if wait > 0:
                self.sleep(wait)
        self._last_request[host] = self.clock()


def inflate(
    chunks: Iterable[bytes], encoding: str, limit: int, origin: str, truncate: bool = False
) -> bytes:
    """Join ``chunks``, decompressing gzip/deflate, stopping past ``limit`` output bytes:
    BodyTooLarge then, or the first ``limit`` bytes when ``truncate``."""
    if encoding in ("identity", ""):
        body = b"".join(chunks)
        if len(body) > limit and not truncate:
            raise BodyTooLarge(origin, _too_large("the body is larger than", limit))
        return body[:limit]
    wbits = {"gzip": 31, "x-gzip": 31, "deflate": 15}.get(encoding)
    if wbits is None:
        raise FetchError(origin, f"unsupported content encoding {encoding!r}")
    out = bytearray()
    decoder = zlib.decompressobj(wbits)
    try:
        for chunk in chunks:
            # max_length bounds the output of this one call: a bomb never inflates in memory.
            out += decoder.decompress(chunk, limit + 1 - len(out))
            if len(out) > limit or decoder.eof:
                break
        else:
            out += decoder.flush()
    except zlib.error as exc:
        raise FetchError(origin, f"corrupt {encoding} data ({exc})") from None
    if len(out) > limit and not truncate:
        raise BodyTooLarge(origin, _too_large("the body decompresses to more than", limit))
    return bytes(out[:limit])


def _capped(
    chunks: Iterable[bytes],
    limit: int,
    origin: str,
    truncate: bool,
    clock: Callable[[], float],
    deadline: float,
) -> Iterator[bytes]:
    """Raw body chunks, stopped past ``limit`` bytes or at the deadline (a slow drip
    of bytes resets the read timeout forever; the deadline does not move)."""
    total = 0
    for chunk in chunks:
        total += len(chunk)
        if clock() > deadline:
            raise FetchTimeout(origin, "the body took longer than fetch_timeout_seconds to arrive")
        yield chunk
        if total > limit:
            if truncate:
                return
            raise BodyTooLarge(origin, _too_large("the body is larger than", limit))


def _charset(params: str) -> str | None:
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip(' "'):
            return value.strip(' "').lower()
    return None


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _too_large(what: str, limit: int) -> str:
    return (
        f"{what} the limit of {limit:,} bytes; raise max_input_bytes "
        "(STORYLINE_MAX_INPUT_BYTES) to accept it"
    )
