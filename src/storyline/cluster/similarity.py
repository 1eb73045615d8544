"""How alike an article is to a story: title, body and names with named weights."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from storyline.cluster.vectors import Vector, add_into, dot, flat, weighted
from storyline.model import Article

# The body carries most of the event (who, where, what numbers); it is the most
# reliable signal when titles are paraphrased.
BODY_WEIGHT = 0.6
# Titles are short and written to name the event, but outlets word them differently.
TITLE_WEIGHT = 0.2
# Shared rare names (people, places, organisations) tie reports across paraphrases.
NAMES_WEIGHT = 0.2

# An article joins a story at this combined score or above. Chosen so that rewrites
# of one event by different outlets (typically 0.3-0.6) join while unrelated stories
# in the same section (topic words in common, typically < 0.15) stay apart.
ASSIGN_THRESHOLD = 0.22


@dataclass(frozen=True, slots=True)
class ArticleVectors:
    body: Vector
    title: Vector
    names: Vector


def vectors(article: Article) -> ArticleVectors:
    f = article.features
    # The title is part of the body vector too: a short article's body is thin.
    body_counts = dict(f.body_terms)
    for term, count in f.title_terms:
        body_counts[term] = body_counts.get(term, 0) + count
    return ArticleVectors(
        body=weighted(body_counts.items(), article.language),
        title=weighted(f.title_terms, article.language),
        names=flat(f.names),
    )


@dataclass(slots=True)
class Centroid:
    """Sums of member vectors; cosine against the sum is cosine against the mean."""

    body: Vector = field(default_factory=dict)
    title: Vector = field(default_factory=dict)
    names: Vector = field(default_factory=dict)
    _norms: tuple[float, float, float] | None = None

    def add(self, v: ArticleVectors) -> None:
        add_into(self.body, v.body)
        add_into(self.title, v.title)
        add_into(self.names, v.names)
        self._norms = None

    def norms(self) -> tuple[float, float, float]:
        if self._norms is None:
            self._norms = tuple(  # type: ignore[assignment]
                math.sqrt(sum(x * x for x in part.values())) or 1.0
                for part in (self.body, self.title, self.names)
            )
        assert self._norms is not None
        return self._norms


def score_parts(v: ArticleVectors, c: Centroid) -> tuple[float, float, float]:
    """Cosine of body, title and names against a story's centroid."""
    body_norm, title_norm, names_norm = c.norms()
    return (
        dot(v.body, c.body) / body_norm,
        dot(v.title, c.title) / title_norm,
        dot(v.names, c.names) / names_norm,
    )


def combine(parts: tuple[float, float, float]) -> float:
    body, title, names = parts
    return BODY_WEIGHT * body + TITLE_WEIGHT * title + NAMES_WEIGHT * names


def article_similarity(a: Article, b: Article) -> float:
    """Story similarity of two articles, symmetric, in [0, 1]."""
    centroid = Centroid()
    centroid.add(vectors(b))
    return combine(score_parts(vectors(a), centroid))
