"""Security across the whole surface, derived from the app so new routes are covered too:
every write route needs the token (compared in constant time), every query and path
parameter of every read route and page takes SQL-injection and traversal strings without
a server error or a change to stored data, the CLI's filters too; ingest-by-URL reaches
no internal address however it is spelled or redirected; and the token never reaches a
log, not even ``storyline serve``'s access log."""

from __future__ import annotations

import hashlib
import hmac
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from storyline.cli import app as cli
from tests.api_support import AUTH, TOKEN, jsonl, loaded_client, records
from tests.crash_support import child_env
from tests.test_api_ingest_url import client_for
from tests.test_api_security import INJECTIONS, TRAVERSALS
from tests.test_sources_fetch import Site

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    with loaded_client(tmp_path_factory.mktemp("security")) as client:
        yield client


def _db(client: TestClient) -> str:
    return str(client.app.state.storyline.settings.db)  # type: ignore[attr-defined]


def snapshot(db: str) -> tuple[Any, ...]:
    """The schema and a digest of every table's rows: any write shows."""
    con = sqlite3.connect(db)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        schema = con.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall()
        tables = [r[1] for r in schema if r[0] == "table" and not r[1].startswith("sqlite_")]
        digests = []
        for table in tables:
            rows = con.execute(f'SELECT * FROM "{table}"').fetchall()
            digests.append((table, len(rows), hashlib.sha256(repr(rows).encode()).hexdigest()))
        return tuple(schema), tuple(digests)
    finally:
        con.close()


def test_security_every_write_route_needs_the_token(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    writes = [
        (path, method.upper())
        for path, operations in schema["paths"].items()
        for method in operations
        if method.upper() in WRITE_METHODS
    ]
    assert {p for p, _ in writes} >= {"/api/articles", "/api/ingest/url"}
    before = snapshot(_db(client))
    for path, method in writes:
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}):
            response = client.request(method, path, json=records()[0], headers=headers)
            assert response.status_code == 401, (method, path, headers)
            assert TOKEN not in response.text
    assert snapshot(_db(client)) == before


def test_security_read_token_is_compared_in_constant_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    with loaded_client(tmp_path, read_token_required=True) as client:
        calls.clear()
        assert client.get("/api/stories", headers={"Authorization": "Bearer x"}).status_code == 401
        assert client.get("/api/stories", headers=AUTH).status_code == 200
    assert calls == [(b"x", TOKEN.encode()), (TOKEN.encode(), TOKEN.encode())]


def _read_requests(client: TestClient, value: str) -> Iterator[tuple[str, dict[str, str]]]:
    """A request per parameter of every GET route in the OpenAPI schema, with ``value``
    in that parameter and harmless values elsewhere; then the web pages' parameters."""
    schema = client.get("/openapi.json").json()
    for path, operations in schema["paths"].items():
        if "get" not in operations:
            continue
        parameters = operations["get"].get("parameters", [])
        fillers = {p["name"]: "en" for p in parameters if p["in"] == "path"}
        for p in parameters:
            if p["in"] == "header":
                continue
            if p["in"] == "path":
                yield path.format(**(fillers | {p["name"]: quote(value, safe="")})), {}
            else:
                yield path.format(**fillers), {p["name"]: value}
    for page, names in (
        ("/search", ("q", "lang", "source", "since", "until", "cursor")),
        ("/stories/x", ("lang",)),
        ("/", ()),
    ):
        for name in names:
            yield page, {name: value}
    for prefix in ("/stories/", "/names/", "/sources/"):
        yield prefix + quote(value, safe=""), {}


@pytest.mark.parametrize("value", INJECTIONS + TRAVERSALS)
def test_security_every_read_parameter_takes_hostile_strings(
    client: TestClient, value: str
) -> None:
    before = snapshot(_db(client))
    requests = list(_read_requests(client, value))
    assert len(requests) > 20  # the schema was read
    for path, params in requests:
        if path.startswith("/api/events"):
            params = params | {"wait": "0"}  # a stream that ends at once
        response = client.get(path, params=params)
        assert response.status_code in (200, 304, 400, 403, 404, 422), (path, params)
        for leak in ("Traceback", "OperationalError", "sqlite3", "root:x:0:0"):
            assert leak not in response.text, (path, params, leak)
    assert snapshot(_db(client)) == before


@pytest.mark.parametrize(
    "path",
    [
        "/static/../../pyproject.toml",
        "/static/..%2f..%2fpyproject.toml",
        "/static/%2e%2e/%2e%2e/pyproject.toml",
        "/static/....//....//pyproject.toml",
        "/static/..\\..\\pyproject.toml",
        "/static//etc/passwd",
        "/static/%2fetc%2fpasswd",
        "/static/../api/app.py",
    ],
)
def test_security_static_files_stay_in_their_folder(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code in (404, 400, 422)
    assert "[project]" not in response.text and "root:" not in response.text
    assert "create_app" not in response.text


@pytest.mark.parametrize("value", INJECTIONS)
def test_security_cli_filters_take_hostile_strings(
    tmp_path: Path, value: str, client: TestClient
) -> None:
    db = _db(client)
    before = snapshot(db)
    runner = CliRunner()
    commands = [
        ["search", value],
        ["stories", "--lang", value],
        ["stories", "--source", value],
        ["entity", value],
        ["show", value],
        ["show", "x", "--lang", value],
    ]
    for command in commands:
        result = runner.invoke(cli, [*command, "--json", "--db", db], env=child_env())
        # 0 (found or empty), 3 (no such story or name); never a crash.
        assert result.exit_code in (0, 3), (command, result.output)
        assert result.exception is None or isinstance(result.exception, SystemExit), command
    assert snapshot(db) == before


@pytest.mark.parametrize(
    "url",
    [
        "http://[::ffff:127.0.0.1]/",  # IPv4-mapped IPv6
        "http://[::ffff:7f00:1]/",
        "http://[::ffff:a9fe:a9fe]/latest/meta-data/",  # mapped 169.254.169.254
        "http://[fe80::1]/",  # link-local
        "http://169.254.1.1/",
        "http://[fc00::1]/",  # unique local
        "http://[2002:7f00:1::]/",  # 6to4 around 127.0.0.1
        "http://[64:ff9b::a9fe:a9fe]/",  # NAT64 around 169.254.169.254
        "http://0.0.0.0/",
        "http://017700000001/",  # octal
        "http://127.1/",
        "http://100.64.0.1/",  # shared address space
        "http://[::]/",
        "http://user:pass@127.0.0.1/",
        "http://127.0.0.1:22/",
    ],
)
def test_security_ingest_url_refuses_internal_addresses(tmp_path: Path, url: str) -> None:
    site = Site()
    with client_for(tmp_path, site) as client:
        response = client.post("/api/ingest/url", json={"url": url}, headers=AUTH)
        assert response.status_code == 422, response.text
        assert response.json()["error"]["code"] in ("address_refused", "fetch_error")
    assert site.requests == []


@pytest.mark.parametrize(
    "target",
    ["http://127.0.0.1/", "http://[::ffff:10.0.0.1]/", "http://[fe80::1]/", "http://10.0.0.1/"],
)
def test_security_ingest_url_redirect_chain_to_internal_is_refused(
    tmp_path: Path, target: str
) -> None:
    site = Site()
    site.add("https://news.example/a", httpx.Response(301, headers={"Location": "/b"}))
    site.add("https://news.example/b", httpx.Response(302, headers={"Location": target}))
    with client_for(tmp_path, site) as client:
        response = client.post(
            "/api/ingest/url", json={"url": "https://news.example/a"}, headers=AUTH
        )
        assert response.status_code == 422 and response.json()["error"]["code"] == "address_refused"
    assert all(r.url.host == "news.example" for r in site.requests)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_security_serve_never_logs_the_token(tmp_path: Path) -> None:
    port = _free_port()
    log = tmp_path / "serve.log"
    env = child_env(STORYLINE_TOKEN=TOKEN, STORYLINE_DB=str(tmp_path / "serve.db"))
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "storyline", "serve", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while True:
                try:
                    httpx.get(f"{base}/api/health", timeout=1)
                    break
                except httpx.TransportError:
                    assert time.monotonic() < deadline and server.poll() is None, log.read_text()
                    time.sleep(0.2)
            with httpx.Client(base_url=base, timeout=30) as http:
                ok = http.post("/api/articles", content=jsonl(records()), headers=AUTH)
                assert ok.status_code == 200, ok.text
                near = {"Authorization": f"Bearer {TOKEN[:-1]}"}
                assert (
                    http.post("/api/articles", json=records()[0], headers=near).status_code == 401
                )
                assert (
                    http.post("/api/ingest/url", json={"url": "x"}, headers=near).status_code == 401
                )
                assert http.get("/api/stories", headers=AUTH).status_code == 200
                assert http.post("/api/articles", content=b"{bad", headers=AUTH).status_code == 422
        finally:
            server.terminate()
            server.wait(timeout=30)
    text = log.read_text()
    assert "POST /api/articles" in text  # the access log was written
    assert TOKEN not in text and TOKEN[:-1] not in text
