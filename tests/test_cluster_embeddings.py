"""The optional dense-embedding backend, tested with a tiny model built here.

The model is a two-layer BERT with random (seeded) weights and a vocabulary written
by the test: it means nothing, but it exercises loading from a folder, batching and
normalisation exactly as a real model would, offline and in a few seconds.
"""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import numpy as np
import pytest

from storyline.cluster.embeddings import (
    SentenceTransformerBackend,
    embedding_similarity,
    load_backend,
)
from storyline.config import Settings
from storyline.errors import ConfigError

SKIP_REASON = (
    "the optional embedding packages are not installed; "
    "run `pip install torch==2.13.0` and then `pip install 'storyline[embeddings]'`"
)

SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
CHARACTERS = list("abcdefghijklmnopqrstuvwxyz0123456789.,;:!?'\"()-")
# A plain string split where used: a list literal this long would be unreadable.
WORDS_TEXT = """
the a an of to in on at and or but is was were be been has have had will would said
says after before over under with from by for about against between during new old
minister defence defense president government army war peace talks visit visited
meeting met city capital country state agency news report reported reports today
yesterday week month year people police court bridge river port strike ship ships
workers union pay rise percent million billion euros dollars satellite orbit launch
rocket space weather cloud sea temperature engineers mayor repairs cars vehicles
minsk moscow berlin kyiv kiev belarus russia germany ukraine shoigu lukashenko
der die das und ist war nicht mit von zu im den dem ein eine sich auch auf für
verteidigungsminister besuch besucht hauptstadt regierung präsident agentur berichtet
"""


def write_vocab(path: Path) -> None:
    continuations = [f"##{c}" for c in "abcdefghijklmnopqrstuvwxyz0123456789"]
    tokens = SPECIAL + CHARACTERS + continuations + sorted(set(WORDS_TEXT.split()))
    path.write_text("\n".join(tokens) + "\n", encoding="utf-8")


def build_tiny_model(folder: Path) -> Path:
    """Write a sentence-transformers model folder; returns its path."""
    torch = pytest.importorskip("torch", reason=SKIP_REASON, exc_type=ImportError)
    pytest.importorskip("sentence_transformers", reason=SKIP_REASON, exc_type=ImportError)
    transformers = pytest.importorskip("transformers", reason=SKIP_REASON, exc_type=ImportError)
    from sentence_transformers import SentenceTransformer

    try:  # sentence-transformers >= 6 moved the modules; the old path warns there
        from sentence_transformers.sentence_transformer.modules import Pooling, Transformer
    except ImportError:
        from sentence_transformers.models import Pooling, Transformer

    bert = folder / "bert"
    bert.mkdir(parents=True)
    write_vocab(bert / "vocab.txt")
    vocab_size = len((bert / "vocab.txt").read_text(encoding="utf-8").split())
    config = transformers.BertConfig(
        vocab_size=vocab_size,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=128,
    )
    torch.manual_seed(1234)
    transformers.BertModel(config).save_pretrained(bert)
    # Positional: transformers 4 calls it vocab_file, 5 calls it vocab (and ignores the
    # other name silently, turning every word into [UNK]).
    tokenizer = transformers.BertTokenizerFast(str(bert / "vocab.txt"))
    assert tokenizer.convert_tokens_to_ids("minister") != tokenizer.unk_token_id
    tokenizer.save_pretrained(bert)

    encoder = Transformer(str(bert), max_seq_length=64)
    pooling = Pooling(32, pooling_mode="mean")
    model_path = folder / "sentence-model"
    SentenceTransformer(modules=[encoder, pooling], device="cpu").save(str(model_path))
    return model_path


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_model(tmp_path_factory.mktemp("embeddings"))


@pytest.fixture(scope="module")
def backend(tiny_model: Path) -> SentenceTransformerBackend:
    return SentenceTransformerBackend(str(tiny_model), batch_size=2)


TEXTS = [
    "Russia's defence minister Shoigu visited Minsk on Thursday.",
    "Der Verteidigungsminister besucht die Hauptstadt.",
    "Russia's defence minister Shoigu visited Minsk on Thursday.",
    "Dock workers at the port began a strike over pay.",
    "The weather satellite reached orbit after the launch.",
]


def test_cluster_embeddings_vectors_are_unit_length_with_one_row_per_text(
    backend: SentenceTransformerBackend,
) -> None:
    vectors = backend.encode(TEXTS)
    assert vectors.shape == (len(TEXTS), 32)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert backend.dimension == 32
    assert backend.encode([]).shape == (0, 32)


def test_cluster_embeddings_identical_texts_score_one(
    backend: SentenceTransformerBackend,
) -> None:
    vectors = backend.encode(TEXTS)
    assert embedding_similarity(vectors[0], vectors[2]) == pytest.approx(1.0, abs=1e-6)
    # Random weights still tell different texts apart.
    assert embedding_similarity(vectors[0], vectors[3]) < 1.0 - 1e-4


def test_cluster_embeddings_batching_does_not_change_vectors(
    backend: SentenceTransformerBackend,
) -> None:
    together = backend.encode(TEXTS)
    alone = np.vstack([backend.encode([text]) for text in TEXTS])
    np.testing.assert_allclose(together, alone, atol=1e-5)


def test_cluster_embeddings_two_loads_give_the_same_vectors(tiny_model: Path) -> None:
    first = SentenceTransformerBackend(str(tiny_model)).encode(TEXTS)
    second = SentenceTransformerBackend(str(tiny_model)).encode(TEXTS)
    np.testing.assert_array_equal(first, second)


def test_cluster_embeddings_load_backend_reads_the_setting(tiny_model: Path) -> None:
    settings = cast(Settings, SimpleNamespace(embedding_model=str(tiny_model)))
    loaded = load_backend(settings)
    assert isinstance(loaded, SentenceTransformerBackend)
    assert loaded.encode(TEXTS[:1]).shape == (1, 32)


def test_cluster_embeddings_broken_model_folder_is_a_config_error(
    tiny_model: Path, tmp_path: Path
) -> None:
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "config.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ConfigError, match="could not load the embedding model"):
        SentenceTransformerBackend(str(broken))


def test_cluster_embeddings_single_string_is_refused(
    backend: SentenceTransformerBackend,
) -> None:
    with pytest.raises(TypeError, match="sequence of texts"):
        backend.encode(cast(Any, "one text"))


# The tests below need neither torch nor sentence-transformers.


def test_cluster_embeddings_off_by_default() -> None:
    assert load_backend(Settings()) is None
    blank = cast(Settings, SimpleNamespace(embedding_model="  "))
    assert load_backend(blank) is None


def test_cluster_embeddings_missing_path_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"does not exist.*never downloads"):
        SentenceTransformerBackend(str(tmp_path / "no-such-model"))
    # A hub name is just a path that does not exist here.
    with pytest.raises(ConfigError, match="does not exist"):
        SentenceTransformerBackend("sentence-transformers/all-MiniLM-L6-v2")


def test_cluster_embeddings_file_or_empty_folder_is_a_config_error(tmp_path: Path) -> None:
    weights = tmp_path / "model.safetensors"
    weights.write_bytes(b"")
    with pytest.raises(ConfigError, match="is not a folder"):
        SentenceTransformerBackend(str(weights))
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ConfigError, match="holds no model"):
        SentenceTransformerBackend(str(empty))


def test_cluster_embeddings_missing_package_names_the_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "modules.json").write_text("[]", encoding="utf-8")
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)  # import fails
    with pytest.raises(ConfigError, match=r"storyline\[embeddings\]"):
        SentenceTransformerBackend(str(folder))


def test_cluster_embeddings_similarity_is_clamped_cosine() -> None:
    assert embedding_similarity([1.0, 0.0], [2.0, 0.0]) == pytest.approx(1.0)
    assert embedding_similarity([1.0, 0.0], [0.0, 3.0]) == 0.0
    assert embedding_similarity([1.0, 0.0], [-1.0, 0.0]) == 0.0
    assert embedding_similarity([1.0, 1.0], [1.0, 0.0]) == pytest.approx(2**-0.5)
    assert embedding_similarity([0.0, 0.0], [1.0, 0.0]) == 0.0
    with pytest.raises(ValueError, match="differ in length"):
        embedding_similarity([1.0, 0.0], [1.0, 0.0, 0.0])


def test_cluster_embeddings_flow_into_story_state_when_configured(
    tiny_model: Path, tmp_path: Path
) -> None:
    import json

    from storyline.config import Settings
    from storyline.pipeline import ingest
    from storyline.sources.files import iter_documents
    from storyline.store.sqlite import SQLiteStore
    from tests.conftest import write_corpus

    folder = tmp_path / "corpus"
    write_corpus(folder)
    settings = Settings(db=str(tmp_path / "dense.db"), embedding_model=str(tiny_model))
    store = SQLiteStore(settings.db)
    report = ingest(iter_documents([str(folder)], settings), store, settings)
    states = [json.loads(r.state) for r in list(store.story_states(None, 10))]
    store.close()
    assert report.failed == 0 and report.added == 6
    assert states and all(len(state["dense"]) == 32 for state in states)
