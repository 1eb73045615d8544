"""Read routes in process (httpx over ASGI): stories, filters, cursor pages, detail,
articles, names, search, sources, health, metrics, ETags, and closed reads."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from storyline.assemble import assemble
from storyline.store.sqlite import SQLiteStore
from tests.api_support import AUTH, TOKEN, assert_error, jsonl, loaded_client, records


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    with loaded_client(tmp_path_factory.mktemp("api")) as client:
        yield client


def ids(response: Any) -> list[str]:
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def story_of(client: TestClient, word: str) -> str:
    found = ids(client.get("/api/stories", params={"q": word}))
    assert len(found) == 1
    return found[0]


def test_api_stories_lists_every_story_largest_first(client: TestClient) -> None:
    body = client.get("/api/stories").json()
    assert len(body["items"]) == 3 and body["next_cursor"] is None
    first = body["items"][0]
    assert set(first) >= {"id", "headline", "article_count", "sources", "languages"}
    counts = [(s["article_count"], s["last_published"]) for s in body["items"]]
    assert counts == sorted(counts, reverse=True)


@pytest.mark.parametrize("order", ["size", "recent"])
def test_api_stories_cursor_pages_cover_all_once(client: TestClient, order: str) -> None:
    everything = ids(client.get("/api/stories", params={"order": order}))
    seen: list[str] = []
    cursor = None
    for _ in range(10):
        params: dict[str, Any] = {"limit": 1, "order": order}
        if cursor:
            params["cursor"] = cursor
        response = client.get("/api/stories", params=params)
        seen += ids(response)
        cursor = response.json()["next_cursor"]
        if cursor is None:
            break
    assert seen == everything and len(set(seen)) == 3


def test_api_stories_cursor_of_another_order_is_refused(client: TestClient) -> None:
    cursor = client.get("/api/stories", params={"limit": 1}).json()["next_cursor"]
    response = client.get("/api/stories", params={"cursor": cursor, "order": "recent"})
    assert_error(response, 422, "bad_parameter")


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "satellite"}, {"launch"}),
        ({"q": "bridge pillars"}, {"bridge"}),
        ({"name": "Marta Sokol"}, {"strike"}),
        ({"name": "sokol"}, {"strike"}),
        ({"source": "bridge1.example"}, {"bridge"}),
        ({"language": "en"}, {"bridge", "launch", "strike"}),
        ({"language": "de"}, set()),
        ({"since": "2024-05-03T00:00:00Z"}, {"bridge", "strike"}),
        ({"until": "2024-05-02"}, {"bridge", "launch"}),
        ({"since": "2024-05-02", "until": "2024-05-02T23:59:59+00:00"}, {"bridge", "launch"}),
        ({"since": "2030-01-01"}, set()),
        ({"q": "!!! ???"}, set()),
        ({"q": "satellite", "source": "bridge0.example"}, set()),
    ],
)
def test_api_stories_filters(
    client: TestClient, params: dict[str, str], expected: set[str]
) -> None:
    events = {"Bridge": "bridge", "Aster": "launch", "Dock": "strike", "Port": "strike"}
    body = client.get("/api/stories", params=params)
    assert body.status_code == 200, body.text
    found = {
        next(e for word, e in events.items() if word in s["headline"]) for s in body.json()["items"]
    }
    assert found == expected


@pytest.mark.parametrize(
    "params",
    [
        {"limit": "0"},
        {"limit": "201"},
        {"limit": "many"},
        {"since": "yesterday"},
        {"until": "2024-13-45"},
        {"order": "random"},
        {"cursor": "not-a-cursor"},
        {"cursor": "W10"},  # base64 of []
        {"q": "x" * 501},
        {"since": "0001-01-01T00:00:00+05:00"},  # out of range in UTC
    ],
)
def test_api_stories_bad_parameters_are_422_json(
    client: TestClient, params: dict[str, str]
) -> None:
    assert_error(client.get("/api/stories", params=params), 422)


def test_api_story_detail_is_what_show_json_prints(client: TestClient) -> None:
    story_id = story_of(client, "satellite")
    response = client.get(f"/api/stories/{story_id}")
    assert response.status_code == 200
    db = client.app.state.storyline.settings.db  # type: ignore[attr-defined]
    store = SQLiteStore(db)
    try:
        story = store.story(story_id)
        expected = assemble(story, store.story_articles(story_id))
    finally:
        store.close()
    assert response.json() == expected
    assert {s["source"] for s in expected["sources"]} == {"launch0.example", "launch1.example"}


def test_api_story_detail_language_and_unknown(client: TestClient) -> None:
    story_id = story_of(client, "satellite")
    assert client.get(f"/api/stories/{story_id}", params={"language": "en"}).status_code == 200
    assert_error(client.get("/api/stories/s000000"), 404, "not_found")
    assert_error(client.get(f"/api/stories/{story_id}", params={"language": "x" * 40}), 422)


def test_api_story_etag_and_304(client: TestClient) -> None:
    story_id = story_of(client, "bridge")
    for url in (f"/api/stories/{story_id}", "/api/stories?limit=2"):
        first = client.get(url)
        tag = first.headers["etag"]
        assert tag.startswith('"') and first.headers["cache-control"] == "no-cache"
        again = client.get(url, headers={"If-None-Match": tag})
        assert again.status_code == 304 and again.content == b""
        assert again.headers["etag"] == tag
        assert client.get(url, headers={"If-None-Match": f'"other", W/{tag}'}).status_code == 304
        assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200


def test_api_etag_changes_when_a_story_changes(tmp_path: Path) -> None:
    items = records()
    with loaded_client(tmp_path) as client:
        story_id = story_of(client, "satellite")
        tag = client.get(f"/api/stories/{story_id}").headers["etag"]
        list_tag = client.get("/api/stories").headers["etag"]
        follow_up = dict(items[2], source_domain="launch2.example", url="https://l2.example/")
        follow_up["title"] = "Aster-3 weather satellite sends first images from orbit"
        report = client.post("/api/articles", json=follow_up, headers=AUTH).json()
        assert report["added"] + report["duplicates"] == 1 and report["stories"] == [story_id]
        changed = client.get(f"/api/stories/{story_id}", headers={"If-None-Match": tag})
        assert changed.status_code == 200 and changed.headers["etag"] != tag
        assert client.get("/api/stories", headers={"If-None-Match": list_tag}).status_code == 200


def test_api_article_by_id(client: TestClient) -> None:
    hit = client.get("/api/search", params={"q": "satellite"}).json()[0]
    article = client.get(f"/api/articles/{hit['id']}").json()
    assert article["title"] == hit["title"] and "Aster-3" in article["text"]
    assert article["story_id"] == hit["story_id"]
    assert_error(client.get("/api/articles/nope"), 404, "not_found")


def test_api_search(client: TestClient) -> None:
    hits = client.get("/api/search", params={"q": "Port Elling", "limit": 5}).json()
    assert len(hits) == 2 and all("text" not in h for h in hits)
    assert all(h["story_id"] for h in hits)
    assert client.get("/api/search", params={"q": "zebra"}).json() == []
    assert_error(client.get("/api/search"), 422, "invalid_parameter")
    assert_error(client.get("/api/search", params={"q": ""}), 422)
    assert_error(client.get("/api/search", params={"q": "a", "limit": 0}), 422)


def test_api_names_in_any_spelling(client: TestClient) -> None:
    entity = client.get("/api/names/Jonas Brekke").json()
    assert entity["name"] == "Jonas Brekke" and entity["kind"] == "person"
    assert len(entity["stories"]) == 1 and entity["stories"][0]["mentions"] >= 2
    assert client.get(f"/api/names/{entity['key']}").json()["key"] == entity["key"]
    assert_error(client.get("/api/names/Nobody Atall"), 404, "not_found")


def test_api_sources(client: TestClient) -> None:
    sources = client.get("/api/sources").json()
    assert len(sources) == 6
    assert set(sources[0]) == {"source", "articles", "stories", "first", "last"}
    one = client.get("/api/sources/strike0.example").json()
    assert one["articles"] == 1 and one["first"].startswith("2024-05-03")
    assert len(one["recent_stories"]) == 1
    assert_error(client.get("/api/sources/nowhere.example"), 404, "not_found")


def test_api_health_and_metrics(client: TestClient) -> None:
    health = client.get("/api/health").json()
    assert health["status"] == "ok" and health["articles"] == 6
    metrics = client.get("/api/metrics").json()
    assert (metrics["articles"], metrics["stories"], metrics["failures"]) == (6, 3, 0)
    assert metrics["ingest"]["added"] == 6 and metrics["ingest"]["requests"] == 1


def test_api_unknown_route_and_method_are_json(client: TestClient) -> None:
    assert_error(client.get("/api/nothing"), 404, "not_found")
    assert_error(client.delete("/api/stories"), 405, "method_not_allowed")


def test_api_openapi_schema_lists_every_route(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in (
        "/api/stories",
        "/api/stories/{story_id}",
        "/api/articles",
        "/api/articles/{article_id}",
        "/api/names/{name}",
        "/api/search",
        "/api/sources",
        "/api/sources/{source}",
        "/api/ingest/url",
        "/api/health",
        "/api/metrics",
        "/api/events",
    ):
        assert path in paths, path
    assert "security" in paths["/api/articles"]["post"]
    assert "security" not in paths["/api/stories"]["get"]


def test_api_reads_can_be_closed(tmp_path: Path) -> None:
    with loaded_client(tmp_path, read_token_required=True) as client:
        for url in ("/api/stories", "/api/search?q=bridge", "/api/sources", "/api/metrics"):
            assert_error(client.get(url), 401, "unauthorized")
            wrong = {"Authorization": "Bearer nope"}
            assert_error(client.get(url, headers=wrong), 401, "unauthorized")
            assert client.get(url, headers=AUTH).status_code == 200
        assert client.get("/api/health").status_code == 200  # probes stay open


def test_api_closed_reads_without_token_are_forbidden(tmp_path: Path) -> None:
    from tests.api_support import make_app

    with TestClient(make_app(tmp_path, token="", read_token_required=True)) as client:
        error = assert_error(client.get("/api/stories"), 403, "forbidden")
        assert "STORYLINE_TOKEN" in error["message"]
    assert TOKEN not in error["message"]


def test_api_jsonl_helper_round_trip() -> None:
    assert jsonl(records()).count("\n") == 6


def test_api_docs_list_every_route(client: TestClient) -> None:
    text = (Path(__file__).resolve().parents[1] / "docs" / "api.md").read_text()
    for path, operations in client.get("/openapi.json").json()["paths"].items():
        if path.startswith("/api/"):
            for method in operations:
                assert f"`{method.upper()} {path}`" in text, f"{method} {path} undocumented"
