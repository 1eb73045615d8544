"""Optional dense sentence embeddings from a local sentence-transformers model.

Off by default: Storyline's lexical similarity stands on its own. When the setting
``embedding_model`` names a folder that holds a sentence-transformers model (or a plain
Hugging Face encoder, which gets mean pooling), :func:`load_backend` returns a backend
that turns texts into unit vectors. Nothing is ever downloaded: the path must be an
existing local folder, the Hugging Face Hub is switched off for the process, and code
shipped with a model is never run.

The packages are an extra: ``pip install 'storyline[embeddings]'``.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import numpy.typing as npt

from storyline.errors import ConfigError

if TYPE_CHECKING:
    from storyline.config import Settings

Embeddings = npt.NDArray[np.float32]

INSTALL_HINT = "pip install 'storyline[embeddings]'"

# Keeps CPU matrix products busy while a batch of long articles (512 tokens each for
# BERT-sized models) stays far below a gigabyte of activations.
DEFAULT_BATCH_SIZE = 32

# How a folder is recognised as a model: sentence-transformers writes modules.json;
# a plain Hugging Face encoder has only config.json.
_MODEL_MARKERS = ("modules.json", "config.json")


class EmbeddingBackend(Protocol):
    """Turns texts into dense vectors for similarity."""

    def encode(self, texts: Sequence[str]) -> Embeddings:
        """One L2-normalised row per text: an array of shape ``(len(texts), d)``."""
        ...


def model_dir(model_path: str) -> Path:
    """The model folder named by the user, or ConfigError saying what to give instead."""
    path = Path(model_path).expanduser()
    if not path.exists():
        problem = "does not exist"
    elif not path.is_dir():
        problem = "is not a folder"
    elif not any((path / marker).is_file() for marker in _MODEL_MARKERS):
        problem = f"holds no model (neither {' nor '.join(_MODEL_MARKERS)})"
    else:
        return path
    raise ConfigError(
        f"embedding_model={model_path!r} {problem}. Storyline never downloads models: "
        "give the path of a local folder holding a sentence-transformers model "
        "(hub names such as 'org/model' are not accepted), or leave embedding_model "
        "empty to use the built-in similarity"
    )


def _sentence_transformers() -> Any:
    # Set before the import: huggingface_hub reads it once, when first imported.
    # local_files_only below guards the case where it was imported earlier.
    os.environ["HF_HUB_OFFLINE"] = "1"
    try:
        import sentence_transformers
    except ImportError as exc:
        raise ConfigError(
            f"embedding_model is set but sentence-transformers cannot be imported ({exc}); "
            f"install it with {INSTALL_HINT}, or leave embedding_model empty"
        ) from exc
    return sentence_transformers


class SentenceTransformerBackend:
    """A sentence-transformers model loaded from a local folder, used for inference only."""

    def __init__(
        self, model_path: str, device: str = "cpu", batch_size: int = DEFAULT_BATCH_SIZE
    ) -> None:
        path = model_dir(model_path)
        if batch_size < 1:
            raise ConfigError(f"embedding batch_size must be at least 1, not {batch_size}")
        library = _sentence_transformers()
        try:
            self._model = library.SentenceTransformer(
                str(path), device=device, local_files_only=True, trust_remote_code=False
            )
        except (OSError, ValueError, RuntimeError, KeyError) as exc:
            raise ConfigError(
                f"could not load the embedding model in {path}: {str(exc).rstrip('.')}; "
                "check that the folder holds a complete sentence-transformers model "
                "(as written by SentenceTransformer.save) or leave embedding_model empty"
            ) from exc
        self.model_path = str(path)
        self.device = device
        self.batch_size = batch_size
        self._dimension: int | None = None

    @property
    def dimension(self) -> int:
        """Length of each vector."""
        if self._dimension is None:
            getter = getattr(self._model, "get_embedding_dimension", None) or getattr(
                self._model, "get_sentence_embedding_dimension", None
            )
            size = getter() if getter is not None else None
            self._dimension = int(size) if size else self._encode([""]).shape[1]
        return self._dimension

    def encode(self, texts: Sequence[str]) -> Embeddings:
        """One L2-normalised row per text: an array of shape ``(len(texts), d)``."""
        if isinstance(texts, str):
            raise TypeError("encode takes a sequence of texts, not a single string")
        if len(texts) == 0:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return self._encode(texts)

    def _encode(self, texts: Sequence[str]) -> Embeddings:
        vectors = self._model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)


def load_backend(settings: Settings) -> EmbeddingBackend | None:
    """The configured embedding backend, or None when ``embedding_model`` is empty."""
    model_path = str(getattr(settings, "embedding_model", "") or "").strip()
    if not model_path:
        return None
    return SentenceTransformerBackend(model_path)


def embedding_similarity(a_vec: npt.ArrayLike, b_vec: npt.ArrayLike) -> float:
    """Cosine of two embeddings mapped to [0, 1]: opposite or orthogonal texts score 0."""
    a = np.asarray(a_vec, dtype=np.float64).ravel()
    b = np.asarray(b_vec, dtype=np.float64).ravel()
    if a.shape != b.shape:
        raise ValueError(f"embeddings differ in length: {a.shape[0]} and {b.shape[0]}")
    norms = float(np.linalg.norm(a) * np.linalg.norm(b))
    if norms == 0.0 or not math.isfinite(norms):
        return 0.0
    # Clamped above too: float rounding puts identical unit vectors a hair over 1.
    return min(1.0, max(0.0, float(np.dot(a, b)) / norms))
