"""The similarity model: a logistic combination of pair features, and its thresholds.

``storyline calibrate`` fits the weights and thresholds on labelled data and writes
them to ``storyline/data/similarity-model.json`` (versioned). Without that file the
hand-set ``DEFAULT_MODEL`` is used.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from storyline.cluster.similarity import FEATURES, pair_features
from storyline.errors import ConfigError
from storyline.model import Article

MODEL_FORMAT = 1
MODEL_RESOURCE = "similarity-model.json"


@dataclass(frozen=True, slots=True)
class SimilarityModel:
    """p(same story) = sigmoid(bias + sum(weight * feature))."""

    weights: dict[str, float]
    bias: float
    # An article joins an active story at or above this probability.
    assign_threshold: float
    # A story that left the active window is re-opened only by a stronger match, since
    # old stories are many and a weak match among them is more often chance.
    reopen_threshold: float
    # Two stories merge when their centroids match this strongly: the later articles
    # showed they report one event.
    merge_threshold: float
    version: str = "hand-set"
    report: dict[str, Any] = field(default_factory=dict)

    def probability(self, values: tuple[float, ...]) -> float:
        z = self.bias + sum(
            self.weights.get(name, 0.0) * x for name, x in zip(FEATURES, values, strict=True)
        )
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))

    def to_json(self) -> str:
        return json.dumps({"format": MODEL_FORMAT, **asdict(self)}, indent=2, sort_keys=True)


# Hand-set: a weighted sum of body (0.6), title (0.2) and name (0.2) cosines that
# crosses 0.22 at p = 0.5; rewrites of one event score 0.3-0.6, unrelated stories of
# one section below 0.15. The slope (20) makes p move from 0.12 to 0.88 over ±0.1.
DEFAULT_MODEL = SimilarityModel(
    weights={"body": 12.0, "title": 4.0, "names": 4.0},
    bias=-4.4,
    assign_threshold=0.5,
    reopen_threshold=0.9,
    merge_threshold=0.9,
)


def model_from_json(text: str, origin: str) -> SimilarityModel:
    try:
        data = json.loads(text)
        if data.get("format") != MODEL_FORMAT:
            raise ValueError(f"format {data.get('format')!r}, expected {MODEL_FORMAT}")
        unknown = set(data["weights"]) - set(FEATURES)
        if unknown:
            raise ValueError(f"unknown features {sorted(unknown)}")
        return SimilarityModel(
            weights={k: float(v) for k, v in data["weights"].items()},
            bias=float(data["bias"]),
            assign_threshold=float(data["assign_threshold"]),
            reopen_threshold=float(data["reopen_threshold"]),
            merge_threshold=float(data["merge_threshold"]),
            version=str(data.get("version", "unknown")),
            report=dict(data.get("report", {})),
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise ConfigError(
            f"similarity model {origin} is unusable ({exc}); re-run `storyline calibrate`"
        ) from exc


def load_model(path: str | Path | None = None) -> SimilarityModel:
    """The model at ``path``, else the packaged calibrated model, else the default."""
    if path:
        file = Path(path)
        if not file.is_file():
            raise ConfigError(f"similarity model file {file} does not exist")
        return model_from_json(file.read_text(encoding="utf-8"), str(file))
    return _packaged_model()


def packaged_model_path() -> Path:
    """Where the calibrated model ships inside the package."""
    return Path(str(resources.files("storyline"))) / "data" / MODEL_RESOURCE


@lru_cache(maxsize=1)
def _packaged_model() -> SimilarityModel:
    path = packaged_model_path()
    if not path.is_file():
        return DEFAULT_MODEL
    return model_from_json(path.read_text(encoding="utf-8"), MODEL_RESOURCE)


def article_similarity(a: Article, b: Article, model: SimilarityModel | None = None) -> float:
    """Probability that two articles report the same story; symmetric, in [0, 1]."""
    return (model or load_model()).probability(pair_features(a, b))
