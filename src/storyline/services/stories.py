"""Reading: story pages with cursors, story views, names, search, sources, health.

Each function takes a :class:`Store` and returns plain data (the shapes of
``storyline.present`` and ``storyline.assemble``); bad parameters raise
:class:`BadParameter` (HTTP 422), unknown ids ``NotFound`` (HTTP 404).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol, runtime_checkable

from storyline import __version__
from storyline.errors import InputError, NotFound
from storyline.present import article_dict, story_dict
from storyline.services.ingest import Counters
from storyline.services.views import LRU, ViewCache, etag_of, json_bytes, story_view
from storyline.store.base import (
    STORY_ORDERS,
    SourceStats,
    Store,
    StoryFilter,
    StoryQuery,
    story_sort_key,
)
from storyline.text.translit import name_key

# Largest page of stories, search hits or entity stories one call returns: a page a
# reader scrolls, and a bound on the work one request can ask for.
MAX_LIMIT = 200


@dataclass(frozen=True, slots=True)
class Page:
    """One page of stories and the cursor of the next page (None on the last one)."""

    items: list[dict[str, Any]]
    next_cursor: str | None


class BadParameter(InputError):
    """A query parameter has a value the service cannot use (HTTP 422)."""

    def __init__(self, parameter: str, reason: str) -> None:
        super().__init__(parameter, reason)


def as_utc(value: datetime | None, parameter: str) -> datetime | None:
    """``value`` in UTC; a time without a zone is taken as UTC, as the CLI does."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise BadParameter(parameter, f"{value.isoformat()} is out of range") from None


def _limit(limit: int) -> int:
    if not 1 <= limit <= MAX_LIMIT:
        raise BadParameter("limit", f"must be between 1 and {MAX_LIMIT}, got {limit}")
    return limit


def encode_cursor(order: str, key: tuple[int | str, ...]) -> str:
    raw = json.dumps([order, *key], separators=(",", ":"), ensure_ascii=False)
    return base64.urlsafe_b64encode(raw.encode("utf-8")).decode("ascii").rstrip("=")


def decode_cursor(cursor: str, order: str) -> tuple[int | str, ...]:
    """The sort key inside ``cursor``; BadParameter if it is not one of ours for ``order``."""
    refused = BadParameter(
        "cursor", "not a cursor from this API; pass the next_cursor of the previous page"
    )
    try:
        value = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, RecursionError):
        raise refused from None
    shapes = {"size": (int, str, str), "recent": (str, str)}
    if not isinstance(value, list) or not value or value[0] != order:
        raise refused
    key = value[1:]
    kinds = shapes[order]
    if len(key) != len(kinds) or not all(
        type(v) is kind for v, kind in zip(key, kinds, strict=True)
    ):
        raise refused
    return tuple(key)


def list_stories(
    store: Store,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    language: str | None = None,
    source: str | None = None,
    name: str | None = None,
    text: str | None = None,
    order: str = "size",
    limit: int = 50,
    cursor: str | None = None,
) -> Page:
    """Stories matching every given filter, ``limit`` per page, by size or recency."""
    if order not in STORY_ORDERS:
        raise BadParameter("order", f"must be one of {', '.join(STORY_ORDERS)}, got {order!r}")
    query = StoryQuery(
        since=as_utc(since, "since"),
        until=as_utc(until, "until"),
        language=language or None,
        source=source or None,
        name_key=resolve_name(store, name) if name else None,
        text=text if text else None,
        order=order,
        limit=_limit(limit) + 1,  # one more tells whether a next page exists
        after=decode_cursor(cursor, order) if cursor else None,
    )
    stories = store.story_page(query)
    more = len(stories) > limit
    stories = stories[:limit]
    next_cursor = encode_cursor(order, story_sort_key(stories[-1], order)) if more else None
    return Page([story_dict(s) for s in stories], next_cursor)


@runtime_checkable
class Versioned(Protocol):
    """A store that can tell cheaply whether the database changed."""

    def data_version(self) -> Hashable:
        """A value that differs from the last one whenever the data may have changed."""
        ...


@dataclass(frozen=True, slots=True)
class ListView:
    """The first page of every story in one order, with its JSON and the JSON's ETag."""

    items: list[dict[str, Any]]
    next_cursor: str | None
    body: bytes
    etag: str


ListCache = LRU[tuple[Hashable, str, int], ListView]


def story_list(store: Store, order: str, limit: int, cache: ListCache) -> ListView:
    """``list_stories(store, order=order, limit=limit)`` with its JSON, kept in ``cache``
    while the database stays unchanged, for stores that can tell (:class:`Versioned`).
    The version is read first, so a page is never kept under a version older than
    the data it shows."""
    version = store.data_version() if isinstance(store, Versioned) else None
    if version is not None and (found := cache.get((version, order, limit))) is not None:
        return found
    page = list_stories(store, order=order, limit=limit)
    body = json_bytes({"items": page.items, "next_cursor": page.next_cursor})
    view = ListView(page.items, page.next_cursor, body, etag_of(body))
    if version is not None:
        cache.put((version, order, limit), view)
    return view


def story_detail(
    store: Store, story_id: str, language: str | None = None, cache: ViewCache | None = None
) -> dict[str, Any]:
    """Everything ``storyline show --json`` prints; a merged story's old id still works."""
    return story_view(store, story_id, language, cache).data


def article(store: Store, article_id: str) -> dict[str, Any]:
    return article_dict(store.article(article_id))


def resolve_name(store: Store, name: str) -> str:
    """The stored key of ``name``: a key (from a story's names) is itself; a person is
    keyed by surname, so "Marta Sokol" is tried whole, then by its last word. A key is
    tried as it is first: keys are not keys of themselves ("cnb" from "ČNB" would
    become "knb" through the spelling rules)."""
    if store.name_forms(name):
        return name
    key = name_key(name)
    words = name.split()
    if len(words) > 1 and not store.name_forms(key):
        surname = name_key(words[-1])
        if surname and store.name_forms(surname):
            return surname
    return key


def entity(store: Store, name: str, limit: int = 50) -> dict[str, Any]:
    """A person, place or organisation in any spelling: its forms and its stories."""
    key = resolve_name(store, name)
    forms = store.name_forms(key) if key else []
    if not forms:
        raise NotFound(f"no stories mention {name!r}; try another spelling or a search")
    found = store.name_stories(key, _limit(limit))
    return {
        "key": key,
        "name": forms[0][0],
        "kind": forms[0][1],
        "forms": [{"name": n, "kind": k, "count": c} for n, k, c in forms],
        "stories": [story_dict(s) | {"mentions": m} for s, m in found],
    }


def search(store: Store, text: str, limit: int = 20) -> list[dict[str, Any]]:
    """Articles whose title or text holds the words of ``text``, best first."""
    return [article_dict(hit, with_text=False) for hit in store.search(text, _limit(limit))]


def _source_dict(stats: SourceStats) -> dict[str, Any]:
    return {
        "source": stats.source,
        "articles": stats.articles,
        "stories": stats.stories,
        "first": stats.first.isoformat() if stats.first else None,
        "last": stats.last.isoformat() if stats.last else None,
    }


def sources(store: Store) -> list[dict[str, Any]]:
    """Every source with its articles, stories and first and last publication."""
    return [_source_dict(s) for s in store.source_stats()]


def source_detail(store: Store, source: str, limit: int = 50) -> dict[str, Any]:
    """One source's figures and its largest recent stories."""
    found = store.source_stats(source)
    if not found:
        raise NotFound(f"no articles from source {source!r}; list sources at /api/sources")
    stories = store.stories(StoryFilter(source=source, limit=_limit(limit)))
    return _source_dict(found[0]) | {"recent_stories": [story_dict(s) for s in stories]}


def health(store: Store) -> dict[str, Any]:
    """Whether the database answers; raises StoreError (HTTP 500) when it does not."""
    counts = store.counts()
    return {"status": "ok", "version": __version__, "articles": counts.articles}


def metrics(store: Store, counters: Counters | None = None) -> dict[str, Any]:
    """Database sizes and this process's ingest counters."""
    counts = store.counts()
    return {
        "articles": counts.articles,
        "stories": counts.stories,
        "failures": counts.failures,
        "last_seq": counts.last_seq,
        "ingest": (counters or Counters()).as_dict(),
    }


def changes(store: Store, after_seq: int, limit: int = 1000) -> tuple[int, list[str]]:
    """Stories that gained articles after ``after_seq``; for live updates."""
    return store.changed_stories(after_seq, limit)
