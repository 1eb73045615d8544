"""Write routes: bearer token (constant-time), JSON / JSON Lines ingest then read back,
bad bodies, size limits."""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.api_support import AUTH, TOKEN, assert_error, jsonl, make_app, records


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(make_app(tmp_path)) as client:
        yield client


def test_api_write_without_configured_token_is_forbidden(tmp_path: Path) -> None:
    with TestClient(make_app(tmp_path, token="")) as client:
        for headers in ({}, AUTH, {"Authorization": "Bearer "}):
            response = client.post("/api/articles", json=records()[0], headers=headers)
            error = assert_error(response, 403, "forbidden")
            assert "STORYLINE_TOKEN" in error["message"]
        response = client.post("/api/ingest/url", json={"url": "https://a.example/"})
        assert_error(response, 403, "forbidden")
        assert client.get("/api/metrics").json()["articles"] == 0


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong"},
        {"Authorization": f"Bearer {TOKEN}x"},
        {"Authorization": f"Bearer {TOKEN[:-1]}"},
        {"Authorization": f"Basic {TOKEN}"},
        {"Authorization": TOKEN},
        {"Authorization": "Bearer"},
    ],
)
def test_api_write_with_bad_token_is_401(client: TestClient, headers: dict[str, str]) -> None:
    for url, body in (("/api/articles", records()[0]), ("/api/ingest/url", {"url": "x"})):
        response = client.post(url, json=body, headers=headers)
        assert_error(response, 401, "unauthorized")
        assert response.headers["www-authenticate"] == "Bearer"
        assert TOKEN not in response.text
    assert client.get("/api/metrics").json()["articles"] == 0


def test_api_token_is_compared_in_constant_time(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)
    client.post("/api/articles", json=records()[0], headers={"Authorization": "Bearer guess"})
    client.post("/api/articles", json=records()[0], headers=AUTH)
    assert calls == [(b"guess", TOKEN.encode()), (TOKEN.encode(), TOKEN.encode())]


def test_api_post_jsonl_then_read_back(client: TestClient) -> None:
    response = client.post(
        "/api/articles",
        content=jsonl(records()),
        headers={**AUTH, "Content-Type": "application/x-ndjson"},
    )
    report = response.json()
    assert response.status_code == 200 and report["added"] == 6 and report["failed"] == 0
    assert len(report["stories"]) == 3
    listed = client.get("/api/stories").json()["items"]
    assert {s["id"] for s in listed} == set(report["stories"])
    again = client.post("/api/articles", content=jsonl(records()), headers=AUTH).json()
    assert (again["added"], again["already_stored"]) == (0, 6)


@pytest.mark.parametrize("shape", ["object", "array", "articles"])
def test_api_post_json_shapes(client: TestClient, shape: str) -> None:
    items = records()[:2]
    body: object = {
        "object": items[0],
        "array": items,
        "articles": {"articles": items},
    }[shape]
    report = client.post("/api/articles", json=body, headers=AUTH).json()
    expected = 1 if shape == "object" else 2
    assert report["added"] + report["duplicates"] == expected
    hit = client.get("/api/search", params={"q": "Kalinov"}).json()[0]
    article = client.get(f"/api/articles/{hit['id']}").json()
    assert article["source"].startswith("bridge") and "pillars" in article["text"]


def test_api_post_bad_items_are_reported_and_the_rest_stored(client: TestClient) -> None:
    body = [records()[0], {"title": "no text"}, 42, {"maintext": ["not", 3]}]
    report = client.post("/api/articles", json=body, headers=AUTH).json()
    assert report["added"] == 1 and report["failed"] == 3
    items = [f["item"] for f in report["failures"]]
    assert items == ["request[1]", "request[2]", "request[3]"]
    assert client.get("/api/metrics").json()["failures"] == 3
    lines = '{"maintext": "x y z"}\nnot json\n'
    report = client.post("/api/articles", content=lines, headers=AUTH).json()
    assert "request:2" in [f["item"] for f in report["failures"]]


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"   ",
        b"{not json",
        b"[]",
        b"42",
        b'"text"',
        b"null",
        b"\xff\xfe\x00bad",
        b"[" * 100_000,
    ],
)
def test_api_post_unusable_body_is_422(client: TestClient, body: bytes) -> None:
    response = client.post("/api/articles", content=body, headers=AUTH)
    assert_error(response, 422)
    assert client.get("/api/metrics").json()["articles"] == 0


def test_api_body_over_the_limit_is_413(tmp_path: Path) -> None:
    with TestClient(make_app(tmp_path, max_input_bytes=2000)) as client:
        big = json.dumps({"maintext": "word " * 1000})
        response = client.post("/api/articles", content=big, headers=AUTH)
        error = assert_error(response, 413, "too_large")
        assert "max_input_bytes" in error["message"]

        def chunks() -> Iterator[bytes]:  # no Content-Length: chunked transfer
            for _ in range(10):
                yield b"x" * 500

        assert_error(client.post("/api/articles", content=chunks(), headers=AUTH), 413)
        url_body = json.dumps({"url": "https://a.example/" + "a" * 3000})
        assert_error(client.post("/api/ingest/url", content=url_body, headers=AUTH), 413)
        small = client.post("/api/articles", json=records()[0], headers=AUTH)
        assert small.status_code == 200


def test_api_chunked_body_under_the_limit_is_read(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        text = jsonl(records()[:2]).encode()
        yield text[:100]
        yield text[100:]

    report = client.post("/api/articles", content=chunks(), headers=AUTH).json()
    assert report["added"] + report["duplicates"] == 2


def test_api_metrics_count_ingests(client: TestClient) -> None:
    client.post("/api/articles", content=jsonl(records()), headers=AUTH)
    client.post("/api/articles", json=[records()[0], {"x": 1}], headers=AUTH)
    counters = client.get("/api/metrics").json()["ingest"]
    assert counters == {
        "requests": 2,
        "added": 6,
        "duplicates": 0,
        "already_stored": 1,
        "failed": 1,
    }


def test_api_token_never_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.DEBUG)
    app = make_app(tmp_path)
    with TestClient(app) as client:
        client.post("/api/articles", json=records()[0], headers=AUTH)
        client.post("/api/articles", json=records()[0], headers={"Authorization": "Bearer no"})
    settings = app.state.storyline.settings
    assert TOKEN not in repr(settings) and TOKEN not in str(app.state.storyline)
    captured = capsys.readouterr()
    assert TOKEN not in caplog.text + captured.out + captured.err
