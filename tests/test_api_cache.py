"""The server's caches and its parts for many readers: story views per story version,
rendered pages, connections kept per thread, the writers' lock across processes, and
``storyline serve --workers N``."""

from __future__ import annotations

import fcntl
import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any, cast

import pytest
import uvicorn
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from storyline import services
from storyline.api import create_app
from storyline.api.app import app_from_environment
from storyline.api.context import writer_lock, writer_lock_path
from storyline.cli import app as cli
from storyline.cli_serve import APP_FACTORY
from storyline.config import Settings
from storyline.model import StoredArticle, Story
from storyline.services.views import CONSISTENT_READS, LRU, story_view
from storyline.store.kept import ThreadStores
from storyline.store.sqlite import SQLiteStore
from storyline.web import routes
from tests.api_support import AUTH, TOKEN, jsonl, records

# A third report of the bridge closure in the test events, from another outlet.
LATE_BRIDGE_REPORT = {
    "title": "Kalinov bridge over the Varna stays closed, mayor Ilic says",
    "maintext": "Mayor Petra Ilic said the Kalinov bridge over the Varna river stays "
    "closed for six weeks after cracks were found in two support pillars. Repairs "
    "will cost 4.2 million euros, and 18,000 vehicles a day must cross elsewhere.",
    "date_publish": "2024-05-04",
    "source_domain": "late.example",
    "url": "https://late.example/kalinov",
    "language": "en",
}


class CountingStore(SQLiteStore):
    """A SQLite store that counts how often a story's articles are read."""

    reads: list[str]

    def story_articles(self, story_id: str) -> list[StoredArticle]:
        self.reads.append(story_id)
        return super().story_articles(story_id)


def counting_client(tmp_path: Path, **changes: Any) -> tuple[TestClient, list[str]]:
    """A client over the test events whose stores record their article reads."""
    reads: list[str] = []

    def factory() -> CountingStore:
        store = CountingStore(tmp_path / "count.db")
        store.reads = reads
        return store

    settings = replace(Settings(db=str(tmp_path / "count.db"), token=TOKEN), **changes)
    client = TestClient(create_app(settings, store_factory=factory))
    assert client.post("/api/articles", content=jsonl(records()), headers=AUTH).json()["added"]
    return client, reads


def story_with(client: TestClient, word: str) -> str:
    found = client.get("/api/stories", params={"q": word}).json()["items"]
    assert len(found) == 1
    return str(found[0]["id"])


def plain_client(tmp_path: Path) -> TestClient:
    """A client of the app as served: SQLite reads on the event loop (``inline_reads``)."""
    app = create_app(Settings(db=str(tmp_path / "plain.db"), token=TOKEN))
    assert app.state.storyline.inline_reads
    client = TestClient(app)
    assert client.post("/api/articles", content=jsonl(records()), headers=AUTH).json()["added"]
    return client


@pytest.mark.parametrize("inline", [True, False], ids=["event-loop", "threads"])
def test_api_story_view_and_page_change_when_an_article_joins(tmp_path: Path, inline: bool) -> None:
    client = plain_client(tmp_path) if inline else counting_client(tmp_path)[0]
    story_id = story_with(client, "Kalinov")
    before = client.get(f"/api/stories/{story_id}")
    page_before = client.get(f"/stories/{story_id}").text
    assert before.json()["article_count"] == 2
    assert LATE_BRIDGE_REPORT["title"] not in page_before

    report = client.post("/api/articles", json=LATE_BRIDGE_REPORT, headers=AUTH).json()
    assert report["added"] == 1 and report["stories"] == [story_id]

    after = client.get(f"/api/stories/{story_id}")
    assert after.json()["article_count"] == 3
    assert after.headers["etag"] != before.headers["etag"]
    assert LATE_BRIDGE_REPORT["title"] in [a["title"] for a in after.json()["articles"]]
    page_after = client.get(f"/stories/{story_id}").text
    assert LATE_BRIDGE_REPORT["title"] in page_after
    # The page polls the API with the ETag the API now answers with.
    assert after.headers["etag"].strip('"') in page_after


def test_api_story_view_is_assembled_once_per_version(tmp_path: Path) -> None:
    client, reads = counting_client(tmp_path)
    story_id = story_with(client, "Kalinov")
    reads.clear()
    for _ in range(3):
        assert client.get(f"/api/stories/{story_id}").status_code == 200
        assert client.get(f"/stories/{story_id}").status_code == 200
    assert reads == [story_id]
    # Another headline language is another view.
    assert client.get(f"/api/stories/{story_id}", params={"language": "de"}).status_code == 200
    assert reads == [story_id, story_id]


def test_api_story_views_are_bounded_by_the_setting(tmp_path: Path) -> None:
    client, reads = counting_client(tmp_path, story_cache_entries=1)
    bridge, launch = story_with(client, "Kalinov"), story_with(client, "Aster")
    reads.clear()
    for story_id in (bridge, bridge, launch, launch, bridge):
        client.get(f"/api/stories/{story_id}")
    assert reads == [bridge, launch, bridge]


@pytest.mark.parametrize("inline", [True, False], ids=["event-loop", "threads"])
def test_api_home_page_changes_when_a_story_arrives(tmp_path: Path, inline: bool) -> None:
    client = plain_client(tmp_path) if inline else counting_client(tmp_path)[0]
    first = client.get("/").text
    assert client.get("/").text == first and "3 articles" not in first
    report = client.post("/api/articles", json=LATE_BRIDGE_REPORT, headers=AUTH).json()
    assert report["added"] == 1
    assert "3 articles" in client.get("/").text


class FrozenClock(datetime):
    """``datetime`` whose ``now`` is the test's."""

    current = datetime(2030, 1, 1, 12, 0, 5, tzinfo=UTC)

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> FrozenClock:
        return cls.fromtimestamp(cls.current.timestamp(), tz)


def test_web_home_page_of_future_stories_is_kept_within_the_minute(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Stories dated after now rank against now, which changes with every request.
    reads: list[str] = []

    class Counting(SQLiteStore):
        def publication_times(self, story_id: str) -> list[datetime | None]:
            reads.append(story_id)
            return super().publication_times(story_id)

    db = tmp_path / "future.db"
    app = create_app(Settings(db=str(db), token=TOKEN), store_factory=lambda: Counting(db))
    client = TestClient(app)
    future = [r | {"date_publish": "2099-05-02"} for r in records()]
    assert client.post("/api/articles", content=jsonl(future), headers=AUTH).json()["added"]
    monkeypatch.setattr(routes, "datetime", FrozenClock)
    rendered = []
    for second in (5, 50, 70):  # 12:00:05 and 12:00:50, then 12:01:10
        FrozenClock.current = datetime(2030, 1, 1, 12, 0, tzinfo=UTC) + timedelta(seconds=second)
        reads.clear()
        assert client.get("/").status_code == 200
        rendered.append(bool(reads))
    assert rendered == [True, False, True]


class ChangingStore:
    """A store whose one story gains an article every time it is read."""

    def __init__(self, base: Story) -> None:
        self.base = base
        self.count = 0

    def story(self, story_id: str) -> Story:
        self.count += 1
        return replace(self.base, article_count=self.count)

    def story_articles(self, story_id: str) -> list[StoredArticle]:
        return []


def test_story_view_is_served_but_not_kept_while_the_story_keeps_changing() -> None:
    store = ChangingStore(Story("s1", "Headline", None, None, 0, 0, (), ()))
    cache: services.ViewCache = LRU(8)
    view = story_view(store, "s1", cache=cache)  # type: ignore[arg-type]
    assert view.data["id"] == "s1" and view.data["headline"] == "Headline"
    assert len(cache) == 0
    assert store.count == 1 + CONSISTENT_READS


@given(
    entries=st.integers(min_value=0, max_value=5),
    operations=st.lists(st.tuples(st.booleans(), st.integers(0, 9)), max_size=60),
)
def test_lru_holds_at_most_its_entries_and_the_latest(
    entries: int, operations: list[tuple[bool, int]]
) -> None:
    cache: LRU[int, str] = LRU(entries)
    latest: dict[int, str] = {}
    for n, (is_put, key) in enumerate(operations):
        if is_put:
            cache.put(key, f"v{n}")
            latest[key] = f"v{n}"
            assert cache.get(key) == (f"v{n}" if entries else None)
        else:
            found = cache.get(key)
            assert found is None or found == latest[key]
        assert len(cache) <= entries


def test_lru_drops_the_least_recently_used() -> None:
    cache: LRU[str, int] = LRU(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1  # "b" is now the least recently used
    cache.put("c", 3)
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (1, None, 3)


def test_lru_refuses_a_negative_size() -> None:
    with pytest.raises(ValueError, match="not -1"):
        LRU(-1)


def test_thread_stores_keep_one_connection_per_thread(tmp_path: Path) -> None:
    stores = ThreadStores(tmp_path / "kept.db")
    SQLiteStore(tmp_path / "kept.db").close()  # create and migrate
    mine = stores.borrow()
    mine.close()  # what a request does when it is done: the connection stays open
    assert stores.borrow() is mine and mine.counts().articles == 0
    other: list[object] = []
    worker = threading.Thread(target=lambda: other.extend([stores.borrow(), stores.borrow()]))
    worker.start()
    worker.join()
    assert other[0] is other[1] and other[0] is not mine
    stores.close()
    with pytest.raises(Exception, match="closed"):
        mine.counts()
    later = stores.borrow()  # after shutdown: a store of its own, closed by its user
    assert later is not mine and later.counts().articles == 0
    later.close()


def test_writer_lock_excludes_other_openers_until_released(tmp_path: Path) -> None:
    db = tmp_path / "locked.db"
    path = writer_lock_path(str(db))
    assert path == writer_lock_path(f"sqlite://{db}")

    def try_lock() -> bool:
        with path.open("a+b") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return False
            fcntl.flock(handle, fcntl.LOCK_UN)
            return True

    with writer_lock(str(db)):
        assert not try_lock()
    assert try_lock()


def test_cli_serve_with_workers_hands_uvicorn_the_app_factory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[object, dict[str, Any]]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: calls.append((app, options)))
    monkeypatch.setenv("STORYLINE_DB", "somewhere-else.db")  # restored after the test
    db = tmp_path / "workers.db"
    result = CliRunner().invoke(cli, ["serve", "--db", str(db), "--workers", "2"])
    assert result.exit_code == 0, result.output
    [(target, options)] = calls
    assert target == APP_FACTORY and options["factory"] and options["workers"] == 2
    # Longer than uvicorn's 5 s: starting workers on a busy machine must not be killed.
    assert options["timeout_worker_healthcheck"] > 5
    assert "2 processes" in result.output and db.exists()

    # What each worker process then runs: the app over the database chosen above.
    warmed: list[bool] = []
    monkeypatch.setattr(services, "start_warm_up", lambda: warmed.append(True))
    with TestClient(app_from_environment()) as client:
        assert client.get("/api/health").json()["articles"] == 0
    assert warmed == [True]


def test_cli_serve_refuses_zero_workers() -> None:
    result = CliRunner().invoke(cli, ["serve", "--workers", "0"])
    assert result.exit_code == 2


def test_warm_up_assembles_without_a_database() -> None:
    services.warm_up()  # raises if assembly cannot run on its made-up story


def test_kept_store_data_version_changes_only_with_the_data(tmp_path: Path) -> None:
    SQLiteStore(tmp_path / "v.db").close()
    stores = ThreadStores(tmp_path / "v.db")
    reader = stores.borrow()
    assert isinstance(reader, services.Versioned)
    first = reader.data_version()
    reader.counts()
    assert reader.data_version() == first
    other = SQLiteStore(tmp_path / "v.db")  # another connection (a CLI ingest, say)
    other.db.execute("INSERT INTO failures (origin, reason) VALUES ('x', 'y')")
    other.close()
    second = reader.data_version()
    assert second != first
    cast(SQLiteStore, reader).db.execute("INSERT INTO failures (origin, reason) VALUES ('z', 'w')")
    assert reader.data_version() != second  # its own write too
    stores.close()


def test_api_story_list_is_kept_until_the_database_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[str] = []
    real = services.stories.list_stories

    def counting(store: object, **query: Any) -> services.Page:
        made.append(str(query.get("order")))
        return real(store, **query)  # type: ignore[arg-type]

    monkeypatch.setattr(services.stories, "list_stories", counting)
    # As one server: requests on one event loop thread (a client used in ``with``).
    with plain_client(tmp_path) as client:
        made.clear()
        first = client.get("/api/stories")
        again = client.get("/api/stories")
        assert again.content == first.content and made == ["size"]
        unchanged = client.get("/api/stories", headers={"If-None-Match": first.headers["etag"]})
        assert unchanged.status_code == 304
        report = client.post("/api/articles", json=LATE_BRIDGE_REPORT, headers=AUTH).json()
        assert report["added"] == 1
        after = client.get("/api/stories")
        assert made == ["size", "size"]
        assert after.json()["items"][0]["article_count"] == 3
        assert after.headers["etag"] != first.headers["etag"]


def test_story_list_is_not_kept_for_a_store_that_cannot_tell_changes(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "plain.db")
    cache: services.ListCache = LRU(4)
    listed = services.story_list(store, "size", 10, cache)
    store.close()
    assert listed.items == [] and len(cache) == 0
