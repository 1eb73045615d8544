"""Evaluation metrics: clustering against gold events, Pearson for pair similarity.

Clustering scores come from the contingency table of (gold, predicted) label pairs,
so they cost O(n) however large the clusters are. Only numpy and scipy are used:
scikit-learn is an optional extra, and ``storyline eval`` must run without it.
The dataset readers live in :mod:`storyline.evaluate_data` and are re-exported here.
"""

from __future__ import annotations

import math
import warnings
from collections import defaultdict
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import numpy.typing as npt
from scipy import stats

from storyline.evaluate_data import (
    GoldArticle,
    Pair,
    is_original_pair,
    read_gold_clusters,
    read_pairs,
)

__all__ = [
    "ClusterScores",
    "Correlation",
    "GoldArticle",
    "Pair",
    "PairReport",
    "cluster_scores",
    "is_original_pair",
    "pair_report",
    "pearson",
    "read_gold_clusters",
    "read_pairs",
]

_Counts = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class ClusterScores:
    """How well a predicted clustering matches the gold events.

    BCubed precision and recall are averaged over articles and F1 is their harmonic
    mean (Amigó et al. 2009). Pairwise scores count unordered same-cluster pairs; with
    no predicted pairs precision is 1 (no wrong link was made), with no gold pairs
    recall is 1, so a perfect clustering scores 1 everywhere. ARI lies in [-0.5, 1].
    """

    bcubed_precision: float
    bcubed_recall: float
    bcubed_f1: float
    pairwise_precision: float
    pairwise_recall: float
    pairwise_f1: float
    ari: float
    stories: int
    articles: int

    def as_dict(self) -> dict[str, float | int]:
        """The scores by name, ready for JSON."""
        return {
            "bcubed_precision": self.bcubed_precision,
            "bcubed_recall": self.bcubed_recall,
            "bcubed_f1": self.bcubed_f1,
            "pairwise_precision": self.pairwise_precision,
            "pairwise_recall": self.pairwise_recall,
            "pairwise_f1": self.pairwise_f1,
            "ari": self.ari,
            "stories": self.stories,
            "articles": self.articles,
        }


def _codes(labels: Sequence[Hashable]) -> npt.NDArray[np.intp]:
    # Labels only need to be hashable (ids, strings, tuples), not sortable.
    index: dict[Hashable, int] = {}
    return np.fromiter((index.setdefault(x, len(index)) for x in labels), np.intp, len(labels))


def _pairs(counts: _Counts) -> int:
    # Exact n*(n-1)/2 in Python ints: products of pair counts overflow int64 near 1e5 items.
    return int((counts * (counts - 1) // 2).sum())


def _f1(precision: float, recall: float) -> float:
    total = precision + recall
    return 0.0 if total == 0 else 2 * precision * recall / total


def _contingency(
    gold: Sequence[Hashable], predicted: Sequence[Hashable]
) -> tuple[_Counts, npt.NDArray[np.intp], npt.NDArray[np.intp], _Counts, _Counts]:
    """Non-zero cells (count, gold class, predicted cluster) and the margins."""
    g, p = _codes(gold), _codes(predicted)
    n_pred = int(p.max()) + 1
    cells, cell_counts = np.unique(g * n_pred + p, return_counts=True)
    gold_sizes = np.bincount(g).astype(np.int64)
    pred_sizes = np.bincount(p).astype(np.int64)
    return cell_counts.astype(np.int64), cells // n_pred, cells % n_pred, gold_sizes, pred_sizes


def _ari(together: int, gold_pairs: int, pred_pairs: int, all_pairs: int) -> float:
    # The pair-confusion form sklearn uses, so edge cases (one cluster, all singletons)
    # give the same value: both clusterings agree on every pair -> 1.0.
    tp = together
    fp = pred_pairs - together
    fn = gold_pairs - together
    tn = all_pairs - tp - fp - fn
    if fn == 0 and fp == 0:
        return 1.0
    return 2.0 * (tp * tn - fn * fp) / ((tp + fn) * (fn + tn) + (tp + fp) * (fp + tn))


def cluster_scores(gold: Sequence[Hashable], predicted: Sequence[Hashable]) -> ClusterScores:
    """Score ``predicted`` cluster labels against ``gold`` labels, item by item."""
    if len(gold) != len(predicted):
        raise ValueError(f"{len(gold)} gold labels but {len(predicted)} predicted labels")
    if not gold:
        raise ValueError("no articles to score")
    counts, gold_of, pred_of, gold_sizes, pred_sizes = _contingency(gold, predicted)
    n = len(gold)

    # Each of the n_kj items in cell (k, j) has precision n_kj / |pred j| and recall
    # n_kj / |gold k|; summing over items gives n_kj^2 / size per cell.
    squares = counts.astype(np.float64) ** 2
    bcubed_p = float((squares / pred_sizes[pred_of]).sum() / n)
    bcubed_r = float((squares / gold_sizes[gold_of]).sum() / n)

    together = _pairs(counts)
    gold_pairs, pred_pairs = _pairs(gold_sizes), _pairs(pred_sizes)
    pair_p = together / pred_pairs if pred_pairs else 1.0
    pair_r = together / gold_pairs if gold_pairs else 1.0

    return ClusterScores(
        bcubed_precision=bcubed_p,
        bcubed_recall=bcubed_r,
        bcubed_f1=_f1(bcubed_p, bcubed_r),
        pairwise_precision=pair_p,
        pairwise_recall=pair_r,
        pairwise_f1=_f1(pair_p, pair_r),
        ari=_ari(together, gold_pairs, pred_pairs, n * (n - 1) // 2),
        stories=len(pred_sizes),
        articles=n,
    )


def pearson(x: Sequence[float], y: Sequence[float]) -> float:
    """Pearson correlation of ``x`` and ``y``; NaN when it is undefined.

    Undefined means fewer than two points, a constant side, or a non-finite value;
    these return NaN without a warning, because a small language pair with one
    distinct rating is an expected case in reports, not an error.
    """
    if len(x) != len(y):
        raise ValueError(f"{len(x)} x values but {len(y)} y values")
    a = np.asarray(x, dtype=np.float64)
    b = np.asarray(y, dtype=np.float64)
    if len(a) < 2 or not (np.isfinite(a).all() and np.isfinite(b).all()):
        return math.nan
    if np.ptp(a) == 0 or np.ptp(b) == 0:
        return math.nan
    with warnings.catch_warnings():
        # Nearly constant input still yields a valid r; scipy merely flags lost precision.
        warnings.simplefilter("ignore", stats.NearConstantInputWarning)
        return float(stats.pearsonr(a, b).statistic)


@dataclass(frozen=True, slots=True)
class Correlation:
    """Pearson r over ``pairs`` pairs (NaN when undefined)."""

    pearson: float
    pairs: int

    def as_dict(self) -> dict[str, float | int | None]:
        """For JSON: NaN, which JSON cannot carry, becomes None."""
        return {"pearson": None if math.isnan(self.pearson) else self.pearson, "pairs": self.pairs}


@dataclass(frozen=True, slots=True)
class PairReport:
    """Pearson of predicted scores against human similarity, overall and per language pair.

    The correlation is taken against :attr:`Pair.similarity` (1 = same story), so a
    scorer where higher means "more alike" should come out positive; it is minus the
    Pearson against SemEval's raw ``Overall`` rating.
    """

    overall: Correlation
    by_language: Mapping[str, Correlation]

    def as_dict(self) -> dict[str, object]:
        """For JSON: ``{"overall": {...}, "by_language": {"de-en": {...}, ...}}``."""
        return {
            "overall": self.overall.as_dict(),
            "by_language": {key: c.as_dict() for key, c in self.by_language.items()},
        }


def pair_report(pairs: Sequence[Pair], scores: Sequence[float]) -> PairReport:
    """Correlate one predicted score per pair with the human similarity of that pair."""
    if len(pairs) != len(scores):
        raise ValueError(f"{len(pairs)} pairs but {len(scores)} scores")
    groups: defaultdict[str, list[int]] = defaultdict(list)
    for i, pair in enumerate(pairs):
        groups[pair.languages].append(i)
    gold = [pair.similarity for pair in pairs]

    def correlate(indices: Sequence[int]) -> Correlation:
        return Correlation(
            pearson=pearson([gold[i] for i in indices], [scores[i] for i in indices]),
            pairs=len(indices),
        )

    by_language = {key: correlate(groups[key]) for key in sorted(groups)}
    return PairReport(
        overall=correlate(range(len(pairs))), by_language=MappingProxyType(by_language)
    )
