"""Reference baselines that Storyline's own clustering and similarity must beat.

They are deliberately optimistic: each clustering threshold is picked on the very
data it is scored on, and the TF-IDF vocabulary sees every text up front, neither of
which a real stream allows. A method that cannot beat them on held-back data has
not earned its complexity. They hold an n x n similarity matrix, so they are for
evaluation sets (hundreds to a few thousand articles), not archives.

scikit-learn is an optional extra (``storyline[baselines]``) imported on use.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt

from storyline.errors import ConfigError
from storyline.evaluate import ClusterScores, Pair, cluster_scores

# Cosine distances tried for the agglomerative cut, in steps of 0.01 over [0.30, 0.95].
# Below 0.3 only near-copies merge. With bigrams most distances between reports of one
# event sit above 0.85, and F1 changes by up to 0.03 per 0.01 there, so a coarser grid
# misses the optimum; at 0.95 and above, topic-level neighbours start to merge.
AGGLOMERATIVE_GRID = tuple(round(0.30 + 0.01 * i, 2) for i in range(66))

# Cosine similarities to a centroid tried for the single-pass clusterer, in steps of
# 0.01 over [0.02, 0.60]. Word 1-2-gram TF-IDF vectors of reports of one event meet a
# centroid at roughly 0.1-0.3; above 0.6 only near-copies would join.
CENTROID_GRID = tuple(round(0.02 + 0.01 * i, 2) for i in range(59))

# Word uni- and bigrams: bigrams catch names ("Angela Merkel") that single words
# spread over many stories. No stop word list, because one list cannot serve English
# and German; sublinear tf and IDF already damp words that occur everywhere.
_WORD_NGRAMS = (1, 2)

# Character 2-5-grams inside word boundaries match across inflection and compounding
# (German "Regierungschef" / "Regierung") and between languages sharing names.
_CHAR_NGRAMS = (2, 5)

_Matrix = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class BaselineResult:
    """A baseline clustering: the chosen threshold, labels in input order, scores.

    ``grid`` keeps (threshold, BCubed F1) for every threshold tried, so a report can
    show how sharp the optimum is.
    """

    name: str
    threshold: float
    labels: tuple[int, ...]
    scores: ClusterScores
    grid: tuple[tuple[float, float], ...]


def _tfidf(**options: Any) -> Any:
    try:
        from sklearn.feature_extraction.text import TfidfVectorizer
    except ImportError as exc:
        raise ConfigError(
            "scikit-learn is needed for baselines: pip install 'storyline[baselines]'"
        ) from exc
    return TfidfVectorizer(sublinear_tf=True, min_df=1, **options)


def _word_similarity(texts: Sequence[str]) -> _Matrix:
    """Cosine similarity of every pair of texts under word 1-2-gram TF-IDF."""
    vectors = _tfidf(analyzer="word", ngram_range=_WORD_NGRAMS).fit_transform(list(texts))
    # TfidfVectorizer rows are L2-normalised, so the Gram matrix holds cosines.
    similarity = np.asarray((vectors @ vectors.T).toarray(), dtype=np.float64)
    return np.clip(similarity, 0.0, 1.0)


def _best(
    name: str,
    grid: Sequence[float],
    gold: Sequence[int],
    cluster: Callable[[float], Sequence[int]],
) -> BaselineResult:
    tried: list[tuple[float, tuple[int, ...], ClusterScores]] = []
    for threshold in grid:
        labels = tuple(int(x) for x in cluster(threshold))
        tried.append((threshold, labels, cluster_scores(gold, labels)))
    # max() keeps the first of equal F1 values, so ties resolve the same way every run.
    threshold, labels, scores = max(tried, key=lambda item: item[2].bcubed_f1)
    grid_f1 = tuple((t, s.bcubed_f1) for t, _, s in tried)
    return BaselineResult(name, threshold, labels, scores, grid_f1)


def _check(texts: Sequence[str], gold: Sequence[int]) -> None:
    if len(texts) != len(gold):
        raise ValueError(f"{len(texts)} texts but {len(gold)} gold labels")
    if not texts:
        raise ValueError("no texts to cluster")


def agglomerative_at(texts: Sequence[str], threshold: float) -> list[int]:
    """Agglomerative clustering at one given cut (no gold labels): for timing at scale."""
    if len(texts) == 1:
        return [0]
    from sklearn.cluster import AgglomerativeClustering

    distance = 1.0 - _word_similarity(texts)
    np.fill_diagonal(distance, 0.0)
    model = AgglomerativeClustering(
        n_clusters=None, metric="precomputed", linkage="average", distance_threshold=threshold
    )
    return [int(x) for x in model.fit_predict(distance)]


def centroid_at(
    texts: Sequence[str], dates: Sequence[datetime | None], threshold: float
) -> list[int]:
    """Single-pass centroid clustering at one given threshold: for timing at scale."""
    similarity = _word_similarity(texts)
    order = sorted(range(len(texts)), key=lambda i: (dates[i] is None, dates[i] or datetime.min, i))
    return _single_pass(similarity, order, threshold)


def agglomerative_baseline(texts: Sequence[str], gold: Sequence[int]) -> BaselineResult:
    """Average-link clustering of word TF-IDF vectors, cut at the best cosine distance.

    The cut is chosen on ``gold`` itself from :data:`AGGLOMERATIVE_GRID`, which makes
    this an upper bound for a batch method with a single global threshold.
    """
    _check(texts, gold)
    distance = 1.0 - _word_similarity(texts)
    np.fill_diagonal(distance, 0.0)
    from sklearn.cluster import AgglomerativeClustering  # after _tfidf checked sklearn

    def cluster(threshold: float) -> Sequence[int]:
        if len(texts) == 1:
            return [0]
        # Precomputed cosine distances equal metric="cosine" on the same vectors, but
        # stay sparse-friendly and are computed once for the whole grid.
        model = AgglomerativeClustering(
            n_clusters=None,
            metric="precomputed",
            linkage="average",
            distance_threshold=threshold,
        )
        return list(model.fit_predict(distance))

    return _best("agglomerative", AGGLOMERATIVE_GRID, gold, cluster)


def _single_pass(similarity: _Matrix, order: Sequence[int], threshold: float) -> list[int]:
    """Assign articles in ``order`` to the nearest centroid, or open a new cluster.

    Cosine to a centroid needs no centroid vector: x . sum(members) is the sum of
    pairwise similarities, and |sum(members)|^2 is kept per cluster as members join.
    """
    labels = [-1] * len(order)
    seen: list[int] = []
    seen_labels: list[int] = []
    norms_sq: list[float] = []
    for i in order:
        label = len(norms_sq)  # a new cluster unless a centroid is close enough
        if norms_sq:
            dots = np.bincount(seen_labels, weights=similarity[i, seen], minlength=len(norms_sq))
            # The floor keeps an all-zero cluster (texts with no words) from dividing by 0.
            cosines = dots / np.sqrt(np.maximum(norms_sq, 1e-12))
            nearest = int(np.argmax(cosines))
            if cosines[nearest] >= threshold:
                label = nearest
                norms_sq[nearest] += 2.0 * float(dots[nearest]) + float(similarity[i, i])
        if label == len(norms_sq):
            norms_sq.append(float(similarity[i, i]))
        labels[i] = label
        seen.append(i)
        seen_labels.append(label)
    return labels


def centroid_baseline(
    texts: Sequence[str], dates: Sequence[datetime | None], gold: Sequence[int]
) -> BaselineResult:
    """Online single-pass clustering in date order against TF-IDF cluster centroids.

    Articles without a date come last, in input order. The similarity threshold is
    chosen on ``gold`` from :data:`CENTROID_GRID`. Labels are returned in input order.
    """
    _check(texts, gold)
    if len(dates) != len(texts):
        raise ValueError(f"{len(texts)} texts but {len(dates)} dates")
    similarity = _word_similarity(texts)
    order = sorted(range(len(texts)), key=lambda i: (dates[i] is None, dates[i] or datetime.min, i))
    return _best("centroid", CENTROID_GRID, gold, lambda t: _single_pass(similarity, order, t))


def char_ngram_pair_baseline(pairs: Sequence[Pair]) -> list[float]:
    """Cosine of character 2-5-gram TF-IDF vectors for each pair, in 0..1.

    One vectoriser is fitted on both texts of every pair, so IDF reflects the file.
    """
    if not pairs:
        return []
    vectoriser = _tfidf(analyzer="char_wb", ngram_range=_CHAR_NGRAMS)
    vectors = vectoriser.fit_transform([p.text1 for p in pairs] + [p.text2 for p in pairs])
    left, right = vectors[: len(pairs)], vectors[len(pairs) :]
    # Rows are L2-normalised: the row-wise dot product is the cosine.
    cosines = np.asarray(left.multiply(right).sum(axis=1), dtype=np.float64).ravel()
    return [float(min(max(c, 0.0), 1.0)) for c in cosines]
