from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from storyline import pipeline
from storyline.chunks import Prepared, prepare_batch
from storyline.config import Settings
from storyline.errors import EmptyInput
from storyline.model import DocKind, Parsed, RawDocument
from storyline.pipeline import ingest
from storyline.sources.files import iter_documents
from storyline.store.sqlite import SQLiteStore


def partition(store: SQLiteStore) -> set[frozenset[str]]:
    groups: dict[str, set[str]] = {}
    for s in store.articles():
        groups.setdefault(str(s.story_id), set()).add(Path(s.article.origin).name)
    return {frozenset(g) for g in groups.values()}


def run(paths: list[str], settings: Settings) -> None:
    store = SQLiteStore(settings.db)
    try:
        ingest(iter_documents(paths, settings), store, settings)
    finally:
        store.close()


def test_pipeline_groups_events_and_second_ingest_adds_nothing(
    corpus: tuple[Path, dict[str, str]], settings: Settings
) -> None:
    folder, gold = corpus
    store = SQLiteStore(settings.db)
    first = ingest(iter_documents([str(folder)], settings), store, settings)
    again = ingest(iter_documents([str(folder)], settings), store, settings)
    expected = {frozenset(n for n, e in gold.items() if e == event) for event in set(gold.values())}
    assert partition(store) == expected
    store.close()
    assert (first.added, first.failed) == (len(gold), 0)
    assert (again.added, again.duplicates, again.already_stored) == (0, 0, len(gold))


def test_pipeline_result_does_not_depend_on_batch_boundaries(
    corpus: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    folder, _ = corpus
    files = sorted(str(p) for p in folder.iterdir())
    whole = Settings(db=str(tmp_path / "whole.db"))
    run([str(folder)], whole)
    parts = Settings(db=str(tmp_path / "parts.db"), batch_size=1)
    for f in sorted(files, key=lambda f: Path(f).read_text().split()[1]):
        run([f], parts)
    a, b = SQLiteStore(whole.db), SQLiteStore(parts.db)
    try:
        assert partition(a) == partition(b)
    finally:
        a.close()
        b.close()


def test_pipeline_records_bad_items_and_stores_the_rest(
    corpus: tuple[Path, dict[str, str]], settings: Settings
) -> None:
    folder, gold = corpus
    (folder / "empty.txt").write_text("")
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02" * 100)
    (folder / "lines.jsonl").write_text('{"title": "x", "text": "too short"}\nnot json\n')
    store = SQLiteStore(settings.db)
    report = ingest(iter_documents([str(folder)], settings), store, settings)
    failed = {f.origin.rsplit("/", 1)[-1]: f.reason for f in report.failures}
    assert set(failed) == {"empty.txt", "binary.txt", "lines.jsonl:1", "lines.jsonl:2"}
    assert report.added == len(gold)
    assert len(store.failures()) == 4
    store.close()


def test_pipeline_interrupted_ingest_stays_consistent_and_rerun_completes(
    corpus: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    folder, gold = corpus
    settings = Settings(db=str(tmp_path / "cut.db"), batch_size=2)
    store = SQLiteStore(settings.db)

    def interrupt(stage: str, done: int, total: int | None) -> None:
        if stage == "cluster" and done == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        ingest(iter_documents([str(folder)], settings), store, settings, interrupt)
    assert len(list(store.articles())) == 2  # one whole batch, nothing half-written
    ingest(iter_documents([str(folder)], settings), store, settings)
    cut = partition(store)
    store.close()
    reference = Settings(db=str(tmp_path / "ref.db"))
    run([str(folder)], reference)
    ref = SQLiteStore(reference.db)
    assert cut == partition(ref)
    assert sum(len(g) for g in cut) == len(gold)
    ref.close()


def test_pipeline_input_error_becomes_failure(settings: Settings) -> None:
    store = SQLiteStore(settings.db)
    report = ingest(
        [EmptyInput("a.txt", "file is empty"), RawDocument("b.txt", DocKind.TEXT, "Hi")],
        store,
        settings,
    )
    store.close()
    assert [f.origin for f in report.failures] == ["a.txt", "b.txt"]


def test_pipeline_learns_a_sources_repeated_lines_and_removes_them(tmp_path: Path) -> None:
    pitch = "Abonnieren Sie unseren Morgenbrief mit allen Nachrichten des Tages"
    topics = [
        "den Haushalt für Schulen und Kindergärten",
        "die Sanierung der Brücke über die Varna",
        "neue Buslinien zwischen Hafen und Altstadt",
        "das Parkverbot in der Innenstadt",
        "die Gebühren für Müllabfuhr und Wasser",
        "einen Neubau für die Feuerwehr",
        "das Programm des Sommerfests am Hafen",
        "die Ausschreibung für das Hallenbad",
    ]
    lines = []
    for n, topic in enumerate(topics):
        body = (
            f"Der Stadtrat stritt am Abend über {topic}. Die Opposition verlangte "
            f"mehr Zeit, der Bürgermeister eine schnelle Entscheidung in der Sache."
        )
        lines.append(
            json.dumps(
                {
                    "title": f"Stadtrat Varna Sitzung {n}",
                    "text": f"{body}\n\n{pitch}",
                    "url": f"https://news.example.com/{n}",
                    "source_domain": "news.example.com",
                }
            )
        )
    feed = tmp_path / "feed.jsonl"
    feed.write_text("\n".join(lines), encoding="utf-8")
    settings = Settings(db=str(tmp_path / "learned.db"))
    store = SQLiteStore(settings.db)
    report = ingest(iter_documents([str(feed)], settings), store, settings)
    texts = [s.article.text for s in store.articles()]
    store.close()
    assert report.added == 8
    assert report.learned is not None and report.learned.per_source["news.example.com"]
    assert all(pitch not in text and "Stadtrat" in text for text in texts)


def test_pipeline_report_keeps_a_bounded_number_of_story_ids(
    corpus: tuple[Path, dict[str, str]], settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, gold = corpus
    stories = len(set(gold.values()))
    monkeypatch.setattr(pipeline, "REPORTED_STORIES", stories - 2)
    store = SQLiteStore(settings.db)
    report = ingest(iter_documents([str(folder)], settings), store, settings)
    store.close()
    assert len(report.stories) == stories - 2
    assert report.stories.more
    assert report.stories.label() == f"{stories - 2}+"
    whole = pipeline.TouchedStories()
    whole.update(report.stories)
    assert (len(whole), whole.more) == (stories - 2, True)


def test_articles_dated_in_the_first_days_of_year_one_are_placed(tmp_path: Path) -> None:
    # Inputs drop such placeholder dates, but a window back from 0001-01-02 falls
    # before the first day a datetime can hold: the restore, the clusterer's horizon
    # and the duplicate window take it as no lower bound instead of failing the ingest.
    text = "Die neue Brücke über die Donau in Linz ist nach drei Jahren Bauzeit offen. " * 4
    first = datetime(1, 1, 2, tzinfo=UTC)
    parsed = [
        Parsed(origin=f"old-{n}", title=title, text=text.replace("Brücke", title), published=first)
        for n, title in enumerate(["Brücke", "Fähre", "Brücke"])
    ]
    settings = Settings(db=str(tmp_path / "old.db"))
    store = SQLiteStore(settings.db)
    try:
        engine = pipeline.Engine(store, settings)
        engine.restore(first)
        placed = [engine.place(p) for p in prepare_batch(parsed) if isinstance(p, Prepared)]
    finally:
        store.close()
    assert len(placed) == 3 and placed[2].duplicate_of == placed[0].article.id
