"""Online story clustering: each article joins the best active story or opens one.

Candidates come from an inverted index over the heaviest terms and names of the
active stories; a story leaves the active set when it has had no article for
``window``, so the cost per article does not grow with the archive.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from storyline.cluster.similarity import (
    ASSIGN_THRESHOLD,
    ArticleVectors,
    Centroid,
    combine,
    score_parts,
    vectors,
)
from storyline.cluster.vectors import dot, top_terms
from storyline.model import Article, Story

# Terms per article that enter the index: enough to find paraphrases, few enough
# that common words do not make every story a candidate.
INDEX_TERMS_PER_ARTICLE = 25

# Full similarity is computed only for the stories sharing the most index terms.
MAX_CANDIDATES = 40


@dataclass(frozen=True, slots=True)
class Member:
    article_id: str
    published: datetime | None
    source: str
    language: str
    title: str
    duplicate: bool
    title_vector: dict[str, float]


@dataclass(slots=True)
class StoryState:
    id: str
    centroid: Centroid = field(default_factory=Centroid)
    members: list[Member] = field(default_factory=list)
    last_seen: datetime | None = None
    index_keys: set[str] = field(default_factory=set)


def story_id_for(article_id: str) -> str:
    """A story is named after the article that opened it: stable across re-runs."""
    return f"s{article_id}"


class OnlineClusterer:
    """Assigns articles, given in publication order, to stories."""

    def __init__(self, window: timedelta, threshold: float = ASSIGN_THRESHOLD) -> None:
        self.window = window
        self.threshold = threshold
        self.stories: dict[str, StoryState] = {}
        self._index: dict[str, set[str]] = defaultdict(set)
        self._now: datetime | None = None
        self.touched: set[str] = set()
        self._retired: dict[str, Story] = {}

    def assign(self, article: Article, duplicate_story: str | None = None) -> str:
        """Story id for ``article``; a near-copy joins its original's story."""
        self._advance(article.published)
        v = vectors(article)
        if duplicate_story is not None and duplicate_story in self.stories:
            self._add(self.stories[duplicate_story], article, v, duplicate=True)
            return duplicate_story
        best_id, best_score = None, self.threshold
        for story_id in self._candidates(v):
            score = combine(score_parts(v, self.stories[story_id].centroid))
            if score >= best_score:
                best_id, best_score = story_id, score
        story = self.stories.get(best_id) if best_id else None
        if story is None:
            story = StoryState(story_id_for(article.id))
            self.stories[story.id] = story
        self._add(story, article, v, duplicate=False)
        return story.id

    def restore(self, article: Article, story_id: str, duplicate: bool) -> None:
        """Put back an article already assigned (when resuming from the store)."""
        self._advance(article.published)
        story = self.stories.get(story_id)
        if story is None:
            story = self.stories[story_id] = StoryState(story_id)
        self._add(story, article, vectors(article), duplicate)
        self.touched.discard(story_id)

    def take_changes(self) -> list[Story]:
        """Summaries of the stories changed since the last call, for the store."""
        changed = [self.summary(story_id) for story_id in sorted(self.touched)]
        changed.extend(self._retired.values())
        self.touched.clear()
        self._retired.clear()
        return changed

    def summary(self, story_id: str) -> Story:
        story = self.stories[story_id]
        members = story.members
        # The most central title names the event best; ties go to the earliest.
        central = members[
            max(
                range(len(members)),
                key=lambda i: (dot(members[i].title_vector, story.centroid.title), -i),
            )
        ]
        dated = [m.published for m in members if m.published is not None]
        sources = sorted({m.source for m in members if not m.duplicate} or {members[0].source})
        return Story(
            id=story.id,
            headline=central.title,
            first_published=min(dated) if dated else None,
            last_published=max(dated) if dated else None,
            article_count=len(members),
            source_count=len(sources),
            sources=tuple(sorted({m.source for m in members})),
            languages=tuple(sorted({m.language for m in members})),
        )

    def _candidates(self, v: ArticleVectors) -> list[str]:
        hits: Counter[str] = Counter()
        for key in self._keys(v):
            hits.update(self._index.get(key, ()))
        ranked = sorted(hits.items(), key=lambda kv: (-kv[1], kv[0]))
        return [story_id for story_id, _ in ranked[:MAX_CANDIDATES]]

    @staticmethod
    def _keys(v: ArticleVectors) -> list[str]:
        return top_terms(v.body, INDEX_TERMS_PER_ARTICLE) + [f"@{n}" for n in v.names]

    def _add(self, story: StoryState, article: Article, v: ArticleVectors, duplicate: bool) -> None:
        # A copy repeats its original's words; counting them again would pull the
        # centroid towards one outlet's wording.
        if not duplicate or not story.members:
            story.centroid.add(v)
            for key in self._keys(v):
                if key not in story.index_keys:
                    story.index_keys.add(key)
                    self._index[key].add(story.id)
        story.members.append(
            Member(
                article.id,
                article.published,
                article.source,
                article.language,
                article.title,
                duplicate,
                v.title,
            )
        )
        seen = article.published or self._now
        if seen is not None and (story.last_seen is None or seen > story.last_seen):
            story.last_seen = seen
        self.touched.add(story.id)

    def _advance(self, published: datetime | None) -> None:
        if published is None or (self._now is not None and published <= self._now):
            return
        self._now = published
        horizon = published - self.window
        for story in [s for s in self.stories.values() if s.last_seen and s.last_seen < horizon]:
            self._retire(story)

    def _retire(self, story: StoryState) -> None:
        for key in story.index_keys:
            holders = self._index.get(key)
            if holders is not None:
                holders.discard(story.id)
                if not holders:
                    del self._index[key]
        if story.id in self.touched:
            self._retired[story.id] = self.summary(story.id)
            self.touched.discard(story.id)
        del self.stories[story.id]
