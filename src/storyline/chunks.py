"""The input in chunks: parsed, its boilerplate learned, put in publication order, and
prepared (cleaned, analysed, signed, vectorised) for the deduplicator and clusterer.

A chunk is read and parsed whole: boilerplate is learned from all of its articles of
a source, and the clusterer takes articles oldest first. Preparing, the costly part,
is not waited for: the parsed articles are put in publication order first (an
article's date is known once parsed), and the clusterer takes each as soon as it is
prepared, while worker processes prepare the rest. Waiting for the whole chunk left
the workers idle while it was placed and the clusterer idle while it was prepared.
"""

from __future__ import annotations

import itertools
import pickle
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from queue import Queue
from typing import TypeVar

import numpy as np

from storyline.cluster.similarity import ArticleVectors, vectors
from storyline.dedupe import signature
from storyline.errors import InputError, Skipped
from storyline.model import Article, Failure, Parsed, RawDocument
from storyline.text.analyse import analyse, default_source
from storyline.text.learned import LearnedBoilerplate, learn
from storyline.text.parse import parse_document
from storyline.workers import Runner

Progress = Callable[[str, int, int | None], None]
T = TypeVar("T")


def parse(item: RawDocument | InputError) -> Parsed | Failure:
    """Parse one item; any failure becomes a ``Failure`` naming the item."""
    if isinstance(item, InputError):
        return Failure(item.origin, item.reason)
    try:
        return parse_document(item)
    except InputError as exc:
        return Failure(exc.origin, exc.reason)
    except Exception as exc:
        # A defect in one document, or in a library or stage reading it (an overflow in
        # date arithmetic, an attribute a parser did not set), must not stop the batch or
        # a running watcher: it is this item's failure, named with its cause.
        return Failure(item.origin, f"could not be processed: {type(exc).__name__}: {exc}")


def prepare(parsed: Parsed, learned: LearnedBoilerplate | None = None) -> Article | Failure:
    """Clean (with what was learned of the source's boilerplate) and analyse."""
    try:
        if learned is None:
            return analyse(parsed)
        text, removed = learned.clean(parsed.text, default_source(parsed))
        article = analyse(replace(parsed, text=text))
        return replace(article, removed=removed + article.removed)
    except InputError as exc:
        return Failure(exc.origin, exc.reason)
    except Exception as exc:  # as in parse(): one item's failure, not the batch's
        return Failure(parsed.origin, f"could not be processed: {type(exc).__name__}: {exc}")


def publication_order(articles: list[Article]) -> list[Article]:
    """Oldest first; undated articles last, in input order."""
    return by_publication(articles, lambda a: a.published)


def by_publication(items: list[T], when: Callable[[T], datetime | None]) -> list[T]:
    """``items`` oldest first; undated ones last; ties in input order."""
    indexed = [(when(item), i, item) for i, item in enumerate(items)]
    indexed.sort(key=lambda x: (x[0] is None, x[0] or 0, x[1]))
    return [item for _, _, item in indexed]


@dataclass(frozen=True, slots=True)
class Prepared:
    """An article with what the deduplicator and clusterer compare of it."""

    article: Article
    signature: np.ndarray
    vectors: ArticleVectors

    @property
    def id(self) -> str:
        return self.article.id

    @property
    def published(self) -> datetime | None:
        return self.article.published

    def unpack(self) -> Prepared:
        return self


@dataclass(frozen=True, slots=True)
class Packed:
    """A prepared article as a worker process sends it, pickled until the clusterer
    takes it. Unpickled, one holds ~330 kB (its vectors have ~1,700 entries, each a
    dict slot and a float object); pickled, ~30 kB. The workers run up to a chunk ahead
    of the clusterer, and what they sent waits in its process: 2,000 articles, 660 MB
    unpickled."""

    id: str
    published: datetime | None
    data: bytes

    @classmethod
    def of(cls, prepared: Prepared) -> Packed:
        data = pickle.dumps(prepared, protocol=pickle.HIGHEST_PROTOCOL)
        return cls(prepared.id, prepared.published, data)

    def unpack(self) -> Prepared:
        prepared = pickle.loads(self.data)
        assert isinstance(prepared, Prepared)
        return prepared


def parse_batch(
    items: Sequence[RawDocument], learned: LearnedBoilerplate | None = None
) -> list[Parsed | Failure]:
    return [parse(item) for item in items]


def prepare_batch(
    items: Sequence[Parsed], learned: LearnedBoilerplate | None = None
) -> list[Prepared | Failure]:
    out: list[Prepared | Failure] = []
    for parsed in items:
        article = prepare(parsed, learned)
        if isinstance(article, Failure):
            out.append(article)
        else:
            out.append(Prepared(article, signature(article.text), vectors(article)))
    return out


def prepare_batch_packed(
    items: Sequence[Parsed], learned: LearnedBoilerplate | None = None
) -> list[Packed | Failure]:
    """``prepare_batch`` in a worker process: its articles packed for the trip."""
    return [
        Packed.of(ready) if isinstance(ready, Prepared) else ready
        for ready in prepare_batch(items, learned)
    ]


@dataclass(slots=True)
class Chunk:
    """One chunk of the input: what failed to parse, what was learned of its sources'
    boilerplate, and its articles in publication order, prepared as they are taken."""

    prepared: Iterator[Prepared | Packed | Failure] = field(default_factory=lambda: iter(()))
    failures: list[Failure] = field(default_factory=list)
    skipped: list[Failure] = field(default_factory=list)  # readable, but not articles
    learned: LearnedBoilerplate | None = None


def process_chunk(items: Sequence[RawDocument | InputError], runner: Runner) -> Chunk:
    """Parse ``items`` and learn their boilerplate now; prepare them as they are taken
    (in worker processes meanwhile, when ``runner`` has them)."""
    chunk = Chunk()
    documents: list[RawDocument] = []
    for item in items:
        if isinstance(item, Skipped):
            chunk.skipped.append(Failure(item.origin, item.reason))
        elif isinstance(item, InputError):
            chunk.failures.append(Failure(item.origin, item.reason))
        else:
            documents.append(item)
    parsed: list[Parsed] = []
    for result in runner.map(parse_batch, documents):
        if isinstance(result, Failure):
            chunk.failures.append(result)
        else:
            parsed.append(result)
    # Lines repeated across many articles of one source are its boilerplate.
    chunk.learned = learn((default_source(p), p.text) for p in parsed)
    ordered = by_publication(parsed, lambda p: p.published)
    # Workers send their articles packed (see Packed); in one process each is placed
    # as soon as it is prepared, so nothing waits and nothing needs packing.
    prepare_fn = prepare_batch_packed if runner.workers > 1 else prepare_batch
    chunk.prepared = runner.imap(prepare_fn, ordered, chunk.learned)
    return chunk


def read_chunks(
    items: Iterable[RawDocument | InputError],
    size: int,
    runner: Runner,
    progress: Progress | None = None,
) -> Iterator[Chunk]:
    """The input in chunks of ``size`` items, each processed by ``runner``."""
    count = 0
    iterator = iter(items)
    while True:
        batch: list[RawDocument | InputError] = []
        for item in itertools.islice(iterator, max(1, size)):
            batch.append(item)
            count += 1
            if progress:
                progress("read", count, None)
        if not batch:
            return
        yield process_chunk(batch, runner)


def prefetched(chunks: Iterator[Chunk]) -> Iterator[Chunk]:
    """``chunks``, the next one read, parsed and handed to the workers while one is
    placed.

    The thread mostly waits for the worker processes, so it does not compete with the
    clusterer for the interpreter. It is a daemon: an interrupted ingest never waits
    for it.
    """
    queue: Queue[Chunk | BaseException | None] = Queue(maxsize=1)

    def produce() -> None:
        try:
            for chunk in chunks:
                queue.put(chunk)
            queue.put(None)
        except BaseException as exc:  # handed to the consumer, which re-raises it
            queue.put(exc)

    threading.Thread(target=produce, name="storyline-prepare", daemon=True).start()
    while (next_chunk := queue.get()) is not None:
        if isinstance(next_chunk, BaseException):
            raise next_chunk
        yield next_chunk


def batches(items: Iterator[T], size: int) -> Iterator[list[T]]:
    """``items`` in lists of ``size`` (the last may be shorter)."""
    while batch := list(itertools.islice(items, size)):
        yield batch
