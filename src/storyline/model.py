"""Records that flow through Storyline: frozen, slotted, and free of I/O.

``RawDocument`` is what a source read; ``Article`` is a cleaned, analysed article;
``Story`` is the stored summary of a group of articles about one event.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class DatePrecision(StrEnum):
    """How much of a publication date is known; a month stays a month."""

    YEAR = "year"
    MONTH = "month"
    DAY = "day"
    MINUTE = "minute"


class DocKind(StrEnum):
    """What a source handed over and therefore which parser reads it."""

    TEXT = "text"  # plain text: optional ``date ...`` header, title line, body
    HTML = "html"  # a web page: main text is extracted
    RECORD = "record"  # already structured fields (JSON / JSONL, feeds)


@dataclass(frozen=True, slots=True)
class RawDocument:
    """One item as a source read it, before any cleaning.

    ``origin`` names the item for error messages and provenance (``file.jsonl:12``).
    For ``RECORD`` documents ``fields`` holds the mapped fields (``title``, ``text``,
    ``description``, ``url``, ``source``, ``published``, ``language``, ``authors``);
    for ``TEXT`` and ``HTML`` documents ``content`` holds the text or markup and
    ``fields`` may carry hints such as ``url``.
    """

    origin: str
    kind: DocKind
    content: str = ""
    fields: Mapping[str, str | None] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Parsed:
    """Fields read out of a raw document, not yet cleaned."""

    origin: str
    title: str
    text: str
    url: str | None = None
    source: str | None = None
    published: datetime | None = None
    date_precision: DatePrecision | None = None
    language: str | None = None
    description: str | None = None
    authors: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Features:
    """What the similarity stages compare: lemma bags and name keys.

    Counts are kept as sorted tuples so the record stays hashable and its
    serialisation is deterministic.
    """

    title_terms: tuple[tuple[str, int], ...]
    body_terms: tuple[tuple[str, int], ...]
    names: tuple[tuple[str, int], ...]
    numbers: tuple[str, ...] = ()
    lead_terms: tuple[tuple[str, int], ...] = ()  # title and opening words: the event
    name_forms: tuple[tuple[str, str, str], ...] = ()  # (key, commonest form, kind)


@dataclass(frozen=True, slots=True)
class Article:
    """A cleaned, analysed article ready for deduplication and clustering."""

    id: str
    origin: str
    url: str | None
    source: str
    title: str
    text: str
    published: datetime | None
    date_precision: DatePrecision | None
    language: str
    agencies: tuple[str, ...]
    authors: tuple[str, ...]
    fingerprint: str
    features: Features
    removed: tuple[str, ...] = ()  # boilerplate lines taken out, for the report


@dataclass(frozen=True, slots=True)
class StoredArticle:
    """An article as it sits in the store, with its links."""

    article: Article
    seq: int
    story_id: str | None
    duplicate_of: str | None


@dataclass(frozen=True, slots=True)
class Story:
    """A group of articles reporting one event."""

    id: str
    headline: str
    first_published: datetime | None
    last_published: datetime | None
    article_count: int
    source_count: int
    sources: tuple[str, ...]
    languages: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Failure:
    """One item that could not be ingested, and why."""

    origin: str
    reason: str
