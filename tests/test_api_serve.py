"""`storyline serve`: builds the app over --db and hands it to uvicorn on the address."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from storyline.api.tcp import PROTOCOL
from storyline.cli import app


def test_cli_serve_runs_uvicorn_with_the_app(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[dict[str, Any]] = []

    def run(application: FastAPI, **options: Any) -> None:
        calls.append(options)
        with TestClient(application) as client:
            assert client.get("/api/health").json()["status"] == "ok"

    monkeypatch.setattr(uvicorn, "run", run)
    monkeypatch.setenv("STORYLINE_TOKEN", "s3cret-serve")
    db = tmp_path / "served.db"
    result = CliRunner().invoke(app, ["serve", "--db", str(db), "--port", "8123"])
    assert result.exit_code == 0, result.output
    assert calls and calls[0]["host"] == "127.0.0.1" and calls[0]["port"] == 8123
    assert db.exists() and "s3cret-serve" not in result.output
    assert "http://127.0.0.1:8123/" in result.output


def test_cli_serve_refuses_a_bad_port() -> None:
    result = CliRunner().invoke(app, ["serve", "--port", "70000"])
    assert result.exit_code == 2


def test_cli_serve_hands_uvicorn_the_no_delay_protocol(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda target, **options: calls.append(options))
    runner = CliRunner()
    for extra in ([], ["--workers", "2"]):
        result = runner.invoke(app, ["serve", "--db", str(tmp_path / "x.db"), *extra])
        assert result.exit_code == 0, result.output
    assert [c["http"] for c in calls] == [PROTOCOL, PROTOCOL]
    assert calls[1]["workers"] == 2


async def _hello(scope: dict[str, Any], receive: Any, send: Any) -> None:
    assert scope["type"] == "http"
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"hello"})


def _accepted_no_delay(http: Any) -> int:
    """TCP_NODELAY of a connection accepted by uvicorn on a socket bound the way its
    ``--workers`` mode binds one (protocol 0, so asyncio leaves Nagle on)."""
    listener = socket.socket(socket.AF_INET)
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    config = uvicorn.Config(_hello, http=http, lifespan="off", log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]})
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        with socket.create_connection(("127.0.0.1", port)) as client:
            client.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            received = b""
            while b"hello" not in received:  # headers and body may come apart
                chunk = client.recv(4096)
                assert chunk, received
                received += chunk
            (connection,) = server.server_state.connections
            sock = connection.transport.get_extra_info("socket")
            return int(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
    finally:
        server.should_exit = True
        thread.join(30)
        listener.close()


def test_served_connections_send_small_writes_at_once() -> None:
    assert _accepted_no_delay("h11") == 0  # the trap: Nagle stays on
    assert _accepted_no_delay(PROTOCOL) != 0
