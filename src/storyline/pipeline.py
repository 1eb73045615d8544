"""Runs the stages from raw documents to stored stories.

Per-item failures are recorded and reported; they never abort the batch. Writes
happen in transactions of ``batch_size`` articles, so an interrupted run leaves the
database consistent and a re-run completes it (stored articles are skipped).
"""

from __future__ import annotations

import itertools
import pickle
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from queue import Queue
from typing import TypeVar

import numpy as np

from storyline import heap
from storyline.cluster.embeddings import load_backend
from storyline.cluster.model import load_model
from storyline.cluster.online import MAX_DORMANT_STORIES, OnlineClusterer
from storyline.cluster.similarity import ArticleVectors, Centroid, dense_text, vectors
from storyline.config import Settings
from storyline.dedupe import DuplicateIndex, signature, signature_bytes, signature_from_bytes
from storyline.errors import InputError, Skipped
from storyline.limits import Limits, within_limits
from storyline.model import Article, Failure, Parsed, RawDocument
from storyline.store.base import Placement, Store, StoryRecord
from storyline.text.analyse import analyse, default_source
from storyline.text.learned import LearnedBoilerplate, learn, merge_learned
from storyline.text.parse import parse_document
from storyline.workers import Runner

Progress = Callable[[str, int, int | None], None]
T = TypeVar("T")

# Story ids an ingest report keeps: every one of a request or a file a person reads;
# an archive import, or a watcher running for weeks, would otherwise hold the id of
# every story it ever touched (~50 MB at a million articles).
REPORTED_STORIES = 100_000


class TouchedStories:
    """Ids of the stories an ingest placed articles in, at most ``REPORTED_STORIES`` of
    them; beyond that only the fact that there were more is kept."""

    __slots__ = ("ids", "more")

    def __init__(self) -> None:
        self.ids: set[str] = set()
        self.more = False

    def add(self, story_id: str) -> None:
        if story_id in self.ids:
            return
        if len(self.ids) < REPORTED_STORIES:
            self.ids.add(story_id)
        else:
            self.more = True

    def update(self, other: TouchedStories) -> None:
        for story_id in other.ids:
            self.add(story_id)
        self.more = self.more or other.more

    def __len__(self) -> int:
        return len(self.ids)

    def __iter__(self) -> Iterator[str]:
        return iter(self.ids)

    def label(self) -> str:
        """The count for people: "12", or "100,000+" when ids were left out."""
        return f"{len(self.ids):,}{'+' if self.more else ''}"


@dataclass(slots=True)
class IngestReport:
    """What one ingest did."""

    added: int = 0
    duplicates: int = 0
    already_stored: int = 0
    failures: list[Failure] = field(default_factory=list)
    skipped: list[Failure] = field(default_factory=list)  # readable, but not articles
    stories: TouchedStories = field(default_factory=TouchedStories)
    learned: LearnedBoilerplate | None = None

    @property
    def failed(self) -> int:
        return len(self.failures)


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
    return _by_publication(articles, lambda a: a.published)


def _by_publication(items: list[T], when: Callable[[T], datetime | None]) -> list[T]:
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
    dict slot and a float object); pickled, ~30 kB. The clusterer's process holds the
    chunk it places and up to two more on their way: 6,000 articles, 2 GB unpickled."""

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
    """One chunk of the input, read, cleaned, analysed and in publication order."""

    prepared: list[Prepared | Packed] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    skipped: list[Failure] = field(default_factory=list)
    repeated: int = 0  # articles that came twice within the chunk
    learned: LearnedBoilerplate | None = None


def process_chunk(items: Sequence[RawDocument | InputError], runner: Runner) -> Chunk:
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
    seen: set[str] = set()
    # Packed in one process too: the chunk waits whole to be put in publication order,
    # and 2,000 articles unpacked hold ~660 MB beside the clusterer; packing and
    # unpacking one costs ~0.7 ms against ~16 ms to prepare it.
    results: list[Packed | Failure] = runner.map(prepare_batch_packed, parsed, chunk.learned)
    for ready in results:
        if isinstance(ready, Failure):
            chunk.failures.append(ready)
        elif ready.id in seen:
            chunk.repeated += 1
        else:
            seen.add(ready.id)
            chunk.prepared.append(ready)
    chunk.prepared = _by_publication(chunk.prepared, lambda p: p.published)
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
    """``chunks``, with the next one prepared in the background while one is placed.

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


# The originals' stories are kept for at most this many times the originals in the
# duplicate window before those that left it are dropped: amortised constant time.
STORY_OF_SLACK = 2


class Engine:
    """The deduplicator and clusterer, restored from the store for a time window."""

    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        self.clusterer = OnlineClusterer(
            timedelta(days=settings.story_window_days),
            load_model(settings.similarity_model),
            settings.max_active_stories,
        )
        self.duplicates = DuplicateIndex(
            settings.duplicate_threshold, timedelta(days=settings.duplicate_window_days)
        )
        self.story_of: dict[str, str] = {}
        self.embeddings = load_backend(settings)

    def restore(self, start: datetime | None) -> None:
        """Load the state an uninterrupted run would have when ``start`` comes."""
        story_since = start - self.clusterer.window if start else None
        self.clusterer.start_at(start)
        for record in self.store.story_states(story_since, MAX_DORMANT_STORIES):
            centroid = Centroid.loads(record.state)
            self.clusterer.restore(record.id, centroid, set(record.keys))
        copy_since = start - self.duplicates.window if start else None
        for sig in self.store.signatures(copy_since):
            self.story_of[sig.article_id] = sig.story_id
            values = signature_from_bytes(sig.signature)
            self.duplicates.add(sig.article_id, sig.fingerprint, values, sig.published)

    def place(self, prepared: Prepared) -> Placement:
        article, sig, v = prepared.article, prepared.signature, prepared.vectors
        match = self.duplicates.find(article.fingerprint, sig)
        original = match.original if match else None
        duplicate_story = self.story_of.get(original) if original else None
        if self.embeddings is not None:
            dense = [float(x) for x in self.embeddings.encode([dense_text(article)])[0]]
            v = vectors(article, dense)
        story_id = self.clusterer.assign(article, duplicate_story, precomputed=v)
        if original is None:
            self.story_of[article.id] = story_id
            self.duplicates.add(article.id, article.fingerprint, sig, article.published)
            if len(self.story_of) > STORY_OF_SLACK * len(self.duplicates):
                # Only originals still in the duplicate window can be copied: the rest
                # go, so a long run's memory stays flat.
                self.story_of = {k: v for k, v in self.story_of.items() if k in self.duplicates}
        return Placement(article, story_id, original, signature_bytes(sig))

    def changes(self) -> tuple[list[StoryRecord], list[tuple[str, str]]]:
        """Story states and merges since the last call, for the store."""
        changes = self.clusterer.take_changes()
        records = [
            StoryRecord(
                id=story.id,
                state=story.centroid.dumps(),
                keys=tuple(sorted(story.keys)),
                last_seen=story.centroid.last_seen,
                dormant=story.dormant,
                title=story.centroid.parts["title"],
            )
            for story in changes.states.values()
        ]
        return records, changes.merges


@dataclass(slots=True)
class KeptEngine:
    """The clusterer and duplicate index of a process that ingests again and again (a
    watcher), kept between ``ingest`` calls: each call would otherwise restore them
    from the database, which takes seconds to minutes when the window is full. Used
    only while the database is as this process left it; any other writer, or a
    failed call, makes the next call restore."""

    engine: Engine | None = None
    mark: int | None = None

    def take(self, store: Store, settings: Settings) -> Engine | None:
        """The kept engine, now reading through ``store``: one ``KeptEngine`` serves one
        database, whichever connection to it a call has (the API opens one per
        request)."""
        engine, self.engine = self.engine, None
        if engine is None or engine.settings != settings or store.write_mark() != self.mark:
            return None
        engine.store = store
        return engine

    def keep(self, engine: Engine, store: Store) -> None:
        self.engine, self.mark = engine, store.write_mark()


def ingest(
    items: Iterable[RawDocument | InputError],
    store: Store,
    settings: Settings,
    progress: Progress | None = None,
    kept: KeptEngine | None = None,
) -> IngestReport:
    """Ingest ``items`` into ``store`` in publication order; returns what happened.

    The input is taken in chunks of ``settings.chunk_size`` items, so memory holds one
    chunk (two with workers: one placed while the next is prepared), whatever the size
    of the input. Articles are ordered by publication within a chunk. With ``kept``,
    the clusterer of the previous call is used again when nothing else wrote since,
    and kept for the next call.
    """
    engine = kept.take(store, settings) if kept is not None else None
    report, engine = _ingest(items, store, settings, progress, engine)
    if kept is not None and engine is not None:
        kept.keep(engine, store)
    return report


def _ingest(
    items: Iterable[RawDocument | InputError],
    store: Store,
    settings: Settings,
    progress: Progress | None,
    engine: Engine | None,
) -> tuple[IngestReport, Engine | None]:
    report = IngestReport()
    placements: list[Placement] = []
    pending_failures: list[Failure] = []
    placed = 0

    def flush() -> None:
        states, merges = engine.changes() if engine else ([], [])
        store.write(placements, states, merges, pending_failures)
        placements.clear()
        pending_failures.clear()

    with Runner(settings.workers) as runner:
        checked = within_limits(items, Limits.of(settings))  # before the costly stages
        chunks = read_chunks(checked, settings.chunk_size, runner, progress)
        for chunk in prefetched(chunks) if runner.workers > 1 else chunks:
            report.failures.extend(chunk.failures)
            report.skipped.extend(chunk.skipped)
            report.learned = merge_learned(report.learned, chunk.learned)
            pending_failures.extend(chunk.failures)
            known = store.known_ids(p.id for p in chunk.prepared)
            report.already_stored += chunk.repeated + len(known)
            todo = [p for p in chunk.prepared if p.id not in known]
            if engine is None and todo:
                engine = Engine(store, settings)
                dated = [p.published for p in todo if p.published is not None]
                engine.restore(min(dated) if dated else None)
            for prepared in todo:
                assert engine is not None
                placement = engine.place(prepared.unpack())
                placements.append(placement)
                report.stories.add(placement.story_id)
                if placement.duplicate_of:
                    report.duplicates += 1
                else:
                    report.added += 1
                if len(placements) >= settings.batch_size:
                    flush()
                placed += 1
                if progress:
                    progress("cluster", placed, None)
            if placements or pending_failures:
                flush()
            # After each chunk (and the restore before the first): the chunk's articles
            # and the restore's decoded states are freed by now. Measured on a full
            # window: 130 MB less after a restore, up to 80 MB after a chunk.
            heap.trim()
    return report, engine
