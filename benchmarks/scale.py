"""One growing ingest, measured at checkpoints: cost per article, memory, database size.

Runs in a process of its own (``benchmarks/run.py`` starts it) so its peak memory is
its own. Articles come from ``benchmarks/corpus.py`` (10kGNAD re-told round after
round) in files of ``--segment`` articles; each file is ingested into the same SQLite
database, and the seconds per article of the segment that ends at a checkpoint are
that checkpoint's cost. After the last segment the story list and story detail are
timed through the library calls the CLI and API make (no cache). Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import tempfile
import time
from itertools import islice
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus

from storyline.config import Settings
from storyline.pipeline import ingest
from storyline.services.stories import list_stories, story_detail
from storyline.sources.files import iter_documents
from storyline.store.base import StoryQuery
from storyline.store.sqlite import SQLiteStore

# Stories whose detail is timed: enough for a stable median.
TIMED_STORIES = 50


def peak_rss_mb() -> float:
    """Peak resident memory of this process and its finished workers, in MB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, workers) / 1024  # Linux reports kB


def cpu_seconds() -> float:
    """CPU time of this process and its finished workers: on a shared machine, what
    the work cost, whatever else ran beside it."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime


def median_ms(calls: list[float]) -> float:
    return statistics.median(calls) * 1000


def time_queries(db: str) -> dict[str, float]:
    store = SQLiteStore(db)
    try:
        listing: list[float] = []
        for _ in range(TIMED_STORIES):
            started = time.perf_counter()
            list_stories(store, limit=50)
            listing.append(time.perf_counter() - started)
        page = store.story_page(StoryQuery(limit=TIMED_STORIES))
        recent = store.story_page(StoryQuery(order="recent", limit=TIMED_STORIES * 2))
        # Other stories first: the lexicons and word caches load on first use, as they
        # have in a running server or after the first call of a session.
        for story in recent[TIMED_STORIES:]:
            story_detail(store, story.id)
        detail: list[float] = []
        for story in page[: TIMED_STORIES // 2] + recent[: TIMED_STORIES // 2]:
            started = time.perf_counter()
            story_detail(store, story.id)
            detail.append(time.perf_counter() - started)
    finally:
        store.close()
    return {"story_list_ms": median_ms(listing), "story_detail_ms": median_ms(detail)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--checkpoints", default="10000,100000", help="comma-separated sizes")
    parser.add_argument("--segment", type=int, default=5000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--db", help="database file (default: a temporary one)")
    args = parser.parse_args()
    checkpoints = sorted(int(x) for x in args.checkpoints.split(","))
    with tempfile.TemporaryDirectory(prefix="storyline-scale-") as tmp:
        db = args.db or str(Path(tmp) / "scale.db")
        settings = Settings(db=db, workers=args.workers)
        records = corpus.stream(corpus.gnad_bases(), checkpoints[-1])
        done, results = 0, []
        segment_file = Path(tmp) / "segment.jsonl"
        for checkpoint in checkpoints:
            while done < checkpoint:
                size = min(args.segment, checkpoint - done)
                corpus.write_jsonl(islice(records, size), segment_file)
                store = SQLiteStore(db)
                started, cpu = time.perf_counter(), cpu_seconds()
                ingest(iter_documents([str(segment_file)], settings), store, settings)
                seconds = time.perf_counter() - started
                cpu = cpu_seconds() - cpu
                store.close()
                done += size
            results.append(
                {
                    "articles": done,
                    "ms_per_article": seconds / size * 1000,
                    "cpu_ms_per_article": cpu / size * 1000,
                    "peak_rss_mb": peak_rss_mb(),
                    "db_bytes_per_article": Path(db).stat().st_size / done,
                }
            )
            print(json.dumps(results[-1]), file=sys.stderr, flush=True)
        queries = time_queries(db)
    print(json.dumps({"checkpoints": results, "queries": queries, "workers": args.workers}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
