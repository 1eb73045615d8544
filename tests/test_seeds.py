"""The two real seed articles: one story, two sources, clean text (issue: foundation)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from storyline.cli import app
from tests.conftest import shared_path

BOILERPLATE = (
    "Teilen",
    "TheWorldNews",
    "This article was added by the user",
    ".jpg",
    "(Foto: AP)",
    "© ITAR-TASS / IMAGO",
    "(dpa)",
)


def test_seeds_form_one_story_with_two_sources_and_clean_text(tmp_path: Path) -> None:
    seeds = shared_path("seeds")
    db = str(tmp_path / "seeds.db")
    runner = CliRunner()
    assert runner.invoke(app, ["ingest", str(seeds), "--db", db]).exit_code == 0
    stories = json.loads(runner.invoke(app, ["stories", "--db", db, "--json"]).stdout)
    assert len(stories) == 1
    assert stories[0]["article_count"] == 2 and stories[0]["source_count"] == 2
    exported = runner.invoke(app, ["export", "--db", db]).stdout.splitlines()
    articles = {a["origin_name"]: a for a in map(_with_name, exported)}
    first = articles["000"]
    assert first["published"] == "2022-11" and first["date_precision"] == "month"
    assert first["agencies"] == ["dpa"]
    for article in articles.values():
        for junk in BOILERPLATE:
            assert junk not in article["text"], junk
        assert not article["text"].rstrip().endswith("Germany")
    assert "Mehr als neun Monate nach dem Einmarsch" in articles["004"]["text"]


def _with_name(line: str) -> dict[str, object]:
    data: dict[str, object] = json.loads(line)
    # File names of the seeds start with their number; the source is the file name.
    data["origin_name"] = str(data["source"])[:3]
    return data
