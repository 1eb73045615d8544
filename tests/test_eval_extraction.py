"""The extraction benchmark: trafilatura's scoring, the data layouts, the CLI command."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from storyline.cli import app
from storyline.eval_extraction import count_item, run_extraction_eval
from tests.conftest import shared_path

ARTICLE = """<!DOCTYPE html><html lang="en"><head><title>{title} | Harbour Times</title></head>
<body><nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li></ul></nav>
<article><h1>{title}</h1>
<p>{lead}</p>
<p>Union leader Marta Sokol said ships were already queuing outside the harbour, and that
the workers would not return before the operator improved its offer of five percent.</p>
<p>The port operator called the strike premature and said talks would resume on Monday.</p>
</article>
<section class="comments"><h3>Comments</h3><p>Great article, thanks!</p></section>
<footer><p>Harbour Times newsletter: sign up for our daily briefing today.</p></footer>
</body></html>"""


def write_benchmark(folder: Path) -> dict[str, dict[str, object]]:
    """Two pages, one entry without its file, packed like ../shared/data/trafilatura_eval."""
    evaldata: dict[str, dict[str, object]] = {}
    folder.mkdir(parents=True, exist_ok=True)
    with tarfile.open(folder / "pages.tar.gz", "w:gz") as tar:
        for n, title in enumerate(["Dock workers walk out", "Ships wait outside the port"]):
            name = f"harbour-{n}.html"
            lead = f"Dock workers at Port Elling began a 48-hour strike number {n} on Friday."
            data = ARTICLE.format(title=title, lead=lead).encode()
            info = tarfile.TarInfo(f"eval/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
            evaldata[f"https://harbour.example/news/strike-{n}"] = {
                "file": name,
                "with": [lead, "talks would resume on Monday"],
                "without": ["Great article, thanks!", "sign up for our daily briefing"],
            }
    evaldata["https://harbour.example/news/gone"] = {
        "file": "gone.html",
        "with": ["x"],
        "without": ["y"],
    }
    (folder / "evaldata.json").write_text(json.dumps(evaldata), encoding="utf-8")
    return evaldata


def test_eval_extraction_counts_as_trafilatura_does() -> None:
    item = {"with": ["a  b", "missing"], "without": ["c\nd", "absent"]}
    assert count_item(item, "x a b c d") == (1, 1, 1, 1)
    assert count_item(item, None) == (0, 0, 2, 2)  # a failed extraction misses everything


def test_eval_extraction_on_a_small_benchmark(tmp_path: Path) -> None:
    write_benchmark(tmp_path / "data")
    report = run_extraction_eval(tmp_path / "data")
    assert (report.pages, report.missing, report.sources) == (2, 1, 1)
    scores = {s.name: s for s in report.scores}
    assert set(scores) == {
        "trafilatura (defaults)",
        "trafilatura (benchmark options)",
        "storyline",
        "storyline + learned",
    }
    for score in scores.values():
        assert score.tp + score.fn == 4 and score.fp + score.tn == 4
    # Storyline leaves reader comments out; trafilatura's defaults keep them.
    assert scores["storyline"].precision >= scores["trafilatura (defaults)"].precision
    assert scores["storyline"].recall == 1.0
    # the tarball itself, with evaldata.json beside it, is read the same way
    again = run_extraction_eval(tmp_path / "data" / "pages.tar.gz")
    assert [s.as_dict() | {"seconds": 0} for s in again.scores] == [
        s.as_dict() | {"seconds": 0} for s in report.scores
    ]


def test_eval_extraction_cli_json_and_table(tmp_path: Path) -> None:
    write_benchmark(tmp_path / "data")
    runner = CliRunner()
    result = runner.invoke(app, ["eval", "extraction", str(tmp_path / "data"), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["pages"] == 2 and len(data["systems"]) == 4
    table = runner.invoke(app, ["eval", "extraction", str(tmp_path / "data"), "--limit", "1"])
    assert table.exit_code == 0 and "storyline + learned" in table.stdout


def test_eval_extraction_missing_data_is_not_found(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["eval", "extraction", str(tmp_path)])
    assert result.exit_code != 0


@pytest.mark.shared
def test_eval_extraction_storyline_not_below_trafilatura() -> None:
    folder = shared_path("data", "trafilatura_eval")
    report = run_extraction_eval(folder, limit=150)
    scores = {s.name: s for s in report.scores}
    storyline = scores["storyline"].f1
    assert storyline >= scores["trafilatura (defaults)"].f1
    assert storyline >= scores["trafilatura (benchmark options)"].f1
    assert scores["storyline + learned"].f1 >= storyline - 0.001
