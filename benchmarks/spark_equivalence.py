"""The Spark job against the single-process pipeline on the labelled story corpus.

Runs ``storyline ingest`` (one process) and the Spark job (local mode) on the same
news-please files of ../shared/data/giveme5w1h_news_cluster/data, then prints the
BCubed F1 of the Spark stories against the single-process stories, and of each against
the gold events. Run from the repository root:
``python benchmarks/spark_equivalence.py --master 'local[2]'``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from storyline.config import load_settings
from storyline.distributed.compare import agreement, single_process_stories, spark_stories
from storyline.distributed.spark import run, session
from storyline.evaluate import cluster_scores, read_gold_clusters

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "giveme5w1h_news_cluster" / "data"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--window-days", type=float, default=None)
    args = parser.parse_args()
    if not args.data.is_dir():
        print(f"needs {args.data}", file=sys.stderr)
        return 2
    settings = load_settings()
    gold = {g.path.name: g.event for g in read_gold_clusters(args.data)}
    inputs = [str(args.data)]
    started = time.perf_counter()
    single = single_process_stories(inputs, settings)
    single_seconds = time.perf_counter() - started
    with tempfile.TemporaryDirectory(prefix="storyline-spark-") as tmp:
        spark = session(args.master)
        try:
            report = run(spark, inputs, tmp, settings, args.window_days)
        finally:
            spark.stop()
        spark_story = spark_stories(Path(tmp))
        import pyarrow.parquet as pq

        origins = pq.read_table(Path(tmp) / "articles", columns=["id", "origin"]).to_pylist()
    event_of = {row["id"]: gold[Path(row["origin"]).name] for row in origins}

    def against_gold(stories: dict[str, str]) -> float:
        ids = sorted(event_of)
        # An article a run did not place counts as a story of its own.
        predicted = [stories.get(a, f"missing:{a}") for a in ids]
        return cluster_scores([event_of[a] for a in ids], predicted).bcubed_f1

    versus = agreement(single, spark_story)
    result = {
        "articles": len(event_of),
        "spark_vs_single_bcubed_f1": round(versus.bcubed_f1, 4),
        "spark_vs_single_pairwise_f1": round(versus.pairwise_f1, 4),
        "single_gold_bcubed_f1": round(against_gold(single), 4),
        "spark_gold_bcubed_f1": round(against_gold(spark_story), 4),
        "single_stories": len(set(single.values())),
        "spark_stories": len(set(spark_story.values())),
        "single_seconds": round(single_seconds, 1),
        "spark_seconds": round(report.seconds, 1),
        "spark_partitions": report.partitions,
        "spark_context_links": report.context_links,
        "spark_centroid_links": report.centroid_links,
        "window_days": args.window_days or settings.story_window_days,
        "master": args.master,
    }
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
