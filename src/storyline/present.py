"""Plain-data views of stories and articles, shared by the CLI's JSON, export and API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from storyline.model import DatePrecision, StoredArticle, Story


def published_text(value: datetime | None, precision: DatePrecision | None) -> str | None:
    """ISO text as precise as known: a month stays ``2022-11``, never a made-up day."""
    if value is None:
        return None
    if precision is DatePrecision.YEAR:
        return f"{value.year:04d}"
    if precision is DatePrecision.MONTH:
        return f"{value.year:04d}-{value.month:02d}"
    if precision is DatePrecision.DAY:
        return value.date().isoformat()
    return value.isoformat()


def article_dict(stored: StoredArticle, with_text: bool = True) -> dict[str, Any]:
    a = stored.article
    data: dict[str, Any] = {
        "id": a.id,
        "url": a.url,
        "source": a.source,
        "title": a.title,
        "published": published_text(a.published, a.date_precision),
        "date_precision": a.date_precision.value if a.date_precision else None,
        "language": a.language,
        "agencies": list(a.agencies),
        "authors": list(a.authors),
        "story_id": stored.story_id,
        "duplicate_of": stored.duplicate_of,
    }
    if with_text:
        data["text"] = a.text
    return data


def story_dict(story: Story) -> dict[str, Any]:
    return {
        "id": story.id,
        "headline": story.headline,
        "first_published": story.first_published.isoformat() if story.first_published else None,
        "last_published": story.last_published.isoformat() if story.last_published else None,
        "article_count": story.article_count,
        "source_count": story.source_count,
        "sources": list(story.sources),
        "languages": list(story.languages),
    }
