"""What only the SQLite store does; the behaviour every backend shares is in
tests/test_store_contract.py."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from storyline.model import Article, DatePrecision, Features
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


def test_store_failed_write_leaves_database_unchanged(
    store: SQLiteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    a = article(1)
    store.write([Placement(a, "s1", None, b"")], [record("s1")], [], [])
    insert = store._insert_article

    def failing_on_third(p: Placement) -> None:
        if p.article.id == "a3":
            raise sqlite3.OperationalError("disk I/O error")
        insert(p)

    monkeypatch.setattr(store, "_insert_article", failing_on_third)
    with pytest.raises(sqlite3.OperationalError):
        # The third article fails after the second was inserted: nothing may stay.
        store.write(
            [Placement(article(2), "s2", None, b""), Placement(article(3), "s2", None, b"")],
            [record("s2")],
            [],
            [],
        )
    assert store.known_ids(["a1", "a2", "a3"]) == {"a1"}
    assert store.search("Title") and all(h.article.id == "a1" for h in store.search("Title"))


def test_store_write_skips_articles_stored_meanwhile(store: SQLiteStore) -> None:
    # Another process stored a1 after this one's ingest looked: the write skips it.
    a = article(1)
    store.write([Placement(a, "s1", None, b"")], [record("s1")], [], [])
    store.write(
        [Placement(article(2), "s1", None, b""), Placement(a, "s1", None, b"")],
        [record("s1")],
        [],
        [],
    )
    assert store.known_ids(["a1", "a2"]) == {"a1", "a2"}
    [story] = store.stories(StoryFilter())
    assert story.article_count == 2


def test_store_reopens_without_migrating_twice(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    SQLiteStore(path).close()
    again = SQLiteStore(path)
    names = [r[0] for r in again.db.execute("SELECT name FROM migrations")]
    again.close()
    assert names == [name for name, _ in MIGRATIONS]
