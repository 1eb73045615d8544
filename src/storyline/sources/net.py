"""Fetch errors and the address guard: no request reaches an internal address.

FetchError (an InputError: one item fails, the batch goes on)
├── AddressRefused      loopback, private, link-local, reserved or unresolvable host
├── RobotsRefused       robots.txt disallows the URL, or cannot be read (5xx, timeout)
├── HTTPStatusError     the server answered 4xx/5xx
├── FetchTimeout        connect, read or the whole request took too long
├── RedirectError       a loop, too many hops, or a redirect without a usable target
├── ContentTypeRefused  the body is not what was asked for (an image instead of a page)
└── BodyTooLarge        the body (or its decompressed form) is over the size limit

Addresses are checked twice: :meth:`AddressGuard.check_url` before every hop, so a
mock transport sees the same refusals as the network, and again when a socket is
opened (:class:`GuardedTransport`), which connects only to the addresses it checked,
so a host name that resolves differently the second time (DNS rebinding) gets nowhere.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import httpcore
import httpx

from storyline.errors import InputError, TooLarge

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Sequence[str]]
"""(host, port) -> the IP addresses a connection to it could go to."""

ALLOWED_SCHEMES = ("http", "https")

# inet_aton() reads "2130706433", "0x7f.1" and "0177.0.0.1" as 127.0.0.1, and so do
# getaddrinfo() and browsers: a host made of such numbers is an address, not a name.
_NUMERIC_HOST = re.compile(r"^(?:0x[0-9a-f]*|[0-9]+)(?:\.(?:0x[0-9a-f]*|[0-9]+)){0,3}\.?$", re.I)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")  # IPv6 that embeds an IPv4 address


class FetchError(InputError):
    """One URL could not be fetched; ``reason`` says why and what to do.

    ``transient`` errors (timeouts, 5xx, 429) may pass if tried again later;
    ``retry_after`` is the server's Retry-After in seconds, when it sent one.
    """

    transient = False

    def __init__(self, url: str, reason: str, retry_after: float | None = None) -> None:
        super().__init__(url, reason)
        self.url = url
        self.retry_after = retry_after


class AddressRefused(FetchError):
    """The host is, or resolves to, an address Storyline does not fetch from."""


class RobotsRefused(FetchError):
    """robots.txt disallows the URL, or could not be read."""


class HTTPStatusError(FetchError):
    """The server answered with an error status."""

    def __init__(
        self, url: str, reason: str, status: int, retry_after: float | None = None
    ) -> None:
        super().__init__(url, reason, retry_after)
        self.status = status
        self.transient = status >= 500 or status in (408, 429)


class FetchTimeout(FetchError):
    """Connecting, reading or the whole request took too long."""

    transient = True


class NetworkError(FetchError):
    """The connection failed or broke off (refused, reset, TLS failure)."""

    transient = True


class RedirectError(FetchError):
    """A redirect loop, too many redirects, or a redirect to an unusable URL."""


class ContentTypeRefused(FetchError):
    """The server sent a kind of content that was not asked for."""


class BodyTooLarge(FetchError, TooLarge):
    """The body, or what it decompresses to, is over the size limit."""


def system_resolver(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (IPv4 and IPv6)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def literal_address(host: str) -> IPAddress | None:
    """``host`` as an IP address if it is one, in any spelling a resolver accepts."""
    host = host.strip("[]")
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if _NUMERIC_HOST.match(host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host.rstrip(".")))
        except OSError:
            return None
    return None


def refusal(address: IPAddress) -> str | None:
    """What kind of non-public address ``address`` is ("loopback", ...), or None."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = [address.ipv4_mapped, address.sixtofour]
        if address.teredo:
            embedded.extend(address.teredo)
        if address in _NAT64:
            embedded.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
        for inner in embedded:
            if inner is not None and (kind := refusal(inner)):
                return f"{kind} (it embeds {inner})"
    for kind, test in (
        ("unspecified", address.is_unspecified),
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("private", address.is_private),
        ("reserved", address.is_reserved),
        ("non-public", not address.is_global),  # shared (CGNAT) and special ranges
    ):
        if test:
            return kind
    return None


class AddressGuard:
    """Refuses URLs whose host is, or resolves to, a non-public address."""

    def __init__(self, allow_private: bool, resolver: Resolver = system_resolver) -> None:
        self.allow_private = allow_private
        self.resolver = resolver

    def check_url(self, url: httpx.URL, origin: str) -> None:
        """Raise a FetchError unless ``url`` is http(s) to a public host."""
        if url.scheme not in ALLOWED_SCHEMES:
            raise FetchError(origin, f"{url} is not an http(s) URL; only web pages are fetched")
        host = url.raw_host.decode("ascii")
        if not host:
            raise FetchError(origin, f"{url} has no host name")
        port = url.port or (443 if url.scheme == "https" else 80)
        self.addresses(host, port, origin)

    def addresses(self, host: str, port: int, origin: str) -> list[str]:
        """The addresses to connect to for ``host``; raise if any is refused.

        Every resolved address is checked, not just the first: a name that resolves
        to one public and one internal address could be connected either way.
        """
        if "%" in host:  # an IPv6 zone id names a local interface
            raise AddressRefused(origin, f"{host} names a local network interface; refused")
        literal = literal_address(host)
        if literal is not None:
            found = [str(literal)]
        else:
            try:
                found = list(self.resolver(host, port))
            except (OSError, UnicodeError) as exc:
                raise AddressRefused(
                    origin, f"host {host} does not resolve ({exc}); check the URL"
                ) from None
            if not found:
                raise AddressRefused(origin, f"host {host} resolves to no address")
        if self.allow_private:
            return found
        for text in found:
            try:
                kind = refusal(ipaddress.ip_address(text.split("%", 1)[0]))
            except ValueError:
                kind = "unparseable"
            if kind:
                what = f"{text} is" if literal is not None else f"{host} resolves to {text},"
                raise AddressRefused(
                    origin,
                    f"{what} a {kind} address; internal addresses are refused (set "
                    "allow_private_addresses or pass --allow-private-addresses to allow them)",
                )
        return found


class _GuardedBackend(httpcore.SyncBackend):
    """Opens sockets only to addresses the guard checked when connecting."""

    def __init__(self, guard: AddressGuard) -> None:
        self.guard = guard

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        last: Exception | None = None
        for address in self.guard.addresses(host, port, f"{host}:{port}"):
            try:
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
            except httpcore.ConnectError as exc:  # try the host's next address
                last = exc
        assert last is not None  # addresses() returns at least one address
        raise last


class GuardedTransport(httpx.HTTPTransport):
    """httpx's own transport, with sockets opened through :class:`_GuardedBackend`."""

    def __init__(self, guard: AddressGuard) -> None:
        super().__init__(retries=0)
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            network_backend=_GuardedBackend(guard),
        )
