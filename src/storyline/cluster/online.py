"""Online story clustering: each article joins the best story or opens a new one.

Candidates come from inverted indexes over the heaviest terms and the names of the
stories. Active stories (an article within ``window``) are matched at the model's
assign threshold. A story that leaves the window becomes dormant: its centroid is
compacted and it can be re-opened only by a strong match, so an event that returns
weeks later finds its story while cost per article stays flat. After each
assignment the story is compared with its neighbours and merged when both turn out
to report one event. The centroid is kept from drifting by being a sum over all
members: one off-topic article moves it little, which limits chaining.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from storyline.cluster.model import SimilarityModel
from storyline.cluster.similarity import FEATURES, ArticleVectors, Centroid, features, vectors
from storyline.cluster.vectors import dot, heaviest, top_terms
from storyline.model import Article
from storyline.text.dates import window_start

# Terms per article that enter the index: enough to find paraphrases, few enough
# that common words do not make every story a candidate.
INDEX_TERMS_PER_ARTICLE = 25

# Stories sharing the most index keys are candidates ...
MAX_CANDIDATES = 40

# ... and of those, the ones whose body vectors are closest get the full comparison
# (seven parts, the character grams costly): a story outside the best few by body
# similarity does not win on the other signals.
MAX_COMPARED = 10

# A story is compared with its neighbours after each of its first MERGE_CHECK_ALWAYS
# articles, then whenever it has grown by MERGE_CHECK_GROWTH since its last check: a
# large story's centroid moves little with one article, and checking on every article
# was a third of the clusterer's time.
MERGE_CHECK_ALWAYS = 8
MERGE_CHECK_GROWTH = 1.25

# A story takes an article, or absorbs another story, only if its members stay alike:
# the length of the sum of their unit body vectors over their number (1 when all are
# the same text, 1/sqrt(n) for n unrelated ones, and towards sqrt(s) for members
# sharing a part s of their weight) must stay at or above this. Without it, stories of
# loosely related articles grew without end: such a story's centroid is near the mean
# of all text, so it matches everything a little and, as a centroid, other large
# stories strongly enough to absorb them (one took a fifth of a long ingest). The
# labelled events measure 0.47 and more (sharing ~0.2 of their weight, so they stay
# above 0.4 at any size) and score the same with the bound up to 0.45; on the
# benchmark stream's real articles (benchmarks/stream_quality.py) the largest story
# fell from 496 articles to 93 at 0.25 and 24 at 0.35.
MIN_COHERENCE = 0.35

# Active stories kept at most, whatever the window (the `max_active_stories` setting):
# a burst of news or an archive replayed fast would otherwise hold every story of the
# window in full in memory. Beyond it the least recently seen go dormant early
# (compacted, still re-openable by a strong match). An active story holds 85-200 kB
# (measured: single articles to stories of five), so 5,000 keep an ingest near 1 GB.
MAX_ACTIVE_STORIES = 5_000

# Dormant stories kept for re-opening, newest first; beyond this the oldest are
# forgotten (they stay in the database). Bounded so memory stays flat.
MAX_DORMANT_STORIES = 10_000

# A dormant story keeps only its strongest entries: they are what a returning report
# of the event would share, and they keep 10,000 dormant stories in tens of MB.
DORMANT_SIZE = {
    "body": 40,
    "title": 20,
    "lead": 20,
    "names": 30,
    "numbers": 10,
    "shared": 40,
    "chars": 60,
    "figures": 10,
}


_BODY = FEATURES.index("body")


def _stays_coherent(
    story: Centroid, values: tuple[float, ...], joining: Centroid | None = None
) -> bool:
    """Whether ``story`` stays at ``MIN_COHERENCE`` when an article (or the story
    ``joining``) whose features against it are ``values`` joins it."""
    # |S + X|^2 = |S|^2 + |X|^2 + 2 |S| |X| cos(S, X); an article's body vector is unit.
    cosine = values[_BODY]
    s, x = story.norm("body"), joining.norm("body") if joining else 1.0
    members = story.size + (joining.size if joining else 1)
    length = math.sqrt(max(0.0, s * s + x * x + 2.0 * s * x * cosine))
    return length >= MIN_COHERENCE * members


def story_id_for(article_id: str) -> str:
    """A story is named after the article that opened it: stable across re-runs."""
    return f"s{article_id}"


@dataclass(slots=True)
class StoryState:
    id: str
    centroid: Centroid = field(default_factory=Centroid)
    keys: set[str] = field(default_factory=set)
    dormant: bool = False
    merge_checked_at: int = 0  # the size at the last comparison with its neighbours


@dataclass(slots=True)
class Changes:
    """What the store must record after a batch."""

    states: dict[str, StoryState] = field(default_factory=dict)
    merges: list[tuple[str, str]] = field(default_factory=list)  # (from, into)


class OnlineClusterer:
    """Assigns articles, given in publication order, to stories."""

    def __init__(
        self, window: timedelta, model: SimilarityModel, max_active: int | None = None
    ) -> None:
        self.window = window
        self.model = model
        self.max_active = MAX_ACTIVE_STORIES if max_active is None else max(1, max_active)
        self.active: dict[str, StoryState] = {}
        self.dormant: dict[str, StoryState] = {}
        self._index: dict[str, set[str]] = defaultdict(set)
        self._merged: dict[str, str] = {}
        # (last seen, story id) of active stories, oldest first; an entry whose story
        # has been seen since (or slept) is stale and skipped when it comes up.
        self._expiry: list[tuple[float, str]] = []
        self._now: datetime | None = None
        self._changes = Changes()

    def resolve(self, story_id: str) -> str:
        """The story that ``story_id`` was merged into, if it was."""
        while story_id in self._merged:
            story_id = self._merged[story_id]
        return story_id

    def assign(
        self,
        article: Article,
        duplicate_story: str | None = None,
        dense: Sequence[float] = (),
        precomputed: ArticleVectors | None = None,
    ) -> str:
        """Story id for ``article``; a near-copy joins its original's story. ``dense`` is
        the article's embedding when an embedding model is configured; ``precomputed``
        are the article's vectors when a worker process made them already."""
        self._advance(article.published)
        v = precomputed if precomputed is not None else vectors(article, dense)
        if duplicate_story is not None:
            target = self.resolve(duplicate_story)
            story = self.active.get(target) or self.dormant.get(target)
            if story is not None:
                self._wake(story)
                self._touch(story)  # a copy repeats its original's words: centroid unchanged
                return story.id
        story = self._best(v)
        if story is None:
            story = StoryState(story_id_for(article.id))
            self.active[story.id] = story
            self._add(story, v)
            # A story of this one article was just compared with the same candidates
            # and matched none at the (lower) assign threshold: no merge can succeed.
            if self.model.merge_threshold >= self.model.assign_threshold:
                return story.id
            return self._merge_neighbours(story).id
        self._wake(story)
        self._add(story, v)
        size = story.centroid.size
        if size > MERGE_CHECK_ALWAYS and size < story.merge_checked_at * MERGE_CHECK_GROWTH:
            return story.id
        story.merge_checked_at = size
        return self._merge_neighbours(story).id

    def restore(self, story_id: str, centroid: Centroid, keys: set[str]) -> None:
        """Put back a story from the store, active or dormant by its last article.
        Stories come oldest first; beyond ``max_active`` the least recent go dormant
        at once, as they had in an uninterrupted run, so a restore never holds more
        full stories than the run it continues (a full window restored whole took
        twice the memory)."""
        story = StoryState(story_id, centroid, keys)
        horizon = self._horizon(self._now)
        if horizon and centroid.last_seen and centroid.last_seen < horizon:
            story.dormant = True
            self.dormant[story_id] = story
        else:
            self.active[story_id] = story
            self._schedule(story)
        for key in keys:
            self._index[key].add(story_id)
        if len(self.active) > self.max_active:
            while len(self.active) > self.max_active and (oldest := self._oldest_active()):
                heapq.heappop(self._expiry)
                self._sleep(oldest[1])
            self._forget_oldest()

    def start_at(self, moment: datetime | None) -> None:
        """Set the stream's clock before restoring (the oldest article to come)."""
        self._now = moment

    def take_changes(self) -> Changes:
        changes, self._changes = self._changes, Changes()
        return changes

    def _best(self, v: ArticleVectors) -> StoryState | None:
        best: StoryState | None = None
        best_p = 0.0
        for story in self._candidates(v, exclude=None):
            threshold = (
                self.model.reopen_threshold if story.dormant else self.model.assign_threshold
            )
            values = features(v, story.centroid)
            p = self.model.probability(values)
            if p >= threshold and p > best_p and _stays_coherent(story.centroid, values):
                best, best_p = story, p
        return best

    def _merge_neighbours(self, story: StoryState) -> StoryState:
        v = story.centroid.as_vectors()
        for other in self._candidates(v, exclude=story.id):
            if other.dormant:
                continue
            values = features(v, other.centroid)
            p = self.model.probability(values)
            if p >= self.model.merge_threshold and _stays_coherent(
                other.centroid, values, story.centroid
            ):
                # The larger story absorbs the smaller, so the id users saw stays.
                keep, gone = sorted((story, other), key=lambda s: (-s.centroid.size, s.id))
                keep.centroid.absorb(gone.centroid)
                self._rekey(gone, keep)
                self._merged[gone.id] = keep.id
                self._changes.merges.append((gone.id, keep.id))
                self._changes.states.pop(gone.id, None)
                del self.active[gone.id]
                self._touch(keep)
                return keep
        return story

    def _candidates(self, v: ArticleVectors, exclude: str | None) -> list[StoryState]:
        hits: Counter[str] = Counter()
        for key in self._keys(v):
            hits.update(self._index.get(key, ()))
        if exclude is not None:
            hits.pop(exclude, None)
        # The best MAX_CANDIDATES of ~1,000 stories hit (3,000 at the 90th percentile on
        # a full window) without sorting them all: a third of the time, same order.
        ranked = heapq.nsmallest(MAX_CANDIDATES, hits.items(), key=lambda kv: (-kv[1], kv[0]))
        found = []
        for story_id, _ in ranked:
            story = self.active.get(story_id) or self.dormant.get(story_id)
            if story is not None:
                found.append(story)
        if len(found) <= MAX_COMPARED:
            return found
        body = v.parts["body"]
        closest = sorted(
            found,
            key=lambda s: (-dot(body, s.centroid.parts["body"]) / s.centroid.norm("body"), s.id),
        )
        return closest[:MAX_COMPARED]

    @staticmethod
    def _keys(v: ArticleVectors) -> list[str]:
        names = top_terms(v.parts["names"], INDEX_TERMS_PER_ARTICLE)
        return top_terms(v.parts["body"], INDEX_TERMS_PER_ARTICLE) + [f"@{n}" for n in names]

    def _add(self, story: StoryState, v: ArticleVectors) -> None:
        story.centroid.add(v)
        for key in self._keys(v):
            if key not in story.keys:
                story.keys.add(key)
                self._index[key].add(story.id)
        self._touch(story)

    def _touch(self, story: StoryState) -> None:
        self._changes.states[story.id] = story
        if not story.dormant:
            self._schedule(story)

    def _schedule(self, story: StoryState) -> None:
        if story.centroid.last_seen is not None:
            heapq.heappush(self._expiry, (story.centroid.last_seen.timestamp(), story.id))

    def _oldest_active(self) -> tuple[float, StoryState] | None:
        """The active story seen least recently (dated ones only), without removing it."""
        while self._expiry:
            seen, story_id = self._expiry[0]
            story = self.active.get(story_id)
            last = story.centroid.last_seen if story else None
            if story is not None and last is not None and last.timestamp() == seen:
                return seen, story
            heapq.heappop(self._expiry)  # stale: seen again since, merged or asleep
        return None

    def _rekey(self, gone: StoryState, keep: StoryState) -> None:
        for key in gone.keys:
            holders = self._index.get(key)
            if holders is not None:
                holders.discard(gone.id)
                holders.add(keep.id)
            keep.keys.add(key)

    def _wake(self, story: StoryState) -> None:
        if story.dormant:
            story.dormant = False
            del self.dormant[story.id]
            self.active[story.id] = story

    def _horizon(self, now: datetime | None) -> datetime | None:
        return None if now is None else window_start(now, self.window)

    def _advance(self, published: datetime | None) -> None:
        if published is None or (self._now is not None and published <= self._now):
            return
        self._now = published
        horizon = self._horizon(published)
        cutoff = horizon.timestamp() if horizon is not None else -math.inf
        while (oldest := self._oldest_active()) is not None and (
            oldest[0] < cutoff or len(self.active) > self.max_active
        ):
            heapq.heappop(self._expiry)
            self._sleep(oldest[1])
        self._forget_oldest()

    def _sleep(self, story: StoryState) -> None:
        del self.active[story.id]
        story.dormant = True
        parts = story.centroid.parts
        for part, size in DORMANT_SIZE.items():
            parts[part] = heaviest(parts[part], size)
        story.centroid.changed()
        keep = {f"@{n}" for n in parts["names"]} | set(parts["body"])
        for key in story.keys - keep:
            holders = self._index.get(key)
            if holders is not None:
                holders.discard(story.id)
                if not holders:
                    del self._index[key]
        story.keys &= keep
        self.dormant[story.id] = story
        self._touch(story)

    def _forget_oldest(self) -> None:
        # Stories fall asleep in the order they were last seen (and are restored in that
        # order), so the dormant dict's insertion order is oldest first.
        while len(self.dormant) > MAX_DORMANT_STORIES:
            story = self.dormant[next(iter(self.dormant))]
            for key in story.keys:
                holders = self._index.get(key)
                if holders is not None:
                    holders.discard(story.id)
                    if not holders:
                        del self._index[key]
            del self.dormant[story.id]
