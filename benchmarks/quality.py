"""Quality benchmark: story clustering and pair scoring on the shared evaluation data.

Prints Markdown tables and, with ``--write``, replaces the quality section of
docs/benchmarks.md. Run from the repository root: ``python benchmarks/quality.py``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from storyline.cluster.model import load_model
from storyline.config import load_settings
from storyline.eval_run import run_cluster_eval, run_pair_eval

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"
DOC = REPO / "docs" / "benchmarks.md"
BEGIN, END = "<!-- quality:begin -->", "<!-- quality:end -->"


def cluster_table() -> str:
    folder = DATA / "giveme5w1h_news_cluster" / "data"
    started = time.perf_counter()
    rows = run_cluster_eval(folder, load_settings(), baseline=True)
    seconds = time.perf_counter() - started
    lines = [
        "Command: `storyline eval clusters ../shared/data/giveme5w1h_news_cluster/data --baseline`",
        "",
        "| system | BCubed P | BCubed R | BCubed F1 | pairwise F1 | ARI | stories |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, r in rows:
        label = (
            f"{name} (threshold {r['threshold']:.2f}, tuned on gold)" if "threshold" in r else name
        )
        lines.append(
            f"| {label} | {r['bcubed_precision']:.4f} | {r['bcubed_recall']:.4f} | "
            f"{r['bcubed_f1']:.4f} | {r['pairwise_f1']:.4f} | {r['ari']:.4f} | {r['stories']} |"
        )
    lines.append("")
    lines.append(f"{rows[0][1]['articles']} articles; whole command {seconds:.1f} s.")
    return "\n".join(lines)


def pair_table() -> str:
    csv_file = DATA / "semeval2022_task8_hfl_sample" / "training_set.csv"
    report = run_pair_eval(csv_file)
    base = report.get("baseline", {}).get("by_language", {})
    lines = [
        "Command: `storyline eval pairs "
        "../shared/data/semeval2022_task8_hfl_sample/training_set.csv` (original pairs)",
        "",
        "| language pair | pairs | Storyline Pearson | char n-gram TF-IDF baseline |",
        "| --- | --- | --- | --- |",
    ]
    for key, row in report["by_language"].items():
        b = base.get(key, {}).get("pearson")
        lines.append(
            f"| {key} | {row['pairs']} | {row['pearson']:.4f} | "
            f"{'-' if b is None else f'{b:.4f}'} |"
        )
    overall = report.get("baseline", {}).get("overall", {}).get("pearson")
    lines.append(
        f"| overall | {report['pairs']} | {report['pearson']:.4f} | "
        f"{'-' if overall is None else f'{overall:.4f}'} |"
    )
    return "\n".join(lines)


def calibration_table() -> str:
    model = load_model()
    report = model.report
    if not report:
        return f"Similarity model: {model.version} (no calibration report)."
    lines = [
        f"Similarity model: `{model.version}`, thresholds assign "
        f"{model.assign_threshold:.2f}, re-open {model.reopen_threshold:.2f}, "
        f"merge {model.merge_threshold:.2f}.",
        "",
    ]
    c = report.get("clusters_cv")
    if c:
        lines += [
            f"Cross-validated ({report['folds']} folds by event; each fold's model, fitted "
            "without that fold's labels, replays all articles and is scored on its fold): "
            f"BCubed P {c['bcubed_precision']:.4f}, R {c['bcubed_recall']:.4f}, "
            f"F1 {c['bcubed_f1']:.4f}; pairwise F1 {c['pairwise_f1']:.4f}; ARI {c['ari']:.4f}.",
            "",
        ]
    p = report.get("pairs_cv")
    if p:
        per = ", ".join(
            f"{k} {v['pearson']:.4f}"
            for k, v in p["by_language"].items()
            if v["pearson"] is not None
        )
        overall = p["overall"]["pearson"]
        lines.append(f"Cross-validated pair Pearson (out-of-fold): overall {overall:.4f}; {per}.")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", action="store_true", help="update docs/benchmarks.md")
    args = parser.parse_args()
    if not DATA.is_dir():
        print(f"needs the evaluation data in {DATA}", file=sys.stderr)
        return 2
    body = "\n\n".join(
        [
            "### Story clustering (giveme5w1h news_cluster, visible part)",
            "The storyline rows below use the shipped model, which was calibrated on these "
            "same articles and pairs (in-sample); the cross-validated figures under "
            "Calibration are the ones to expect on unseen data.",
            cluster_table(),
            "### Same-story pair scoring (SemEval-2022 Task 8 sample)",
            pair_table(),
            "### Calibration",
            calibration_table(),
        ]
    )
    print(body)
    if args.write:
        text = DOC.read_text(encoding="utf-8")
        start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
        DOC.write_text(text[:start] + "\n" + body + "\n" + text[end:], encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
