"""Write a large news-please JSONL corpus from the demo corpus (for load tests).

A thin command line over ``benchmarks/corpus.py``: round after round of re-told demo
articles, each round a new set of events, so stories keep realistic sizes (a few
articles each, about a tenth syndicated copies) at any length. Run from the
repository root: ``python benchmarks/loadgen.py --articles 100000 --out /tmp/load.jsonl``;
a second file to ingest during the load run takes a later ``--start`` and another
``--url-prefix`` so its articles are new events under new addresses.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import demo_bases, stream, write_jsonl


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--start", default="2024-01-01", help="date of the first article")
    parser.add_argument("--url-prefix", default="https://load.example.org/")
    args = parser.parse_args()
    if args.articles < 1:
        parser.error(f"--articles must be at least 1, not {args.articles}")
    try:
        start = datetime.fromisoformat(args.start)
    except ValueError:
        parser.error(f"--start {args.start!r} is not an ISO date (e.g. 2025-06-01)")
    if start.tzinfo is None:
        start = start.replace(tzinfo=UTC)
    records = stream(
        demo_bases(), args.articles, seed=args.seed, start=start, url_prefix=args.url_prefix
    )
    written = write_jsonl(records, args.out)
    print(f"wrote {written} articles to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
