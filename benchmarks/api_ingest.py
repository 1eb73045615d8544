"""Ingest requests to the API on a database whose story window is full.

Copies DB (a database grown by ``benchmarks/scale.py``), then POSTs ``--requests``
batches of ``--size`` articles (the benchmark stream, continued past what DB holds)
to one in-process app, timing each request. The first restores the clusterer and
the duplicate index from the database; the server keeps them, so the following
requests cost what their articles cost. Before the server kept them, every request
paid the first one's restore. Run from the repository root:
``python benchmarks/api_ingest.py --db scale.db``.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import sys
import tempfile
import time
from itertools import islice
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus
from fastapi.testclient import TestClient

from storyline.api import create_app
from storyline.config import Settings

TOKEN = "bench-token"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", required=True, help="a database grown by scale.py")
    parser.add_argument("--requests", type=int, default=6)
    parser.add_argument("--size", type=int, default=20, help="articles per request")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "api.db"
        with sqlite3.connect(args.db) as source, sqlite3.connect(db) as target:
            source.backup(target)
        with sqlite3.connect(db) as con:
            (held,) = con.execute("SELECT COUNT(*) FROM articles").fetchone()
        total = held + args.requests * args.size
        more = list(islice(corpus.stream(corpus.gnad_bases(), total), held, None))
        app = create_app(Settings(db=str(db), token=TOKEN))
        seconds = []
        with TestClient(app) as client:
            for i in range(args.requests):
                batch = more[i * args.size : (i + 1) * args.size]
                body = "\n".join(json.dumps(r) for r in batch) + "\n"
                started = time.perf_counter()
                reply = client.post(
                    "/api/articles",
                    content=body,
                    headers={"Authorization": f"Bearer {TOKEN}"},
                )
                seconds.append(time.perf_counter() - started)
                reply.raise_for_status()
        result = {
            "articles_held": held,
            "size": args.size,
            "first_s": seconds[0],
            "following_median_s": statistics.median(seconds[1:]),
            "ratio": seconds[0] / statistics.median(seconds[1:]),
        }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
