"""What the executors run per file and per article: the pipeline's own stages.

Every function here is a plain function over records (picklable, no Spark), so the
job's transformations are the single-process pipeline's reading, parsing, boilerplate
learning, cleaning, analysis and MinHash, applied in parallel.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import datetime
from functools import lru_cache
from typing import NamedTuple

from storyline.chunks import parse, prepare
from storyline.cluster.embeddings import EmbeddingBackend, load_backend
from storyline.cluster.similarity import dense_text
from storyline.config import Settings
from storyline.dedupe import band_ranges, signature, signature_bytes, signature_from_bytes
from storyline.errors import InputError, Skipped
from storyline.model import Article, Failure, Parsed, RawDocument
from storyline.sources.files import _expand, iter_documents
from storyline.text.analyse import default_source
from storyline.text.learned import LearnedBoilerplate, learn

Seq = tuple[int, int]
"""(file number, item number in the file): the input order, which breaks ties in
publication order exactly as the single-process pipeline does."""


class ReadItem(NamedTuple):
    """One item a reader produced: a document, or a failure (``skipped`` when the item
    is readable but not an article, such as an archive's 404 page)."""

    seq: Seq
    document: RawDocument | None
    failure: Failure | None = None
    skipped: bool = False


class Prepared(NamedTuple):
    """An analysed article with what deduplication and clustering need of it."""

    seq: Seq
    article: Article
    signature: bytes
    dense: tuple[float, ...]


def expand_inputs(inputs: Iterable[str]) -> tuple[list[str], list[Failure]]:
    """The files the inputs name, in input order and each once, and the inputs that
    name no file (as failures)."""
    files: list[str] = []
    failures: list[Failure] = []
    seen: set[str] = set()
    for name in inputs:
        for path in _expand(name):
            if isinstance(path, InputError):
                failures.append(Failure(path.origin, path.reason))
                continue
            key = os.path.realpath(path)
            if key not in seen:
                seen.add(key)
                files.append(path)
    return files, failures


def file_groups(files: list[str], groups: int) -> list[list[tuple[int, str]]]:
    """The files, numbered in input order, dealt into at most ``groups`` read tasks of
    about equal size in bytes (largest first, each to the lightest task): one task per
    small file would cost more in scheduling than in reading."""

    def size(path: str) -> int:
        try:
            return os.path.getsize(path)
        except OSError:
            return 0  # reported by the reader, with the reason

    count = max(1, min(groups, len(files)))
    tasks: list[list[tuple[int, str]]] = [[] for _ in range(count)]
    loads = [0] * count
    for number, path in sorted(enumerate(files), key=lambda np: -size(np[1])):
        lightest = loads.index(min(loads))
        tasks[lightest].append((number, path))
        loads[lightest] += size(path)
    return [sorted(task) for task in tasks if task]


def read_files(task: list[tuple[int, str]], settings: Settings) -> Iterator[ReadItem]:
    for item in task:
        yield from read_file(item, settings)


def read_file(task: tuple[int, str], settings: Settings) -> Iterator[ReadItem]:
    """Every item of one file (JSON, JSONL, WARC, HTML, text), read by the project's
    readers. Errors become ``Failure`` records: exceptions do not travel between
    processes."""
    file_no, path = task
    for item_no, item in enumerate(iter_documents([path], settings)):
        seq = (file_no, item_no)
        if isinstance(item, InputError):
            failure = Failure(item.origin, item.reason)
            yield ReadItem(seq, None, failure, skipped=isinstance(item, Skipped))
        else:
            yield ReadItem(seq, item)


def parse_item(item: ReadItem) -> tuple[Seq, Parsed | Failure]:
    assert item.document is not None
    return item.seq, parse(item.document)


def source_text(parsed: Parsed) -> tuple[str, str]:
    """The key boilerplate is learned under, and the text it is learned from."""
    return default_source(parsed), parsed.text


def learn_source(source: str, texts: Iterable[str]) -> LearnedBoilerplate:
    """Boilerplate of one source: ``learn`` counts per source, so sources are learned
    independently and in parallel with the same result as one pass over all."""
    return learn((source, text) for text in texts)


def merge_learned(parts: Iterable[LearnedBoilerplate]) -> LearnedBoilerplate:
    per_source: dict[str, list[tuple[str, int]]] = {}
    articles: dict[str, int] = {}
    keys: dict[str, frozenset[str]] = {}
    for part in parts:
        per_source.update(part.per_source)
        articles.update(part.articles)
        keys.update(part._keys)
    return LearnedBoilerplate(per_source, articles, keys)


@lru_cache(maxsize=1)
def _backend(settings: Settings) -> EmbeddingBackend | None:
    # Loaded once per worker process: a model load takes seconds.
    return load_backend(settings)


def prepare_item(
    seq: Seq, parsed: Parsed, learned: LearnedBoilerplate, settings: Settings
) -> Prepared | Failure:
    """Clean, analyse and sign one article (``pipeline.prepare`` and ``dedupe.signature``)."""
    article = prepare(parsed, learned)
    if isinstance(article, Failure):
        return article
    # The learned lines removed are only reported by ingest; they need not travel.
    article = replace(article, removed=())
    backend = _backend(settings)
    dense: tuple[float, ...] = ()
    if backend is not None:
        dense = tuple(float(x) for x in backend.encode([dense_text(article)])[0])
    return Prepared(seq, article, signature_bytes(signature(article.text)), dense)


def publication_key(item: Prepared) -> tuple[bool, float, Seq]:
    """Oldest first, undated last, then input order: ``pipeline.publication_order``."""
    published = item.article.published
    return (published is None, epoch(published) or 0.0, item.seq)


def epoch(moment: datetime | None) -> float | None:
    return None if moment is None else moment.timestamp()


def band_keys(sig: bytes, threshold: float) -> list[bytes]:
    """One key per band: two signatures share a key when that band is equal (the
    banding of the single-process index, so both find the same candidate pairs)."""
    values = signature_from_bytes(sig)
    return [values[start:end].tobytes() for start, end in band_ranges(threshold)]
