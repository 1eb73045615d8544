"""Ingest on several processes and in chunks: the same stories as one process."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from pathlib import Path

from storyline.config import Settings
from storyline.model import Failure
from storyline.pipeline import (
    Packed,
    Prepared,
    ingest,
    parse_batch,
    prepare_batch,
    process_chunk,
)
from storyline.sources.files import iter_documents
from storyline.store.sqlite import SQLiteStore
from storyline.workers import Runner

DEMO = Path(__file__).resolve().parents[1] / "demo" / "corpus"


def stories_of(settings: Settings, paths: list[str]) -> tuple[dict[str, str], int, int]:
    store = SQLiteStore(settings.db)
    try:
        report = ingest(iter_documents(paths, settings), store, settings)
        placed = {Path(s.article.origin).name: str(s.story_id) for s in store.articles()}
    finally:
        store.close()
    return placed, report.added, report.duplicates


def consistent(db: str) -> None:
    """Every article belongs to a stored story, and counts match the members."""
    with sqlite3.connect(db) as con:
        dangling = con.execute(
            "SELECT COUNT(*) FROM articles WHERE story_id NOT IN (SELECT id FROM stories)"
        ).fetchone()[0]
        wrong = con.execute(
            """SELECT COUNT(*) FROM stories s WHERE article_count !=
               (SELECT COUNT(*) FROM articles a WHERE a.story_id = s.id)"""
        ).fetchone()[0]
    assert (dangling, wrong) == (0, 0)


def test_two_workers_give_the_stories_of_one_process(tmp_path: Path) -> None:
    one = Settings(db=str(tmp_path / "one.db"))
    two = replace(one, db=str(tmp_path / "two.db"), workers=2)
    assert stories_of(one, [str(DEMO)]) == stories_of(two, [str(DEMO)])
    consistent(two.db)


def test_small_chunks_store_everything_once_with_consistent_stories(tmp_path: Path) -> None:
    settings = Settings(db=str(tmp_path / "chunks.db"), chunk_size=7, batch_size=3, workers=2)
    placed, added, duplicates = stories_of(settings, [str(DEMO)])
    whole, _, _ = stories_of(replace(settings, db=str(tmp_path / "whole.db")), [str(DEMO)])
    assert added + duplicates == len(placed) == len(whole)
    consistent(settings.db)
    # A second run over the same input stores nothing new.
    again = SQLiteStore(settings.db)
    try:
        report = ingest(iter_documents([str(DEMO)], settings), again, settings)
    finally:
        again.close()
    assert (report.added, report.already_stored) == (0, len(placed))


def test_failures_in_workers_are_reported_and_the_rest_stored(tmp_path: Path) -> None:
    good = {"title": "Brücke eröffnet", "text": "Die neue Brücke in Linz ist offen. " * 5}
    lines = [json.dumps(good), "{not json", json.dumps({"title": 3, "text": None})]
    feed = tmp_path / "mixed.jsonl"
    feed.write_text("\n".join(lines) + "\n", encoding="utf-8")
    settings = Settings(db=str(tmp_path / "mixed.db"), workers=2)
    store = SQLiteStore(settings.db)
    try:
        report = ingest(iter_documents([str(feed)], settings), store, settings)
        stored = store.counts()
    finally:
        store.close()
    assert report.added == 1 and report.failed == 2
    assert (stored.articles, stored.failures) == (1, 2)


def test_prepared_articles_stay_packed_and_unpack_to_the_same_article() -> None:
    # A prepared article unpickled holds ~10x its pickled size; a chunk waits whole to
    # be put in publication order (and the clusterer's process keeps up to three of
    # them with workers), so they stay packed until placed, in one process too.
    settings = Settings()
    documents = list(iter_documents([str(DEMO)], settings))[:6]
    with Runner(2) as pool, Runner(1) as inline:
        packed = process_chunk(documents, pool)
        alone = process_chunk(documents, inline)
    for chunk in (packed, alone):
        assert chunk.prepared and all(isinstance(p, Packed) for p in chunk.prepared)
    assert [p.id for p in packed.prepared] == [p.id for p in alone.prepared]
    parsed = [p for p in parse_batch(documents) if not isinstance(p, Failure)]
    direct = {p.id: p for p in prepare_batch(parsed, alone.learned) if isinstance(p, Prepared)}
    for a, b in zip(packed.prepared, alone.prepared, strict=True):
        first, second = a.unpack(), b.unpack()
        assert first.article == second.article and first.vectors == second.vectors
        assert (first.signature == second.signature).all()
        assert first.vectors == direct[first.id].vectors
