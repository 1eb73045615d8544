"""Hostile requests: SQL injection through every filter, path traversal in ids,
unexpected errors; none gets a 5xx, a stack trace, or changes stored data."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from storyline.api import create_app
from storyline.config import Settings
from storyline.store.sqlite import SQLiteStore
from tests.api_support import AUTH, assert_error, loaded_client

INJECTIONS = [
    "' OR '1'='1",
    "'; DROP TABLE articles; --",
    '" OR 1=1 --',
    "1; DELETE FROM stories",
    "x') UNION SELECT * FROM articles --",
    "%' OR 1=1 --",
    "bridge* OR NEAR(a b)",
    'title:"x" OR text:*',
    "\\'; --",
    "\x00",
    "😀'--",
    "1 AND (SELECT COUNT(*) FROM sqlite_master) > 0",
    "json_each(sources)",
]

TRAVERSALS = [
    "../../etc/passwd",
    "..%2F..%2Fetc%2Fpasswd",
    "....//....//etc/passwd",
    "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "..\\..\\windows\\win.ini",
    "/etc/passwd",
    "~root",
    "storyline.db",
]


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    with loaded_client(tmp_path_factory.mktemp("hostile")) as client:
        yield client


def snapshot(client: TestClient) -> tuple[Any, ...]:
    db = client.app.state.storyline.settings.db  # type: ignore[attr-defined]
    con = sqlite3.connect(db)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master ORDER BY name")]
        counts = tuple(
            con.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
            for t in ("articles", "stories", "failures", "article_names")
        )
        return tuple(tables), counts
    finally:
        con.close()


@pytest.mark.parametrize("value", INJECTIONS)
def test_api_sql_injection_through_every_filter(client: TestClient, value: str) -> None:
    before = snapshot(client)
    everything = len(client.get("/api/stories").json()["items"])
    for name in ("language", "source", "name", "q", "cursor", "since", "until", "order"):
        response = client.get("/api/stories", params={name: value})
        assert response.status_code in (200, 422), (name, response.text)
        if response.status_code == 200:
            # A filter can only narrow the list: "' OR '1'='1" must not match everything.
            found = len(response.json()["items"])
            assert found == 0 or (name == "q" and found < everything), (name, found)
        else:
            assert_error(response, 422)
    for url, params in (
        ("/api/search", {"q": value}),
        ("/api/stories/" + quote(value, safe=""), {"language": value}),
        ("/api/articles/" + quote(value, safe=""), {}),
        ("/api/names/" + quote(value, safe=""), {"limit": 5}),
        ("/api/sources/" + quote(value, safe=""), {}),
    ):
        response = client.get(url, params=params)
        assert response.status_code in (200, 404, 422), (url, response.text)
        assert "Traceback" not in response.text and "OperationalError" not in response.text
    assert snapshot(client) == before


@pytest.mark.parametrize("value", TRAVERSALS)
def test_api_path_traversal_in_ids(client: TestClient, value: str) -> None:
    for prefix in ("/api/stories/", "/api/articles/", "/api/names/", "/api/sources/"):
        for path in (prefix + value, prefix + quote(value, safe="")):
            response = client.get(path)
            assert response.status_code in (404, 422), (path, response.status_code)
            assert "root:" not in response.text and "[fonts]" not in response.text
            if response.request.url.path.startswith("/api/"):
                assert_error(response, response.status_code)
            # else: the client resolved the dots to a path outside the API: a web 404.


def test_api_ingest_json_fields_with_sql_are_stored_as_text(tmp_path: Path) -> None:
    with loaded_client(tmp_path) as client:
        before = snapshot(client)
        hostile = {
            "title": "Robert'); DROP TABLE stories;-- visits the harbour",
            "maintext": "Little Bobby Tables visited the harbour of Port Elling on Friday. "
            "'; DELETE FROM articles; -- was painted on a wall, the harbour master said.",
            "source_domain": "x'); DROP TABLE articles;--",
            "language": "en' OR '1'='1",
        }
        report = client.post("/api/articles", json=hostile, headers=AUTH).json()
        assert report["added"] + report["duplicates"] == 1
        tables, counts = snapshot(client)
        assert tables == before[0] and counts[0] == before[1][0] + 1
        hit = client.get("/api/search", params={"q": "Bobby Tables"}).json()
        assert hit[0]["title"] == hostile["title"]


class BrokenStore(SQLiteStore):
    def source_stats(self, source: str | None = None) -> Any:
        raise RuntimeError("secret internal detail")


def test_api_unexpected_error_is_a_generic_500(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    db = str(tmp_path / "broken.db")
    app = create_app(Settings(db=db), store_factory=lambda: BrokenStore(db))
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/api/sources")
    error = assert_error(response, 500, "server_error")
    assert "secret" not in error["message"] and "RuntimeError" not in response.text
    assert "secret internal detail" in caplog.text  # the log has it, the client not
