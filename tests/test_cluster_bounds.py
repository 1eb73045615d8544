"""The clusterer's memory stays bounded: active and dormant stories are capped."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from storyline.cluster import online
from storyline.cluster.model import DEFAULT_MODEL
from storyline.cluster.online import OnlineClusterer
from storyline.model import Article, DatePrecision, Parsed
from storyline.text.analyse import analyse

TOPICS = [
    ("Brücke in Linz eröffnet", "Die neue Donaubrücke in Linz wurde am Montag eröffnet."),
    ("Hochwasser in Passau", "Der Inn erreichte in Passau einen Pegel von neun Metern."),
    ("Streik bei der Bahn", "Die Lokführer legten den Fernverkehr bundesweit lahm."),
    ("Wahl in Graz", "Die Grazer Gemeinderatswahl brachte einen knappen Ausgang."),
    ("Raketenstart in Kourou", "Eine Ariane-Rakete brachte zwei Satelliten ins All."),
    ("Ernte in der Wachau", "Die Winzer der Wachau melden eine frühe Weinlese."),
]


def article(i: int, hours: int) -> Article:
    title, body = TOPICS[i % len(TOPICS)]
    published = datetime(2025, 5, 1, tzinfo=UTC) + timedelta(hours=hours)
    text = f"{body} Bericht {i}: " + body
    parsed = Parsed(f"a{i}", f"{title} {i}", text, None, None, published, DatePrecision.DAY, "de")
    return analyse(parsed)


def test_active_stories_are_capped_least_recent_first(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(online, "MAX_ACTIVE_STORIES", 3)  # read when a clusterer is made
    clusterer = OnlineClusterer(timedelta(days=365), DEFAULT_MODEL)
    stories = [clusterer.assign(article(i, hours=i)) for i in range(len(TOPICS))]
    assert len(set(stories)) == len(TOPICS)
    assert len(clusterer.active) <= 3 + 1  # the cap applies as the clock moves on
    # The most recent stories stay active; the oldest went dormant, not away.
    assert stories[-2] in clusterer.active
    assert stories[0] in clusterer.dormant


def test_dormant_stories_are_forgotten_oldest_first(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(online, "MAX_DORMANT_STORIES", 2)
    clusterer = OnlineClusterer(timedelta(hours=1), DEFAULT_MODEL)
    stories = [clusterer.assign(article(i, hours=3 * i)) for i in range(len(TOPICS))]
    assert len(clusterer.dormant) == 2
    # The two stories that fell asleep last are the ones kept.
    assert set(clusterer.dormant) == set(stories[-3:-1])


def test_restore_keeps_at_most_the_active_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    # A full window restored whole held every story of it in full until the clock
    # moved on: twice the memory of the run it continues.
    monkeypatch.setattr(online, "MAX_ACTIVE_STORIES", 3)
    run = OnlineClusterer(timedelta(days=365), DEFAULT_MODEL)
    stories = [run.assign(article(i, hours=i)) for i in range(len(TOPICS))]
    states = {s.id: s for s in [*run.active.values(), *run.dormant.values()]}
    restored = OnlineClusterer(timedelta(days=365), DEFAULT_MODEL)
    restored.start_at(datetime(2025, 5, 1, tzinfo=UTC) + timedelta(hours=len(TOPICS)))
    sizes = []
    for story_id in stories:  # oldest first, as the store gives them
        state = states[story_id]
        restored.restore(story_id, state.centroid, set(state.keys))
        sizes.append(len(restored.active))
    assert max(sizes) == 3
    assert set(restored.active) == set(stories[-3:])
    assert set(restored.dormant) == set(stories[:-3])
    # What fell asleep during the restore is written back compacted, as in the run.
    assert set(restored.take_changes().states) >= set(stories[:-3]) - set(run.dormant)
