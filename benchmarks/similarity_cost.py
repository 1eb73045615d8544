"""What compound splitting and notice cutting cost per article, beside the same run
without them (10kGNAD German articles, one process).

- cleaning: ``clean_text`` with the sentence-level notice cut, and with it switched off;
- vectors: ``vectors()`` with compound parts in the term vectors, and with plain
  weighting; "cold" is the first pass over the articles (every split computed),
  "warm" the best of three further passes (every split cached), as in a long ingest.

Run from the repository root: ``python benchmarks/similarity_cost.py --articles 1000``.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import storyline.cluster.similarity as similarity
import storyline.text.clean as clean
from storyline.cluster.terms import clear_cache
from storyline.cluster.vectors import weighted
from storyline.model import Article, Parsed
from storyline.text.analyse import analyse
from storyline.text.lexicon import default_lexicon
from storyline.text.notices import cut_notices

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "10kGNAD_test" / "test.csv"
WARM_PASSES = 3


@contextmanager
def patched(module: Any, name: str, value: Any) -> Iterator[None]:
    old = getattr(module, name)
    setattr(module, name, value)
    try:
        yield
    finally:
        setattr(module, name, old)


def per_article_ms(run: Callable[[], object], count: int, passes: int = 1) -> float:
    best = float("inf")
    for _ in range(passes):
        started = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - started)
    return best / count * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=1000)
    args = parser.parse_args()
    if not DATA.is_file():
        print(f"needs the 10kGNAD test set at {DATA}", file=sys.stderr)
        return 2
    with DATA.open(encoding="utf-8") as f:
        texts = [row[-1] for row in csv.reader(f, delimiter=";", quotechar="'")][: args.articles]
    default_lexicon().table("de")  # load once, outside every timing
    articles: list[Article] = [
        analyse(Parsed(f"gnad:{i}", " ".join(t.split()[:12]), t, language="de"))
        for i, t in enumerate(texts)
    ]
    n = len(articles)

    def clean_all() -> None:
        cut_notices.cache_clear()
        for t in texts:
            clean.clean_text(t)

    def vectors_all() -> None:
        for a in articles:
            similarity.vectors(a)

    def plain(counts: Any, language: str) -> dict[str, float]:
        return weighted(counts, language)

    rows = []
    with patched(clean, "cut_notices", lambda line: None):
        rows.append(("clean_text without notice cut", per_article_ms(clean_all, n, WARM_PASSES)))
    rows.append(("clean_text with notice cut", per_article_ms(clean_all, n, WARM_PASSES)))
    with patched(similarity, "term_vector", plain):
        vectors_all()
        rows.append(("vectors without compound parts", per_article_ms(vectors_all, n, WARM_PASSES)))
    clear_cache()
    rows.append(("vectors with compound parts, cold", per_article_ms(vectors_all, n)))
    rows.append(("vectors with compound parts, warm", per_article_ms(vectors_all, n, WARM_PASSES)))
    print(f"{n} articles\n")
    print("| step | ms per article |\n| --- | --- |")
    for name, ms in rows:
        print(f"| {name} | {ms:.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
