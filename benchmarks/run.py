"""The performance benchmark suite (``make bench``); rewrites its tables in docs/benchmarks.md.

Sections, each measured against a baseline in the same run:

- throughput: news-please JSONL (10kGNAD re-told, see corpus.py) to stored stories on
  one process and with two workers, beside the single-pass TF-IDF centroid baseline on
  the same texts; HTML pages through the whole pipeline beside plain trafilatura.
- scale: one growing ingest (scale.py, a process of its own): cost per article at each
  checkpoint as a ratio to the first, peak memory, database size, query times.
- baselines: time and quality of Storyline and the two TF-IDF baselines on the labelled
  clusters, and how the quadratic baselines grow with the number of articles.
- profile: where an ingest spends its time, by stage.

``--quick`` runs every section at toy sizes (a smoke test: it asserts nothing about
time) and by default writes to a scratch copy, not docs/benchmarks.md. Run from the
repository root: ``python benchmarks/run.py [--quick] [--only SECTION]``.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus

from storyline.config import Settings, load_settings
from storyline.pipeline import ingest
from storyline.sources.files import iter_documents
from storyline.store.sqlite import SQLiteStore

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "benchmarks.md"
DATA = REPO.parent / "shared" / "data"

# The target the performance issue sets for one core.
TARGET_ARTICLES_PER_SECOND = 500


@dataclass(frozen=True)
class Sizes:
    throughput: int
    html_pages: int
    checkpoints: tuple[int, ...]
    segment: int  # articles per ingest call in the scale run; 0: one call
    growth: tuple[int, ...]
    profile: int


FULL = Sizes(5000, 300, (10_000, 100_000, 1_000_000), 0, (1000, 2000, 4000), 1000)
QUICK = Sizes(150, 10, (150, 300), 0, (100, 200), 100)


def ingest_file(path: Path, settings: Settings) -> tuple[float, int]:
    store = SQLiteStore(settings.db)
    try:
        started = time.perf_counter()
        report = ingest(iter_documents([str(path)], settings), store, settings)
        return time.perf_counter() - started, report.added + report.duplicates
    finally:
        store.close()


def ingest_process(path: Path, db: Path, workers: int) -> tuple[float, int]:
    """``storyline ingest`` in a fresh process (start-up included, no warm caches)."""
    command = [sys.executable, "-m", "storyline", "ingest", "--json", "--db", str(db)]
    started = time.perf_counter()
    done = subprocess.run(
        [*command, "--workers", str(workers), str(path)], capture_output=True, text=True
    )
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1):  # 1: some items failed, reported in the JSON
        raise RuntimeError(f"ingest failed: {done.stderr[-500:]}")
    report = json.loads(done.stdout)
    return seconds, int(report["added"]) + int(report["duplicates"])


def throughput(sizes: Sizes, tmp: Path) -> str:
    from storyline.baselines import centroid_at

    feed = tmp / "throughput.jsonl"
    records = list(corpus.stream(corpus.gnad_bases(), sizes.throughput))
    count = corpus.write_jsonl(iter(records), feed)
    one_s, stored = ingest_process(feed, tmp / "one.db", workers=1)
    two_s, _ = ingest_process(feed, tmp / "two.db", workers=2)
    started = time.perf_counter()
    texts = [f"{r['title']}\n{r['maintext']}" for r in records]
    centroid_at(texts, [None] * len(texts), 0.3)
    base_s = time.perf_counter() - started
    rows = [
        ("storyline, 1 process", one_s),
        ("storyline, 2 workers + clusterer", two_s),
        ("TF-IDF single-pass centroid (baseline, clustering only)", base_s),
    ]
    lines = [
        f"{count:,} news-please records (10kGNAD re-told, {stored:,} stored); each run is "
        "`storyline ingest` in a fresh process into a fresh database.",
        "",
        "| system | seconds | articles/s | ratio to 1 process |",
        "| --- | --- | --- | --- |",
    ]
    lines += [f"| {n} | {s:.1f} | {count / s:.1f} | {one_s / s:.2f} |" for n, s in rows]
    lines += [
        "",
        f"One process reaches {count / one_s:.0f} articles/s, "
        f"{count / one_s / TARGET_ARTICLES_PER_SECOND:.2f} of the 500/s target; two workers "
        f"give {one_s / two_s:.2f}x one process (target 1.7x).",
        "",
        html_throughput(sizes, tmp),
    ]
    return "\n".join(lines)


def html_throughput(sizes: Sizes, tmp: Path) -> str:
    import trafilatura

    from storyline.eval_extraction import _locate, _pages

    evaldata, archive, pages_dir = _locate(DATA / "trafilatura_eval")
    items = list(json.loads(evaldata.read_text(encoding="utf-8")).values())
    folder = tmp / "html"
    folder.mkdir()
    pages: list[bytes] = []
    with _pages(archive, pages_dir) as root:
        for item in items:
            if len(pages) >= sizes.html_pages:
                break
            page = root / item["file"]
            if page.is_file():
                pages.append(page.read_bytes())
                (folder / f"{len(pages):04d}.html").write_bytes(pages[-1])
    started = time.perf_counter()
    for html in pages:
        trafilatura.extract(html)
    plain_s = time.perf_counter() - started
    ours_s, _ = ingest_file(folder, Settings(db=str(tmp / "html.db"), workers=1))
    n = len(pages)
    return "\n".join(
        [
            f"HTML: {n} pages of trafilatura's benchmark (../shared/data/trafilatura_eval).",
            "",
            "| system | seconds | pages/s | ratio |",
            "| --- | --- | --- | --- |",
            f"| trafilatura.extract only (baseline) | {plain_s:.1f} | {n / plain_s:.1f} | 1.00 |",
            f"| storyline ingest, 1 process (extract, clean, analyse, cluster, store) | "
            f"{ours_s:.1f} | {n / ours_s:.1f} | {plain_s / ours_s:.2f} |",
        ]
    )


def scale(sizes: Sizes, tmp: Path, given: Path | None) -> str:
    if given is not None:
        data = json.loads(given.read_text())
    else:
        command = [
            sys.executable,
            str(REPO / "benchmarks" / "scale.py"),
            "--checkpoints",
            ",".join(str(c) for c in sizes.checkpoints),
            "--segment",
            str(sizes.segment),
            "--db",
            str(tmp / "scale.db"),
        ]
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        data = json.loads(done.stdout)
    points = data["checkpoints"]
    first = points[0]["cpu_ms_per_article"]
    mode = data.get("mode", "segments")
    how = (
        "one `ingest` call over one news-please file; the cost of a checkpoint is that of "
        "the articles placed since the previous one"
        if mode == "one ingest"
        else f"{mode} (one `ingest` call each, which restores the clusterer and the "
        "duplicate index from the database); the cost of a checkpoint is that of the "
        "segment ending there"
    )
    lines = [
        f"One database grown by {how} ({data['workers']} workers): CPU time (all "
        "processes) per article, which other load on the machine disturbs least, and wall "
        "time.",
        "",
        "| articles | CPU ms/article | ratio to first | wall ms/article | peak RSS (MiB) | "
        "database bytes/article |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    resumed = 0
    for p in points:
        # The first checkpoint after a resume includes one restore of the window.
        mark = " (resumed)" if p.get("resumed_at", 0) != resumed else ""
        resumed = p.get("resumed_at", 0)
        lines.append(
            f"| {p['articles']:,}{mark} | {p['cpu_ms_per_article']:.1f} | "
            f"{p['cpu_ms_per_article'] / first:.2f} | {p['ms_per_article']:.1f} | "
            f"{p['peak_rss_mb']:.0f} | {p['db_bytes_per_article']:,.0f} |"
        )
    if resumed:
        lines += [
            "",
            "The run was made in parts: a checkpoint marked (resumed) is the first after an "
            "ingest continued the stream from the first article the database did not hold, "
            "and its cost includes one restore of the window.",
        ]
    q = data["queries"]
    lines += [
        "",
        f"At {q.get('articles', points[-1]['articles']):,.0f} articles, median of library "
        "calls (no cache): "
        f"story list (50 stories) {q['story_list_ms']:.1f} ms, story detail "
        f"{q['story_detail_ms']:.1f} ms for 50 stories drawn at random (target: both "
        "under 20 ms)"
        + (
            f"; story detail of the 50 largest stories (up to "
            f"{q['largest_story_articles']:.0f} articles) {q['story_detail_largest_ms']:.1f} ms"
            if "story_detail_largest_ms" in q
            else ""
        )
        + (
            f", and {q['story_detail_again_ms']:.1f} ms when assembled again (as after the "
            "story gains an article: its other articles' names, quotes and facts are kept)."
            if "story_detail_again_ms" in q
            else "."
        ),
    ]
    return "\n".join(lines)


def baselines(sizes: Sizes, tmp: Path) -> str:
    from storyline.baselines import agglomerative_baseline, centroid_baseline
    from storyline.eval_run import run_cluster_eval
    from storyline.evaluate import read_gold_clusters

    folder = DATA / "giveme5w1h_news_cluster" / "data"
    gold = read_gold_clusters(folder)
    texts = [g.full_text for g in gold]
    labels = [g.event for g in gold]
    timed: list[tuple[str, float, float, float]] = []
    started = time.perf_counter()
    ours = dict(run_cluster_eval(folder, load_settings()))["storyline"]
    timed.append(
        ("storyline", time.perf_counter() - started, ours["bcubed_f1"], ours["pairwise_f1"])
    )
    for name, run in (
        ("TF-IDF agglomerative (cut tuned on gold)", lambda: agglomerative_baseline(texts, labels)),
        (
            "TF-IDF single-pass centroid (tuned on gold)",
            lambda: centroid_baseline(texts, [g.published for g in gold], labels),
        ),
    ):
        started = time.perf_counter()
        result = run()
        s = result.scores.as_dict()
        timed.append((name, time.perf_counter() - started, s["bcubed_f1"], s["pairwise_f1"]))
    lines = [
        f"{len(gold)} labelled articles (../shared/data/giveme5w1h_news_cluster). Baseline "
        "times include their threshold sweep over the gold labels.",
        "",
        "| system | seconds | BCubed F1 | pairwise F1 |",
        "| --- | --- | --- | --- |",
    ]
    lines += [f"| {n} | {s:.1f} | {b:.3f} | {p:.3f} |" for n, s, b, p in timed]
    lines += ["", growth(sizes, tmp)]
    return "\n".join(lines)


GROWTH_SCRIPT = """
import json, resource, sys, time
sys.path.insert(0, {bench!r})
import corpus
from storyline.baselines import agglomerative_at, centroid_at
n, which = int(sys.argv[1]), sys.argv[2]
texts = [r["title"] + "\\n" + r["maintext"] for r in corpus.stream(corpus.gnad_bases(), n)]
started = time.perf_counter()
if which == "agglomerative":
    agglomerative_at(texts, 0.7)
else:
    centroid_at(texts, [None] * n, 0.3)
seconds = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({{"seconds": seconds, "peak_mb": peak}}))
"""


def growth(sizes: Sizes, tmp: Path) -> str:
    """How the quadratic baselines grow: each size in a fresh process for its memory."""
    script = tmp / "growth.py"
    script.write_text(GROWTH_SCRIPT.format(bench=str(REPO / "benchmarks")))
    rows = []
    for n in sizes.growth:
        cells = [f"{n:,}"]
        for which in ("agglomerative", "centroid"):
            out = subprocess.run(
                [sys.executable, str(script), str(n), which], capture_output=True, text=True
            )
            if out.returncode != 0:
                cells.append(f"failed: {out.stderr.strip().splitlines()[-1][:60]}")
                continue
            r = json.loads(out.stdout)
            cells.append(f"{r['seconds']:.1f} s, {r['peak_mb']:.0f} MB")
        rows.append("| " + " | ".join(cells) + " |")
    biggest = sizes.growth[-1]
    return "\n".join(
        [
            "Growth of the baselines on re-told 10kGNAD articles (fixed thresholds, no sweep):",
            "",
            "| articles | agglomerative | single-pass centroid |",
            "| --- | --- | --- |",
            *rows,
            "",
            f"Both build the full n x n similarity matrix (8 bytes a pair, several copies): "
            f"memory grows with the square of n, so beyond ~{_feasible_n():,} articles it "
            f"exceeds this machine's 24 GB (measured up to {biggest:,}).",
        ]
    )


def _feasible_n() -> int:
    # Three dense float64 n x n matrices (similarity, distance, the clustering's copy).
    return int((24e9 / (3 * 8)) ** 0.5)


STAGES: dict[str, str] = {
    "parse (JSON record to document)": "parse_document",
    "clean": "clean_text",
    "language": "detect_language",
    "tokens and lemmas": "tokenize",
    "names": "find_names",
    "fingerprint": "fingerprint",
    "MinHash signature": "signature",
    "article vectors": "vectors",
    "clustering (assign, merge)": "assign",
    "store write": "write",
}


def profile(sizes: Sizes, tmp: Path) -> str:
    feed = tmp / "profile.jsonl"
    count = corpus.write_jsonl(corpus.stream(corpus.gnad_bases(), sizes.profile), feed)
    settings = Settings(db=str(tmp / "profile.db"), workers=1)
    profiler = cProfile.Profile()
    profiler.enable()
    ingest_file(feed, settings)
    profiler.disable()
    stats = pstats.Stats(profiler)
    total = max(cumulative(stats, "ingest"), 1e-9)
    rows = [(label, cumulative(stats, fn)) for label, fn in STAGES.items()]
    lines = [
        f"cProfile of one process ingesting {count:,} articles (profiler overhead inflates "
        "pure-Python stages; shares are what matter):",
        "",
        "| stage | share of ingest |",
        "| --- | --- |",
    ]
    lines += [f"| {label} | {seconds / total:.0%} |" for label, seconds in rows]
    return "\n".join(lines)


def cumulative(stats: pstats.Stats, function: str) -> float:
    """Cumulative seconds of every project function called ``function``."""
    found = 0.0
    for (filename, _line, name), row in stats.stats.items():  # type: ignore[attr-defined]
        if name == function and "storyline" in filename:
            found += row[3]
    return found


SECTIONS: dict[str, Callable[..., str]] = {
    "throughput": throughput,
    "scale": scale,
    "baselines": baselines,
    "profile": profile,
}


def write_section(doc: Path, key: str, body: str, when: str) -> None:
    begin, end = f"<!-- bench:{key}:begin -->", f"<!-- bench:{key}:end -->"
    text = doc.read_text(encoding="utf-8")
    block = f"{begin}\n{body}\n\n_Measured {when}._\n{end}"
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        text = head + block + rest.split(end, 1)[1]
    else:
        text = text.rstrip("\n") + f"\n\n{block}\n"
    doc.write_text(text, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="toy sizes; a smoke run")
    parser.add_argument("--only", choices=sorted(SECTIONS), action="append")
    parser.add_argument("--doc", type=Path, help="file to rewrite (default: docs/benchmarks.md)")
    parser.add_argument(
        "--checkpoints", help="scale checkpoints, comma-separated (default by mode)"
    )
    parser.add_argument("--scale-json", type=Path, help="use a finished scale.py run's output")
    parser.add_argument("--articles", type=int, help="throughput size (default by mode)")
    args = parser.parse_args()
    if not (DATA / "10kGNAD_test").is_dir():
        print(f"the benchmarks read ../shared/data; {DATA} is missing", file=sys.stderr)
        return 2
    sizes = QUICK if args.quick else FULL
    if args.checkpoints:
        sizes = replace(sizes, checkpoints=tuple(int(x) for x in args.checkpoints.split(",")))
    if args.articles:
        sizes = replace(sizes, throughput=args.articles)
    doc = args.doc
    if doc is None and args.quick:
        doc = Path(tempfile.mkdtemp(prefix="storyline-bench-")) / "benchmarks.md"
        shutil.copy(DOC, doc)
    doc = doc or DOC
    when = time.strftime("%Y-%m-%d") + (" (quick mode)" if args.quick else "")
    for key in args.only or list(SECTIONS):
        with tempfile.TemporaryDirectory(prefix=f"storyline-bench-{key}-") as tmp:
            started = time.perf_counter()
            if key == "scale":
                body = scale(sizes, Path(tmp), args.scale_json)
            else:
                body = SECTIONS[key](sizes, Path(tmp))
            print(f"## {key} ({time.perf_counter() - started:.0f} s)\n{body}\n", flush=True)
            write_section(doc, key, body, when)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"wrote {doc}; peak memory of this process {peak:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
