"""What the clusterer compares: an article's vectors against a story's centroid.

Each article has eight sparse vectors (body, title and lead lemmas, name keys, long
numbers, all numbers, body lemmas mapped into a shared cross-language space, and
character grams); German compounds add their parts (``cluster/terms.py``). A story
keeps the sum of its members' vectors, truncated to its heaviest entries, so a
story's state is small, bounded and can be stored and restored exactly. ``features``
turns an (article, story) pair into the numbers the similarity model combines.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import orjson

from storyline.cluster.terms import term_vector
from storyline.cluster.vectors import (
    Vector,
    add_shared_into,
    dot,
    flat,
    normalised,
    truncated,
    weighted,
)
from storyline.model import Article
from storyline.text.lexicon import shared_vector
from storyline.text.tokens import fold_word, term_weight

PARTS = ("body", "title", "lead", "names", "numbers", "shared", "chars", "figures")

# Entries a story keeps per part: enough to hold what its articles have in common
# (the sum's mass concentrates there), few enough that a story's state stays small.
CENTROID_SIZE = {
    "body": 200,
    "title": 60,
    "lead": 100,
    "names": 80,
    "numbers": 60,
    "shared": 200,
    "chars": 400,
    "figures": 60,
}

# Character 4-grams of content words meet across inflection, compounds and languages
# (Kogler/Kogler, Regierungsprogramm/Regierung, Polyethylen/polyethylene).
CHAR_GRAM = 4

# Only words at least this rare feed character grams: frequent words share grams
# with everything and would make all texts look alike.
CHAR_GRAM_MIN_WEIGHT = 1.5

# Numbers shorter than this ("1", "12") occur everywhere; years and amounts do not.
MIN_NUMBER_CHARS = 3

# Time gaps are compared on a log scale and capped: a week and a year differ, a year
# and two hardly do for whether a report belongs to an event.
GAP_CAP_DAYS = 365.0

# Each cosine enters raw and as a square root: cosines of texts cluster near zero, and
# the root spreads out the small values where same-story and unrelated pairs differ.
# Pairs in two languages share few words, so every cosine has a second weight that
# applies across languages only, where names, mapped terms and grams carry the match.
BASE_FEATURES = (*PARTS, *(f"sqrt_{p}" for p in PARTS))
FEATURES = (
    *BASE_FEATURES,
    # Whether the names each side mentions most appear on the other side at all: two
    # events of one kind (two coaches leaving two clubs) share their vocabulary and
    # the names of their field, but not the names they are about.
    "key_names",
    "story_key_names",
    "gap",
    "cross_language",
    *(f"cross_{f}" for f in BASE_FEATURES),
    "dense",  # cosine of sentence embeddings; 0 unless an embedding model is configured
)

# Names an article (or story) is about: its most mentioned ones.
KEY_NAMES = 3

# Characters of an article given to an embedding model: models read a few hundred
# tokens, and the head of a news text states the event.
DENSE_CHARS = 2000


@dataclass(frozen=True, slots=True)
class ArticleVectors:
    parts: dict[str, Vector]
    language: str
    published: datetime | None
    dense: tuple[float, ...] = ()  # unit-length sentence embedding, when configured
    # Computed once: ``features`` needs them against each of the ~10 stories compared.
    key_names: list[str] = field(init=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "key_names", key_names(self.parts["names"]))


def dense_text(article: Article) -> str:
    return f"{article.title}\n{article.text}"[:DENSE_CHARS]


def vectors(article: Article, dense: Sequence[float] = ()) -> ArticleVectors:
    f = article.features
    # The title is part of the body vector too: a short article's body is thin.
    body_counts = dict(f.body_terms)
    for term, count in f.title_terms:
        body_counts[term] = body_counts.get(term, 0) + count
    body = sorted(body_counts.items())
    body_vector = term_vector(body, article.language)
    numbers = [
        (n, 1) for n in f.numbers if len(n.replace(".", "").replace(",", "")) >= MIN_NUMBER_CHARS
    ]
    return ArticleVectors(
        parts={
            "body": body_vector,
            "title": weighted(f.title_terms, article.language),
            # The lead in the shared space: across languages it is what two reports
            # share first (SemEval-2022 de-en pairs, cross-validated Pearson 0.705 ->
            # 0.730), and in one language it loses nothing (de-de 0.715 -> 0.720).
            "lead": shared_vector(term_vector(f.lead_terms, article.language), article.language),
            "names": flat(f.names),
            "numbers": flat(numbers),
            # Weighted in the article's own language first, then mapped into English,
            # so an untranslated word keeps its own language's weight.
            "shared": shared_vector(body_vector, article.language),
            "chars": char_grams(body, article.language),
            # Every number, days and ages included: reports of one event in one
            # language share them (SemEval-2022, cross-validated: ar-ar 0.353 -> 0.367,
            # es-es 0.763 -> 0.778); across languages they meet by chance, so they are a
            # part of their own with its own cross-language weight, not in `numbers`.
            "figures": flat([(n, 1) for n in f.numbers]),
        },
        language=article.language,
        published=article.published,
        dense=tuple(float(x) for x in dense),
    )


def char_grams(counts: list[tuple[str, int]], language: str) -> Vector:
    grams: dict[str, float] = {}
    for term, count in counts:
        if term_weight(term, language) < CHAR_GRAM_MIN_WEIGHT:
            continue
        padded = f" {fold_word(term)} "
        for i in range(len(padded) - CHAR_GRAM + 1):
            gram = padded[i : i + CHAR_GRAM]
            grams[gram] = grams.get(gram, 0.0) + count
    return normalised({g: 1.0 + math.log(c) for g, c in grams.items()})


@dataclass(slots=True)
class Centroid:
    """Truncated sums of member vectors; cosine against a sum is cosine against the mean."""

    parts: dict[str, Vector] = field(default_factory=lambda: {p: {} for p in PARTS})
    languages: set[str] = field(default_factory=set)
    size: int = 0
    last_seen: datetime | None = None
    dense: list[float] = field(default_factory=list)  # sum of member embeddings
    _norms: dict[str, float] | None = None
    _key_names: list[str] | None = None

    def changed(self) -> None:
        """Forget what was derived from the parts (after they were changed in place)."""
        self._norms = None
        self._key_names = None

    def key_names(self) -> list[str]:
        if self._key_names is None:
            self._key_names = key_names(self.parts["names"])
        return self._key_names

    def add(self, v: ArticleVectors) -> None:
        self._add_dense(v.dense)
        for part in PARTS:
            total = self.parts[part]
            add_shared_into(total, v.parts[part])
            self.parts[part] = truncated(total, CENTROID_SIZE[part])
        self.languages.add(v.language)
        self.size += 1
        if v.published and (self.last_seen is None or v.published > self.last_seen):
            self.last_seen = v.published
        self.changed()

    def _add_dense(self, dense: Sequence[float]) -> None:
        if not dense:
            return
        if not self.dense:
            self.dense = [0.0] * len(dense)
        if len(dense) == len(self.dense):
            self.dense = [a + b for a, b in zip(self.dense, dense, strict=True)]

    def dense_cosine(self, dense: Sequence[float]) -> float:
        if not dense or len(dense) != len(self.dense):
            return 0.0
        norm = math.sqrt(sum(x * x for x in self.dense)) or 1.0
        return max(0.0, sum(a * b for a, b in zip(dense, self.dense, strict=True)) / norm)

    def absorb(self, other: Centroid) -> None:
        """Add another story's centroid (when two stories merge)."""
        self._add_dense(other.dense)
        for part in PARTS:
            total = self.parts[part]
            add_shared_into(total, other.parts[part])
            self.parts[part] = truncated(total, CENTROID_SIZE[part])
        self.languages |= other.languages
        self.size += other.size
        if other.last_seen and (self.last_seen is None or other.last_seen > self.last_seen):
            self.last_seen = other.last_seen
        self.changed()

    def norm(self, part: str) -> float:
        if self._norms is None:
            self._norms = {
                p: math.sqrt(sum(x * x for x in self.parts[p].values())) or 1.0 for p in PARTS
            }
        return self._norms[part]

    def as_vectors(self) -> ArticleVectors:
        """The centroid seen as one (unit-length) article, to compare two stories."""
        parts = {p: {k: v / self.norm(p) for k, v in self.parts[p].items()} for p in PARTS}
        language = min(self.languages) if self.languages else "und"
        norm = math.sqrt(sum(x * x for x in self.dense)) or 1.0
        return ArticleVectors(parts, language, self.last_seen, tuple(x / norm for x in self.dense))

    def to_json(self) -> dict[str, Any]:
        return {
            "parts": {p: sorted(self.parts[p].items()) for p in PARTS},
            "languages": sorted(self.languages),
            "size": self.size,
            "last_seen": self.last_seen.isoformat() if self.last_seen else None,
            "dense": self.dense,
        }

    def dumps(self) -> str:
        """The stored form (orjson: a fifth of ``json.dumps``'s time, which was 5% of
        the clusterer's process; same values read back)."""
        return orjson.dumps(self.to_json()).decode("utf-8")

    @classmethod
    def loads(cls, text: str | bytes) -> Centroid:
        return cls.from_json(orjson.loads(text))

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Centroid:
        last = data.get("last_seen")
        return cls(
            parts={
                p: {sys.intern(k): float(v) for k, v in data["parts"].get(p, [])} for p in PARTS
            },
            languages=set(data.get("languages", ())),
            size=int(data.get("size", 0)),
            last_seen=datetime.fromisoformat(last) if last else None,
            dense=[float(x) for x in data.get("dense", ())],
        )


def features(v: ArticleVectors, c: Centroid) -> tuple[float, ...]:
    """The model's inputs for one (article, story) pair, each in [0, 1]."""
    cosines = {p: max(0.0, dot(v.parts[p], c.parts[p]) / c.norm(p)) for p in PARTS}
    gap = 0.0
    if v.published and c.last_seen:
        days = abs((v.published - c.last_seen).total_seconds()) / 86400.0
        gap = math.log1p(min(days, GAP_CAP_DAYS)) / math.log1p(GAP_CAP_DAYS)
    cross = 0.0 if v.language in c.languages else 1.0
    base = (*cosines.values(), *(math.sqrt(x) for x in cosines.values()))
    names, story_names = v.parts["names"], c.parts["names"]
    key = (_found(v.key_names, story_names), _found(c.key_names(), names))
    return (*base, *key, gap, cross, *(cross * x for x in base), c.dense_cosine(v.dense))


def key_names(names: Vector) -> list[str]:
    """The ``KEY_NAMES`` heaviest name keys (ties by key)."""
    return [k for k, _ in sorted(names.items(), key=lambda kv: (-kv[1], kv[0]))[:KEY_NAMES]]


def _found(keys: list[str], names: Vector) -> float:
    """Share of ``keys`` among ``names``; 0 when either side has none."""
    if not keys or not names:
        return 0.0
    return sum(1 for k in keys if k in names) / len(keys)


def pair_features(
    a: Article, b: Article, dense: tuple[Sequence[float], Sequence[float]] = ((), ())
) -> tuple[float, ...]:
    """Features of two single articles, symmetric: the mean of both directions."""
    va, vb = vectors(a, dense[0]), vectors(b, dense[1])
    ca, cb = Centroid(), Centroid()
    ca.add(va)
    cb.add(vb)
    forward, backward = features(va, cb), features(vb, ca)
    return tuple((x + y) / 2 for x, y in zip(forward, backward, strict=True))
