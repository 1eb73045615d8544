"""Ingest on several processes and in chunks: the same stories as one process."""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import replace
from pathlib import Path

import pytest

import storyline.chunks as chunks
from storyline import workers
from storyline.chunks import Packed, Prepared, parse_batch, prepare_batch, process_chunk
from storyline.config import Settings
from storyline.model import Article, Failure, Parsed
from storyline.pipeline import ingest
from storyline.sources.files import iter_documents
from storyline.store.sqlite import SQLiteStore
from storyline.text.learned import LearnedBoilerplate
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


def test_workers_send_articles_packed_that_unpack_to_what_one_process_prepares() -> None:
    # A prepared article unpickled holds ~10x its pickled size, and the workers run up
    # to a chunk ahead of the clusterer: what they send waits packed.
    settings = Settings()
    documents = list(iter_documents([str(DEMO)], settings))[:6]
    with Runner(2) as pool, Runner(1) as inline:
        packed = [p for p in process_chunk(documents, pool).prepared]
        alone_chunk = process_chunk(documents, inline)
        alone = list(alone_chunk.prepared)
    assert packed and all(isinstance(p, Packed) for p in packed)
    assert alone and all(isinstance(p, Prepared) for p in alone)
    assert [p.id for p in packed] == [p.id for p in alone]
    parsed = [p for p in parse_batch(documents) if not isinstance(p, Failure)]
    direct = {
        p.id: p for p in prepare_batch(parsed, alone_chunk.learned) if isinstance(p, Prepared)
    }
    for a, b in zip(packed, alone, strict=True):
        assert not isinstance(a, Failure) and not isinstance(b, Failure)
        first, second = a.unpack(), b.unpack()
        assert first.article == second.article and first.vectors == second.vectors
        assert (first.signature == second.signature).all()
        assert first.vectors == direct[first.id].vectors


def test_a_chunk_comes_in_publication_order_whatever_the_input_order() -> None:
    settings = Settings()
    documents = list(iter_documents([str(DEMO)], settings))
    with Runner(2) as pool:
        taken = [p for p in process_chunk(documents[::-1], pool).prepared]
    dates = [p.published for p in taken if not isinstance(p, Failure)]
    dated = [d for d in dates if d is not None]
    assert dated == sorted(dated) and len(dated) > 1
    assert dates[: len(dated)] == dated  # undated ones last


# How long the test below holds the chunk's last batch at most (seconds), and the
# batch size it gives the workers.
WAIT = 30.0
BATCH = 4


def test_the_clusterer_takes_articles_while_later_ones_are_being_prepared(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The last batch of the chunk is held in its worker until the test has taken the
    # first article: had the chunk been prepared whole before the clusterer took
    # anything, the first article would arrive only after WAIT seconds, and the held
    # batch would report that it was not released.
    flag = tmp_path / "released"
    original = chunks.prepare
    settings = Settings()
    documents = list(iter_documents([str(DEMO)], settings))
    monkeypatch.setattr(workers, "WORKER_BATCH", BATCH)  # several batches of the demo
    ordered = chunks.by_publication(
        [p for p in parse_batch(documents) if not isinstance(p, Failure)],
        lambda p: p.published,
    )
    held = {p.origin for p in ordered[-(len(ordered) % BATCH or BATCH) :]}

    def holding(parsed: Parsed, learned: LearnedBoilerplate | None = None) -> Article | Failure:
        if parsed.origin in held:
            deadline = time.monotonic() + WAIT
            while not flag.exists():
                if time.monotonic() > deadline:
                    return Failure(parsed.origin, "held until the deadline: not released")
                time.sleep(0.02)
        return original(parsed, learned)

    monkeypatch.setattr(chunks, "prepare", holding)  # before the pool forks
    with Runner(2) as pool:
        taken = process_chunk(documents, pool).prepared
        first = next(taken)
        flag.touch()
        rest = list(taken)
    assert not isinstance(first, Failure) and first.published == ordered[0].published
    assert not [r for r in rest if isinstance(r, Failure) and "not released" in r.reason]


@pytest.mark.parametrize("workers", [1, 2])
def test_an_article_twice_in_a_chunk_is_stored_once_at_its_first_publication(
    tmp_path: Path, workers: int
) -> None:
    text = "Die neue Brücke über die Donau in Linz ist nach drei Jahren Bauzeit offen. " * 4
    record = {"url": "https://a.example/bruecke", "title": "Brücke eröffnet", "text": text}
    later = {**record, "date_publish": "2026-03-02T08:00:00"}  # a re-crawl, first in the file
    first = {**record, "date_publish": "2026-03-01T08:00:00"}
    feed = tmp_path / "twice.jsonl"
    feed.write_text(json.dumps(later) + "\n" + json.dumps(first) + "\n", encoding="utf-8")
    settings = Settings(db=str(tmp_path / "twice.db"), workers=workers)
    store = SQLiteStore(settings.db)
    try:
        report = ingest(iter_documents([str(feed)], settings), store, settings)
        stored = [s.article.published for s in store.articles()]
    finally:
        store.close()
    assert (report.added, report.already_stored, report.failed) == (1, 1, 0)
    assert [d.isoformat()[:10] if d else None for d in stored] == ["2026-03-01"]
