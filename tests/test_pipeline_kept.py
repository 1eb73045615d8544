"""A clusterer kept between ingest calls (a watcher's): the stories of one long
ingest, with a restore from the database only when another writer came in between."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from storyline import pipeline
from storyline.config import Settings
from storyline.pipeline import KeptEngine, ingest
from storyline.services.ingest import parse_records
from storyline.store.sqlite import SQLiteStore
from tests.crash_support import stream


def batches(count: int, size: int) -> list[str]:
    records = stream(count, seed=3)
    return [json.dumps(records[i : i + size]) for i in range(0, count, size)]


def stories(store: SQLiteStore) -> dict[str, str | None]:
    return {s.article.id: s.story_id for s in store.articles()}


def test_kept_engine_gives_the_stories_of_separate_calls_without_restoring(
    tmp_path: Path, restores: list[object]
) -> None:
    parts = batches(240, 40)
    kept_store, plain_store = SQLiteStore(tmp_path / "kept.db"), SQLiteStore(tmp_path / "plain.db")
    kept = KeptEngine()
    try:
        for part in parts:
            ingest(parse_records(part), kept_store, Settings(db=kept_store.path), kept=kept)
        assert len(restores) == 1  # the first call only
        for part in parts:
            ingest(parse_records(part), plain_store, Settings(db=plain_store.path))
        assert len(restores) == 1 + len(parts)
        assert stories(kept_store) == stories(plain_store)
    finally:
        kept_store.close()
        plain_store.close()


def test_kept_engine_is_restored_after_another_writer_or_a_failed_call(
    tmp_path: Path, restores: list[object]
) -> None:
    first, second, third, fourth = batches(160, 40)
    db = tmp_path / "shared.db"
    ours, theirs = SQLiteStore(db), SQLiteStore(db)
    settings = Settings(db=str(db))
    kept = KeptEngine()
    try:
        ingest(parse_records(first), ours, settings, kept=kept)
        ingest(parse_records(second), theirs, settings)  # another writer
        ingest(parse_records(third), ours, settings, kept=kept)
        assert len(restores) == 3  # ours, theirs, ours again: the database had changed

        def broken(*args: object) -> None:
            raise OSError("disk full")

        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(ours, "write", broken)
            with pytest.raises(OSError):
                ingest(parse_records(fourth), ours, settings, kept=kept)
        assert kept.engine is None  # its clusterer holds articles that were not stored
        ingest(parse_records(fourth), ours, settings, kept=kept)
        assert len(restores) == 4
        assert len(list(ours.articles())) == 160
    finally:
        ours.close()
        theirs.close()


def test_engine_forgets_the_stories_of_originals_that_left_the_duplicate_window(
    tmp_path: Path,
) -> None:
    store = SQLiteStore(tmp_path / "w.db")
    kept = KeptEngine()
    settings = Settings(db=str(store.path), duplicate_window_days=1.0)
    try:
        for part in batches(300, 100):
            ingest(parse_records(part), store, settings, kept=kept)
    finally:
        store.close()
    engine = kept.engine
    assert engine is not None
    assert len(engine.story_of) <= pipeline.STORY_OF_SLACK * len(engine.duplicates) + 1
    assert len(engine.duplicates) < 300
