"""Joining the pieces of stories that cross partitions, with union-find.

Two kinds of link tie a piece of one partition to a piece of another:

- *context links*, exact up to the replay: a piece that holds context articles is
  the continuation of the piece of the previous partition that owns most of them;
- *centroid links*, approximate: pieces of different languages, or of windows too
  far apart for the context replay, are compared centroid to centroid with the
  similarity model, as the clusterer compares two stories before merging them, and
  linked at the model's merge threshold. Candidate pairs share the keys the clusterer
  looks a story's neighbours up by; each piece is compared with the ``MAX_COMPARED``
  sharing most.

Each connected component becomes one story, named after its earliest owned article.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F

from storyline.cluster.model import SimilarityModel
from storyline.cluster.online import MAX_COMPARED, story_id_for
from storyline.cluster.similarity import Centroid, features
from storyline.distributed.partitions import DAY_SECONDS

# Index keys held by more pieces than this are too common to point at one event (a
# frequent word, a head of state's name); pairs are found through their rarer keys.
MAX_KEY_PIECES = 500


class UnionFind:
    """Components of pieces; each component's root is its earliest piece."""

    def __init__(self, order: dict[str, tuple[int, str]]) -> None:
        self._order = order  # piece -> (first owned position, piece id)
        self._parent: dict[str, str] = {}

    def find(self, node: str) -> str:
        root = node
        while (parent := self._parent.get(root, root)) != root:
            root = parent
        while node != root:  # path compression
            self._parent[node], node = root, self._parent.get(node, node)
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        keep, gone = sorted((ra, rb), key=lambda n: self._order.get(n, (math.inf, n)))
        self._parent[gone] = keep

    def story_ids(self, first_article: dict[str, str]) -> dict[str, str]:
        """Piece -> final story id (``story_id_for`` the component's earliest owned
        article), for every piece in ``first_article``."""
        return {p: story_id_for(first_article[self.find(p)]) for p in first_article}


def merge_probability(model: SimilarityModel, later: Centroid, earlier: Centroid) -> float:
    """p(same story) of two pieces' centroids, the later piece seen as one article
    against the earlier story, as ``OnlineClusterer`` merges neighbours."""
    return model.probability(features(later.as_vectors(), earlier))


def context_links(members: DataFrame, pieces: DataFrame) -> DataFrame:
    """(piece, previous piece) for each piece holding context articles: the previous
    partitions' piece that owns most of them (ties to the smaller id)."""
    owned = members.filter("owned AND story IS NOT NULL").select(
        "article_id", F.col("story").alias("earlier")
    )
    context = members.filter("NOT owned AND story IS NOT NULL").select(
        "article_id", F.col("story").alias("piece")
    )
    counts = (
        context.join(owned, "article_id")
        .join(pieces.select(F.col("id").alias("piece")), "piece")
        .groupBy("piece", "earlier")
        .count()
    )
    best = Window.partitionBy("piece").orderBy(F.desc("count"), "earlier")
    return (
        counts.withColumn("rank", F.row_number().over(best))
        .filter("rank = 1")
        .select("piece", "earlier")
    )


def candidate_pairs(pieces: DataFrame, window_days: float, context_days: float) -> DataFrame:
    """(later, earlier) pieces that share index keys and that no partition compared:
    of different languages, or the earlier one already dormant (last article before
    the later partition's context span). At most ``MAX_COMPARED`` per later piece,
    most shared keys first."""
    columns = ("id", "language", "window", "first_pos", "last_epoch")
    keys = pieces.select(*columns, F.explode("keys").alias("key"))
    usable = keys.groupBy("key").count().filter(F.col("count") <= MAX_KEY_PIECES).select("key")
    keys = keys.join(usable, "key")
    a, b = keys.alias("a"), keys.alias("b")
    context_start = F.col("a.window") * (window_days * DAY_SECONDS) - context_days * DAY_SECONDS
    replayed = (F.col("a.language") == F.col("b.language")) & (
        (F.col("a.window") == F.col("b.window")) | (F.col("b.last_epoch") >= context_start)
    )
    pairs = a.join(
        b,
        (F.col("a.key") == F.col("b.key"))
        & (F.col("a.first_pos") > F.col("b.first_pos"))
        & ~F.coalesce(replayed, F.lit(False)),
    )
    shared = pairs.groupBy(F.col("a.id").alias("later"), F.col("b.id").alias("earlier")).count()
    ranked = Window.partitionBy("later").orderBy(F.desc("count"), "earlier")
    return (
        shared.withColumn("rank", F.row_number().over(ranked))
        .filter(F.col("rank") <= MAX_COMPARED)
        .select("later", "earlier")
    )


def linked(
    pairs: Iterable[tuple[str, str, str, str]], model: SimilarityModel
) -> list[tuple[str, str]]:
    """The (later, earlier) pairs, given with their JSON states, that match at the
    merge threshold. Pairs come grouped by the later piece, whose state is read once."""
    found = []
    current, later_centroid = "", Centroid()
    for later, earlier, later_state, earlier_state in pairs:
        if later != current:
            current, later_centroid = later, Centroid.loads(later_state)
        earlier_centroid = Centroid.loads(earlier_state)
        if merge_probability(model, later_centroid, earlier_centroid) >= model.merge_threshold:
            found.append((later, earlier))
    return found
