"""The ``Store`` contract: every backend (SQLite, PostgreSQL) behaves the same.

Each test runs once per backend on a new, empty database (``db_address`` in
conftest.py); the PostgreSQL runs use the throw-away cluster of tests/pg_support.py.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storyline.errors import NotFound
from storyline.model import Article, DatePrecision, Failure, Features
from storyline.sources.feed_state import EntryOutcome, EntryStatus
from storyline.sources.watch import feed_state
from storyline.store import Store, open_store
from storyline.store.base import Placement, StoryFilter, StoryQuery, StoryRecord, story_sort_key

DAY = datetime(2024, 3, 1, tzinfo=UTC)
BODY = "Some words about an event in a town."
# Where each backend computes story summaries; failure injection patches it there.
SUMMARY_MODULES = {
    "SQLiteStore": "storyline.store.sqlite",
    "PostgresStore": "storyline.store.postgres_write",
}


def article(
    n: int,
    *,
    text: str = BODY,
    title: str | None = None,
    lang: str = "en",
    source: str | None = None,
    published: datetime | None = DAY,
    names: tuple[tuple[str, int], ...] = (("town", 1),),
    forms: tuple[tuple[str, str, str], ...] = (),
) -> Article:
    return Article(
        id=f"a{n:03d}",
        origin=f"file{n}.txt",
        url=f"https://example.com/{n}",
        source=source or ("example.com" if n % 2 else "example.org"),
        title=title or f"Title {n}",
        text=text,
        published=published,
        date_precision=DatePrecision.DAY if published else None,
        language=lang,
        agencies=("dpa",),
        authors=("A. Writer",),
        fingerprint=f"fp{n}",
        features=Features((("title", 1),), (("event", 2),), names, ("3",), name_forms=forms),
    )


def record(story_id: str, last_seen: datetime | None = DAY) -> StoryRecord:
    state = '{"parts": {"title": [["title", 1.0]]}, "languages": ["en"], "size": 1}'
    return StoryRecord(story_id, state, ("title",), last_seen, False)


def place(a: Article, story_id: str, duplicate_of: str | None = None) -> Placement:
    return Placement(a, story_id, duplicate_of, bytes([len(a.id)]) * 8)


@pytest.fixture
def store(db_address: str) -> Iterator[Store]:
    db = open_store(db_address)
    yield db
    db.close()


def test_contract_round_trips_articles_stories_and_failures(store: Store) -> None:
    a, b = article(1), article(2, lang="de", published=DAY + timedelta(hours=5))
    store.write(
        [place(a, "s1"), place(b, "s1", duplicate_of="a001")],
        [record("s1")],
        [],
        [Failure("bad.txt", "empty"), Failure("worse.txt", "binary")],
    )
    assert store.known_ids(["a001", "a002", "a003"]) == {"a001", "a002"}
    assert store.known_ids([]) == set()
    members = store.story_articles("s1")
    assert [m.article for m in members] == [a, b]
    assert [m.duplicate_of for m in members] == [None, "a001"]
    assert all(m.story_id == "s1" for m in members)
    assert store.article("a002") == members[1]
    summary = store.story("s1")
    assert (summary.article_count, summary.source_count, summary.headline) == (2, 1, "Title 1")
    assert summary.sources == ("example.com", "example.org")
    assert summary.languages == ("de", "en")
    assert (summary.first_published, summary.last_published) == (a.published, b.published)
    assert store.failures() == [Failure("bad.txt", "empty"), Failure("worse.txt", "binary")]
    assert [s.article for s in store.articles()] == [a, b]


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    title=st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), min_size=1),
    text=st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), min_size=1),
    hours=st.one_of(st.none(), st.integers(-10_000, 10_000)),
)
def test_contract_article_fields_round_trip(
    store: Store, title: str, text: str, hours: int | None
) -> None:
    n = store.counts().articles + 1
    published = None if hours is None else DAY + timedelta(hours=hours, microseconds=n)
    a = article(n, title=title, text=text, published=published)
    store.write([place(a, f"s{n}")], [record(f"s{n}")], [], [])
    assert store.article(a.id).article == a


def test_contract_merge_moves_articles_and_old_ids_resolve(store: Store) -> None:
    a, b, c = article(1), article(2), article(3, published=None)
    store.write(
        [place(a, "s1"), place(b, "s2"), place(c, "s3")],
        [record("s1"), record("s2"), record("s3")],
        [],
        [],
    )
    store.write([], [record("s2")], [("s3", "s2")], [])
    store.write([], [record("s1")], [("s2", "s1")], [])
    for old in ("s1", "s2", "s3"):
        assert store.story(old).id == "s1"
        assert [m.article.id for m in store.story_articles(old)] == ["a001", "a002", "a003"]
    assert store.story("s1").article_count == 3
    assert store.publication_times("s3") == [None, DAY, DAY]
    assert [s.id for s in store.stories(StoryFilter())] == ["s1"]
    assert store.counts().stories == 1


def test_contract_merge_in_the_same_batch_as_new_articles(store: Store) -> None:
    store.write([place(article(1), "s1")], [record("s1")], [], [])
    later = DAY + timedelta(days=1)
    store.write(
        [place(article(2, published=later), "s2")], [record("s1", later)], [("s2", "s1")], []
    )
    s = store.story("s2")
    assert (s.id, s.article_count, s.last_published) == ("s1", 2, later)
    assert {m.story_id for m in store.story_articles("s1")} == {"s1"}


def test_contract_merged_summaries_combine_without_reading_every_member(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two stories of several batches each, then merges (one through a chain, one in the
    # batch that adds articles): the summary is that of all members, yet no member
    # list is read, so a merge into a large story costs what one into a small one does.
    later = DAY + timedelta(days=2)
    first = [article(n, source=f"src{n}.example") for n in (1, 2)]
    second = [article(n, lang="de", published=DAY + timedelta(days=1)) for n in (3, 4)]
    store.write(
        [place(first[0], "s1"), place(second[0], "s2")], [record("s1"), record("s2")], [], []
    )
    store.write(
        [place(first[1], "s1"), place(second[1], "s2", "a003")],
        [record("s1"), record("s2")],
        [],
        [],
    )
    store.write([place(article(5, title="Title 5 flood"), "s3")], [record("s3")], [], [])
    module = importlib.import_module(SUMMARY_MODULES[type(store).__name__])
    members = module.summarise

    def only_new(story_id: str, brief: list, centroid: dict) -> object:  # type: ignore[type-arg]
        assert story_id not in {"s1", "s2", "s3"}, f"{story_id} was recomputed from members"
        return members(story_id, brief, centroid)

    monkeypatch.setattr(module, "summarise", only_new)
    store.write(
        [place(article(6, published=later, source="src6.example"), "s2")],
        [record("s1", later)],
        [("s3", "s2"), ("s2", "s1")],
        [],
    )
    s = store.story("s3")
    assert (s.id, s.article_count) == ("s1", 6)
    assert (s.first_published, s.last_published) == (DAY, later)
    assert s.languages == ("de", "en")
    assert s.sources == tuple(
        sorted({"src1.example", "src2.example", "src6.example", "example.com", "example.org"})
    )
    # A copy does not count: a004 (example.org) copies a003 (example.com, as a005).
    assert s.source_count == 4
    assert s.headline in {"Title 1", "Title 3", "Title 5 flood"}
    assert store.counts().stories == 1


def test_contract_summary_extended_batch_by_batch_equals_one_batch(store: Store) -> None:
    articles = [
        article(
            n,
            title=f"Title {n} " + "flood " * (n % 3),
            source=f"src{n % 3}.example",
            lang="en" if n % 4 else "fr",
            published=DAY + timedelta(hours=7 * n) if n % 5 else None,
        )
        for n in range(1, 13)
    ]
    for start in range(0, len(articles), 5):
        batch = articles[start : start + 5]
        store.write(
            [place(a, "s1", "a001" if a.id == "a004" else None) for a in batch],
            [record("s1")],
            [],
            [],
        )
    # The same members in one batch, under other ids: the summary is the same.
    renamed = [replace(a, id=f"b{a.id}") for a in articles]
    store.write(
        [place(a, "t1", "ba001" if a.id == "ba004" else None) for a in renamed],
        [record("t1")],
        [],
        [],
    )
    incremental, whole = store.story("s1"), store.story("t1")
    assert replace(whole, id="s1") == incremental
    assert (incremental.article_count, incremental.source_count) == (12, 3)
    assert incremental.languages == ("en", "fr")


def test_contract_unknown_ids_are_not_found(store: Store) -> None:
    with pytest.raises(NotFound, match="no story"):
        store.story("missing")
    with pytest.raises(NotFound, match="no article"):
        store.article("missing")
    assert store.story_articles("missing") == []
    assert store.publication_times("missing") == []


def test_contract_failed_write_leaves_database_unchanged(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.write([place(article(1), "s1")], [record("s1")], [], [])
    before = (store.counts(), store.story("s1"))

    def broken(*args: object) -> None:
        raise RuntimeError("interrupted")

    module = importlib.import_module(SUMMARY_MODULES[type(store).__name__])
    monkeypatch.setattr(module, "summarise", broken)
    with pytest.raises(RuntimeError, match="interrupted"):
        store.write([place(article(2), "s2")], [record("s2")], [], [Failure("x", "y")])
    assert (store.counts(), store.story("s1")) == before
    assert store.known_ids(["a002"]) == set() and store.failures() == []
    assert store.search("Title") and {h.article.id for h in store.search("Title")} == {"a001"}


def test_contract_story_states_window_and_dormant_limit(store: Store) -> None:
    days = {
        "s1": DAY,
        "s2": DAY + timedelta(days=1),
        "s3": DAY + timedelta(days=2),
        "s4": DAY + timedelta(days=3),
        "s5": None,
    }
    store.write(
        [place(article(n), sid) for n, sid in enumerate(days, 1)],
        [record(sid, seen) for sid, seen in days.items()],
        [],
        [],
    )
    everything = list(store.story_states(None, 0))
    assert [r.id for r in everything] == ["s5", "s1", "s2", "s3", "s4"]
    assert everything[1] == record("s1", DAY)
    since = DAY + timedelta(days=2)
    assert [r.id for r in list(store.story_states(since, 1))] == ["s2", "s5", "s3", "s4"]
    assert [r.id for r in list(store.story_states(since, 0))] == ["s5", "s3", "s4"]
    store.write([], [replace(record("s4", days["s4"]), dormant=True, keys=("a", "b"))], [], [])
    s4 = list(store.story_states(since, 0))[-1]
    assert (s4.dormant, s4.keys) == (True, ("a", "b"))


def test_contract_signatures_are_originals_since_a_time(store: Store) -> None:
    early, late = article(1, published=DAY), article(2, published=DAY + timedelta(days=5))
    undated, copy = article(3, published=None), article(4, published=DAY + timedelta(days=6))
    store.write(
        [place(late, "s1"), place(early, "s2"), place(undated, "s3"), place(copy, "s1", "a002")],
        [record("s1"), record("s2"), record("s3")],
        [],
        [],
    )
    every = list(store.signatures(None))
    assert [s.article_id for s in every] == ["a002", "a001", "a003"]
    assert every[0].signature == place(late, "s1").signature
    assert (every[0].fingerprint, every[0].published, every[0].story_id) == (
        "fp2",
        late.published,
        "s1",
    )
    recent = store.signatures(DAY + timedelta(days=1))
    assert [s.article_id for s in recent] == ["a002", "a003"]


def test_contract_stories_filter_and_order(store: Store) -> None:
    store.write(
        [
            place(article(1, lang="de", source="one.example"), "s1"),
            place(article(2, source="two.example", published=DAY + timedelta(days=2)), "s2"),
            place(article(3, source="two.example", published=None), "s3"),
            place(article(4, source="one.example", published=DAY + timedelta(days=1)), "s1"),
        ],
        [record("s1"), record("s2"), record("s3")],
        [],
        [],
    )
    assert [s.id for s in store.stories(StoryFilter())] == ["s1", "s2", "s3"]
    assert [s.id for s in store.stories(StoryFilter(limit=2))] == ["s1", "s2"]
    assert [s.id for s in store.stories(StoryFilter(language="de"))] == ["s1"]
    assert [s.id for s in store.stories(StoryFilter(source="two.example"))] == ["s2", "s3"]
    since = StoryFilter(since=DAY + timedelta(days=1, hours=1))
    assert [s.id for s in store.stories(since)] == ["s2"]
    assert store.stories(StoryFilter(source="nowhere.example")) == []


def test_contract_publication_times_oldest_first(store: Store) -> None:
    times = [DAY + timedelta(days=3), None, DAY, DAY + timedelta(hours=1)]
    store.write(
        [place(article(n, published=t), "s1") for n, t in enumerate(times, 1)],
        [record("s1")],
        [],
        [],
    )
    assert store.publication_times("s1") == [
        None,
        DAY,
        DAY + timedelta(hours=1),
        DAY + timedelta(days=3),
    ]
    assert [m.article.published for m in store.story_articles("s1")] == [
        DAY,
        DAY + timedelta(hours=1),
        DAY + timedelta(days=3),
        None,
    ]


def test_contract_search_words_accents_case_and_rank(store: Store) -> None:
    store.write(
        [
            place(
                article(1, title="Flood in Zürich", text="Rivers rose in Zürich overnight."), "s1"
            ),
            place(article(2, title="Budget vote", text="The council met after the flood."), "s2"),
            place(article(3, title="Weather report", text="Sunny skies over Geneva."), "s3"),
        ],
        [record("s1"), record("s2"), record("s3")],
        [],
        [],
    )
    assert [h.article.id for h in store.search("flood")] == ["a001", "a002"]
    assert [h.article.id for h in store.search("FLOOD zurich")] == ["a001"]
    assert [h.article.id for h in store.search("Zürich")] == ["a001"]
    assert [h.article.id for h in store.search("flood Geneva")] == []
    assert len(store.search("flood", limit=1)) == 1
    assert store.search("") == [] and store.search("?! ...") == []
    assert store.search("council") and store.search("council")[0].story_id == "s2"


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=60))
def test_contract_search_never_fails_on_user_text(store: Store, query: str) -> None:
    assert isinstance(store.search(query), list)
    assert isinstance(store.story_page(StoryQuery(text=query)), list)


def test_contract_names_stories_and_forms(store: Store) -> None:
    sokol = ("sokol", 2)
    store.write(
        [
            place(article(1, names=(sokol,), forms=(("sokol", "Marta Sokol", "person"),)), "s1"),
            place(article(2, names=(("sokol", 1),), forms=(("sokol", "Sokol", "person"),)), "s1"),
            place(article(3, names=(("sokol", 1), ("elling", 1))), "s2"),
        ],
        [record("s1"), record("s2")],
        [],
        [],
    )
    ranked = store.name_stories("sokol")
    assert [(s.id, mentions) for s, mentions in ranked] == [("s1", 3), ("s2", 1)]
    assert [s.id for s, _ in store.name_stories("sokol", limit=1)] == ["s1"]
    assert store.name_forms("sokol") == [
        ("Marta Sokol", "person", 2),
        ("Sokol", "person", 1),
        ("sokol", "other", 1),
    ]
    assert store.name_stories("nobody") == [] and store.name_forms("nobody") == []


def _many_stories(store: Store) -> None:
    # Ties in size and in time, and undated stories, so the id decides some places.
    placements, states = [], []
    n = 0
    for s in range(9):
        for _ in range(1 + s % 3):
            n += 1
            published = None if s in (4, 7) else DAY + timedelta(days=s % 2)
            lang = "de" if s % 2 else "en"
            placements.append(
                place(
                    article(
                        n,
                        published=published,
                        lang=lang,
                        source=f"src{s % 4}.example",
                        names=((f"name{s % 3}", 1),),
                        text=f"Story number{s} words.",
                    ),
                    f"s{s}",
                )
            )
        states.append(record(f"s{s}"))
    store.write(placements, states, [], [])


@pytest.mark.parametrize("order", ["size", "recent"])
def test_contract_story_page_keyset_covers_every_story_once(store: Store, order: str) -> None:
    _many_stories(store)
    everything = store.story_page(StoryQuery(order=order, limit=100))
    assert len(everything) == 9
    keys = [story_sort_key(s, order) for s in everything]
    for a, b in pairwise(keys):
        assert a[:-1] > b[:-1] or (a[:-1] == b[:-1] and a[-1] < b[-1])
    for size in (1, 2, 4):
        seen, after = [], None
        while True:
            page = store.story_page(StoryQuery(order=order, limit=size, after=after))
            seen += page
            if len(page) < size:
                break
            after = story_sort_key(page[-1], order)
        assert [s.id for s in seen] == [s.id for s in everything]


def test_contract_story_page_filters(store: Store) -> None:
    _many_stories(store)

    def ids(**where: object) -> list[str]:
        page = store.story_page(StoryQuery(limit=100, **where))  # type: ignore[arg-type]
        return sorted(s.id for s in page)

    assert ids(text="number3") == ["s3"] and ids(text="?!") == []
    assert ids(text="story words") == [f"s{s}" for s in range(9)]
    assert ids(name_key="name1") == ["s1", "s4", "s7"] and ids(name_key="nobody") == []
    assert ids(language="de") == ["s1", "s3", "s5", "s7"]
    assert ids(source="src0.example") == ["s0", "s4", "s8"]
    assert ids(since=DAY + timedelta(hours=1)) == ["s1", "s3", "s5"]
    assert ids(until=DAY) == ["s0", "s2", "s6", "s8"]
    assert ids(language="de", since=DAY + timedelta(hours=1), text="number5") == ["s5"]


def test_contract_source_stats(store: Store) -> None:
    store.write(
        [
            place(article(1, source="a.example", published=DAY), "s1"),
            place(article(2, source="a.example", published=DAY + timedelta(days=2)), "s2"),
            place(article(3, source="a.example", published=None), "s2"),
            place(article(4, source="b.example"), "s1"),
        ],
        [record("s1"), record("s2")],
        [],
        [],
    )
    stats = store.source_stats()
    assert [(s.source, s.articles, s.stories) for s in stats] == [
        ("a.example", 3, 2),
        ("b.example", 1, 1),
    ]
    assert (stats[0].first, stats[0].last) == (DAY, DAY + timedelta(days=2))
    assert [s.source for s in store.source_stats("b.example")] == ["b.example"]
    assert store.source_stats("nobody") == []


def test_contract_counts_and_changed_stories(store: Store) -> None:
    empty = store.counts()
    assert (empty.articles, empty.stories, empty.failures, empty.last_seq) == (0, 0, 0, 0)
    assert store.changed_stories(0, 10) == (0, [])
    store.write(
        [place(article(1), "s1"), place(article(2), "s2")],
        [record("s1"), record("s2")],
        [],
        [Failure("x", "y")],
    )
    first = store.counts()
    assert (first.articles, first.stories, first.failures) == (2, 2, 1)
    store.write([place(article(3), "s1")], [record("s1")], [], [])
    last = store.counts().last_seq
    assert last > first.last_seq
    seq, changed = store.changed_stories(first.last_seq, 10)
    assert (seq, changed) == (last, ["s1"])
    assert store.changed_stories(last, 10) == (last, [])
    seq, changed = store.changed_stories(0, 1)  # bounded: the rest comes next time
    assert changed == ["s1"] and 0 < seq < last
    store.write([], [record("s1")], [("s2", "s1")], [])
    assert store.changed_stories(0, 10)[1] == ["s1"]  # current ids only


def test_contract_reopening_keeps_data_and_migrates_once(db_address: str) -> None:
    first = open_store(db_address)
    first.write([place(article(1), "s1")], [record("s1")], [], [])
    first.close()
    again = open_store(db_address)
    try:
        assert again.known_ids(["a001"]) == {"a001"} and again.story("s1").article_count == 1
    finally:
        again.close()


def test_contract_feed_state_in_the_store(store: Store) -> None:
    state = feed_state(store)
    url = "https://news.example/rss"
    assert state.feed(url).failures == 0 and state.next_polls([url]) == {url: 0.0}
    state.record_success(url, '"v1"', "Thu, 02 May 2024 08:00:00 GMT", 100.0)
    assert (state.feed(url).etag, state.feed(url).next_poll) == ('"v1"', 100.0)
    assert state.record_failure(url, "HTTP 503", 200.0) == 1
    assert state.record_failure(url, "HTTP 503", 300.0) == 2
    row = state.feed(url)
    assert (row.etag, row.failures, row.last_error) == ('"v1"', 2, "HTTP 503")
    state.record_not_modified(url, 400.0)
    assert state.failures(url) == 0
    state.record_entries(
        url,
        [
            EntryOutcome("k1", "https://news.example/1", EntryStatus.STORED),
            EntryOutcome("k2", "https://news.example/2", EntryStatus.RETRY, "timeout"),
        ],
    )
    state.record_entries(url, [EntryOutcome("k2", "https://news.example/2", EntryStatus.RETRY)])
    assert state.attempts(url, "k2") == 2 and state.attempts(url, "k1") == 1
    assert state.is_seen(url, "k1", "https://news.example/1")
    assert state.is_seen("https://other.example/rss", "x", "https://news.example/1")
    assert not state.is_seen(url, "k2", "https://news.example/2")
    assert state.entry_counts(url) == {"stored": 1, "retry": 1}
