"""Story assembly: names, quotes, facts, agreement across sources, summary, timeline."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from storyline.cli import app
from tests.conftest import shared_path, write_corpus

runner = CliRunner()


def show(db: str) -> dict[str, object]:
    stories = json.loads(runner.invoke(app, ["stories", "--db", db, "--json"]).stdout)
    result = runner.invoke(app, ["show", stories[0]["id"], "--db", db, "--json"])
    assert result.exit_code == 0, result.output
    view: dict[str, object] = json.loads(result.stdout)
    return view


def test_assemble_seeds_names_quotes_and_agreement(tmp_path: Path) -> None:
    db = str(tmp_path / "seeds.db")
    runner.invoke(app, ["ingest", str(shared_path("seeds")), "--db", db])
    view = show(db)
    names = {n["key"]: n for n in view["names"]}  # type: ignore[union-attr]
    kinds = {n["name"].split()[-1]: n["kind"] for n in names.values()}
    for person in ("Schoigu", "Chrenin", "Lukaschenko", "Golowtschenko"):
        assert kinds[person] == "person", person
    for place in ("Minsk", "Belarus", "Russland", "Ukraine"):
        assert kinds[place] == "place", place
    for organisation in ("Nato", "Belta"):
        assert kinds[organisation] == "organisation", organisation
    quote = next(q for q in view["quotes"] if "wirklich wie zu Hause" in q["text"])  # type: ignore[union-attr]
    assert quote["speaker_key"] == names_key(view, "Schoigu") and quote["via"] == "Belta"
    facts = view["facts"]
    loan = next(f for f in facts if f["value"] == 1.5e9)  # type: ignore[union-attr]
    assert loan["unit"] == "USD" and not loan["corroborated"]
    assert loan["sources"] == ["000_a856c86a23118d21.txt"]
    meeting = [
        f
        for f in facts  # type: ignore[union-attr]
        if f["corroborated"] and "Chrenin" in f["text"] and "Schoigu" in f["text"]
    ]
    assert meeting and set(meeting[0]["sources"]) == {
        "000_a856c86a23118d21.txt",
        "004_b7a3a0e63cbd0805.txt",
    }
    assert view["summary"] and view["timeline"]


def names_key(view: dict[str, object], surname: str) -> str:
    return next(n["key"] for n in view["names"] if n["name"].endswith(surname))  # type: ignore[union-attr]


def test_assemble_own_story_has_sources_timeline_and_json_keys(tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    write_corpus(folder)
    db = str(tmp_path / "own.db")
    runner.invoke(app, ["ingest", str(folder), "--db", db])
    view = show(db)
    for key in ("names", "quotes", "facts", "summary", "timeline", "sources", "articles"):
        assert key in view, key
    assert all({"name", "key", "kind", "count"} <= set(n) for n in view["names"])  # type: ignore[union-attr]
    assert all(
        {"text", "value", "unit", "sources", "corroborated"} <= set(f)
        for f in view["facts"]  # type: ignore[union-attr]
    )
    assert sum(t["articles"] for t in view["timeline"]) == view["article_count"]  # type: ignore[union-attr]
    # The two reports of each test event share the event's numbers: corroborated.
    assert any(f["corroborated"] and f["value"] for f in view["facts"])  # type: ignore[union-attr]
    text = runner.invoke(app, ["show", str(view["id"]), "--db", db]).stdout
    assert str(view["headline"]) in text and "Sources" in text


def test_assemble_entity_lists_stories_in_any_spelling(tmp_path: Path) -> None:
    db = str(tmp_path / "seeds.db")
    runner.invoke(app, ["ingest", str(shared_path("seeds")), "--db", db])
    for spelling in ("Schoigu", "Shoigu", "Шойгу"):
        result = runner.invoke(app, ["entity", spelling, "--db", db, "--json"])
        data = json.loads(result.stdout)
        assert result.exit_code == 0 and len(data["stories"]) == 1, spelling
        assert data["forms"][0]["kind"] == "person"
    missing = runner.invoke(app, ["entity", "Nobody Atall", "--db", db])
    assert missing.exit_code == 3
