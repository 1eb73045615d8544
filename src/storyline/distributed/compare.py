"""The Spark job's stories against the single-process pipeline's, on the same input."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path

import pyarrow.parquet as pq

from storyline.config import Settings
from storyline.evaluate import ClusterScores, cluster_scores
from storyline.pipeline import ingest
from storyline.sources.files import iter_documents
from storyline.store.sqlite import SQLiteStore


def single_process_stories(inputs: Sequence[str], settings: Settings) -> dict[str, str]:
    """Article id -> story id from ``storyline ingest`` into a fresh database."""
    with tempfile.TemporaryDirectory(prefix="storyline-single-") as tmp:
        store = SQLiteStore(str(Path(tmp) / "single.db"))
        try:
            ingest(iter_documents(inputs, settings), store, settings)
            return {s.article.id: s.story_id or "" for s in store.articles()}
        finally:
            store.close()


def spark_stories(out: Path) -> dict[str, str]:
    """Article id -> story id from a Spark job's ``memberships`` table."""
    table = pq.read_table(out / "memberships", columns=["article_id", "story_id"])
    return dict(zip(table["article_id"].to_pylist(), table["story_id"].to_pylist(), strict=True))


def agreement(single: dict[str, str], spark: dict[str, str]) -> ClusterScores:
    """BCubed and pairwise scores of the Spark stories with the single-process stories
    as the reference, over the articles both placed."""
    both = sorted(single.keys() & spark.keys())
    return cluster_scores([single[a] for a in both], [spark[a] for a in both])
