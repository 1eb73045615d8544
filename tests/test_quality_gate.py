"""Quality gate: pinned floors for story clustering and pair scoring on real data.

The floors live in ``quality_floors.json`` together with a hash of the evaluation
files, so a floor cannot drift with the data, and the floors themselves may not go
below the targets the project committed to.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from storyline.config import Settings
from storyline.eval_run import run_cluster_eval, run_pair_eval
from tests.conftest import shared_path

FLOORS = json.loads((Path(__file__).with_name("quality_floors.json")).read_text())

# Targets from the project's issues; a floor below them would hide a regression.
MINIMUM_FLOORS = {"clusters": {"bcubed_f1": 0.90}, "pairs": {"pearson": 0.0}}


def digest(paths: list[Path]) -> str:
    h = hashlib.sha256()
    for p in sorted(paths):
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def test_quality_floors_are_not_below_the_targets() -> None:
    for section, minimums in MINIMUM_FLOORS.items():
        for key, minimum in minimums.items():
            assert FLOORS[section][key] >= minimum, f"{section}.{key} floor lowered"


def test_quality_gate_clusters(tmp_path: Path) -> None:
    folder = shared_path("data", "giveme5w1h_news_cluster", "data")
    assert digest(list(folder.glob("*.json"))) == FLOORS["clusters"]["data_sha256"], (
        "the evaluation data changed: re-measure and re-pin the floors deliberately"
    )
    rows = dict(run_cluster_eval(folder, Settings(db=str(tmp_path / "x.db"))))
    scores = rows["storyline"]
    for key in ("bcubed_f1", "pairwise_f1"):
        assert scores[key] >= FLOORS["clusters"][key], f"{key} {scores[key]:.4f} below floor"


def test_quality_gate_pairs() -> None:
    csv_file = shared_path("data", "semeval2022_task8_hfl_sample", "training_set.csv")
    assert digest([csv_file]) == FLOORS["pairs"]["data_sha256"]
    report = run_pair_eval(csv_file)
    assert report["pearson"] >= FLOORS["pairs"]["pearson"]
    for key, floor in FLOORS["pairs"]["by_language"].items():
        got = report["by_language"][key]["pearson"]
        assert got >= floor, f"{key} Pearson {got:.4f} below floor {floor}"
