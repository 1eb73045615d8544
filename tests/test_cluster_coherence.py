"""Stories of unrelated articles stop growing: a story keeps its members alike."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from storyline.cluster import online
from storyline.cluster.model import DEFAULT_MODEL
from storyline.cluster.online import OnlineClusterer
from storyline.model import Article, DatePrecision, Parsed
from storyline.text.analyse import analyse

# A model that joins everything: only the coherence bound can keep stories apart.
JOIN_ALL = replace(DEFAULT_MODEL, bias=50.0, merge_threshold=0.9)


# Words every article has: they make each a candidate for the others' stories.
COMMON = "Regierung Stadt Montag Woche Bericht"


def unrelated(i: int) -> Article:
    """An article of made-up words of its own and a few common ones."""
    rng = random.Random(i)
    words = ["".join(rng.choice("bcdfghklmnprstvz") + rng.choice("aeiou") for _ in range(4))
             for _ in range(20)]  # fmt: skip
    published = datetime(2025, 5, 1, tzinfo=UTC) + timedelta(minutes=i)
    text = " ".join(words) + " " + COMMON
    return analyse(Parsed(f"u{i}", words[0], text, None, None, published, DatePrecision.DAY, "de"))


def rewrite(i: int) -> Article:
    text = (
        "Die neue Donaubrücke in Linz wurde am Montag nach drei Jahren Bauzeit eröffnet; "
        f"Bürgermeister Klaus Luger sprach von einem Tag für die ganze Stadt (Bericht {i})."
    )
    published = datetime(2025, 5, 1, tzinfo=UTC) + timedelta(minutes=i)
    parsed = Parsed(f"r{i}", "Brücke in Linz eröffnet", text, None, None, published,
                    DatePrecision.DAY, "de")  # fmt: skip
    return analyse(parsed)


def test_unrelated_articles_do_not_grow_one_story_without_end() -> None:
    clusterer = OnlineClusterer(timedelta(days=30), JOIN_ALL)
    stories = [clusterer.resolve(clusterer.assign(unrelated(i))) for i in range(60)]
    sizes = sorted((stories.count(s) for s in set(stories)), reverse=True)
    # Vectors sharing a part s of their weight sum to coherence sqrt(s + (1 - s) / n):
    # the bound stops a story before it holds all of them.
    assert 2 <= sizes[0] < 60
    assert len(sizes) >= 2
    # Every story, grown by articles and by merges, keeps its members alike.
    for story in clusterer.active.values():
        centroid = story.centroid
        assert centroid.norm("body") / centroid.size >= online.MIN_COHERENCE - 1e-9


def test_without_the_bound_the_same_articles_make_one_story(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(online, "MIN_COHERENCE", 0.0)
    clusterer = OnlineClusterer(timedelta(days=30), JOIN_ALL)
    stories = {clusterer.resolve(clusterer.assign(unrelated(i))) for i in range(60)}
    assert len(stories) == 1


def test_reports_of_one_event_grow_their_story_as_far_as_they_come() -> None:
    clusterer = OnlineClusterer(timedelta(days=30), DEFAULT_MODEL)
    stories = {clusterer.resolve(clusterer.assign(rewrite(i))) for i in range(80)}
    assert len(stories) == 1
