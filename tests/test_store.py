from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storyline.errors import NotFound
from storyline.model import Article, DatePrecision, Failure, Features
from storyline.store.base import Placement, StoryFilter, StoryRecord
from storyline.store.sqlite import MIGRATIONS, SQLiteStore


def article(
    n: int, text: str = "Some words about an event in a town.", lang: str = "en"
) -> Article:
    return Article(
        id=f"a{n}",
        origin=f"file{n}.txt",
        url=f"https://example.com/{n}",
        source="example.com" if n % 2 else "example.org",
        title=f"Title {n}",
        text=text,
        published=datetime(2024, 3, n % 28 + 1, tzinfo=UTC),
        date_precision=DatePrecision.DAY,
        language=lang,
        agencies=("dpa",),
        authors=("A. Writer",),
        fingerprint=f"fp{n}",
        features=Features((("title", 1),), (("event", 2), ("town", 1)), (("town", 1),), ("3",)),
    )


def record(story_id: str, day: int = 1) -> StoryRecord:
    state = '{"parts": {"title": [["title", 1.0]]}, "languages": ["en"], "size": 1}'
    return StoryRecord(story_id, state, ("title",), datetime(2024, 3, day, tzinfo=UTC), False)


def test_store_round_trips_articles_and_stories(store: SQLiteStore) -> None:
    a, b = article(1), article(2, lang="de")
    store.write(
        [Placement(a, "s1", None, b"\x00" * 8), Placement(b, "s1", "a1", b"\x01" * 8)],
        [record("s1")],
        [],
        [Failure("bad.txt", "empty")],
    )
    assert store.known_ids(["a1", "a2", "a3"]) == {"a1", "a2"}
    members = store.story_articles("s1")
    assert [m.article for m in members] == [a, b]
    assert members[1].duplicate_of == "a1"
    assert store.story("s1").languages == ("de", "en")
    assert store.failures() == [Failure("bad.txt", "empty")]
    assert [s.id for s in store.stories(StoryFilter(language="de"))] == ["s1"]
    assert store.stories(StoryFilter(source="nowhere.example")) == []
    summary = store.story("s1")
    assert (summary.article_count, summary.source_count, summary.headline) == (2, 1, "Title 1")
    assert summary.sources == ("example.com", "example.org")
    originals = list(store.signatures(datetime(2024, 1, 1, tzinfo=UTC)))
    assert [(s.article_id, s.signature) for s in originals] == [("a1", bytes(8))]
    assert [r.id for r in store.story_states(datetime(2024, 1, 1, tzinfo=UTC), 10)] == ["s1"]


def test_store_merge_moves_articles_and_old_id_still_resolves(store: SQLiteStore) -> None:
    a, b = article(1), article(2)
    store.write(
        [Placement(a, "s1", None, b""), Placement(b, "s2", None, b"")],
        [record("s1"), record("s2")],
        [],
        [],
    )
    store.write([], [record("s1")], [("s2", "s1")], [])
    assert store.story("s2").id == "s1"
    assert store.story("s1").article_count == 2
    assert [s.id for s in store.stories(StoryFilter())] == ["s1"]


def test_store_unknown_story_is_not_found(store: SQLiteStore) -> None:
    with pytest.raises(NotFound, match="no story"):
        store.story("missing")


def test_store_failed_write_leaves_database_unchanged(store: SQLiteStore) -> None:
    a = article(1)
    store.write([Placement(a, "s1", None, b"")], [record("s1")], [], [])
    with pytest.raises(Exception, match="UNIQUE"):
        # The second article collides with the first: nothing of this batch may stay.
        store.write(
            [Placement(article(2), "s2", None, b""), Placement(a, "s1", None, b"")], [], [], []
        )
    assert store.known_ids(["a1", "a2"]) == {"a1"}
    assert store.search("Title") and all(h.article.id == "a1" for h in store.search("Title"))


def test_store_reopens_without_migrating_twice(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    SQLiteStore(path).close()
    again = SQLiteStore(path)
    names = [r[0] for r in again.db.execute("SELECT name FROM migrations")]
    again.close()
    assert names == [name for name, _ in MIGRATIONS]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(max_size=60))
def test_store_search_never_fails_on_user_text(store: SQLiteStore, query: str) -> None:
    assert isinstance(store.search(query), list)
