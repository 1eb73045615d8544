"""SQLite against PostgreSQL: the same ingest and the same queries on both, one run.

Ingests N articles made from 10kGNAD (real German news, ../shared/data; see
benchmarks/corpus.py) into a fresh SQLite file and into a fresh PostgreSQL database,
then times full-text searches and story pages on each. Without ``--postgres`` a
throw-away cluster is started as the tests do (tests/pg_support.py; needs Debian's
postgresql package).
Run from the repository root: ``python benchmarks/store_backends.py --articles 1000``.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import corpus

from storyline.config import Settings
from storyline.pipeline import ingest
from storyline.sources.files import iter_documents
from storyline.store import Store, open_store
from storyline.store.base import StoryQuery

REPO = Path(__file__).resolve().parents[1]
# Words of the corpus's topics (sport, economy, politics, culture): each query finds
# some articles, as a reader's would.
QUERIES = ("Regierung", "Fußball", "Bank", "Wien", "Wahl", "Trainer", "Prozent", "Film")
QUERY_ROUNDS = 20  # every query this many times, so one slow call does not decide


@contextlib.contextmanager
def postgres(dsn: str | None) -> Iterator[str]:
    if dsn:
        yield dsn
        return
    sys.path.insert(0, str(REPO))
    from tests.pg_support import fresh_database, throwaway_cluster

    with throwaway_cluster() as cluster, fresh_database(cluster) as fresh:
        yield fresh


def timed_queries(store: Store) -> tuple[float, float]:
    """Median milliseconds of a search and of a story page filtered by a word."""
    search, page = [], []
    for _ in range(QUERY_ROUNDS):
        for word in QUERIES:
            started = time.perf_counter()
            store.search(word)
            search.append(time.perf_counter() - started)
            started = time.perf_counter()
            store.story_page(StoryQuery(text=word, limit=50))
            page.append(time.perf_counter() - started)
    return statistics.median(search) * 1000, statistics.median(page) * 1000


def run(address: str, feed: Path) -> tuple[float, int, float, float]:
    settings = Settings(db=address)
    store = open_store(address)
    try:
        started = time.perf_counter()
        report = ingest(iter_documents([str(feed)], settings), store, settings)
        seconds = time.perf_counter() - started
        return (seconds, len(report.stories), *timed_queries(store))
    finally:
        store.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--postgres", help="a postgresql:// address of an empty database")
    args = parser.parse_args()
    if not corpus.GNAD.is_file():
        print(f"needs {corpus.GNAD}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp, postgres(args.postgres) as dsn:
        feed = Path(tmp) / "gnad.jsonl"
        count = corpus.write_jsonl(corpus.stream(corpus.gnad_bases(), args.articles), feed)
        print("| backend | articles | stories | ingest s | articles/s | search ms | page ms |")
        print("| --- | --- | --- | --- | --- | --- | --- |")
        for name, address in (("SQLite", str(Path(tmp) / "bench.db")), ("PostgreSQL", dsn)):
            seconds, stories, search, page = run(address, feed)
            print(
                f"| {name} | {count:,} | {stories:,} | {seconds:.1f} | {count / seconds:.1f} "
                f"| {search:.1f} | {page:.1f} |"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
