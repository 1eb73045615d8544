"""Story assembly: names, quotes, facts, agreement across sources, summary, timeline."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import storyline.assemble as assemble_module
from storyline.assemble import assemble
from storyline.cli import app
from storyline.model import StoredArticle, Story
from storyline.store.base import StoryFilter
from storyline.store.sqlite import SQLiteStore
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


def test_assemble_again_analyses_only_articles_it_has_not_seen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A story page is assembled again when its story gains an article: the articles
    analysed the time before are not analysed again, and the page is the same. An
    article whose text differs (another database, same id) is analysed anew."""
    folder = tmp_path / "corpus"
    write_corpus(folder)
    db = str(tmp_path / "own.db")
    assert runner.invoke(app, ["ingest", str(folder), "--db", db]).exit_code == 0
    store = SQLiteStore(db)
    try:
        story = max(store.stories(StoryFilter(limit=50)), key=lambda s: s.article_count)
        articles = store.story_articles(story.id)
    finally:
        store.close()
    assert len(articles) >= 2
    searched: list[str] = []
    real = assemble_module.find_names

    def counting(text: str, *args: Any) -> Any:
        searched.append(text)
        return real(text, *args)

    monkeypatch.setattr(assemble_module, "find_names", counting)
    assemble_module._analysed.cache_clear()
    first = assemble(story, articles[:-1])
    assert len(searched) == len(articles) - 1
    again = assemble(story, articles)
    assert len(searched) == len(articles)  # only the new article
    assert again == assemble_uncached(story, articles)
    assert first["names"] and again["facts"] is not None
    changed = replace(articles[0], article=replace(articles[0].article, text="Ganz anders."))
    assemble(story, [changed])
    assert searched[-1].endswith("Ganz anders.")


def assemble_uncached(story: Story, articles: list[StoredArticle]) -> dict[str, Any]:
    assemble_module._analysed.cache_clear()
    return assemble(story, articles)
