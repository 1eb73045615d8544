"""Shaping service data for the templates: ranking, grouping, display text. Pure."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from storyline.web.security import safe_url

# Freshness halves a story's weight every day: the home page is today's news, and a
# day-old story needs twice the articles to rank beside a fresh one.
HALF_LIFE_HOURS = 24.0


def parse_time(value: object) -> datetime | None:
    """An ISO timestamp (or a datetime) as an aware datetime; None when unknown."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def freshness_score(story: Mapping[str, Any], reference: datetime) -> float:
    """Articles, halved for every ``HALF_LIFE_HOURS`` since the story's last article."""
    last = parse_time(story.get("last_published"))
    age_hours = max((reference - last).total_seconds() / 3600, 0.0) if last else 10 * 24 * 365
    return float(story.get("article_count") or 0) * math.pow(0.5, age_hours / HALF_LIFE_HOURS)


def rank(stories: Sequence[Mapping[str, Any]], reference: datetime) -> list[Mapping[str, Any]]:
    """Stories by size and freshness, largest fresh story first; ties by id."""
    return sorted(stories, key=lambda s: (-freshness_score(s, reference), str(s.get("id"))))


def reference_time(stories: Iterable[Mapping[str, Any]], now: datetime) -> datetime:
    """The time freshness is measured from: now, or the newest story of an archive."""
    times = [t for s in stories if (t := parse_time(s.get("last_published")))]
    return min(max(times), now) if times else now


def short_time(value: object) -> str:
    """``2024-03-04 09:12`` from ISO text; a month or a day stays as given."""
    if not isinstance(value, str) or not value:
        return "undated"
    return value[:16].replace("T", " ")


def day(value: object) -> str:
    return value[:10] if isinstance(value, str) and value else ""


def span(first: object, last: object) -> str:
    """A story's time span in days: ``2024-03-04 – 2024-03-06``, or one day."""
    a, b = day(first), day(last)
    if not a and not b:
        return "undated"
    if not a or not b or a == b:
        return a or b
    return f"{a} – {b}"


def corroborated_facts(facts: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Facts two or more independent sources report, the most sources first."""
    found = [f for f in facts if f.get("corroborated")]
    return sorted(found, key=lambda f: -len(f.get("sources") or ()))


def single_source_facts(
    facts: Sequence[Mapping[str, Any]], source_count: int
) -> list[tuple[str, list[Mapping[str, Any]]]]:
    """(source, facts only it reports), by source; empty for a one-source story."""
    if source_count < 2:
        return []
    by_source: dict[str, list[Mapping[str, Any]]] = {}
    for f in facts:
        sources = list(f.get("sources") or ())
        if not f.get("corroborated") and len(sources) == 1:
            by_source.setdefault(str(sources[0]), []).append(f)
    return sorted(by_source.items())


def quotes_by_speaker(
    quotes: Sequence[Mapping[str, Any]],
) -> list[tuple[str, str | None, list[Mapping[str, Any]]]]:
    """(speaker, speaker key, quotes) in the order speakers first appear; unknown last."""
    groups: dict[str, tuple[str, str | None, list[Mapping[str, Any]]]] = {}
    for q in quotes:
        key = q.get("speaker_key") or ""
        label = q.get("speaker") or "Unattributed"
        groups.setdefault(key, (label, q.get("speaker_key"), []))[2].append(q)
    known = [g for k, g in groups.items() if k]
    return known + ([groups[""]] if "" in groups else [])


def article_rows(articles: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Articles with a link only where the URL is http(s)."""
    return [dict(a) | {"link": safe_url(a.get("url"))} for a in articles]
