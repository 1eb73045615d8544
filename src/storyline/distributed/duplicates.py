"""Near-duplicates at scale: LSH banding with joins, then copies linked to originals.

Same decisions as ``DuplicateIndex`` in a stream, made with joins instead of an
in-memory index:

1. exact copies share a fingerprint: every later article with the fingerprint of an
   earlier one copies what that earlier one copies (or that one, when it is an
   original), since both have one signature;
2. the other articles are banded exactly as the index's LSH bands them;
   articles sharing a band hash are candidate pairs (earlier, later), kept when the
   later one is within the duplicate window and their signatures agree at the
   threshold (``dedupe.similarity``);
3. only originals are indexed in the stream, so an article copies its best-scoring
   candidate *that is an original*; whether a candidate is one depends on its own
   earlier candidates. Rounds decide every article whose candidates are all decided,
   earliest first; the number of rounds is the longest chain of copies, not the size
   of the corpus.
"""

from __future__ import annotations

from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql.types import DoubleType

from storyline.dedupe import signature_from_bytes, similarity
from storyline.distributed.partitions import DAY_SECONDS

# Articles of one band bucket that later ones are paired with. A bucket of thousands
# is one text republished thousands of times with edits; pairing every member with
# every other costs the square, and a copy's original is among the first members.
MAX_BUCKET_ORIGINALS = 100

CORE_SCHEMA = (
    "pos long, id string, fingerprint string, epoch double, signature binary, bands array<binary>"
)


@F.udf(returnType=DoubleType())
def _similarity(a: bytes, b: bytes) -> float:
    return similarity(signature_from_bytes(a), signature_from_bytes(b))


def find_copies(core: DataFrame, threshold: float, window_days: float) -> DataFrame:
    """(id, original) for every copy among ``core`` (``CORE_SCHEMA`` rows)."""
    by_fingerprint = Window.partitionBy("fingerprint").orderBy("pos")
    core = core.withColumn("first", F.first("id").over(by_fingerprint))
    exact = core.filter(F.col("id") != F.col("first")).select("id", "first")
    distinct = core.filter(F.col("id") == F.col("first")).drop("first")

    banded = distinct.select("id", "pos", "epoch", F.posexplode("bands").alias("band", "hash"))
    bucket = Window.partitionBy("band", "hash").orderBy("pos")
    banded = banded.withColumn("rank", F.row_number().over(bucket))
    a = banded.filter(F.col("rank") <= MAX_BUCKET_ORIGINALS).alias("a")
    b = banded.alias("b")
    window = window_days * DAY_SECONDS
    latest = distinct.agg(F.max("epoch")).first()
    newest = latest[0] if latest and latest[0] is not None else 0.0
    # An undated article comes last in the stream, when the index holds the originals
    # of the last window and the undated ones before it.
    in_window = F.when(
        F.col("b.epoch").isNotNull(), F.col("b.epoch") - F.col("a.epoch") <= window
    ).otherwise(F.col("a.epoch").isNull() | (F.col("a.epoch") >= newest - window))
    pairs = (
        a.join(
            b,
            (F.col("a.band") == F.col("b.band"))
            & (F.col("a.hash") == F.col("b.hash"))
            & (F.col("a.pos") < F.col("b.pos"))
            & in_window,
        )
        .select(F.col("a.id").alias("earlier"), F.col("b.id").alias("later"))
        .distinct()
    )
    signatures = distinct.select("id", "signature")
    edges = (
        pairs.join(signatures.withColumnsRenamed({"id": "earlier", "signature": "s1"}), "earlier")
        .join(signatures.withColumnsRenamed({"id": "later", "signature": "s2"}), "later")
        .withColumn("score", _similarity("s1", "s2"))
        .filter(F.col("score") >= threshold)
        .select("later", "earlier", "score")
    )
    decided = resolve(edges)
    copies = decided.filter(F.col("original").isNotNull())
    # An exact copy of a near-copy copies the same original; of an original, that one.
    of_first = exact.join(
        decided.withColumnsRenamed({"id": "first", "original": "first_copies"}), "first", "left"
    ).select("id", F.coalesce("first_copies", "first").alias("original"))
    return copies.unionByName(of_first)


def resolve(edges: DataFrame) -> DataFrame:
    """(id, original or null) for every ``later`` end of the (later, earlier, score)
    candidate edges: the best-scoring candidate that is an original (ties to the
    smaller id, as the index's sorted query), or null when none is."""
    spark = SparkSession.getActiveSession()
    assert spark is not None
    edges = edges.localCheckpoint()
    decided = spark.createDataFrame([], "id string, original string")
    while True:
        waiting = edges.join(decided.select(F.col("id").alias("later")), "later", "left_anti")
        if waiting.limit(1).count() == 0:
            return decided
        undecided = waiting.select(F.col("later").alias("earlier")).distinct()
        status = waiting.join(undecided.withColumn("unknown", F.lit(True)), "earlier", "left").join(
            decided.withColumnsRenamed({"id": "earlier", "original": "copies"}), "earlier", "left"
        )
        blocked = status.filter(F.col("unknown").isNotNull()).select("later").distinct()
        ready = status.join(blocked, "later", "left_anti")
        best = Window.partitionBy("later").orderBy(F.desc("score"), "earlier")
        chosen = (
            ready.filter(F.col("copies").isNull())
            .withColumn("rank", F.row_number().over(best))
            .filter("rank = 1")
            .select(F.col("later").alias("id"), F.col("earlier").alias("original"))
        )
        now = ready.select(F.col("later").alias("id")).distinct().join(chosen, "id", "left")
        decided = decided.unionByName(now).localCheckpoint()
