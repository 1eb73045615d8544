"""Runs Storyline on labelled data: what ``storyline eval`` prints."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from storyline.calibrate import embed
from storyline.cluster.embeddings import load_backend
from storyline.cluster.model import load_model
from storyline.cluster.similarity import pair_features
from storyline.config import Settings, load_settings
from storyline.errors import ConfigError, InputError, NotFound
from storyline.evaluate import cluster_scores, pair_report, read_gold_clusters, read_pairs
from storyline.model import DocKind, Parsed, RawDocument
from storyline.pipeline import ingest
from storyline.sources.records import record_fields
from storyline.store.sqlite import SQLiteStore
from storyline.text.analyse import analyse


def run_cluster_eval(
    folder: Path, settings: Settings, baseline: bool = False
) -> list[tuple[str, dict[str, Any]]]:
    """Replay the gold articles in publication order into a fresh database and score."""
    if not folder.is_dir():
        raise NotFound(f"{folder} is not a folder of news-please JSON files")
    gold = read_gold_clusters(folder)
    items: list[RawDocument | InputError] = []
    for g in gold:
        try:
            items.append(
                RawDocument(g.path.name, DocKind.RECORD, "", record_fields(g.record, g.path.name))
            )
        except InputError as exc:
            items.append(exc)
    with tempfile.TemporaryDirectory(prefix="storyline-eval-") as tmp:
        store = SQLiteStore(Path(tmp) / "eval.db")
        try:
            ingest(items, store, settings)
            story_of = {s.article.origin: s.story_id for s in store.articles()}
        finally:
            store.close()
    # An article that failed to ingest counts as a story of its own.
    predicted = [story_of.get(g.path.name) or f"failed:{g.path.name}" for g in gold]
    labels = [g.event for g in gold]
    rows = [("storyline", cluster_scores(labels, predicted).as_dict())]
    if baseline:
        from storyline.baselines import agglomerative_baseline, centroid_baseline

        texts = [g.full_text for g in gold]
        agglomerative = agglomerative_baseline(texts, labels)
        centroid = centroid_baseline(texts, [g.published for g in gold], labels)
        # Both baselines choose their threshold on the gold labels: an optimistic bar.
        for name, result in (("tfidf-agglomerative", agglomerative), ("tfidf-centroid", centroid)):
            rows.append((name, result.scores.as_dict() | {"threshold": result.threshold}))
    return rows


def _article(origin: str, text: str, language: str) -> Parsed:
    # SemEval texts run title and body together, so the whole text is the body.
    return Parsed(origin=origin, title="", text=text, language=language)


def pair_scores(csv_file: Path) -> tuple[list[Any], list[float]]:
    """Storyline's story similarity for each original pair of the file."""
    pairs = read_pairs(csv_file, original_only=True)
    settings = load_settings()
    model = load_model(settings.similarity_model)
    backend = load_backend(settings)
    scores: list[float] = []
    for pair in pairs:
        try:
            a = analyse(_article(f"{pair.pair_id}:1", pair.text1, pair.lang1))
            b = analyse(_article(f"{pair.pair_id}:2", pair.text2, pair.lang2))
            dense = tuple(embed(backend, [a, b]))
            scores.append(model.probability(pair_features(a, b, (dense[0], dense[1]))))
        except InputError:
            # Too little text to compare: nothing says these are the same story.
            scores.append(0.0)
    return pairs, scores


def run_pair_eval(csv_file: Path, scores_out: Path | None = None) -> dict[str, Any]:
    if not csv_file.is_file():
        raise NotFound(f"{csv_file} is not a SemEval-2022 Task 8 CSV file")
    pairs, scores = pair_scores(csv_file)
    if scores_out is not None:
        with scores_out.open("w", encoding="utf-8") as f:
            f.write("pair_id,score\n")
            for pair, score in zip(pairs, scores, strict=True):
                f.write(f"{pair.pair_id},{score:.6f}\n")
    report = pair_report(pairs, scores).as_dict()
    overall = report["overall"]
    assert isinstance(overall, dict)
    result: dict[str, Any] = {
        "pearson": overall["pearson"],
        "pairs": overall["pairs"],
        "by_language": report["by_language"],
    }
    from storyline.baselines import char_ngram_pair_baseline

    try:
        baseline_scores = char_ngram_pair_baseline(pairs)
    except ConfigError:
        return result  # scikit-learn is optional: no baseline row without it
    baseline = pair_report(pairs, baseline_scores).as_dict()
    result["baseline"] = {"name": "char n-gram tf-idf cosine", **baseline}
    return result
