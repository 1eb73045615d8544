"""Response and request models: the OpenAPI schema of the API.

Models allow extra fields, so a field added to a story view (``storyline.assemble``)
reaches clients before the schema names it.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Model(BaseModel):
    model_config = ConfigDict(extra="allow")


class ErrorDetail(Model):
    code: str = Field(description="Stable machine-readable code, e.g. not_found.")
    message: str = Field(description="What went wrong and what to do.")


class ErrorBody(Model):
    error: ErrorDetail


class StorySummary(Model):
    id: str
    headline: str
    first_published: str | None
    last_published: str | None
    article_count: int
    source_count: int
    sources: list[str]
    languages: list[str]


class StoryPage(Model):
    items: list[StorySummary]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page.")


class StorySource(Model):
    source: str
    articles: int
    first_published: str | None
    last_published: str | None
    first_reported: bool
    copies: int


class TimelineEntry(Model):
    date: str
    source: str
    articles: int


class NameEntry(Model):
    name: str
    key: str
    kind: str
    count: int
    first_article: str


class QuoteEntry(Model):
    text: str
    speaker: str | None
    speaker_key: str | None
    via: str | None
    direct: bool
    sources: list[str]
    articles: list[str]


class FactEntry(Model):
    text: str
    value: float | None
    unit: str | None
    kind: str
    sources: list[str]
    corroborated: bool


class StoryArticle(Model):
    id: str
    title: str
    url: str | None
    source: str
    language: str
    published: str | None
    agencies: list[str]
    duplicate_of: str | None


class StoryDetail(Model):
    id: str
    headline: str
    first_published: str | None
    last_published: str | None
    article_count: int
    source_count: int
    languages: list[str]
    sources: list[StorySource]
    summary: str
    timeline: list[TimelineEntry]
    names: list[NameEntry]
    quotes: list[QuoteEntry]
    facts: list[FactEntry]
    articles: list[StoryArticle]


class Article(Model):
    id: str
    url: str | None
    source: str
    title: str
    published: str | None
    date_precision: str | None
    language: str
    agencies: list[str]
    authors: list[str]
    story_id: str | None
    duplicate_of: str | None
    text: str | None = Field(default=None, description="Absent in search results.")


class NameForm(Model):
    name: str
    kind: str
    count: int


class EntityStory(StorySummary):
    mentions: int


class Entity(Model):
    key: str
    name: str
    kind: str
    forms: list[NameForm]
    stories: list[EntityStory]


class SourceSummary(Model):
    source: str
    articles: int
    stories: int
    first: str | None
    last: str | None


class SourceDetail(SourceSummary):
    recent_stories: list[StorySummary]


class IngestFailure(Model):
    item: str
    reason: str


class IngestResult(Model):
    added: int
    duplicates: int
    already_stored: int
    failed: int
    stories: list[str] = Field(description="Ids of the stories the ingest touched.")
    failures: list[IngestFailure]


class IngestUrl(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(min_length=1, max_length=2048, description="An http(s) page to ingest.")


class Health(Model):
    status: str
    version: str
    articles: int


class IngestCounters(Model):
    requests: int
    added: int
    duplicates: int
    already_stored: int
    failed: int


class Metrics(Model):
    articles: int
    stories: int
    failures: int
    last_seq: int = Field(description="Sequence number of the newest article.")
    ingest: IngestCounters = Field(description="What this server process ingested.")
