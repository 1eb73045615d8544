"""How the clusterer groups a long stream whose true stories are known.

The benchmark stream (``benchmarks/corpus.py``) re-tells every base article once a
round, each round with its own words, so an article belongs with its own re-telling
and that re-telling's syndicated copy, never with another round. A story mixing
rounds is wrong for sure; a story of several articles of one round is wrong unless
its base articles reported one event. Printed: stories, the largest, the share of
articles in stories that mix rounds, and BCubed against (round, base article).
``--min-coherence`` sets the clusterer's coherence bound (``cluster/online.py``) for
a comparison; ``0`` turns it off.

    python benchmarks/stream_quality.py --articles 20000 --min-coherence 0
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus

from storyline.cluster import online
from storyline.config import Settings
from storyline.evaluate import cluster_scores
from storyline.pipeline import ingest
from storyline.sources.files import iter_documents
from storyline.store.sqlite import SQLiteStore


def truth(url: str) -> tuple[str, str]:
    """(round, base article) of a stream URL: ``…/ROUND/BASE`` or ``…/ROUND/BASE/copy``."""
    round_no, base = url.removeprefix("https://bench.example.org/").split("/")[:2]
    return round_no, base


def measure(articles: int, workers: int, folder: Path) -> dict[str, float]:
    source = folder / "stream.jsonl"
    corpus.write_jsonl(corpus.stream(corpus.gnad_bases(), articles), source)
    db = folder / "stream.db"
    store = SQLiteStore(db)
    started = time.perf_counter()
    try:
        ingest(iter_documents([str(source)], Settings()), store, Settings(workers=workers))
    finally:
        store.close()
    seconds = time.perf_counter() - started
    with sqlite3.connect(db) as con:
        rows = sorted(con.execute("SELECT url, story_id FROM articles"))
    gold = [truth(url) for url, _ in rows]
    predicted = [story for _, story in rows]
    scores = cluster_scores(gold, predicted)
    rounds: dict[str, set[str]] = defaultdict(set)
    for (round_no, _), story in zip(gold, predicted, strict=True):
        rounds[story].add(round_no)
    size = Counter(predicted)
    mixed = sum(size[s] for s in size if len(rounds[s]) > 1)
    return {
        "articles": len(rows),
        "stories": len(size),
        "largest_story": max(size.values()),
        "mixed_round_share": mixed / len(rows),
        "bcubed_precision": scores.bcubed_precision,
        "bcubed_recall": scores.bcubed_recall,
        "bcubed_f1": scores.bcubed_f1,
        "seconds": seconds,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--min-coherence", type=float, default=online.MIN_COHERENCE)
    args = parser.parse_args()
    online.MIN_COHERENCE = args.min_coherence  # read at every comparison
    with tempfile.TemporaryDirectory(prefix="storyline-stream-") as tmp:
        result = measure(args.articles, args.workers, Path(tmp))
    print(json.dumps({"min_coherence": args.min_coherence, **result}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
