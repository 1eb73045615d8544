"""What only the PostgreSQL store has: addresses, per-language text search, migrations
under a lock, and writers in several processes that must not lose or double articles."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from storyline.api import create_app
from storyline.cli import app as cli_app
from storyline.config import Settings
from storyline.errors import ConfigError, StoreError
from storyline.model import Failure
from storyline.pipeline import ingest
from storyline.sources.fetch import Fetcher
from storyline.sources.files import iter_documents
from storyline.sources.watch import watch
from storyline.store import describe_address, open_store
from storyline.store.base import StoryQuery
from storyline.store.postgres import PostgresStore
from storyline.store.postgres_schema import MIGRATIONS
from tests.api_support import AUTH, TOKEN, jsonl, records
from tests.pg_support import Cluster
from tests.test_sources_fetch import fast_settings, resolver
from tests.test_sources_watch import FEED, NOW, NewsSite
from tests.test_store_contract import DAY, article, place, record


@pytest.fixture
def pg(pg_dsn: str) -> Iterator[PostgresStore]:
    store = PostgresStore(pg_dsn)
    yield store
    store.close()


def sql(dsn: str, query: str) -> list[tuple[object, ...]]:
    with psycopg.connect(dsn) as conn:
        cursor = conn.execute(query)
        return cursor.fetchall() if cursor.description else []


def test_postgres_address_is_shown_without_password(pg_cluster: Cluster) -> None:
    dsn = pg_cluster.dsn("postgres")
    shown = describe_address(dsn)
    assert pg_cluster.password not in shown
    assert shown == f"postgresql://storyline@127.0.0.1:{pg_cluster.port}/postgres"
    with pytest.raises(ConfigError, match="not a valid PostgreSQL address"):
        describe_address("postgresql://[::1")


def test_postgres_short_scheme_and_errors_name_the_database(
    pg_cluster: Cluster, pg_dsn: str
) -> None:
    short = open_store(pg_dsn.replace("postgresql://", "postgres://", 1))
    assert isinstance(short, PostgresStore)
    short.close()
    wrong = pg_dsn.replace(pg_cluster.password, "not-the-password")
    with pytest.raises(StoreError, match="cannot open database postgresql://storyline@") as caught:
        open_store(wrong)
    assert "not-the-password" not in str(caught.value)
    with pytest.raises(ConfigError, match="unsupported database address scheme 'mysql'"):
        open_store("mysql://x@y/z")


def test_postgres_migrations_race_safely(pg_dsn: str) -> None:
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def opener() -> None:
        start.wait()
        try:
            PostgresStore(pg_dsn).close()
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=opener) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    names = [r[0] for r in sql(pg_dsn, "SELECT name FROM migrations ORDER BY name")]
    assert names == [name for name, _ in MIGRATIONS]


def test_postgres_text_search_uses_each_languages_configuration(
    pg: PostgresStore, pg_dsn: str
) -> None:
    texts = {
        1: ("de", "Die Brücke über den Fluss wurde gesperrt."),
        2: ("en", "Engineers closed the bridge over the river."),
        3: ("fr", "Les élections municipales ont eu lieu dimanche."),
        4: ("es", "Las elecciones se celebraron el domingo."),
        5: ("ru", "Министр обороны прибыл в Минск."),
        6: ("und", "Zxq vlorp brücken."),
    }
    pg.write(
        [place(article(n, lang=lang, text=text), f"s{n}") for n, (lang, text) in texts.items()],
        [record(f"s{n}") for n in texts],
        [],
        [],
    )
    configs = dict(sql(pg_dsn, "SELECT id, search_config::text FROM articles ORDER BY id"))
    assert configs == {
        "a001": "storyline_german",
        "a002": "storyline_english",
        "a003": "storyline_french",
        "a004": "storyline_spanish",
        "a005": "storyline_russian",
        "a006": "storyline_simple",
    }

    def found(query: str) -> list[str]:
        return [h.article.id for h in pg.search(query)]

    # Inflected forms meet through the article's own stemmer, accents through unaccent.
    assert found("Brücken") == ["a001", "a006"]
    assert found("bridges") == ["a002"]
    assert found("élection") == found("election") == ["a003"]
    assert found("elección") == ["a004"]
    assert found("министра") == ["a005"]
    assert found("vlorp") == ["a006"] and found("vlorps") == []
    assert found("the") == []  # a stop word of English: not indexed
    with psycopg.connect(pg_dsn) as conn:
        conn.execute("SET enable_seqscan = off")  # six rows: make the planner show its index
        plan = conn.execute(
            "EXPLAIN SELECT id FROM articles "
            "WHERE search @@ plainto_tsquery('storyline_english', 'bridge')"
        ).fetchall()
    assert "articles_search" in "\n".join(str(r[0]) for r in plan)  # the GIN index


def test_postgres_stores_nul_as_replacement_character(pg: PostgresStore) -> None:
    a = article(1, title="Title\x00one", source="nul\x00.example")
    pg.write([place(a, "s1")], [record("s1")], [], [Failure("bad\x00.txt", "NUL \x00 inside")])
    stored = pg.article("a001").article
    assert (stored.title, stored.source) == ("Title\ufffdone", "nul\ufffd.example")
    assert pg.failures() == [Failure("bad\ufffd.txt", "NUL \ufffd inside")]
    assert pg.story("s1").sources == ("nul\ufffd.example",)


def test_postgres_write_skips_an_article_another_writer_stored(pg: PostgresStore) -> None:
    a, b = article(1), article(2)
    pg.write([place(a, "sa001")], [record("sa001")], [], [])
    # A second writer, started before the first wrote, opened its own story for the
    # same article and put a new one in it too.
    pg.write([place(a, "s-other"), place(b, "s-other")], [record("s-other")], [], [])
    assert pg.counts().articles == 2
    assert pg.story("sa001").article_count == 1 and pg.story("s-other").article_count == 1
    # Only articles already stored: the second writer's story would be empty, so none.
    pg.write([place(a, "s-empty")], [record("s-empty")], [], [])
    assert pg.counts().stories == 2
    assert {s.id for s in pg.story_page(_everything())} == {"sa001", "s-other"}


def test_postgres_write_follows_merges_of_another_writer(pg: PostgresStore) -> None:
    pg.write(
        [place(article(1), "s1"), place(article(2), "s2"), place(article(3), "s3")],
        [record("s1"), record("s2"), record("s3")],
        [],
        [],
    )
    pg.write([], [record("s1")], [("s2", "s1")], [])  # writer A merges s2 into s1
    later = DAY + timedelta(days=1)
    # Writer B still sees s2: its article and its state for s2 arrive late.
    pg.write([place(article(4, published=later), "s2")], [record("s2")], [], [])
    s1 = pg.story("s1")
    assert (s1.article_count, s1.last_published) == (3, later)
    assert [r.id for r in list(pg.story_states(None, 0))] == ["s1", "s3"]
    # B merges s2 (already in s1) into s3: s1 goes into s3 with everything it holds.
    pg.write([], [record("s3")], [("s2", "s3")], [])
    assert pg.story("s1").id == pg.story("s2").id == "s3"
    assert pg.story("s3").article_count == 4
    assert _invariants_broken(pg) == []


def test_postgres_concurrent_writers_in_threads(pg: PostgresStore) -> None:
    """Writers racing with overlapping batches; every article once, counts exact."""
    start = threading.Barrier(4)
    errors: list[BaseException] = []

    def writer(w: int) -> None:
        start.wait()
        try:
            for n in range(w * 5, w * 5 + 20, 2):
                batch = [article(n), article(n + 1)]
                story = f"s{n // 4}"
                pg.write([place(a, story) for a in batch], [record(story)], [], [])
                if n % 6 == 0:
                    pg.write([], [record(f"s{n // 4 + 1}")], [(story, f"s{n // 4 + 1}")], [])
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert pg.known_ids(f"a{n:03d}" for n in range(40)) == {f"a{n:03d}" for n in range(35)}
    assert _invariants_broken(pg) == []


STALE_WRITES = st.lists(
    st.tuples(
        st.lists(st.tuples(st.integers(0, 11), st.integers(0, 4)), max_size=4),
        st.lists(st.tuples(st.integers(0, 4), st.integers(0, 4)), max_size=2),
    ),
    min_size=1,
    max_size=6,
)
"""Batches as writers with stale views send them: (article, story) placements of
articles that may be stored already, and merges of stories that may be gone."""


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(STALE_WRITES)
def test_postgres_any_stale_writes_keep_the_database_consistent(
    pg: PostgresStore,
    pg_dsn: str,
    writes: list[tuple[list[tuple[int, int]], list[tuple[int, int]]]],
) -> None:
    # Each example starts from an empty database, so a failure shrinks to its cause.
    sql(pg_dsn, "TRUNCATE articles, article_names, stories, story_merges RESTART IDENTITY")
    for placed, merges in writes:
        placements = [
            place(article(n, published=DAY + timedelta(hours=n)), f"s{s}") for n, s in placed
        ]
        stories = {f"s{s}" for _, s in placed} | {f"s{new}" for _, new in merges}
        pairs = [(f"s{old}", f"s{new}") for old, new in merges]
        pg.write(placements, [record(s) for s in sorted(stories)], pairs, [])
        assert _invariants_broken(pg) == []


def _everything() -> StoryQuery:
    return StoryQuery(limit=10_000)


def _invariants_broken(store: PostgresStore) -> list[str]:
    """What is wrong with the articles and stories, as a list of problems."""
    articles = list(store.articles())
    stories = {s.id: s for s in store.story_page(_everything())}
    ids = {a.article.id for a in articles}
    problems = []
    if len(ids) != len(articles):
        problems.append("an article is stored twice")
    for a in articles:
        if a.story_id not in stories:
            problems.append(f"article {a.article.id} is in story {a.story_id}, which is missing")
        if a.duplicate_of is not None and a.duplicate_of not in ids:
            problems.append(f"article {a.article.id} copies {a.duplicate_of}, which is missing")
    for story_id, story in stories.items():
        members = [a.article for a in articles if a.story_id == story_id]
        dated = [m.published for m in members if m.published is not None]
        if not members:
            problems.append(f"story {story_id} has no articles")
        elif (
            story.article_count != len(members)
            or story.sources != tuple(sorted({m.source for m in members}))
            or story.first_published != min(dated, default=None)
            or story.last_published != max(dated, default=None)
        ):
            problems.append(f"story {story_id}: summary differs from its {len(members)} articles")
    return problems


# Eight invented events, each told six ways by different outlets; some tellings are
# wire copies of another. Written for this test.
EVENTS = [
    ("Harbour crane collapses in Marlow", "crane", "Marlow harbour", "Ina Falk", 12),
    ("Flood closes the Tessin valley road", "flood", "Tessin valley", "Ole Brandt", 30),
    ("Orchestra of Velden cancels tour", "tour", "Velden orchestra", "Mara Holm", 18),
    ("Wildfire near Carsby forces evacuation", "wildfire", "Carsby hills", "Jan Voss", 400),
    ("Rail strike halts trains in Odenby", "strike", "Odenby rail", "Lena Rask", 48),
    ("New bridge opens over the Lusk", "bridge", "Lusk river", "Per Lind", 75),
    ("Museum in Tarrow reports stolen painting", "theft", "Tarrow museum", "Eva Sund", 3),
    ("Ferry runs aground off Kessel island", "ferry", "Kessel island", "Tor Hagen", 212),
]


TELLINGS = 6
SHARED_FROM = 2  # tellings from this one on are ingested by both processes


def event_texts(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for e, (headline, word, place_name, person, number) in enumerate(EVENTS):
        for telling in range(TELLINGS):
            day = f"2024-06-{10 + e:02d}"
            body = (
                f"The {word} at {place_name} was confirmed on the {10 + e}th by {person}, "
                f"who said {number} people were affected. Officials in {place_name} "
                f"promised a full report on the {word}. {person} added that help was on "
                f"its way and that {number} people had been contacted. (Outlet {telling}.)"
            )
            if telling % 3:  # two of three tellings are rewritten, one is the wire copy
                body = (
                    f"{person} spoke about the {word} in {place_name}: {number} people are "
                    f"affected, officials said. Outlet {telling} reports the {word} led to "
                    f"closures around {place_name} on the {10 + e}th, and more news follows."
                )
            path = folder / f"event{e}-telling{telling}.txt"
            path.write_text(f"date {day}\n{headline} ({telling})\n\n{body}\n", encoding="utf-8")
            paths.append(path)
    return paths


def test_postgres_two_ingest_processes_at_once(pg_dsn: str, tmp_path: Path) -> None:
    """Two `storyline ingest` processes with overlapping inputs on one database."""
    paths = event_texts(tmp_path / "texts")
    first, second = tmp_path / "first", tmp_path / "second"
    # Per event, one process has all six tellings and the other the last four: the
    # stories the two open differ, and whichever is slower finds its own story's
    # articles stored by the other (its story would be left empty).
    for owner, folder in enumerate((first, second)):
        folder.mkdir()
        for path in paths:
            event, telling = (int(part[-1]) for part in path.stem.split("-"))
            if event % 2 == owner or telling >= SHARED_FROM:
                (folder / path.name).write_bytes(path.read_bytes())
    shared = len(EVENTS) * (TELLINGS - SHARED_FROM)
    PostgresStore(pg_dsn).close()  # the schema exists before the lock below
    # Small batches interleave the two processes' writes many times.
    env = {**os.environ, "STORYLINE_DB": pg_dsn, "STORYLINE_BATCH_SIZE": "3"}
    command = [sys.executable, "-m", "storyline", "ingest", "--json"]
    with psycopg.connect(pg_dsn) as gate:
        # Both processes wait at their first look at the articles, so both start from
        # an empty database and writes the shared texts: the race is certain.
        gate.execute("LOCK TABLE articles IN ACCESS EXCLUSIVE MODE")
        runs = [
            subprocess.Popen([*command, str(f)], env=env, stdout=subprocess.PIPE, text=True)
            for f in (first, second)
        ]
        _wait_for_waiters(pg_dsn, 2, runs)
    snapshots = _read_while_running(pg_dsn, runs)
    outputs = [run.communicate(timeout=600)[0] for run in runs]
    assert snapshots and all(total == stored for total, stored in snapshots), snapshots
    assert [run.returncode for run in runs] == [0, 0], outputs
    reports = [json.loads(output) for output in outputs]
    assert all(r["failed"] == 0 and r["already_stored"] == 0 for r in reports), reports

    # The same texts in one process into SQLite: the articles there are all the articles.
    whole = tmp_path / "whole.db"
    result = CliRunner().invoke(cli_app, ["ingest", str(tmp_path / "texts"), "--db", str(whole)])
    assert result.exit_code == 0, result.output
    reference = open_store(str(whole))
    expected = {a.article.id for a in reference.articles()}
    reference.close()
    assert sum(r["added"] + r["duplicates"] for r in reports) == len(expected) + shared

    store = PostgresStore(pg_dsn)
    try:
        stored = [a.article.id for a in store.articles()]
        assert sorted(stored) == sorted(expected)  # every article, each exactly once
        assert _invariants_broken(store) == []
        stories = store.story_page(_everything())
        assert sum(s.article_count for s in stories) == len(expected)
    finally:
        store.close()
    orphans = sql(
        pg_dsn,
        """SELECT count(*) FROM stories s
           WHERE NOT EXISTS (SELECT 1 FROM articles a WHERE a.story_id = s.id)""",
    )
    assert orphans == [(0,)]


def _read_while_running(dsn: str, runs: list[subprocess.Popen[str]]) -> list[tuple[int, int]]:
    """What a reader sees while the writers run: per snapshot, the articles the stories
    count and the articles stored (equal, since each write is one transaction)."""
    snapshots: list[tuple[int, int]] = []
    app = create_app(Settings(db=dsn))
    with TestClient(app) as client, psycopg.connect(dsn, autocommit=True) as conn:
        while any(run.poll() is None for run in runs):
            assert client.get("/api/stories").status_code == 200  # the API reads meanwhile
            row = conn.execute(
                """SELECT (SELECT COALESCE(SUM(article_count), 0) FROM stories),
                          (SELECT COUNT(*) FROM articles)"""
            ).fetchone()
            assert row is not None
            snapshots.append((int(row[0]), int(row[1])))
            time.sleep(0.2)
    return snapshots


WAIT_SECONDS = 300  # generous: two Python processes starting on a busy 2-core machine


def _wait_for_waiters(dsn: str, count: int, runs: list[subprocess.Popen[str]]) -> None:
    """Return once ``count`` sessions wait for a lock (the processes reached the gate)."""
    deadline = time.monotonic() + WAIT_SECONDS
    with psycopg.connect(dsn, autocommit=True) as conn:
        while time.monotonic() < deadline:
            if any(run.poll() is not None for run in runs):
                raise AssertionError("an ingest process ended before reaching the database")
            row = conn.execute(
                """SELECT count(*) FROM pg_stat_activity
                   WHERE datname = current_database() AND wait_event_type = 'Lock'"""
            ).fetchone()
            if row and row[0] >= count:
                return
            time.sleep(0.1)
    raise AssertionError(f"the ingest processes did not reach the database in {WAIT_SECONDS} s")


def test_postgres_cli_commands(
    pg_dsn: str, corpus: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    folder, gold = corpus
    runner = CliRunner()

    def cli(*args: str) -> object:
        result = runner.invoke(cli_app, [*args, "--db", pg_dsn, "--json"])
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    summary = cli("ingest", str(folder))
    assert summary["added"] == len(gold) and summary["stories"] == 3  # type: ignore[index]
    stories = cli("stories")
    assert isinstance(stories, list) and [s["article_count"] for s in stories] == [2, 2, 2]
    shown = cli("show", stories[0]["id"])
    assert len(shown["articles"]) == 2  # type: ignore[index]
    hits = cli("search", "satellite")
    assert isinstance(hits, list) and hits and all("Aster" in h["title"] for h in hits)
    found = cli("entity", "Sokol")
    assert isinstance(found, dict) and found["stories"], found
    again = cli("ingest", str(folder))
    assert again["added"] == 0 and again["already_stored"] == len(gold)  # type: ignore[index]
    export = tmp_path / "out.jsonl"
    result = runner.invoke(cli_app, ["export", "--out", str(export), "--db", pg_dsn])
    assert result.exit_code == 0, result.output
    assert len(export.read_text(encoding="utf-8").splitlines()) == len(gold)


def test_postgres_api_reads_and_writes(pg_dsn: str) -> None:
    app = create_app(Settings(db=pg_dsn, token=TOKEN))
    with TestClient(app) as client:  # the lifespan closes the pool at the end
        response = client.post("/api/articles", content=jsonl(records()), headers=AUTH)
        assert response.status_code == 200, response.text
        assert response.json()["added"] == 6
        listed = client.get("/api/stories").json()
        assert len(listed["items"]) == 3
        story = client.get(f"/api/stories/{listed['items'][0]['id']}")
        assert story.status_code == 200
        assert client.get("/api/stories", params={"q": "satellite"}).json()["items"]


def test_postgres_watch_keeps_feed_state(pg_dsn: str, tmp_path: Path) -> None:
    feeds = tmp_path / "feeds.txt"
    feeds.write_text(FEED + "\n")
    settings = fast_settings(pg_dsn)
    site = NewsSite()
    site.article("bridge", 0)

    def run() -> tuple[int, int]:
        store = open_store(pg_dsn)
        try:
            with Fetcher(settings, transport=site.transport(), resolver=resolver()) as fetcher:
                report = watch(feeds, store, settings, True, fetcher, clock=lambda: NOW)
            return report.added, report.entries
        finally:
            store.close()

    assert run() == (1, 1)
    site.article("bridge", 1)
    before = site.page_hits()
    assert run() == (1, 1)
    assert site.page_hits() - before == 1  # the first page is known: not fetched again
    rows = sql(pg_dsn, "SELECT status, attempts FROM feed_entries ORDER BY entry_key")
    assert rows == [("stored", 1), ("stored", 1)]


def test_postgres_times_are_utc(pg: PostgresStore) -> None:
    from zoneinfo import ZoneInfo

    berlin = datetime(2024, 3, 1, 12, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    pg.write([place(article(1, published=berlin), "s1")], [record("s1", berlin)], [], [])
    stored = pg.article("a001").article.published
    assert stored == berlin and stored is not None and stored.utcoffset() == timedelta(0)
    assert pg.story("s1").first_published == datetime(2024, 3, 1, 11, 0, tzinfo=UTC)


def test_postgres_answers_as_sqlite_does(pg_dsn: str, tmp_path: Path) -> None:
    """The same ingest into both backends: every query gives the same answer (search
    the same hits; only its ranking formula differs)."""
    event_texts(tmp_path / "texts")
    settings = Settings(db=str(tmp_path / "same.db"))
    stores = [open_store(settings.db), open_store(pg_dsn)]
    try:
        for store in stores:
            items = iter_documents([str(tmp_path / "texts")], settings)
            ingest(items, store, settings)
        lite, pg = stores
        for order in ("size", "recent"):
            query = StoryQuery(order=order, limit=100)
            assert lite.story_page(query) == pg.story_page(query)
        stories = lite.story_page(StoryQuery(limit=100))
        for story in stories:
            assert lite.story(story.id) == pg.story(story.id)
            assert lite.story_articles(story.id) == pg.story_articles(story.id)
            assert lite.publication_times(story.id) == pg.publication_times(story.id)
        assert list(lite.articles()) == list(pg.articles())
        assert lite.source_stats() == pg.source_stats() and lite.counts() == pg.counts()
        for key in ("falk", "marlow", "nobody"):
            assert lite.name_stories(key) == pg.name_stories(key)
            assert lite.name_forms(key) == pg.name_forms(key)
        for words in ("crane", "Lusk river", "wildfire Carsby", "nothing-like-this"):
            hits = [{h.article.id for h in s.search(words, limit=100)} for s in stores]
            assert hits[0] == hits[1], words
        assert list(lite.story_states(None, 100)) == list(pg.story_states(None, 100))
        assert lite.changed_stories(10, 20) == pg.changed_stories(10, 20)
    finally:
        for store in stores:
            store.close()


@pytest.mark.parametrize("order", ["size", "recent"])
def test_postgres_story_pages_read_an_index(pg: PostgresStore, pg_dsn: str, order: str) -> None:
    from storyline.store.postgres_sql import keyset

    sorted_by, _, _ = keyset(StoryQuery(order=order))
    with psycopg.connect(pg_dsn) as conn:
        conn.execute("SET enable_seqscan = off")  # an empty table: make the planner choose
        plan = conn.execute(f"EXPLAIN SELECT id FROM stories ORDER BY {sorted_by} LIMIT 50")
        text = "\n".join(str(r[0]) for r in plan.fetchall())
    assert f"stories_by_{order}" in text and "Sort" not in text, text
