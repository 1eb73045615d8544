"""Pieces of SQL and row conversions of the PostgreSQL store.

User values always travel as parameters; the only text joined into statements here
is column names and clauses written in this module.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from storyline.errors import InputError
from storyline.model import StoredArticle, Story
from storyline.store.base import StoryQuery, StoryRecord, article_from_row, story_from_row, to_iso

ARTICLE_COLUMNS = """seq, id, origin, url, source, title, text, published, date_precision,
    language, agencies, authors, fingerprint, features, signature, story_id, duplicate_of"""
"""Every column but the search vector, which only the database reads."""

STORY_COLUMNS = """id, headline, first_published, last_published, article_count, source_count,
    sources, languages"""

# Stories without a dated article sort last in descending time order, as '' does in
# SQLite; -infinity keeps the keyset comparisons free of NULL.
LAST = "COALESCE(last_published, '-infinity'::timestamptz)"
LAST_PARAM = "COALESCE(%s::timestamptz, '-infinity'::timestamptz)"


def utc(value: datetime | None) -> datetime | None:
    """``value`` in UTC; a naive time is local time, as ``to_iso`` takes it in SQLite."""
    return None if value is None else value.astimezone(UTC)


def stored_article(row: dict[str, Any]) -> StoredArticle:
    data = {**row, "published": to_iso(row["published"])}
    return StoredArticle(
        article=article_from_row(data),
        seq=row["seq"],
        story_id=row["story_id"],
        duplicate_of=row["duplicate_of"],
    )


def story(row: dict[str, Any]) -> Story:
    return story_from_row(
        {
            **row,
            "first_published": to_iso(row["first_published"]),
            "last_published": to_iso(row["last_published"]),
        }
    )


def story_record(row: dict[str, Any]) -> StoryRecord:
    return StoryRecord(
        id=row["id"],
        state=row["state"],
        keys=tuple(json.loads(row["keys"] or "[]")),
        last_seen=row["last_seen"],
        dormant=bool(row["dormant"]),
    )


def search_words(text: str) -> str:
    """The words of ``text`` (letters and digits), as SQLite's store splits them."""
    return " ".join("".join(ch if ch.isalnum() else " " for ch in text).split())


QUERIES = """(SELECT c::regconfig AS config, plainto_tsquery(c::regconfig, %s) AS query
    FROM unnest(%s::text[]) AS c OFFSET 0) AS qs"""
"""The words (first parameter) as a query under each configuration (second parameter,
an array), once: ``OFFSET 0`` keeps the planner from recomputing them per article."""

MATCHES = f"""{QUERIES} JOIN articles a
    ON a.search_config = qs.config AND a.search @@ qs.query"""
"""Articles holding every word, each matched under its own language's configuration;
one GIN index lookup per configuration."""


def story_clauses(query: StoryQuery, configs: list[str]) -> tuple[list[str] | None, list[Any]]:
    """WHERE clauses and parameters of a story query; None when it can match nothing."""
    clauses: list[str] = []
    params: list[Any] = []
    if query.since is not None:
        clauses.append("last_published >= %s")
        params.append(utc(query.since))
    if query.until is not None:
        clauses.append("first_published <= %s")
        params.append(utc(query.until))
    for column, value in (("languages", query.language), ("sources", query.source)):
        if value:
            clauses.append(f"{column} @> %s::jsonb")
            params.append(json.dumps([value]))
    if query.name_key is not None:
        clauses.append(
            """id IN (SELECT a.story_id FROM article_names n
               JOIN articles a ON a.id = n.article_id WHERE n.key = %s)"""
        )
        params.append(query.name_key)
    if query.text is not None:
        words = search_words(query.text)
        if not words:
            return None, []
        clauses.append(f"id IN (SELECT a.story_id FROM {MATCHES})")
        params += [words, configs]
    return clauses, params


def keyset(query: StoryQuery) -> tuple[str, list[str], list[str]]:
    """ORDER BY of ``query.order``, and its key columns with their parameter slots."""
    if query.order == "recent":
        return f"{LAST} DESC, id", [LAST, "id"], [LAST_PARAM, "%s"]
    return (
        f"article_count DESC, {LAST} DESC, id",
        ["article_count", LAST, "id"],
        ["%s", LAST_PARAM, "%s"],
    )


def after_clause(query: StoryQuery) -> tuple[str, list[Any]]:
    """Rows after ``query.after`` in the page order (every key descending, id ascending)."""
    assert query.after is not None
    _, columns, slots = keyset(query)
    values = [_key_value(column, value) for column, value in zip(columns, query.after, strict=True)]
    tests: list[str] = []
    params: list[Any] = []
    for i, column in enumerate(columns):
        op = ">" if column == "id" else "<"
        equal = [f"{columns[j]} = {slots[j]}" for j in range(i)]
        tests.append("(" + " AND ".join([*equal, f"{column} {op} {slots[i]}"]) + ")")
        params += [*values[:i], values[i]]
    return "(" + " OR ".join(tests) + ")", params


def _key_value(column: str, value: int | str) -> Any:
    """A keyset value as the database compares it: times as times ('' for none)."""
    if column != LAST:
        return value
    if not isinstance(value, str):
        raise InputError("after", f"{value!r} is not a time")
    if not value:
        return None
    try:
        return utc(datetime.fromisoformat(value))
    except ValueError:
        raise InputError("after", f"{value!r} is not an ISO 8601 time") from None
