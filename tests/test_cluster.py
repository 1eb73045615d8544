from __future__ import annotations

import json
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from storyline.cluster.model import DEFAULT_MODEL, article_similarity
from storyline.cluster.online import OnlineClusterer
from storyline.cluster.similarity import FEATURES, Centroid, features, vectors
from storyline.cluster.vectors import add_into, add_shared_into
from storyline.model import Article, DatePrecision, Parsed
from storyline.text.analyse import analyse
from storyline.text.translit import name_key
from tests.conftest import EVENTS


def make(origin: str, day: str, title: str, body: str, language: str = "en") -> Article:
    published = datetime.fromisoformat(day).replace(tzinfo=UTC)
    return analyse(Parsed(origin, title, body, None, None, published, DatePrecision.DAY, language))


def all_articles() -> list[tuple[str, Article]]:
    return [
        (event, make(f"{event}-{n}", *report))
        for event, reports in EVENTS.items()
        for n, report in enumerate(reports)
    ]


def test_cluster_groups_rewrites_and_separates_events() -> None:
    clusterer = OnlineClusterer(timedelta(days=30), DEFAULT_MODEL)
    items = sorted(all_articles(), key=lambda ea: ea[1].published or 0)
    assigned = {a.id: clusterer.assign(a) for _, a in items}
    by_event: dict[str, set[str]] = {}
    for event, a in items:
        by_event.setdefault(event, set()).add(assigned[a.id])
    assert all(len(stories) == 1 for stories in by_event.values())
    assert len({next(iter(s)) for s in by_event.values()}) == len(EVENTS)


def test_cluster_same_event_scores_above_different_events() -> None:
    items = all_articles()
    same = article_similarity(items[0][1], items[1][1])
    different = article_similarity(items[0][1], items[4][1])
    assert same > 2 * different


def test_cluster_story_leaves_window_and_new_story_opens() -> None:
    # Re-opening is switched off: a report after the window opens a story of its own.
    clusterer = OnlineClusterer(timedelta(days=7), replace(DEFAULT_MODEL, reopen_threshold=1.01))
    day, title, body = EVENTS["bridge"][0]
    first = clusterer.assign(make("a", day, title, body))
    later_day = (datetime.fromisoformat(day) + timedelta(days=20)).date().isoformat()
    second = clusterer.assign(make("b", later_day, title, body + " Repairs have begun."))
    assert first != second
    assert first in clusterer.dormant and second in clusterer.active


def test_cluster_reports_changed_stories_once() -> None:
    clusterer = OnlineClusterer(timedelta(days=30), DEFAULT_MODEL)
    a = make("a", *EVENTS["launch"][0])
    b = make("b", *EVENTS["launch"][1])
    story = clusterer.assign(a)
    assert clusterer.assign(b) == story
    changes = clusterer.take_changes()
    assert list(changes.states) == [story]
    assert changes.states[story].centroid.size == 2
    assert clusterer.take_changes().states == {}


def test_cluster_strong_match_reopens_a_dormant_story() -> None:
    clusterer = OnlineClusterer(timedelta(days=7), DEFAULT_MODEL)
    day, title, body = EVENTS["strike"][0]
    first = clusterer.assign(make("a", day, title, body))
    clusterer.assign(make("b", "2024-06-20", *EVENTS["launch"][0][1:]))
    assert first in clusterer.dormant
    again = clusterer.assign(make("c", "2024-06-21", title, body + " Talks resume today."))
    assert again == first and first in clusterer.active


def test_cluster_merges_stories_whose_centroids_match() -> None:
    # Joining is made impossible and merging easy, so the second report opens a
    # story of its own that the merge step then folds into the first.
    model = replace(DEFAULT_MODEL, assign_threshold=1.01, merge_threshold=0.5)
    clusterer = OnlineClusterer(timedelta(days=30), model)
    first = clusterer.assign(make("a", *EVENTS["bridge"][0]))
    second = clusterer.assign(make("b", *EVENTS["bridge"][1]))
    other = clusterer.assign(make("c", *EVENTS["launch"][0]))
    merges = clusterer.take_changes().merges
    assert len(merges) == 1 and second == clusterer.resolve(first) != other
    assert clusterer.active[second].centroid.size == 2


words = st.lists(
    st.sampled_from(
        [
            "river",
            "bridge",
            "mayor",
            "satellite",
            "orbit",
            "strike",
            "port",
            "union",
            "pay",
            "cracks",
        ]
    ),
    min_size=10,
    max_size=40,
)


@settings(max_examples=40, deadline=None)
@given(words, words)
def test_cluster_similarity_is_symmetric_and_bounded(a: list[str], b: list[str]) -> None:
    x = make("x", "2024-01-01", "", " ".join(a))
    y = make("y", "2024-01-01", "", " ".join(b))
    s = article_similarity(x, y)
    assert abs(s - article_similarity(y, x)) < 1e-9
    assert -1e-9 <= s <= 1 + 1e-9


@given(
    st.lists(
        st.dictionaries(st.text(min_size=1, max_size=6), st.floats(-10, 10), max_size=8),
        max_size=6,
    )
)
def test_cluster_shared_sums_equal_plain_sums_with_one_string_per_term(
    vectors: list[dict[str, float]],
) -> None:
    plain: dict[str, float] = {}
    shared: dict[str, float] = {}
    for v in vectors:
        add_into(plain, v)
        # The same words as new string objects, as they arrive from a worker process.
        add_shared_into(shared, {"".join(list(k)): w for k, w in v.items()})
    assert shared == plain
    for key in shared:
        assert key is sys.intern("".join(list(key)))


def test_cluster_restored_centroids_share_their_terms() -> None:
    # Two reports of one event, each the only member of a story.
    (_, a), (_, b) = all_articles()[:2]
    first, second = Centroid(), Centroid()
    first.add(vectors(a))
    second.add(vectors(b))
    restored = [Centroid.from_json(json.loads(json.dumps(c.to_json()))) for c in (first, second)]
    assert restored[0].to_json() == first.to_json()
    common = set(restored[0].parts["body"]) & set(restored[1].parts["body"])
    assert common
    ones = {k: k for k in restored[0].parts["body"]}
    assert all(ones[k] is k for k in restored[1].parts["body"] if k in common)


def _key_name_features(a: Article, b: Article) -> tuple[float, float]:
    story = Centroid()
    story.add(vectors(b))
    values = dict(zip(FEATURES, features(vectors(a), story), strict=True))
    return values["key_names"], values["story_key_names"]


def test_cluster_key_names_tell_two_events_of_one_kind_apart() -> None:
    fox = make(
        "fox",
        "2018-01-01",
        "Bears fire coach John Fox after a losing season",
        "The Chicago Bears fired head coach John Fox on Monday. Fox led the Bears for "
        "three seasons. General manager Ryan Pace said Fox was a good coach. The Bears "
        "will interview candidates this week, Pace said, and Fox thanked the players.",
    )
    arians = make(
        "arians",
        "2018-01-01",
        "Cardinals coach Bruce Arians retires after five seasons",
        "The Arizona Cardinals said head coach Bruce Arians retired on Monday. Arians led "
        "the Cardinals for five seasons. Quarterback Carson Palmer said Arians was a good "
        "coach. The Cardinals will interview candidates this week, and Arians thanked Palmer.",
    )
    rewrite = make(
        "fox-2",
        "2018-01-02",
        "Chicago dismisses John Fox",
        "John Fox is out as coach of the Chicago Bears after three seasons, the Bears "
        "announced; Ryan Pace will lead the search for a successor to Fox.",
    )
    assert _key_name_features(arians, fox) == (0.0, 0.0)
    assert _key_name_features(rewrite, fox) == (1.0, 1.0)


def test_cluster_key_names_follow_the_story_as_it_grows() -> None:
    story = Centroid()
    first = "Angela Merkel met Emmanuel Macron in Paris on Monday to talk about the budget."
    story.add(vectors(make("a", "2024-01-01", "Merkel meets Macron", first)))
    before = story.key_names()
    later = (
        "Olaf Scholz spoke in Hamburg. Scholz said the budget would pass. Scholz added that "
        "Scholz's party agreed, and Scholz thanked Scholz's coalition partners for it."
    )
    for n in range(3):
        story.add(vectors(make(f"b{n}", "2024-01-02", "Scholz speaks", later)))
    assert name_key("Scholz") not in before
    assert name_key("Scholz") in story.key_names()


@settings(max_examples=40, deadline=None)
@given(words, words)
def test_cluster_key_name_features_are_shares(a: list[str], b: list[str]) -> None:
    x = make("x", "2024-01-01", "", " ".join(a))
    y = make("y", "2024-01-01", "", " ".join(b))
    for value in _key_name_features(x, y):
        assert value in (0.0, 1 / 3, 0.5, 2 / 3, 1.0)
