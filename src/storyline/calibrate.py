"""``storyline calibrate``: fit the similarity model's weights and thresholds.

Training rows come from two kinds of labelled data:
- story clusters (news-please JSON with gold event ids): the articles are replayed in
  publication order against the gold stories formed so far; each (article, story)
  pair is a row, labelled 1 for the article's own story;
- article pairs (SemEval-2022 Task 8): each pair is a row with a soft label, the
  human similarity mapped to [0, 1].
A logistic regression combines the features. Weights and thresholds are chosen by
cross-validation grouped by event (and by pair), and every figure reported comes
from folds not used for fitting. The final model is then fitted on all rows.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np

from storyline.chunks import publication_order
from storyline.cluster.embeddings import EmbeddingBackend
from storyline.cluster.model import DEFAULT_MODEL, SimilarityModel
from storyline.cluster.online import OnlineClusterer
from storyline.cluster.similarity import (
    FEATURES,
    Centroid,
    dense_text,
    features,
    pair_features,
    vectors,
)
from storyline.errors import ConfigError, InputError
from storyline.evaluate import cluster_scores, pair_report, read_gold_clusters, read_pairs
from storyline.evaluate_data import Pair
from storyline.model import Article, DocKind, Parsed, RawDocument
from storyline.sources.records import record_fields
from storyline.text.analyse import analyse
from storyline.text.parse import parse_document

FOLDS = 5

# Probability thresholds tried for joining, re-opening and merging.
ASSIGN_GRID = tuple(round(x, 2) for x in np.arange(0.05, 0.91, 0.05))
NEVER = 1.01  # a probability threshold no pair reaches
STRICT_GRID = (0.7, 0.8, 0.9, 0.95, 0.99, NEVER)

# Inverse of scikit-learn's C: mild regularisation, the features are few and bounded.
L2_STRENGTH = 1.0

# Each data set weighs the same in the fit however many rows it has, so the many
# negative (article, other story) rows do not drown the pair ratings.
SOURCE_BALANCE = True


@dataclass(slots=True)
class Rows:
    x: list[tuple[float, ...]] = field(default_factory=list)
    y: list[float] = field(default_factory=list)
    group: list[str] = field(default_factory=list)

    def extend(self, other: Rows) -> None:
        self.x.extend(other.x)
        self.y.extend(other.y)
        self.group.extend(other.group)


@dataclass(frozen=True, slots=True)
class ClusterCase:
    articles: list[Article]
    events: list[int]
    dense: list[tuple[float, ...]] = field(default_factory=list)  # embeddings, if any


def embed(backend: EmbeddingBackend | None, articles: Sequence[Article]) -> list[tuple[float, ...]]:
    """Each article's embedding, or an empty tuple each without an embedding model."""
    if backend is None or not articles:
        return [() for _ in articles]
    return [
        tuple(float(x) for x in row) for row in backend.encode([dense_text(a) for a in articles])
    ]


def read_cluster_case(folder: Path, backend: EmbeddingBackend | None = None) -> ClusterCase:
    gold = read_gold_clusters(folder)
    articles, events = [], []
    for g in gold:
        try:
            raw = RawDocument(g.path.name, DocKind.RECORD, "", record_fields(g.record, g.path.name))
            articles.append(analyse(parse_document(raw)))
            events.append(g.event)
        except InputError:
            continue  # an unusable article teaches nothing; eval counts it as a miss
    order = publication_order(articles)
    position = {a.id: i for i, a in enumerate(articles)}
    return ClusterCase(order, [events[position[a.id]] for a in order], embed(backend, order))


def cluster_rows(case: ClusterCase) -> Rows:
    """(article, gold story so far) rows from an oracle replay."""
    rows = Rows()
    stories: dict[int, Centroid] = {}
    for article, event, dense in zip(case.articles, case.events, case.dense, strict=True):
        v = vectors(article, dense)
        for other, centroid in sorted(stories.items()):
            rows.x.append(features(v, centroid))
            rows.y.append(1.0 if other == event else 0.0)
            rows.group.append(f"event:{event}")
        stories.setdefault(event, Centroid()).add(v)
    return rows


def pair_rows(
    pairs: Sequence[Pair], backend: EmbeddingBackend | None = None
) -> tuple[Rows, list[int]]:
    rows, kept = Rows(), []
    for i, pair in enumerate(pairs):
        try:
            a = analyse(Parsed(f"{pair.pair_id}:1", "", pair.text1, language=pair.lang1))
            b = analyse(Parsed(f"{pair.pair_id}:2", "", pair.text2, language=pair.lang2))
        except InputError:
            continue
        dense_a, dense_b = embed(backend, [a, b])
        rows.x.append(pair_features(a, b, (dense_a, dense_b)))
        rows.y.append(pair.similarity)
        rows.group.append(f"pair:{pair.pair_id}")
        kept.append(i)
    return rows, kept


def fit(rows: Rows) -> tuple[dict[str, float], float]:
    """Logistic regression with soft labels (each row split into a 1 and a 0 row)."""
    try:
        from sklearn.linear_model import LogisticRegression
    except ImportError as exc:
        raise ConfigError(
            "scikit-learn is needed to calibrate: pip install 'storyline[baselines]'"
        ) from exc
    x = np.asarray(rows.x, dtype=np.float64)
    y = np.asarray(rows.y, dtype=np.float64)
    weight = np.ones(len(y))
    if SOURCE_BALANCE:
        is_pair = np.array([g.startswith("pair:") for g in rows.group])
        for mask in (is_pair, ~is_pair):
            if mask.any():
                weight[mask] = len(y) / (2.0 * mask.sum())
    xx = np.vstack([x, x])
    yy = np.concatenate([np.ones(len(y)), np.zeros(len(y))])
    ww = np.concatenate([weight * y, weight * (1.0 - y)])
    keep = ww > 0
    model = LogisticRegression(C=1.0 / L2_STRENGTH, max_iter=2000)
    model.fit(xx[keep], yy[keep], sample_weight=ww[keep])
    weights = {name: float(w) for name, w in zip(FEATURES, model.coef_[0], strict=True)}
    return weights, float(model.intercept_[0])


def replay(
    case: ClusterCase, indices: Sequence[int], model: SimilarityModel, window: float
) -> list[str]:
    clusterer = OnlineClusterer(timedelta(days=window), model)
    assigned = [clusterer.assign(case.articles[i], None, case.dense[i]) for i in indices]
    return [clusterer.resolve(s) for s in assigned]


def _folds(groups: Sequence[str], k: int) -> list[int]:
    """Fold of each distinct group, by a hash: stable and independent of order."""
    return [int(hashlib.sha256(g.encode()).hexdigest(), 16) % k for g in groups]


def calibrate(
    cluster_dir: Path | None,
    pairs_csv: Path | None,
    window_days: float,
    backend: EmbeddingBackend | None = None,
) -> tuple[SimilarityModel, dict[str, Any]]:
    """Fit a model; returns it with a report of cross-validated figures. With an
    embedding ``backend`` the dense feature gets a weight too."""
    if cluster_dir is None and pairs_csv is None:
        raise ConfigError("give labelled clusters (--clusters DIR) and/or pairs (--pairs CSV)")
    case = read_cluster_case(cluster_dir, backend) if cluster_dir else ClusterCase([], [])
    crows = cluster_rows(case)
    pairs = read_pairs(pairs_csv) if pairs_csv else []
    prows, kept = pair_rows(pairs, backend)
    article_fold = _folds([f"event:{e}" for e in case.events], FOLDS)
    row_fold = _folds(crows.group, FOLDS) + _folds(prows.group, FOLDS)
    everything = Rows()
    everything.extend(crows)
    everything.extend(prows)

    fold_models = []
    oof_pairs = np.zeros(len(prows.y))
    for k in range(FOLDS):
        train = Rows()
        for i, f in enumerate(row_fold):
            if f != k:
                train.x.append(everything.x[i])
                train.y.append(everything.y[i])
                train.group.append(everything.group[i])
        weights, bias = fit(train)
        fold_models.append(replace(DEFAULT_MODEL, weights=weights, bias=bias))
        for j, f in enumerate(row_fold[len(crows.y) :]):
            if f == k:
                oof_pairs[j] = fold_models[-1].probability(prows.x[j])

    assign_t, reopen_t, merge_t = 0.5, NEVER, NEVER
    if case.articles:
        # Joining first (re-opening and merging off), then the stricter two on top.
        def score(assign: float, strict: float) -> float:
            scores = _cv_scores(
                case, article_fold, fold_models, assign, strict, strict, window_days
            )
            return float(scores["bcubed_f1"])

        assign_t = _steady_best(ASSIGN_GRID, lambda t: score(t, NEVER))
        reopen_t = merge_t = _steady_best(STRICT_GRID, lambda t: score(assign_t, t))
    # The final model is the mean of the fold models: the very models whose
    # thresholds and figures were measured, steadier than one refit on everything.
    weights = {name: float(np.mean([m.weights[name] for m in fold_models])) for name in FEATURES}
    bias = float(np.mean([m.bias for m in fold_models]))
    final = SimilarityModel(
        weights=weights,
        bias=bias,
        assign_threshold=assign_t,
        reopen_threshold=reopen_t,
        merge_threshold=merge_t,
        version=_version(cluster_dir, pairs_csv),
    )
    report: dict[str, Any] = {"folds": FOLDS}
    if case.articles:
        report["clusters_cv"] = _cv_scores(
            case, article_fold, fold_models, assign_t, reopen_t, merge_t, window_days
        )
    if pairs:
        # A pair with an article too short to compare scores 0, as in `eval pairs`.
        scores = np.zeros(len(pairs))
        scores[kept] = oof_pairs
        report["pairs_cv"] = pair_report(pairs, list(scores)).as_dict()
    final = replace(final, report=report)
    return final, report


# Thresholds whose cross-validated F1 is within this of the best count as tied; the
# strictest of them is taken, since a wrong merge costs more than a missed one.
F1_TIE = 0.003


def _steady_best(grid: Sequence[float], score: Callable[[float], float]) -> float:
    scores = {t: score(t) for t in grid}
    best = max(scores.values())
    return max(t for t, f1 in scores.items() if f1 >= best - F1_TIE)


def _cv_labels(
    case: ClusterCase,
    article_fold: list[int],
    models: list[SimilarityModel],
    assign: float,
    reopen: float,
    merge: float,
    window: float,
) -> list[str]:
    # Every fold's model replays ALL articles (the others are unlabelled distractors,
    # as in real use) and is scored only on its own fold's articles, whose labels it
    # never saw. Fold prefixes keep the folds' stories apart in the pooled scores.
    labels = [""] * len(case.articles)
    everything = range(len(case.articles))
    for k, model in enumerate(models):
        tuned = replace(
            model, assign_threshold=assign, reopen_threshold=reopen, merge_threshold=merge
        )
        for i, story in enumerate(replay(case, everything, tuned, window)):
            if article_fold[i] == k:
                labels[i] = f"{k}:{story}"
    return labels


def _cv_scores(
    case: ClusterCase,
    article_fold: list[int],
    models: list[SimilarityModel],
    assign: float,
    reopen: float,
    merge: float,
    window: float,
) -> dict[str, Any]:
    labels = _cv_labels(case, article_fold, models, assign, reopen, merge, window)
    return cluster_scores(case.events, labels).as_dict()


def _version(cluster_dir: Path | None, pairs_csv: Path | None) -> str:
    h = hashlib.sha256()
    h.update(" ".join(FEATURES).encode())  # other features, another model
    for path in sorted((cluster_dir or Path()).glob("*.json")) if cluster_dir else []:
        h.update(path.read_bytes())
    if pairs_csv:
        h.update(pairs_csv.read_bytes())
    return f"calibrated-{h.hexdigest()[:12]}"
