"""The Spark job in local mode on a small corpus written for these tests, its import
with ``storyline load``, and the equivalence with the single-process pipeline."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from storyline.cli import app
from storyline.config import Settings
from storyline.distributed.partitions import DAY_SECONDS, context_windows, window_of
from tests.conftest import shared_path
from tests.spark_corpus import REPORTS, write_inputs

pyspark = pytest.importorskip("pyspark", reason="needs the spark extra (pip install '.[spark]')")
pq = pytest.importorskip("pyarrow.parquet", reason="needs the spark extra")

from storyline.distributed.compare import (  # noqa: E402
    agreement,
    single_process_stories,
    spark_stories,
)
from storyline.distributed.reconcile import UnionFind  # noqa: E402
from storyline.distributed.rows import (  # noqa: E402
    ARTICLE_COLUMNS,
    MEMBERSHIP_COLUMNS,
    STORY_COLUMNS,
)
from storyline.distributed.spark import LOCAL_DRIVER_MEMORY, JobReport, run, session  # noqa: E402

runner = CliRunner()

# py4j leaves its gateway sockets to the garbage collector: their ResourceWarnings
# are Spark's, not the job's.
pytestmark = [
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]

# Two days per partition over a corpus of one week: stories cross partition
# boundaries, so the context replay and the reconciliation are exercised.
WINDOW_DAYS = 2.0

# The WARC file holds three article pages; the rest are not articles.
WARC_ARTICLES = 3
WARC_SKIPPED = 4


@pytest.fixture(scope="session")
def spark() -> Iterator[pyspark.sql.SparkSession]:
    if shutil.which("java") is None:
        pytest.skip("needs a Java runtime for Spark (make test installs openjdk-17-jre-headless)")
    session_ = session("local[2]")
    yield session_
    session_.stop()


@dataclass(frozen=True)
class Job:
    inputs: list[str]
    out: Path
    report: JobReport
    events: dict[str, str]  # url -> event, for the JSONL reports


@pytest.fixture(scope="session")
def job(spark: pyspark.sql.SparkSession, tmp_path_factory: pytest.TempPathFactory) -> Job:
    folder = tmp_path_factory.mktemp("spark")
    events = write_inputs(folder / "in")
    inputs = [str(folder / "in" / "reports.jsonl"), str(folder / "in" / "pages.warc.gz")]
    out = folder / "out"
    report = run(spark, inputs, str(out), Settings(), WINDOW_DAYS, partitions=2)
    return Job(inputs, out, report, events)


def _rows(out: Path, table: str) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = pq.read_table(out / table).to_pylist()
    return rows


def test_spark_writes_every_table(job: Job) -> None:
    articles = _rows(job.out, "articles")
    assert len(articles) == len(REPORTS) + WARC_ARTICLES
    assert tuple(pq.read_schema(next((job.out / "articles").glob("*.parquet"))).names) == (
        ARTICLE_COLUMNS
    )
    assert [r["pos"] for r in articles] == sorted(r["pos"] for r in articles)
    assert len({r["id"] for r in articles}) == len(articles)
    stories = _rows(job.out, "stories")
    assert set(stories[0]) == set(STORY_COLUMNS)
    assert {r["id"] for r in stories} == {r["story_id"] for r in articles}
    for story in stories:
        members = [r for r in articles if r["story_id"] == story["id"]]
        assert story["article_count"] == len(members)
        state = json.loads(str(story["state"]))
        assert state["size"] == sum(r["duplicate_of"] is None for r in members)
    memberships = _rows(job.out, "memberships")
    assert set(memberships[0]) == set(MEMBERSHIP_COLUMNS)
    assert {(r["article_id"], r["story_id"]) for r in memberships} == {
        (r["id"], r["story_id"]) for r in articles
    }
    assert _rows(job.out, "failures") == []
    assert job.report.skipped == WARC_SKIPPED
    manifest = json.loads((job.out / "manifest.json").read_text())
    assert manifest["report"]["articles"] == len(articles)


def test_spark_links_copies_to_their_earliest_original(job: Job) -> None:
    articles = {str(r["url"]): r for r in _rows(job.out, "articles")}
    original = articles["https://courier.example/bridge/0"]
    reprint = articles["https://wire-reprint.example/bridge/2"]
    assert original["duplicate_of"] is None
    assert reprint["duplicate_of"] == original["id"]
    by_id = {r["id"]: r for r in articles.values()}
    copies = [r for r in articles.values() if r["duplicate_of"] is not None]
    assert job.report.copies == len(copies) >= 2
    for copy in copies:
        source = by_id[copy["duplicate_of"]]
        assert source["duplicate_of"] is None  # a copy of a copy points at the first text
        assert int(str(source["pos"])) < int(str(copy["pos"]))
        assert source["story_id"] == copy["story_id"]
    # Rewrites of one event are not copies.
    assert articles["https://daily.example/bridge/1"]["duplicate_of"] is None


def test_spark_stories_match_the_single_process_pipeline(job: Job) -> None:
    single = single_process_stories(job.inputs, Settings())
    spark = spark_stories(job.out)
    assert single.keys() == spark.keys()

    def groups(stories: dict[str, str]) -> set[frozenset[str]]:
        found: dict[str, set[str]] = {}
        for article, story in stories.items():
            found.setdefault(story, set()).add(article)
        return {frozenset(g) for g in found.values()}

    assert groups(spark) == groups(single)
    assert agreement(single, spark).bcubed_f1 == 1.0
    # The corpus crosses windows and languages: the match is not a single partition's.
    assert job.report.partitions > 2
    assert job.report.context_links > 0
    assert job.report.centroid_links > 0


def test_spark_story_spans_languages(job: Job) -> None:
    articles = [r for r in _rows(job.out, "articles") if "/flood/" in str(r["url"])]
    assert {r["language"] for r in articles} == {"de", "en"}
    assert len({r["story_id"] for r in articles}) == 1


def test_load_imports_into_a_working_database(job: Job, db_address: str) -> None:
    result = runner.invoke(app, ["load", str(job.out), "--db", db_address, "--json"])
    assert result.exit_code == 0, result.output
    loaded = json.loads(result.stdout)
    articles = _rows(job.out, "articles")
    assert loaded["articles"] == len(articles)
    assert loaded["stories"] == len(_rows(job.out, "stories"))

    listed = runner.invoke(app, ["stories", "--db", db_address, "--json", "--limit", "50"])
    assert listed.exit_code == 0, listed.output
    stories = {s["id"]: s for s in json.loads(listed.stdout)}
    expected: dict[str, int] = {}
    for row in articles:
        expected[str(row["story_id"])] = expected.get(str(row["story_id"]), 0) + 1
    assert {k: s["article_count"] for k, s in stories.items()} == expected

    bridge = next(str(r["story_id"]) for r in articles if "/bridge/" in str(r["url"]))
    shown = runner.invoke(app, ["show", bridge, "--db", db_address, "--json"])
    assert shown.exit_code == 0, shown.output
    assert "Kalinov" in shown.stdout

    again = runner.invoke(app, ["load", str(job.out), "--db", db_address, "--json"])
    assert json.loads(again.stdout) == {
        "articles": 0,
        "already_stored": len(articles),
        "stories": loaded["stories"],
        "failures": 0,
    }


def test_spark_module_runs_as_the_cli_command() -> None:
    # What spark-submit and python -m run: the same options as `storyline spark`.
    done = subprocess.run(
        [sys.executable, "-m", "storyline.distributed.spark", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    for option in ("--out", "--partitions", "--window-days", "--master"):
        assert option in done.stdout


def test_load_refuses_a_folder_without_manifest(tmp_path: Path) -> None:
    result = runner.invoke(app, ["load", str(tmp_path), "--db", str(tmp_path / "x.db")])
    assert result.exit_code != 0
    assert "manifest.json" in str(result.exception) + result.output


@given(
    st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30)), max_size=60),
    st.permutations(list(range(31))),
)
def test_union_find_roots_are_earliest_of_each_component(
    edges: list[tuple[int, int]], order: list[int]
) -> None:
    nodes = [f"p{i}" for i in range(31)]
    rank = {f"p{i}": (order[i], f"p{i}") for i in range(31)}
    components = UnionFind(rank)
    for a, b in edges:
        components.union(f"p{a}", f"p{b}")
    # Reference: components by repeated relabelling.
    label = {n: n for n in nodes}
    changed = True
    while changed:
        changed = False
        for a, b in edges:
            la, lb = label[f"p{a}"], label[f"p{b}"]
            if la != lb:
                low = min(la, lb, key=lambda n: rank[n])
                for n in nodes:
                    if label[n] in (la, lb) and label[n] != low:
                        label[n] = low
                        changed = True
    for node in nodes:
        members = [n for n in nodes if label[n] == label[node]]
        assert components.find(node) == min(members, key=lambda n: rank[n])


@given(
    st.floats(0, 2e9, allow_nan=False),
    st.floats(1, 60, allow_nan=False),
    st.floats(0, 90, allow_nan=False),
)
def test_context_windows_cover_exactly_the_context_span(
    moment: float, window: float, context: float
) -> None:
    found = context_windows(moment, window, context)
    own = window_of(moment, window)
    assert all(w > own for w in found)
    for w in range(own + 1, own + 2 + int(context // window) + 1):
        start = w * window * DAY_SECONDS
        assert (w in found) == (start - context * DAY_SECONDS <= moment < start)


@pytest.mark.shared
def test_spark_matches_single_process_on_the_evaluation_corpus(
    spark: pyspark.sql.SparkSession, tmp_path: Path
) -> None:
    from storyline.evaluate import cluster_scores, read_gold_clusters

    folder = shared_path("data", "giveme5w1h_news_cluster", "data")
    settings = Settings()
    run(spark, [str(folder)], str(tmp_path), settings)
    spark_story = spark_stories(tmp_path)
    single = single_process_stories([str(folder)], settings)
    assert agreement(single, spark_story).bcubed_f1 >= 0.98
    gold = {g.path.name: g.event for g in read_gold_clusters(folder)}
    origin = {r["id"]: Path(str(r["origin"])).name for r in _rows(tmp_path, "articles")}
    ids = sorted(origin)
    labels = [gold[origin[a]] for a in ids]
    single_f1 = cluster_scores(labels, [single[a] for a in ids]).bcubed_f1
    spark_f1 = cluster_scores(labels, [spark_story[a] for a in ids]).bcubed_f1
    assert abs(spark_f1 - single_f1) <= 0.01


def test_spark_local_session_gets_a_heap_for_archives(spark: pyspark.sql.SparkSession) -> None:
    # Every task of local mode runs in this one JVM; Spark's 1 GB default ran out of
    # heap at 30,000 articles.
    assert spark.sparkContext.getConf().get("spark.driver.memory") == LOCAL_DRIVER_MEMORY
