"""Runs the stages from raw documents to stored stories: ``chunks`` reads, parses and
prepares the articles; here they are placed (duplicates, stories) and stored.

Per-item failures are recorded and reported; they never abort the batch. Writes
happen in transactions of ``batch_size`` articles, so an interrupted run leaves the
database consistent and a re-run completes it (stored articles are skipped).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from storyline import heap
from storyline.chunks import Packed, Prepared, Progress, batches, prefetched, read_chunks
from storyline.cluster.embeddings import load_backend
from storyline.cluster.model import load_model
from storyline.cluster.online import MAX_DORMANT_STORIES, OnlineClusterer
from storyline.cluster.similarity import Centroid, dense_text, vectors
from storyline.config import Settings
from storyline.dedupe import DuplicateIndex, signature_bytes, signature_from_bytes
from storyline.errors import InputError
from storyline.limits import Limits, within_limits
from storyline.model import Failure, RawDocument
from storyline.store.base import Placement, Store, StoryRecord
from storyline.text.dates import window_start
from storyline.text.learned import LearnedBoilerplate, merge_learned
from storyline.workers import WORKER_BATCH, Runner

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
        story_since = window_start(start, self.clusterer.window) if start else None
        self.clusterer.start_at(start)
        for record in self.store.story_states(story_since, MAX_DORMANT_STORIES):
            centroid = Centroid.loads(record.state)
            self.clusterer.restore(record.id, centroid, set(record.keys))
        copy_since = window_start(start, self.duplicates.window) if start else None
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
            seen: set[str] = set()
            for results in batches(chunk.prepared, WORKER_BATCH):
                failed = [r for r in results if isinstance(r, Failure)]
                report.failures.extend(failed)
                pending_failures.extend(failed)
                todo = _new_articles(results, seen, store, report)
                if engine is None and todo:
                    # The chunk comes oldest first (undated last): the first article to
                    # place is the earliest the restored state must serve.
                    engine = Engine(store, settings)
                    engine.restore(todo[0].published)
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


def _new_articles(
    results: list[Prepared | Packed | Failure], seen: set[str], store: Store, report: IngestReport
) -> list[Prepared | Packed]:
    """The prepared articles of ``results`` neither stored nor ``seen`` earlier in the
    chunk (added to ``seen``); the others count as already stored."""
    fresh: list[Prepared | Packed] = []
    for result in results:
        if isinstance(result, Failure):
            continue
        if result.id in seen:  # came twice within the chunk
            report.already_stored += 1
        else:
            seen.add(result.id)
            fresh.append(result)
    known = store.known_ids(p.id for p in fresh)
    report.already_stored += len(known)
    return [p for p in fresh if p.id not in known]
