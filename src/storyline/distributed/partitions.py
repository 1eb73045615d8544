"""Clustering one partition: the project's ``OnlineClusterer`` over one language in one
time window, in publication order.

A partition owns the articles of its window. Before them it replays, as *context*,
the articles of the preceding ``context`` span (the story window): the stories they
open are the stories a single uninterrupted stream would have active when the window
begins. Context articles are placed again but not owned; the stories that own
articles and hold context articles are tied to the previous partitions' stories by
``reconcile``.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from storyline.cluster.model import load_model
from storyline.cluster.online import DORMANT_SIZE, OnlineClusterer, StoryState
from storyline.cluster.similarity import Centroid
from storyline.cluster.vectors import heaviest
from storyline.config import Settings
from storyline.distributed.stages import epoch
from storyline.model import Article

DAY_SECONDS = 86_400.0

# Story states held in the clusterer's change log are dropped every this many
# articles: the job reads states at the end of a partition, not per batch.
CHANGE_LOG_ARTICLES = 1_000


class ClusterInput(NamedTuple):
    """One article as a partition sees it."""

    owned: bool  # False: replayed as context for the partition after its own
    partition: str
    window: int
    article: Article
    original: str | None  # the article it copies, when it is a near-duplicate
    dense: tuple[float, ...]


class Member(NamedTuple):
    """Where a partition put an article; ``story`` is None for a copy whose original
    lies in another partition (it follows its original later)."""

    article_id: str
    story: str | None
    owned: bool
    partition: str


class StoryPiece(NamedTuple):
    """A story of one partition that owns articles: what reconciliation compares."""

    id: str  # "<partition>|<story id>": unique across partitions
    partition: str
    language: str
    window: int
    first_pos: int  # the earliest owned article's publication position
    first_article: str
    last_epoch: float | None  # the latest article's time (the centroid's last_seen)
    state: str  # JSON of the clusterer's centroid, compacted as for a dormant story
    keys: tuple[str, ...]  # what the clusterer looks neighbours up by


def compact(centroid: Centroid) -> Centroid:
    """The centroid cut to what a dormant story keeps (``DORMANT_SIZE``): pieces are
    compared as the stream compares an article with a story that left the window, and
    every comparison moves both states, so they are kept small."""
    parts = {part: heaviest(centroid.parts[part], size) for part, size in DORMANT_SIZE.items()}
    return Centroid(parts, set(centroid.languages), centroid.size, centroid.last_seen)


def window_of(epoch: float, window_days: float) -> int:
    return math.floor(epoch / (window_days * DAY_SECONDS))


def context_windows(epoch: float, window_days: float, context_days: float) -> list[int]:
    """Later windows whose context span covers this moment."""
    own = window_of(epoch, window_days)
    found = []
    later = own + 1
    while later * window_days * DAY_SECONDS - context_days * DAY_SECONDS <= epoch:
        found.append(later)
        later += 1
    return found


def partition_label(language: str, window: int, window_days: float) -> str:
    start = datetime.fromtimestamp(window * window_days * DAY_SECONDS, UTC)
    return f"{language}/{start.date().isoformat()}#{window}"


def cluster_partitions(
    rows: Iterable[tuple[tuple[int, int], ClusterInput]], settings: Settings
) -> Iterator[Member | StoryPiece]:
    """Cluster every partition in ``rows``, which arrive sorted by (partition number,
    publication position)."""
    for _, group in itertools.groupby(rows, key=lambda row: row[0][0]):
        yield from cluster_partition(((pos, item) for (_, pos), item in group), settings)


def cluster_partition(
    rows: Iterable[tuple[int, ClusterInput]], settings: Settings
) -> Iterator[Member | StoryPiece]:
    """Place one partition's articles, given in publication order, as ``Engine.place``
    does with the duplicate links already found."""
    clusterer = OnlineClusterer(
        timedelta(days=settings.story_window_days), load_model(settings.similarity_model)
    )
    story_of: dict[str, str] = {}
    # A story forgotten by the clusterer (beyond its dormant limit) still owns
    # articles: its state is kept here for reconciliation.
    states: dict[str, StoryState] = {}
    placed: list[tuple[int, Article, str | None, bool]] = []
    partition, window = "", 0
    for count, (pos, item) in enumerate(rows, 1):
        partition, window = item.partition, item.window
        article = item.article
        story: str | None
        if item.original is None:
            story = story_of[article.id] = clusterer.assign(article, None, item.dense)
        elif item.original in story_of:
            story = clusterer.assign(article, story_of[item.original], item.dense)
        else:
            story = None
        if story is not None:
            states[story] = clusterer.active[story]
        placed.append((pos, article, story, item.owned))
        if count % CHANGE_LOG_ARTICLES == 0:
            clusterer.take_changes()
    first: dict[str, tuple[int, Article]] = {}
    for pos, article, story, owned in placed:
        final = clusterer.resolve(story) if story is not None else None
        local = f"{partition}|{final}" if final is not None else None
        yield Member(article.id, local, owned, partition)
        if owned and final is not None and final not in first:
            first[final] = (pos, article)
    for story_id, (pos, article) in first.items():
        state = states[story_id]
        yield StoryPiece(
            id=f"{partition}|{story_id}",
            partition=partition,
            language=article.language,
            window=window,
            first_pos=pos,
            first_article=article.id,
            last_epoch=epoch(state.centroid.last_seen),
            state=compact(state.centroid).dumps(),
            keys=tuple(sorted(OnlineClusterer._keys(state.centroid.as_vectors()))),
        )
