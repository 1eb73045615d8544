"""The Spark job: files in, Parquet of articles, stories and memberships out.

Run it as ``storyline spark INPUT... --out DIR``, ``python -m
storyline.distributed.spark INPUT... --out DIR``, or hand this file to
``spark-submit`` (with the ``storyline`` package installed on every node).

Stages, each distributed: read files (tasks of files of about equal size) -> parse ->
learn boilerplate per source -> clean and analyse per article -> MinHash -> publication
order -> near-duplicates (``duplicates``) -> clustering per (language, time window)
partition (``partitions``) -> reconciliation across partitions (``reconcile``) -> story
states -> Parquet. ``docs/scaling.md`` explains what is exact and what is approximate.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from pyspark import SparkConf, StorageLevel
from pyspark.rdd import RDD
from pyspark.sql import DataFrame, Row, SparkSession, Window
from pyspark.sql import functions as F

from storyline.cluster.model import load_model
from storyline.cluster.online import OnlineClusterer
from storyline.cluster.similarity import Centroid, vectors
from storyline.config import Settings
from storyline.distributed.duplicates import find_copies
from storyline.distributed.partitions import (
    DAY_SECONDS,
    ClusterInput,
    Member,
    StoryPiece,
    cluster_partitions,
    context_windows,
    partition_label,
    window_of,
)
from storyline.distributed.reconcile import UnionFind, candidate_pairs, context_links, linked
from storyline.distributed.rows import (
    ARTICLE_COLUMNS,
    FORMAT,
    MANIFEST,
    MEMBERSHIP_COLUMNS,
    article_from_parquet,
    article_row,
)
from storyline.distributed.stages import (
    Prepared,
    band_keys,
    epoch,
    expand_inputs,
    file_groups,
    learn_source,
    merge_learned,
    parse_item,
    prepare_item,
    read_files,
    source_text,
)
from storyline.model import Failure, Parsed
from storyline.store.base import to_iso

# Shuffle partitions per core: a few per core evens out uneven tasks (one long
# article file, one busy partition) without drowning small runs in task overhead.
TASKS_PER_CORE = 3

T = TypeVar("T", RDD[Any], DataFrame)

# What the per-article stage hands to the DataFrame stages: an ``articles`` row
# (rows.ARTICLE_COLUMNS without pos, story and copy link) and working columns.
PREPARED_SCHEMA = (
    "id string, origin string, url string, source string, title string, "
    "text string, published string, date_precision string, language string, "
    "agencies array<string>, authors array<string>, fingerprint string, features string, "
    "signature binary, file_no long, item_no long, epoch double, bands array<binary>, "
    "dense array<double>"
)
STORIES_SCHEMA = (
    "id string, state string, keys array<string>, last_seen string, dormant boolean, "
    "article_count int, first_published string, languages array<string>, "
    "partitions array<string>"
)
FAILURE_SCHEMA = "origin string, reason string"
PIECES_SCHEMA = (
    "id string, partition string, language string, window long, first_pos long, "
    "first_article string, last_epoch double, state string, keys array<string>"
)
MEMBERS_SCHEMA = "article_id string, story string, owned boolean, partition string"


@dataclass(slots=True)
class JobReport:
    """What one run did; printed by the CLI and written to the manifest."""

    files: int = 0
    articles: int = 0
    copies: int = 0
    already_seen: int = 0
    failed: int = 0
    skipped: int = 0
    stories: int = 0
    partitions: int = 0
    pieces: int = 0
    context_links: int = 0
    centroid_links: int = 0
    seconds: float = 0.0
    stage_seconds: dict[str, float] = field(default_factory=dict)


# Heap of the one JVM that runs every task in local mode, unless spark-submit's
# --driver-memory says otherwise: Spark's default (1 GB) ran out at 30,000 articles.
LOCAL_DRIVER_MEMORY = "4g"


def session(master: str | None = None, driver_memory: str | None = None) -> SparkSession:
    """A SparkSession: the given master, else spark-submit's, else all local cores. A
    local master's JVM gets ``driver_memory`` of heap (default ``LOCAL_DRIVER_MEMORY``)."""
    # The executors must run this interpreter, where storyline is installed.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder = SparkSession.builder.appName("storyline")
    if master is None and not SparkConf().contains("spark.master"):
        master = "local[*]"
    if master is not None:
        builder = builder.master(master)
        if master.startswith("local"):
            builder = builder.config("spark.ui.enabled", "false")
            if not SparkConf().contains("spark.driver.memory"):
                heap = driver_memory or LOCAL_DRIVER_MEMORY
                builder = builder.config("spark.driver.memory", heap)
    return builder.config("spark.ui.showConsoleProgress", "false").getOrCreate()


def run(
    spark: SparkSession,
    inputs: Sequence[str],
    out: str,
    settings: Settings,
    window_days: float | None = None,
    partitions: int | None = None,
) -> JobReport:
    """Run the job over ``inputs`` and write the Parquet tables to ``out``."""
    started = time.perf_counter()
    report = JobReport()
    clock = _Clock(report)
    sc = spark.sparkContext
    tasks = partitions or sc.defaultParallelism * TASKS_PER_CORE
    # Joins and sorts of DataFrames split into this many tasks too (Spark's default,
    # 200, costs a Python worker round trip per task even on a tiny input).
    spark.conf.set("spark.sql.shuffle.partitions", str(tasks))
    window = window_days or settings.story_window_days
    context = settings.story_window_days
    cached: list[RDD[Any] | DataFrame] = []

    def keep(data: T) -> T:
        cached.append(data.persist(StorageLevel.MEMORY_AND_DISK))
        return data

    files, missing = expand_inputs(inputs)
    report.files = len(files)
    groups = file_groups(files, tasks)
    read = keep(
        sc.parallelize(groups, max(1, len(groups))).flatMap(lambda task: read_files(task, settings))
    )
    report.skipped = read.filter(lambda r: r.skipped).count()
    parsed = keep(read.filter(lambda r: r.document is not None).repartition(tasks).map(parse_item))
    good = parsed.filter(lambda sp: isinstance(sp[1], Parsed))
    learned = merge_learned(
        good.map(lambda sp: source_text(_parsed(sp[1])))
        .groupByKey(tasks)
        .map(lambda kv: learn_source(kv[0], kv[1]))
        .collect()
    )
    clock.lap("read, parse, learn")

    shared = sc.broadcast(learned)
    threshold = settings.duplicate_threshold
    prepared = keep(
        good.map(lambda sp: prepare_item(sp[0], _parsed(sp[1]), shared.value, settings))
    )
    failures = (
        read.filter(lambda r: r.failure is not None and not r.skipped)
        .map(lambda r: r.failure)
        .union(parsed.filter(lambda sp: isinstance(sp[1], Failure)).map(lambda sp: sp[1]))
        .union(prepared.filter(lambda p: isinstance(p, Failure)))
    )
    rows = spark.createDataFrame(
        prepared.filter(lambda p: isinstance(p, Prepared)).map(
            lambda p: _prepared_row(p, threshold)
        ),
        PREPARED_SCHEMA,
    )
    # A second copy of one URL is the same article: the first in input order stays.
    first = Window.partitionBy("id").orderBy("file_no", "item_no")
    unique = rows.withColumn("n", F.row_number().over(first)).filter("n = 1").drop("n")
    # Increasing (not consecutive) positions in publication order, fixed once computed.
    ordered = keep(
        unique.orderBy(F.col("epoch").isNull(), "epoch", "file_no", "item_no")
        .withColumn("pos", F.monotonically_increasing_id())
        .localCheckpoint()
    )
    report.articles = ordered.count()
    report.already_seen = rows.count() - report.articles
    clock.lap("clean, analyse, MinHash")

    core = ordered.select("pos", "id", "fingerprint", "epoch", "signature", "bands")
    copies = keep(find_copies(core, threshold, settings.duplicate_window_days).localCheckpoint())
    report.copies = copies.count()
    clock.lap("near-duplicates")

    results = keep(_cluster(spark, ordered, copies, window, context, tasks, settings, report))
    members = keep(
        spark.createDataFrame(
            results.filter(lambda r: isinstance(r, Member)).map(tuple), MEMBERS_SCHEMA
        )
    )
    pieces = keep(
        spark.createDataFrame(
            results.filter(lambda r: isinstance(r, StoryPiece)).map(tuple), PIECES_SCHEMA
        )
    )
    pieces.count()  # the clustering runs here, so that its time is its own
    clock.lap("clustering per partition")

    story_of_piece = _reconcile(members, pieces, window, context, settings, report)
    mapping = spark.createDataFrame(list(story_of_piece.items()), "story string, story_id string")
    clock.lap("reconciliation")

    owned = members.filter("owned").select("article_id", "story", "partition")
    placed = owned.join(F.broadcast(mapping), "story", "left").drop("story")
    originals = placed.filter(F.col("story_id").isNotNull()).select("article_id", "story_id")
    # A copy belongs to its original's story, wherever the original was placed.
    of_copies = copies.join(
        originals.withColumnsRenamed({"article_id": "original"}), "original"
    ).select(F.col("id").alias("article_id"), "story_id")
    final = originals.join(
        copies.select(F.col("id").alias("article_id")), "article_id", "left_anti"
    )
    final = final.unionByName(of_copies)
    articles = keep(
        ordered.withColumnRenamed("id", "article_id")
        .join(final, "article_id")
        .join(placed.select("article_id", "partition"), "article_id")
        .join(
            copies.withColumnsRenamed({"id": "article_id", "original": "duplicate_of"}),
            "article_id",
            "left",
        )
        .withColumnRenamed("article_id", "id")
    )
    newest = ordered.agg(F.max("epoch")).first()
    horizon = (newest[0] if newest and newest[0] is not None else 0.0) - context * DAY_SECONDS
    story_rows = (
        articles.rdd.map(lambda row: (row["story_id"], row))
        .groupByKey(tasks)
        .map(lambda kv: _story_row(kv[0], kv[1], horizon))
    )
    _write(spark.createDataFrame(story_rows, STORIES_SCHEMA), out, "stories", "id")
    report.stories = spark.read.parquet(f"{out}/stories").count()
    _write(articles.select(*ARTICLE_COLUMNS), out, "articles", "pos")
    memberships = articles.withColumnRenamed("id", "article_id").select(*MEMBERSHIP_COLUMNS)
    _write(memberships, out, "memberships", "story_id", "pos")
    failure_rows = failures.map(lambda f: (f.origin, f.reason)).union(
        sc.parallelize([(f.origin, f.reason) for f in missing], 1)
    )
    _write(spark.createDataFrame(failure_rows, FAILURE_SCHEMA), out, "failures", "origin")
    report.failed = spark.read.parquet(f"{out}/failures").count()
    clock.lap("story states, Parquet")
    report.seconds = time.perf_counter() - started
    _write_manifest(spark, out, report, settings, window)
    for data in cached:
        data.unpersist()
    return report


def _prepared_row(item: Prepared, threshold: float) -> tuple[Any, ...]:
    article = item.article
    row = article_row(0, article, item.signature, "", None)
    return (
        *row[1:-2],
        item.seq[0],
        item.seq[1],
        epoch(article.published),
        band_keys(item.signature, threshold),
        list(item.dense),
    )


def _cluster(
    spark: SparkSession,
    ordered: DataFrame,
    copies: DataFrame,
    window: float,
    context: float,
    tasks: int,
    settings: Settings,
    report: JobReport,
) -> RDD[Member | StoryPiece]:
    """Run the clusterer over every (language, window) partition, each in one task."""
    dated = ordered.filter(F.col("epoch").isNotNull())
    last_window = {
        row["language"]: int(row["last"])
        for row in dated.groupBy("language")
        .agg(F.max(F.floor(F.col("epoch") / (window * DAY_SECONDS))).alias("last"))
        .collect()
    }
    rows = ordered.join(copies.withColumnRenamed("original", "duplicate_of"), "id", "left")
    keys = rows.select("language", "epoch").rdd.flatMap(
        lambda r: _slots(r["language"], r["epoch"], window, context, last_window)
    )
    groups = sorted({(lang, w) for lang, w, owned in keys.collect() if owned})
    number = {g: i for i, g in enumerate(groups)}
    report.partitions = len(groups)

    def inputs(row: Row) -> list[tuple[tuple[int, int], ClusterInput]]:
        article = article_from_parquet(row.asDict())
        dense = tuple(row["dense"] or ())
        return [
            (
                (number[(language, w)], row["pos"]),
                ClusterInput(
                    owned,
                    partition_label(language, w, window),
                    w,
                    article,
                    row["duplicate_of"],
                    dense,
                ),
            )
            for language, w, owned in _slots(
                row["language"], row["epoch"], window, context, last_window
            )
            if (language, w) in number
        ]

    def partition_of(key: tuple[int, int]) -> int:
        return key[0]

    keyed: RDD[tuple[tuple[int, int], ClusterInput]] = rows.rdd.flatMap(inputs)
    slots = max(1, min(tasks, len(groups)))
    # pyspark's stubs want a key type declared orderable; tuples order at run time.
    sorted_rows = keyed.repartitionAndSortWithinPartitions(  # type: ignore[call-overload]
        slots, partition_of
    )
    placed: RDD[Member | StoryPiece] = sorted_rows.mapPartitions(
        lambda part: cluster_partitions(part, settings)
    )
    return placed


def _reconcile(
    members: DataFrame,
    pieces: DataFrame,
    window: float,
    context: float,
    settings: Settings,
    report: JobReport,
) -> dict[str, str]:
    """Piece -> final story id."""
    order = {r["id"]: (r["first_pos"], r["first_article"]) for r in pieces.collect()}
    report.pieces = len(order)
    components = UnionFind({p: (pos, p) for p, (pos, _) in order.items()})
    context_edges = [(r["piece"], r["earlier"]) for r in context_links(members, pieces).collect()]
    centroid_edges = _centroid_links(pieces, window, context, settings)
    for a, b in context_edges + centroid_edges:
        components.union(a, b)
    report.context_links = len(context_edges)
    report.centroid_links = len(centroid_edges)
    return components.story_ids({p: first for p, (_, first) in order.items()})


class _Clock:
    def __init__(self, report: JobReport) -> None:
        self.report = report
        self.last = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.report.stage_seconds[stage] = round(now - self.last, 2)
        self.last = now


def _parsed(value: Parsed | Failure) -> Parsed:
    assert isinstance(value, Parsed)
    return value


def _slots(
    language: str, moment: float | None, window: float, context: float, last: dict[str, int]
) -> list[tuple[str, int, bool]]:
    """(language, window, owned) of each partition that sees an article: its own, and
    the later ones it is context for. Undated articles come last in the stream, so
    they join their language's last window."""
    if moment is None:
        return [(language, last.get(language, 0), True)]
    own = (language, window_of(moment, window), True)
    return [own, *((language, w, False) for w in context_windows(moment, window, context))]


def _centroid_links(
    pieces: DataFrame, window: float, context: float, settings: Settings
) -> list[tuple[str, str]]:
    states = pieces.select("id", "state")
    pairs = (
        candidate_pairs(pieces, window, context)
        .join(states.withColumnsRenamed({"id": "later", "state": "later_state"}), "later")
        .join(states.withColumnsRenamed({"id": "earlier", "state": "earlier_state"}), "earlier")
        .select("later", "earlier", "later_state", "earlier_state")
        .repartition("later")
        .sortWithinPartitions("later")
    )
    model_path = settings.similarity_model

    def matches(rows: Iterable[Any]) -> list[tuple[str, str]]:
        return linked((tuple(row) for row in rows), load_model(model_path))

    found: list[tuple[str, str]] = pairs.rdd.mapPartitions(matches).collect()
    return found


def _story_row(story_id: str, members: Iterable[Row], horizon: float) -> tuple[Any, ...]:
    """A story's state as the clusterer keeps it (the sum of its originals' vectors in
    publication order; copies do not move it), and its summary."""
    centroid = Centroid()
    keys: set[str] = set()
    languages: set[str] = set()
    partitions: set[str] = set()
    first: datetime | None = None
    count = 0
    for row in sorted(members, key=lambda r: int(r["pos"])):
        count += 1
        article = article_from_parquet(row.asDict())
        languages.add(article.language)
        partitions.add(row["partition"])
        if article.published is not None and (first is None or article.published < first):
            first = article.published
        if row["duplicate_of"] is None:
            v = vectors(article, row["dense"] or ())
            centroid.add(v)
            # The keys the clusterer indexes a story under, for a later ingest to restore.
            keys.update(OnlineClusterer._keys(v))
    last = centroid.last_seen
    return (
        story_id,
        centroid.dumps(),
        sorted(keys),
        to_iso(last),
        last is not None and last.timestamp() < horizon,
        count,
        to_iso(first),
        sorted(languages),
        sorted(partitions),
    )


def _write(frame: DataFrame, out: str, table: str, *order: str) -> None:
    frame.orderBy(*order).write.mode("overwrite").parquet(f"{out}/{table}")


def _write_manifest(
    spark: SparkSession, out: str, report: JobReport, settings: Settings, window: float
) -> None:
    manifest = {
        "format": FORMAT,
        "window_days": window,
        "context_days": settings.story_window_days,
        "settings": {k: v for k, v in asdict(settings).items() if k != "token"},
        "report": asdict(report),
    }
    text = json.dumps(manifest, indent=2, sort_keys=True) + "\n"
    if "://" not in out:
        with open(os.path.join(out, MANIFEST), "w", encoding="utf-8") as f:
            f.write(text)
        return
    # HDFS, S3 and the like: through Hadoop's file system, as Spark writes there.
    jvm = spark.sparkContext._jvm
    assert jvm is not None
    path = jvm.org.apache.hadoop.fs.Path(f"{out}/{MANIFEST}")
    fs = path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration())
    stream = fs.create(path, True)
    stream.write(bytearray(text.encode()))
    stream.close()


def main() -> None:
    """``python -m storyline.distributed.spark`` and ``spark-submit``: the CLI command."""
    import typer

    from storyline.cli_spark import spark_cli

    typer.run(spark_cli)


if __name__ == "__main__":
    main()
