"""The store queries behind the API: keyset pages, per-source figures, counts, changes;
on every backend, with the stories the pipeline makes of the test events."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from itertools import pairwise

import pytest

from storyline import services
from storyline.config import Settings
from storyline.errors import NotFound
from storyline.store import Store, open_store
from storyline.store.base import StoryQuery, story_sort_key
from tests.api_support import jsonl, records


@pytest.fixture
def loaded(db_address: str, settings: Settings) -> Iterator[Store]:
    store = open_store(db_address)
    assert services.ingest_records(store, settings, jsonl(records()))["added"] == 6
    yield store
    store.close()


@pytest.mark.parametrize("order", ["size", "recent"])
@pytest.mark.parametrize("size", [1, 2, 3, 4])
def test_store_story_page_keyset_covers_every_story_once(
    loaded: Store, order: str, size: int
) -> None:
    everything = loaded.story_page(StoryQuery(order=order, limit=100))
    assert len(everything) == 3
    keys = [story_sort_key(s, order) for s in everything]
    # Descending by every key but the id, which breaks ties ascending.
    for a, b in pairwise(keys):
        assert a[:-1] > b[:-1] or (a[:-1] == b[:-1] and a[-1] < b[-1])
    seen, after = [], None
    while True:
        page = loaded.story_page(StoryQuery(order=order, limit=size, after=after))
        seen += page
        if len(page) < size:
            break
        after = story_sort_key(page[-1], order)
    assert [s.id for s in seen] == [s.id for s in everything]


def test_store_story_page_filters(loaded: Store) -> None:
    def count(**where: object) -> int:
        return len(loaded.story_page(StoryQuery(limit=100, **where)))  # type: ignore[arg-type]

    assert count(text="satellite") == 1 and count(text="?!") == 0
    assert count(name_key="sokol") == 1 and count(name_key="nobody") == 0
    assert count(source="strike0.example") == 1 and count(language="en") == 3
    assert count(since=datetime(2024, 5, 3, tzinfo=UTC)) == 2
    assert count(until=datetime(2024, 5, 2, tzinfo=UTC)) == 2


def test_store_source_stats_counts_and_article(loaded: Store) -> None:
    stats = loaded.source_stats()
    assert len(stats) == 6 and all(s.articles == 1 and s.stories == 1 for s in stats)
    one = loaded.source_stats("launch1.example")
    assert [s.source for s in one] == ["launch1.example"]
    assert one[0].first == datetime(2024, 5, 2, tzinfo=UTC)
    assert loaded.source_stats("nobody") == []
    counts = loaded.counts()
    assert (counts.articles, counts.stories, counts.failures, counts.last_seq) == (6, 3, 0, 6)
    first = next(loaded.articles())
    assert loaded.article(first.article.id) == first
    with pytest.raises(NotFound):
        loaded.article("missing")


def test_store_changed_stories_after_a_seq(loaded: Store) -> None:
    seq, changed = loaded.changed_stories(0, 1000)
    assert seq == 6 and len(changed) == 3 and len(set(changed)) == 3
    assert loaded.changed_stories(6, 1000) == (6, [])
    seq, changed = loaded.changed_stories(0, 2)  # bounded: the rest comes next time
    assert seq == 2 and 1 <= len(changed) <= 2
