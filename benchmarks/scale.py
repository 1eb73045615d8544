"""One growing ingest, measured at checkpoints: cost per article, memory, database size.

Runs in a process of its own (``benchmarks/run.py`` starts it) so its peak memory is
its own. Articles come from ``benchmarks/corpus.py`` (10kGNAD re-told round after
round), written to one news-please JSONL file and ingested by one ``ingest`` call, as
a long-running import does; a checkpoint's cost is that of the articles placed since
the previous checkpoint (wall time, and CPU time of this process and its workers).
With ``--resume`` an earlier run's database (``--db``) is continued where its
stream stopped (the first article of the stream it does not hold), so a long run can
be made across several sittings; each sitting's checkpoints are appended to
``--results``. With ``--segment N`` the stream is ingested instead in files of N articles, one
``ingest`` call each, as a user adding file after file does: then every call also
restores the clusterer and the duplicate index from the database, and a checkpoint's
cost is that of the segment ending there. After the last checkpoint the story list and
story detail are timed through the library calls the CLI and API make (no cache).
Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import random
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
from storyline.text.analyse import article_id

Row = dict[str, float]

# Stories whose detail is timed: enough for a stable median.
TIMED_STORIES = 50

# The draw of stories whose detail is timed: the same stories in every run.
QUERY_SEED = 11


def peak_rss_mb() -> float:
    """Peak resident memory of this process and its finished workers, in MB."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, workers) / 1024  # Linux reports kB


def cpu_seconds() -> float:
    """CPU time of this process and its workers, finished or running: on a shared
    machine, what the work cost, whatever else ran beside it."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    finished = resource.getrusage(resource.RUSAGE_CHILDREN)
    total = own.ru_utime + own.ru_stime + finished.ru_utime + finished.ru_stime
    return total + _running_children_cpu()


def _running_children_cpu() -> float:
    """CPU time of this process's live child processes (a worker pool), from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        for child in (task / "children").read_text().split():
            try:
                stat = Path(f"/proc/{child}/stat").read_text()
            except FileNotFoundError:
                continue  # ended meanwhile: counted by RUSAGE_CHILDREN once waited for
            fields = stat.rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return total


def _peak_rss_mb_live() -> float:
    """Peak resident memory of this process and of every worker, live or finished."""
    peaks = [peak_rss_mb()]
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        for child in (task / "children").read_text().split():
            try:
                status = Path(f"/proc/{child}/status").read_text()
            except FileNotFoundError:
                continue
            for line in status.splitlines():
                if line.startswith("VmHWM:"):
                    peaks.append(int(line.split()[1]) / 1024)
    return max(peaks)


def median_ms(calls: list[float]) -> float:
    return statistics.median(calls) * 1000


def time_queries(db: str) -> dict[str, float]:
    """Medians of the story list and of story detail, for stories drawn at random (what
    search and links open) and for the largest ones (what the home page ranks first)."""
    store = SQLiteStore(db)
    try:
        listing: list[float] = []
        for _ in range(TIMED_STORIES):
            started = time.perf_counter()
            list_stories(store, limit=50)
            listing.append(time.perf_counter() - started)
        largest = store.story_page(StoryQuery(limit=TIMED_STORIES))
        ids = [r[0] for r in store.db.execute("SELECT id FROM stories ORDER BY id")]
        drawn = random.Random(QUERY_SEED).sample(ids, min(len(ids), TIMED_STORIES * 2))
        # Other stories first: the lexicons and word caches load on first use, as they
        # have in a running server or after the first call of a session.
        for story_id in drawn[TIMED_STORIES:]:
            story_detail(store, story_id)

        def timed(story_ids: list[str]) -> tuple[float, float]:
            # Each story twice: the second assembly, as after the story gains an
            # article, finds its articles' analyses kept from the first.
            calls, again = [], []
            for story_id in story_ids:
                for times in (calls, again):
                    started = time.perf_counter()
                    story_detail(store, story_id)
                    times.append(time.perf_counter() - started)
            return median_ms(calls), median_ms(again)

        at_random, _ = timed(drawn[:TIMED_STORIES])
        of_largest, of_largest_again = timed([s.id for s in largest])
        articles = store.counts().articles
    finally:
        store.close()
    return {
        "articles": float(articles),
        "story_list_ms": median_ms(listing),
        "story_detail_ms": at_random,
        "story_detail_largest_ms": of_largest,
        "story_detail_again_ms": of_largest_again,
        "largest_story_articles": float(largest[0].article_count) if largest else 0.0,
    }


def stored_prefix(db: str, total: int) -> int:
    """How many of the stream's first articles the database holds, all of them: where a
    resumed run starts. (An ingest orders each chunk by publication time, so a run cut
    short may hold a few articles past this point; they are read again and skipped.)"""
    store = SQLiteStore(db)
    try:
        for position, record in enumerate(corpus.stream(corpus.gnad_bases(), total)):
            found = store.db.execute(
                "SELECT 1 FROM articles WHERE id = ?", (article_id(record["url"], ""),)
            ).fetchone()
            if found is None:
                return position
        return total
    finally:
        store.close()


def one_ingest(
    db: str,
    settings: Settings,
    checkpoints: list[int],
    tmp: Path,
    start: int = 0,
    log: Path | None = None,
) -> list[Row]:
    """The stream from article ``start`` in one ``ingest`` call, measured as articles
    are placed; each checkpoint is appended to ``log`` as it is measured."""
    source = Path(tmp) / "stream.jsonl"
    records = islice(corpus.stream(corpus.gnad_bases(), checkpoints[-1]), start, None)
    corpus.write_jsonl(records, source)
    checkpoints = [c for c in checkpoints if c > start]
    results: list[Row] = []
    mark = {"placed": start, "seconds": time.perf_counter(), "cpu": cpu_seconds()}

    def measure(done: int) -> None:
        now, cpu = time.perf_counter(), cpu_seconds()
        size = done - mark["placed"]
        results.append(
            {
                "articles": done,
                "ms_per_article": (now - mark["seconds"]) / size * 1000,
                "cpu_ms_per_article": (cpu - mark["cpu"]) / size * 1000,
                "peak_rss_mb": _peak_rss_mb_live(),
                "db_bytes_per_article": _db_bytes(db) / done,
                "resumed_at": start,
            }
        )
        print(json.dumps(results[-1]), file=sys.stderr, flush=True)
        if log is not None:
            with log.open("a", encoding="utf-8") as out:
                out.write(json.dumps(results[-1]) + "\n")
        mark.update(placed=done, seconds=now, cpu=cpu)

    def progress(stage: str, done: int, total: int | None) -> None:
        waiting = len(results) < len(checkpoints)
        if stage == "cluster" and waiting and start + done >= checkpoints[len(results)]:
            measure(start + done)

    store = SQLiteStore(db)
    try:
        report = ingest(iter_documents([str(source)], settings), store, settings, progress)
    finally:
        store.close()
    placed = start + report.added + report.duplicates
    if len(results) < len(checkpoints) and placed > mark["placed"]:
        measure(placed)  # items that failed never reach the last checkpoint
    return results


def segments(
    db: str, settings: Settings, checkpoints: list[int], segment: int, tmp: Path
) -> list[Row]:
    """The stream in files of ``segment`` articles, one ``ingest`` call each."""
    records = corpus.stream(corpus.gnad_bases(), checkpoints[-1])
    done, results = 0, []
    segment_file = Path(tmp) / "segment.jsonl"
    for checkpoint in checkpoints:
        while done < checkpoint:
            size = min(segment, checkpoint - done)
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
                "db_bytes_per_article": _db_bytes(db) / done,
            }
        )
        print(json.dumps(results[-1]), file=sys.stderr, flush=True)
    return results


def _articles(row: Row) -> float:
    return row["articles"]


def _db_bytes(db: str) -> int:
    """The database with its write-ahead log (not yet folded in during an ingest)."""
    wal = Path(db + "-wal")
    return Path(db).stat().st_size + (wal.stat().st_size if wal.exists() else 0)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--checkpoints", default="10000,100000", help="comma-separated sizes")
    parser.add_argument(
        "--segment", type=int, default=0, help="articles per ingest call (0: one call)"
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--db", help="database file (default: a temporary one)")
    parser.add_argument(
        "--resume", action="store_true", help="continue the stream an earlier run left in --db"
    )
    parser.add_argument(
        "--results",
        type=Path,
        help="append each checkpoint here as a JSON line, as measured (one ingest)",
    )
    parser.add_argument(
        "--queries-only", action="store_true", help="time the queries on --db and stop"
    )
    args = parser.parse_args()
    if args.queries_only:
        if not args.db:
            parser.error("--queries-only needs --db")
        print(json.dumps(time_queries(args.db)))
        return 0
    checkpoints = sorted(int(x) for x in args.checkpoints.split(","))
    if args.resume and (not args.db or args.segment > 0):
        parser.error("--resume needs --db and one ingest (no --segment)")
    with tempfile.TemporaryDirectory(prefix="storyline-scale-") as tmp:
        db = args.db or str(Path(tmp) / "scale.db")
        settings = Settings(db=db, workers=args.workers)
        if args.segment > 0:
            results = segments(db, settings, checkpoints, args.segment, Path(tmp))
        else:
            start = stored_prefix(db, checkpoints[-1]) if args.resume else 0
            print(json.dumps({"starting_at": start}), file=sys.stderr, flush=True)
            results = one_ingest(db, settings, checkpoints, Path(tmp), start, args.results)
        if args.results and args.segment == 0:
            # Earlier sittings' checkpoints, and this one's.
            rows = [json.loads(line) for line in args.results.read_text().splitlines()]
            results = sorted({int(r["articles"]): r for r in rows}.values(), key=_articles)
        queries = time_queries(db)
    mode = f"segments of {args.segment}" if args.segment > 0 else "one ingest"
    print(
        json.dumps(
            {"checkpoints": results, "queries": queries, "workers": args.workers, "mode": mode}
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
