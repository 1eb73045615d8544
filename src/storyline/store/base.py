"""The one narrow protocol every storage backend implements, and row conversions."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
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
class StoryFilter:
    since: datetime | None = None
    language: str | None = None
    source: str | None = None
    limit: int = 50


class Store(Protocol):
    """What the pipeline, CLI and API need from a database."""

    def known_ids(self, ids: Iterable[str]) -> set[str]: ...

    def write(
        self, placements: Sequence[Placement], stories: Sequence[Story], failures: Sequence[Failure]
    ) -> None:
        """Store articles, story summaries and failures in one transaction."""

    def active(self, since: datetime | None) -> Iterator[tuple[StoredArticle, bytes]]:
        """Articles (with MinHash signatures) of stories seen since ``since``, in
        ingest order."""

    def stories(self, where: StoryFilter) -> list[Story]: ...

    def story(self, story_id: str) -> Story: ...

    def story_articles(self, story_id: str) -> list[StoredArticle]: ...

    def search(self, text: str, limit: int = 20) -> list[StoredArticle]: ...

    def articles(self) -> Iterator[StoredArticle]: ...

    def failures(self) -> list[Failure]: ...

    def close(self) -> None: ...


def to_iso(value: datetime | None) -> str | None:
    """UTC ISO text, so that text order is time order in every backend."""
    return None if value is None else value.astimezone(UTC).isoformat()


def from_iso(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def features_json(features: Features) -> str:
    return json.dumps(asdict(features), separators=(",", ":"), ensure_ascii=False)


def features_from_json(text: str) -> Features:
    data: dict[str, Any] = json.loads(text)
    return Features(
        title_terms=tuple((t, int(c)) for t, c in data["title_terms"]),
        body_terms=tuple((t, int(c)) for t, c in data["body_terms"]),
        names=tuple((t, int(c)) for t, c in data["names"]),
        numbers=tuple(data.get("numbers", ())),
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
