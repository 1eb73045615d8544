"""What the REST API and the web pages do, as plain functions over a :class:`Store`.

The JSON routes (``storyline.api``) and the HTML pages (``storyline.web``) call these
same functions, so both show the same data. They return plain dicts and lists (the
shapes of ``storyline.present`` and ``storyline.assemble``), raise ``StorylineError``
subclasses that carry their HTTP status, and never hold a lock: callers serialise
writes (``ingest_records``, ``ingest_document``, ``ingest_url``) themselves.

``stories`` holds the reading side, ``ingest`` the writing side, ``views`` the
cache of assembled stories.
"""

from __future__ import annotations

from storyline.services.ingest import (
    Counters,
    fetch_document,
    ingest_document,
    ingest_records,
    ingest_url,
    parse_records,
    report_dict,
)
from storyline.services.stories import (
    MAX_LIMIT,
    BadParameter,
    ListCache,
    ListView,
    Page,
    Versioned,
    article,
    as_utc,
    changes,
    decode_cursor,
    encode_cursor,
    entity,
    health,
    list_stories,
    metrics,
    resolve_name,
    search,
    source_detail,
    sources,
    story_detail,
    story_list,
)
from storyline.services.views import (
    LRU,
    StoryView,
    ViewCache,
    cached_view,
    etag_of,
    json_bytes,
    start_warm_up,
    story_view,
    warm_up,
)

__all__ = [
    "LRU",
    "MAX_LIMIT",
    "BadParameter",
    "Counters",
    "ListCache",
    "ListView",
    "Page",
    "StoryView",
    "Versioned",
    "ViewCache",
    "article",
    "as_utc",
    "cached_view",
    "changes",
    "decode_cursor",
    "encode_cursor",
    "entity",
    "etag_of",
    "fetch_document",
    "health",
    "ingest_document",
    "ingest_records",
    "ingest_url",
    "json_bytes",
    "list_stories",
    "metrics",
    "parse_records",
    "report_dict",
    "resolve_name",
    "search",
    "source_detail",
    "sources",
    "start_warm_up",
    "story_detail",
    "story_list",
    "story_view",
    "warm_up",
]
