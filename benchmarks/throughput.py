"""Ingest throughput on real German news text (10kGNAD), one process.

Writes the first N articles of ../shared/data/10kGNAD_test/test.csv as news-please
JSONL (with dates spread over a month) to a temporary folder, ingests them into a
fresh SQLite database, and prints articles per second. Run from the repository root:
``python benchmarks/throughput.py --articles 1000``.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import tempfile
import time
from pathlib import Path

from storyline.config import Settings
from storyline.pipeline import ingest
from storyline.sources.files import iter_documents
from storyline.store.sqlite import SQLiteStore

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "10kGNAD_test" / "test.csv"


def write_jsonl(target: Path, count: int) -> int:
    with DATA.open(encoding="utf-8") as f:
        rows = list(csv.reader(f, delimiter=";", quotechar="'"))[:count]
    with target.open("w", encoding="utf-8") as out:
        for i, (_label, text) in enumerate(rows):
            record = {
                "title": " ".join(text.split()[:12]),
                "text": text,
                "url": f"https://gnad.example.org/{i}",
                "date_publish": f"2016-01-{1 + i % 28:02d} {i % 24:02d}:00:00",
                "language": "de",
            }
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return len(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=1000)
    args = parser.parse_args()
    if not DATA.is_file():
        print(f"needs {DATA}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        feed = Path(tmp) / "gnad.jsonl"
        count = write_jsonl(feed, args.articles)
        settings = Settings(db=str(Path(tmp) / "bench.db"))
        store = SQLiteStore(settings.db)
        started = time.perf_counter()
        report = ingest(iter_documents([str(feed)], settings), store, settings)
        seconds = time.perf_counter() - started
        store.close()
    print(
        f"{count} articles ({report.added} stored, {len(report.stories)} stories) in "
        f"{seconds:.1f} s: {count / seconds:.1f} articles/s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
