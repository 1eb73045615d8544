"""The one narrow protocol every storage backend implements, and row conversions."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from typing import Any, Protocol

from storyline.model import Article, DatePrecision, Failure, Features, StoredArticle, Story


@dataclass(frozen=True, slots=True)
class Placement:
    """Where the pipeline put one new article."""

    article: Article
    story_id: str
    duplicate_of: str | None
    signature: bytes


@dataclass(frozen=True, slots=True)
class StoryRecord:
    """The clusterer's state of one story, stored so a later ingest can resume it."""

    id: str
    state: str  # JSON of the centroid
    keys: tuple[str, ...]
    last_seen: datetime | None
    dormant: bool
    # The title part of the centroid, as given to the store so that refreshing the
    # story's headline need not parse ``state`` again; empty when not at hand.
    title: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Signature:
    """What the duplicate index needs of a stored original."""

    article_id: str
    fingerprint: str
    signature: bytes
    published: datetime | None
    story_id: str


@dataclass(frozen=True, slots=True)
class StoryFilter:
    since: datetime | None = None
    language: str | None = None
    source: str | None = None
    limit: int = 50


@dataclass(frozen=True, slots=True)
class StoryQuery:
    """A page of stories for the API: filters, an order, and where the last page ended.

    ``after`` is the sort key of the last story of the previous page, as returned by
    :func:`story_sort_key`; ``name_key`` is a key from ``text.translit.name_key``.
    """

    since: datetime | None = None  # stories with an article on or after this time
    until: datetime | None = None  # stories with an article on or before this time
    language: str | None = None
    source: str | None = None
    name_key: str | None = None
    text: str | None = None  # full-text words any article of the story contains
    order: str = "size"  # "size": most articles first; "recent": latest article first
    limit: int = 50
    after: tuple[int | str, ...] | None = None


STORY_ORDERS = ("size", "recent")


def story_sort_key(story: Story, order: str) -> tuple[int | str, ...]:
    """The keyset a page of ``order`` is sorted by (descending, id ascending last)."""
    last = to_iso(story.last_published) or ""
    if order == "recent":
        return (last, story.id)
    return (story.article_count, last, story.id)


@dataclass(frozen=True, slots=True)
class SourceStats:
    """One source's share of the database."""

    source: str
    articles: int
    stories: int
    first: datetime | None
    last: datetime | None


@dataclass(frozen=True, slots=True)
class StoreCounts:
    """Sizes of the database; ``last_seq`` grows with every stored article."""

    articles: int
    stories: int
    failures: int
    last_seq: int


class Store(Protocol):
    """What the pipeline, CLI and API need from a database."""

    def known_ids(self, ids: Iterable[str]) -> set[str]: ...

    def write_mark(self) -> int:
        """Changes whenever articles are written: the last article's sequence number
        (0 for none). A process that keeps its clusterer between ingests compares it
        with the value after its own last write to see whether another wrote since."""
        ...

    def write(
        self,
        placements: Sequence[Placement],
        states: Sequence[StoryRecord],
        merges: Sequence[tuple[str, str]],
        failures: Sequence[Failure],
    ) -> None:
        """Store articles, story states, merges and failures in one transaction, and
        refresh the summaries of the stories they touch."""

    def story_states(self, since: datetime | None, dormant_limit: int) -> Iterator[StoryRecord]:
        """States of stories seen since ``since`` (or undated), plus the
        ``dormant_limit`` most recent older ones, oldest first, read as they are
        consumed (the states of a large database do not fit in memory twice)."""

    def signatures(self, since: datetime | None) -> Iterator[Signature]:
        """Originals (not copies) published since ``since``, in ingest order."""

    def stories(self, where: StoryFilter) -> list[Story]: ...

    def story(self, story_id: str) -> Story: ...

    def story_articles(self, story_id: str) -> list[StoredArticle]: ...

    def publication_times(self, story_id: str) -> list[datetime | None]:
        """When each article of the story was published (None when unknown), oldest first."""

    def search(self, text: str, limit: int = 20) -> list[StoredArticle]: ...

    def name_stories(self, key: str, limit: int = 50) -> list[tuple[Story, int]]: ...

    def name_forms(self, key: str) -> list[tuple[str, str, int]]: ...

    def articles(self) -> Iterator[StoredArticle]: ...

    def failures(self) -> list[Failure]: ...

    def article(self, article_id: str) -> StoredArticle: ...

    def story_page(self, query: StoryQuery) -> list[Story]:
        """Stories matching ``query`` in its order, after ``query.after``."""

    def source_stats(self, source: str | None = None) -> list[SourceStats]:
        """Per-source counts, most articles first; one source when ``source`` is given."""

    def counts(self) -> StoreCounts: ...

    def changed_stories(self, after_seq: int, limit: int) -> tuple[int, list[str]]:
        """Current ids of stories that gained articles after ``after_seq``, and the
        highest seq seen (``after_seq`` when nothing changed)."""

    def close(self) -> None: ...


def to_iso(value: datetime | None) -> str | None:
    """UTC ISO text, so that text order is time order in every backend."""
    return None if value is None else value.astimezone(UTC).isoformat()


def from_iso(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def features_json(features: Features) -> str:
    # Field by field rather than dataclasses.asdict, which deep-copies every tuple and
    # cost more than the rest of storing an article.
    data = {name: getattr(features, name) for name in FEATURE_FIELDS}
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


FEATURE_FIELDS = tuple(f.name for f in fields(Features))


def features_from_json(text: str) -> Features:
    data: dict[str, Any] = json.loads(text)
    return Features(
        title_terms=tuple((t, int(c)) for t, c in data["title_terms"]),
        body_terms=tuple((t, int(c)) for t, c in data["body_terms"]),
        names=tuple((t, int(c)) for t, c in data["names"]),
        numbers=tuple(data.get("numbers", ())),
        lead_terms=tuple((t, int(c)) for t, c in data.get("lead_terms", ())),
        name_forms=tuple((k, n, kind) for k, n, kind in data.get("name_forms", ())),
    )


def article_from_row(row: dict[str, Any]) -> Article:
    precision = row["date_precision"]
    return Article(
        id=row["id"],
        origin=row["origin"],
        url=row["url"],
        source=row["source"],
        title=row["title"],
        text=row["text"],
        published=from_iso(row["published"]),
        date_precision=DatePrecision(precision) if precision else None,
        language=row["language"],
        agencies=tuple(json.loads(row["agencies"])),
        authors=tuple(json.loads(row["authors"])),
        fingerprint=row["fingerprint"],
        features=features_from_json(row["features"]),
    )


def json_title_part(state: str | None) -> dict[str, float]:
    """The title part of a stored story centroid (empty when there is none)."""
    if not state:
        return {}
    data = json.loads(state)
    return {k: float(v) for k, v in data.get("parts", {}).get("title", [])}


def story_from_row(row: dict[str, Any]) -> Story:
    return Story(
        id=row["id"],
        headline=row["headline"],
        first_published=from_iso(row["first_published"]),
        last_published=from_iso(row["last_published"]),
        article_count=row["article_count"],
        source_count=row["source_count"],
        sources=tuple(json.loads(row["sources"])),
        languages=tuple(json.loads(row["languages"])),
    )
