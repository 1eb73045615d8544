"""POST /api/ingest/url through the guarded fetcher, with a mock transport: a page is
ingested; internal addresses are refused before any request is made (no SSRF)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from storyline.api.context import writer_lock_path
from storyline.config import Settings
from storyline.sources.fetch import Fetcher
from tests.api_support import AUTH, assert_error, make_app
from tests.conftest import EVENTS
from tests.test_sources_fetch import Site, resolver

_, TITLE, BODY = EVENTS["strike"][0]
PAGE = f"""<html><head><title>{TITLE}</title>
<meta property="article:published_time" content="2024-05-03T08:00:00Z"></head>
<body><article><h1>{TITLE}</h1><p>{BODY}</p><p>{BODY}</p></article></body></html>"""

# Names the fake resolver maps to internal addresses (DNS that points inside).
INTERNAL_NAMES = {
    "localhost": ["127.0.0.1"],
    "intranet.example": ["10.1.2.3"],
    "sneaky.example": ["93.184.216.34", "::1"],
}


def client_for(tmp_path: Path, site: Site, **changes: Any) -> TestClient:
    def factory(settings: Settings) -> Fetcher:
        fast = replace(settings, host_delay_seconds=0.0, fetch_timeout_seconds=2.0)
        return Fetcher(fast, transport=site.transport(), resolver=resolver(INTERNAL_NAMES))

    return TestClient(make_app(tmp_path, fetcher_factory=factory, **changes))


@pytest.fixture
def site() -> Site:
    site = Site()
    site.page("https://news.example/strike", PAGE)
    return site


@pytest.fixture
def client(tmp_path: Path, site: Site) -> Iterator[TestClient]:
    with client_for(tmp_path, site) as client:
        yield client


def test_api_ingest_url_fetches_and_stores_the_page(client: TestClient, site: Site) -> None:
    response = client.post(
        "/api/ingest/url", json={"url": "https://news.example/strike"}, headers=AUTH
    )
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["added"] == 1 and len(report["stories"]) == 1
    story = client.get(f"/api/stories/{report['stories'][0]}").json()
    assert "Port Elling" in story["headline"]
    assert story["articles"][0]["url"] == "https://news.example/strike"
    assert site.hits("https://news.example/robots.txt") == 1  # robots.txt was asked
    assert client.get("/api/metrics").json()["ingest"]["added"] == 1


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/admin",
        "http://localhost:8000/api/articles",
        "http://[::1]/",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.1/",
        "http://192.168.1.1:8080/",
        "http://2130706433/",  # 127.0.0.1 as one number
        "http://0x7f.1/",
        "http://intranet.example/",
        "http://sneaky.example/",
    ],
)
def test_api_ingest_url_refuses_internal_addresses(
    client: TestClient, site: Site, url: str
) -> None:
    response = client.post("/api/ingest/url", json={"url": url}, headers=AUTH)
    error = assert_error(response, 422, "address_refused")
    assert "allow_private_addresses" in error["message"]
    assert site.requests == []  # refused before any request left
    assert client.get("/api/metrics").json()["articles"] == 0


def test_api_ingest_url_redirect_to_internal_is_refused(client: TestClient, site: Site) -> None:
    import httpx

    site.add(
        "https://news.example/go",
        httpx.Response(302, headers={"Location": "http://169.254.169.254/"}),
    )
    response = client.post("/api/ingest/url", json={"url": "https://news.example/go"}, headers=AUTH)
    assert_error(response, 422, "address_refused")
    assert not any("169.254" in str(r.url) for r in site.requests)


def test_api_ingest_url_private_allowed_by_setting(tmp_path: Path) -> None:
    site = Site()
    site.page("http://10.0.0.5/strike", PAGE)
    with client_for(tmp_path, site, allow_private_addresses=True) as client:
        response = client.post(
            "/api/ingest/url", json={"url": "http://10.0.0.5/strike"}, headers=AUTH
        )
        assert response.status_code == 200 and response.json()["added"] == 1


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"url": "ftp://news.example/a"}, "fetch_error"),
        ({"url": "file:///etc/passwd"}, "fetch_error"),
        ({"url": "not a url"}, None),
        ({"url": ""}, "invalid_parameter"),
        ({}, "invalid_parameter"),
        ({"url": "https://news.example/a", "extra": 1}, "invalid_parameter"),
        ({"url": 42}, "invalid_parameter"),
        ({"url": "https://news.example/missing"}, "http_status_error"),
    ],
)
def test_api_ingest_url_bad_requests(
    client: TestClient, body: dict[str, Any], code: str | None
) -> None:
    response = client.post("/api/ingest/url", json=body, headers=AUTH)
    assert_error(response, 422, code)
    assert client.get("/api/metrics").json()["articles"] == 0


def test_api_ingest_url_fetches_without_holding_the_write_lock(tmp_path: Path, site: Site) -> None:
    """A slow site must not hold up other writers: while the page is being fetched,
    this process's write lock and the database's writer lock are both free."""
    import fcntl

    import httpx

    free: list[bool] = []

    def page(request: httpx.Request) -> httpx.Response:
        lock = app.state.storyline.write_lock
        taken = lock.acquire(blocking=False)
        if taken:
            lock.release()
        with writer_lock_path(str(tmp_path / "api.db")).open("a+b") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                file_free = False
            else:
                fcntl.flock(handle, fcntl.LOCK_UN)
                file_free = True
        free.append(taken and file_free)
        return httpx.Response(200, text=PAGE, headers={"Content-Type": "text/html"})

    site.add("https://news.example/slow", page)
    with client_for(tmp_path, site) as client:
        app = client.app
        response = client.post(
            "/api/ingest/url", json={"url": "https://news.example/slow"}, headers=AUTH
        )
        assert response.status_code == 200 and response.json()["added"] == 1
    assert free == [True]
