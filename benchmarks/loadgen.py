"""Generate a large corpus from the demo corpus with perturbations (for load tests).

Each generated article is a demo article with its date moved forward (the stream runs
over about a year), its numbers changed, one sentence dropped and the order of its
middle paragraphs rotated, under a URL of its own. Run from the repository root:
``python benchmarks/loadgen.py --articles 100000 --out /tmp/load.jsonl``.
"""

from __future__ import annotations

import argparse
import json
import random
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from storyline.config import Settings
from storyline.sources.files import iter_documents
from storyline.text.parse import parse_document

DEMO = Path(__file__).resolve().parents[1] / "demo" / "corpus"
_NUMBER = re.compile(r"\d+")

# Rounds of copies are this many hours apart. The copies are close paraphrases, so
# later rounds rejoin the demo's ten stories (near-duplicate links and re-opening):
# stories grow to thousands of articles. A corpus with realistic story sizes needs
# rounds that differ in their names and places as well.
HOURS_PER_ROUND = 6


def base_articles() -> list[tuple[str, str, str]]:
    out = []
    for item in iter_documents([str(DEMO)], Settings()):
        if isinstance(item, Exception):
            continue
        parsed = parse_document(item)
        out.append((parsed.title, parsed.text, parsed.language or "de"))
    return out


def perturb(text: str, rng: random.Random) -> str:
    text = _NUMBER.sub(lambda m: str(int(m.group()) + rng.randint(0, 9)), text)
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    if len(paragraphs) > 3:
        middle = paragraphs[1:-1]
        k = rng.randrange(len(middle))
        paragraphs = [paragraphs[0], *middle[k:], *middle[:k], paragraphs[-1]]
    sentences = " ".join(paragraphs).split(". ")
    if len(sentences) > 4:
        del sentences[rng.randrange(1, len(sentences))]
    return ". ".join(sentences)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--start", default="2024-01-01", help="date of the first article")
    parser.add_argument("--url-prefix", default="https://load.example.org/")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    start = datetime.fromisoformat(args.start).replace(tzinfo=UTC)
    bases = base_articles()
    with args.out.open("w", encoding="utf-8") as out:
        for i in range(args.articles):
            title, text, language = bases[i % len(bases)]
            round_no = i // len(bases)
            published = start + timedelta(hours=HOURS_PER_ROUND * round_no, minutes=i % 60)
            record = {
                "title": f"{title} ({round_no})",
                "text": perturb(text, rng),
                "url": f"{args.url_prefix}{i}",
                "source_domain": f"outlet{i % 40}.example.org",
                "date_publish": published.strftime("%Y-%m-%d %H:%M:%S"),
                "language": language,
            }
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    print(f"wrote {args.articles} articles to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
