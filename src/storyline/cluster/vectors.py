"""Sparse term vectors as dicts: weighting, norms and cosine similarity."""

from __future__ import annotations

import math
import sys
from collections.abc import Iterable, Mapping

import numpy as np

from storyline.text.tokens import term_weight

Vector = dict[str, float]


def weighted(counts: Iterable[tuple[str, int]], language: str) -> Vector:
    """Unit-length vector of sublinear term frequency times prior IDF."""
    vector = {
        term: (1.0 + math.log(count)) * weight
        for term, count in counts
        if (weight := term_weight(term, language)) > 0.0
    }
    return normalised(vector)


def flat(counts: Iterable[tuple[str, int]]) -> Vector:
    """Unit-length vector of sublinear counts, for names where rarity is already given."""
    return normalised({key: 1.0 + math.log(count) for key, count in counts})


def normalised(vector: Mapping[str, float]) -> Vector:
    norm = math.sqrt(sum(v * v for v in vector.values()))
    if norm == 0.0:
        return {}
    return {k: v / norm for k, v in vector.items()}


def dot(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b[k] for k, v in a.items() if k in b)


def add_into(total: dict[str, float], vector: Mapping[str, float]) -> None:
    for k, v in vector.items():
        total[k] = total.get(k, 0.0) + v


def add_shared_into(total: dict[str, float], vector: Mapping[str, float]) -> None:
    """``add_into`` keeping one string object per distinct term (``sys.intern``): the
    stories a long ingest holds repeat the same words thousands of times, and each
    article's vectors arrive from a worker process with strings of their own. Sharing
    them saves a third of the clusterer's memory."""
    for k, v in vector.items():
        if k in total:
            total[k] += v
        else:
            total[sys.intern(k)] = v


def top_terms(vector: dict[str, float], k: int) -> list[str]:
    """The ``k`` heaviest terms (ties at the cut by name), in the vector's own order."""
    return list(heaviest(vector, k))


# A sum is cut back to its ``k`` heaviest entries only when it has grown to this many
# times ``k``: sorting on every addition would cost more than the comparisons.
TRUNCATE_SLACK = 2


def truncated(vector: dict[str, float], k: int) -> dict[str, float]:
    """``vector`` itself while small; else its ``k`` heaviest entries (ties by name)."""
    if len(vector) <= k * TRUNCATE_SLACK:
        return vector
    return heaviest(vector, k)


def heaviest(vector: dict[str, float], k: int) -> dict[str, float]:
    """The ``k`` heaviest entries of ``vector`` (ties at the cut by name)."""
    if len(vector) <= k:
        return vector
    # A partial sort finds the k-th weight in linear time; sorting every entry on
    # every truncation was a tenth of the clusterer's time.
    values = np.fromiter(vector.values(), dtype=np.float64, count=len(vector))
    cut = float(np.partition(values, len(values) - k)[len(values) - k])
    kept = {term: weight for term, weight in vector.items() if weight > cut}
    for term in sorted(t for t, w in vector.items() if w == cut)[: k - len(kept)]:
        kept[term] = cut
    return kept
