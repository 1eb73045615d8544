"""`make bench` in quick mode: every section runs and writes its table (no timing asserted)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"

pytestmark = pytest.mark.shared


def test_quick_benchmark_rewrites_every_section(tmp_path: Path) -> None:
    if not (DATA / "10kGNAD_test").is_dir():
        pytest.skip(f"the benchmarks read {DATA}, which is absent")
    doc = tmp_path / "benchmarks.md"
    shutil.copy(REPO / "docs" / "benchmarks.md", doc)
    done = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "run.py"), "--quick", "--doc", str(doc)],
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    text = doc.read_text(encoding="utf-8")
    for section in ("throughput", "scale", "baselines", "profile"):
        assert f"<!-- bench:{section}:begin -->" in text
        assert f"<!-- bench:{section}:end -->" in text
    assert "(quick mode)" in text
    # The real document is left alone.
    assert "(quick mode)" not in (REPO / "docs" / "benchmarks.md").read_text(encoding="utf-8")
