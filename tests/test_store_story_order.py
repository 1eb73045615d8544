"""The story list reads its order from an index (migration 007), never sorting all
stories per request, and reads none of the clusterer's state."""

from __future__ import annotations

from pathlib import Path

import pytest

from storyline.store.base import StoryQuery
from storyline.store.sqlite import STORY_COLUMNS, SQLiteStore


def plans(store: SQLiteStore, query: StoryQuery) -> tuple[str, list[str]]:
    """The story list's SQL for ``query`` and SQLite's plan for it."""
    statements: list[str] = []
    store.db.set_trace_callback(statements.append)
    store.story_page(query)
    store.db.set_trace_callback(None)
    [sql] = [s for s in statements if "FROM stories" in s]
    rows = store.db.execute("EXPLAIN QUERY PLAN " + sql).fetchall()
    return sql, [str(r[3]) for r in rows]


@pytest.mark.parametrize(
    ("order", "after", "index"),
    [
        ("size", None, "stories_by_size"),
        ("size", (3, "2024-05-02T00:00:00+00:00", "s1"), "stories_by_size"),
        ("recent", None, "stories_by_recent"),
        ("recent", ("2024-05-02T00:00:00+00:00", "s1"), "stories_by_recent"),
    ],
)
def test_store_story_page_walks_its_index(
    tmp_path: Path, order: str, after: tuple[int | str, ...] | None, index: str
) -> None:
    store = SQLiteStore(tmp_path / "order.db")
    try:
        sql, plan = plans(store, StoryQuery(order=order, limit=51, after=after))
    finally:
        store.close()
    assert any(index in step for step in plan), plan
    assert not any("TEMP B-TREE" in step for step in plan), plan
    assert sql.startswith(f"SELECT {STORY_COLUMNS} FROM stories")
