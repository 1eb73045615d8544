"""uvicorn's HTTP protocol with Nagle's algorithm off on every TCP connection.

asyncio turns Nagle off only for sockets that name TCP as their protocol. uvicorn's
``--workers`` mode binds its socket as ``socket.socket(AF_INET)`` (protocol 0), so the
connections each worker accepts keep Nagle on. The h11 protocol writes a response's
headers and body separately: the body then waits for the client's delayed ACK, about
40 ms on Linux, on every keep-alive request (measured: 48 ms a request on one
connection, 22 requests a second, with an idle CPU).
"""

from __future__ import annotations

import asyncio
import socket

from uvicorn.protocols.http.h11_impl import H11Protocol

# What ``storyline serve`` hands uvicorn as its HTTP protocol (an import path, so that
# worker processes import it themselves).
PROTOCOL = "storyline.api.tcp:NoDelayH11Protocol"


def disable_nagle(transport: asyncio.BaseTransport) -> None:
    """Send small writes at once on a TCP transport; other transports are left alone."""
    sock = transport.get_extra_info("socket")
    if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class NoDelayH11Protocol(H11Protocol):
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        disable_nagle(transport)
        super().connection_made(transport)
