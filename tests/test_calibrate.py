"""Calibration fits weights and thresholds from labelled clusters and rated pairs."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from typer.testing import CliRunner

from storyline.cli import app
from storyline.cluster.model import load_model
from tests.conftest import EVENTS


def write_clusters(folder: Path) -> None:
    folder.mkdir()
    for event_id, (event, reports) in enumerate(EVENTS.items()):
        for n, (day, title, body) in enumerate(reports):
            record = {
                "title": title,
                "text": body,
                "date_publish": f"{day} 10:00:00",
                "url": f"https://example.com/{event}/{n}",
                "language": "en",
                "newsCluster": {"EventId": event_id},
            }
            (folder / f"{event}-{n}.json").write_text(json.dumps(record), encoding="utf-8")


def write_pairs(path: Path) -> None:
    reports = [r for rs in EVENTS.values() for r in rs]
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["pair_id", "lang1", "lang2", "text1", "text2", "Overall"])
        for i, a in enumerate(reports):
            for j, b in enumerate(reports):
                if i < j:
                    same = i // 2 == j // 2
                    writer.writerow(
                        [
                            f"{i}_{j}",
                            "en",
                            "en",
                            a[1] + " " + a[2],
                            b[1] + " " + b[2],
                            1.0 if same else 4.0,
                        ]
                    )


def test_calibrate_writes_a_model_with_cross_validated_report(tmp_path: Path) -> None:
    clusters, pairs, out = tmp_path / "clusters", tmp_path / "pairs.csv", tmp_path / "m.json"
    write_clusters(clusters)
    write_pairs(pairs)
    result = CliRunner().invoke(
        app,
        ["calibrate", "--clusters", str(clusters), "--pairs", str(pairs), "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    model = load_model(out)
    assert model.version.startswith("calibrated-")
    assert 0.0 < model.assign_threshold <= model.reopen_threshold
    report = model.report
    assert report["clusters_cv"]["articles"] == 6
    assert report["pairs_cv"]["overall"]["pairs"] == 15
    # Same-event rewrites must score above unrelated reports with the fitted weights.
    assert model.weights["body"] + model.weights["sqrt_body"] > 0
