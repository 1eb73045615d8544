"""Runs the stages from raw documents to stored stories.

Per-item failures are recorded and reported; they never abort the batch. Writes
happen in transactions of ``batch_size`` articles, so an interrupted run leaves the
database consistent and a re-run completes it (stored articles are skipped).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

import numpy as np

from storyline.cluster.embeddings import load_backend
from storyline.cluster.model import load_model
from storyline.cluster.online import MAX_DORMANT_STORIES, OnlineClusterer
from storyline.cluster.similarity import Centroid, dense_text
from storyline.config import Settings
from storyline.dedupe import DuplicateIndex, signature
from storyline.errors import InputError, Skipped
from storyline.model import Article, Failure, Parsed, RawDocument
from storyline.store.base import Placement, Store, StoryRecord
from storyline.text.analyse import analyse, default_source
from storyline.text.learned import LearnedBoilerplate, learn
from storyline.text.parse import parse_document

Progress = Callable[[str, int, int | None], None]


@dataclass(slots=True)
class IngestReport:
    """What one ingest did."""

    added: int = 0
    duplicates: int = 0
    already_stored: int = 0
    failures: list[Failure] = field(default_factory=list)
    skipped: list[Failure] = field(default_factory=list)  # readable, but not articles
    stories: set[str] = field(default_factory=set)
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
    except (ValueError, TypeError, LookupError, RecursionError, MemoryError) as exc:
        # A defect in one document (or in a library reading it) must not stop the batch.
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
    except (ValueError, TypeError, LookupError, RecursionError, MemoryError) as exc:
        return Failure(parsed.origin, f"could not be processed: {type(exc).__name__}: {exc}")


def publication_order(articles: list[Article]) -> list[Article]:
    """Oldest first; undated articles last, in input order."""
    indexed = list(enumerate(articles))
    indexed.sort(key=lambda ia: (ia[1].published is None, ia[1].published or 0, ia[0]))
    return [a for _, a in indexed]


class Engine:
    """The deduplicator and clusterer, restored from the store for a time window."""

    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        self.clusterer = OnlineClusterer(
            timedelta(days=settings.story_window_days), load_model(settings.similarity_model)
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
            centroid = Centroid.from_json(json.loads(record.state))
            self.clusterer.restore(record.id, centroid, set(record.keys))
        copy_since = start - self.duplicates.window if start else None
        for sig in self.store.signatures(copy_since):
            self.story_of[sig.article_id] = sig.story_id
            values = np.frombuffer(sig.signature, dtype=np.uint64)
            self.duplicates.add(sig.article_id, sig.fingerprint, values, sig.published)

    def place(self, article: Article) -> Placement:
        sig = signature(article.text)
        match = self.duplicates.find(article.fingerprint, sig)
        original = match.original if match else None
        duplicate_story = self.story_of.get(original) if original else None
        dense: list[float] = []
        if self.embeddings is not None:
            dense = [float(x) for x in self.embeddings.encode([dense_text(article)])[0]]
        story_id = self.clusterer.assign(article, duplicate_story, dense)
        if original is None:
            self.story_of[article.id] = story_id
            self.duplicates.add(article.id, article.fingerprint, sig, article.published)
        return Placement(article, story_id, original, sig.tobytes())

    def changes(self) -> tuple[list[StoryRecord], list[tuple[str, str]]]:
        """Story states and merges since the last call, for the store."""
        changes = self.clusterer.take_changes()
        records = [
            StoryRecord(
                id=story.id,
                state=json.dumps(story.centroid.to_json(), separators=(",", ":")),
                keys=tuple(sorted(story.keys)),
                last_seen=story.centroid.last_seen,
                dormant=story.dormant,
            )
            for story in changes.states.values()
        ]
        return records, changes.merges


def ingest(
    items: Iterable[RawDocument | InputError],
    store: Store,
    settings: Settings,
    progress: Progress | None = None,
) -> IngestReport:
    """Ingest ``items`` into ``store`` in publication order; returns what happened."""
    report = IngestReport()
    parsed: list[Parsed] = []
    for count, item in enumerate(items, 1):
        if isinstance(item, Skipped):
            report.skipped.append(Failure(item.origin, item.reason))
            continue
        result = parse(item)
        if isinstance(result, Failure):
            report.failures.append(result)
        else:
            parsed.append(result)
        if progress:
            progress("read", count, None)
    # Lines repeated across many articles of one source are its boilerplate.
    report.learned = learn((default_source(p), p.text) for p in parsed)
    articles: list[Article] = []
    seen: set[str] = set()
    for p in parsed:
        article = prepare(p, report.learned)
        if isinstance(article, Failure):
            report.failures.append(article)
        elif article.id in seen:
            report.already_stored += 1
        else:
            seen.add(article.id)
            articles.append(article)
    known = store.known_ids(a.id for a in articles)
    report.already_stored += len(known)
    todo = publication_order([a for a in articles if a.id not in known])

    engine = Engine(store, settings)
    dated = [a.published for a in todo if a.published is not None]
    engine.restore(min(dated) if dated else None)

    pending_failures = list(report.failures)
    placements: list[Placement] = []

    def flush() -> None:
        states, merges = engine.changes()
        store.write(placements, states, merges, pending_failures)
        placements.clear()
        pending_failures.clear()

    for done, article in enumerate(todo, 1):
        placement = engine.place(article)
        placements.append(placement)
        report.stories.add(placement.story_id)
        if placement.duplicate_of:
            report.duplicates += 1
        else:
            report.added += 1
        if len(placements) >= settings.batch_size:
            flush()
        if progress:
            progress("cluster", done, len(todo))
    if placements or pending_failures:
        flush()
    return report
