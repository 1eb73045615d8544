"""Writing: articles as JSON or JSON Lines, pages by URL, and the ingest counters.

The callers hold the write lock; these functions only parse, fetch and ingest.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from typing import Any

from storyline.config import Settings
from storyline.errors import InputError, MalformedRecord, TooLarge
from storyline.model import DocKind, RawDocument
from storyline.pipeline import IngestReport, KeptEngine, ingest
from storyline.sources.fetch import Fetcher, Kind
from storyline.sources.records import json_type, record_fields
from storyline.store.base import Store


@dataclass(slots=True)
class Counters:
    """What this process ingested since it started, for ``metrics``; thread-safe."""

    requests: int = 0
    added: int = 0
    duplicates: int = 0
    already_stored: int = 0
    failed: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def count(self, report: IngestReport) -> None:
        with self._lock:
            self.requests += 1
            self.added += report.added
            self.duplicates += report.duplicates
            self.already_stored += report.already_stored
            self.failed += report.failed

    def as_dict(self) -> dict[str, int]:
        with self._lock:
            return {
                "requests": self.requests,
                "added": self.added,
                "duplicates": self.duplicates,
                "already_stored": self.already_stored,
                "failed": self.failed,
            }


def report_dict(report: IngestReport) -> dict[str, Any]:
    """An ingest report as plain data (the shape of ``storyline ingest --json``)."""
    return {
        "added": report.added,
        "duplicates": report.duplicates,
        "already_stored": report.already_stored,
        "failed": report.failed,
        "stories": sorted(report.stories),
        "failures": [{"item": f.origin, "reason": f.reason} for f in report.failures],
    }


def parse_records(
    body: str | bytes | object, origin: str = "request", lines: bool = False
) -> list[Any]:
    """Raw documents (or per-item errors) from a JSON object, a JSON array of objects,
    an object with an ``articles`` array, or JSON Lines (always when ``lines``); bytes
    must be UTF-8. An item that is not an article is a per-item error."""
    if isinstance(body, bytes):
        try:
            body = body.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise MalformedRecord(origin, f"the body is not UTF-8 ({exc.reason})") from None
    value = body
    if isinstance(body, str):
        if not body.strip():
            raise MalformedRecord(origin, "the body is empty; send a JSON object or JSON Lines")
        if lines:
            return [_record(line, f"{origin}:{n}") for n, line in _lines(body)]
        try:
            value = json.loads(body)
        except json.JSONDecodeError as exc:
            if exc.msg != "Extra data":
                raise MalformedRecord(origin, f"invalid JSON: {exc.msg} at {exc.pos}") from None
            return [_record(line, f"{origin}:{n}") for n, line in _lines(body)]
        except RecursionError:
            raise MalformedRecord(origin, "JSON nested too deeply to be an article") from None
    if isinstance(value, dict) and "articles" in value:
        value = value["articles"]
    if isinstance(value, dict):
        return [_document(value, origin)]
    if isinstance(value, list) and value:
        return [_document(item, f"{origin}[{n}]") for n, item in enumerate(value)]
    raise MalformedRecord(
        origin, f"expected an article object or a non-empty array of them, found {json_type(value)}"
    )


def _lines(text: str) -> list[tuple[int, str]]:
    # "\n" only: splitlines() also breaks at U+2028, which may stand inside a string.
    return [(n, line) for n, line in enumerate(text.split("\n"), 1) if line.strip()]


def _record(line: str, origin: str) -> RawDocument | InputError:
    try:
        value = json.loads(line)
    except json.JSONDecodeError as exc:
        return MalformedRecord(origin, f"invalid JSON line: {exc.msg} at column {exc.colno}")
    except RecursionError:
        return MalformedRecord(origin, "JSON nested too deeply to be an article")
    return _document(value, origin)


def _document(value: object, origin: str) -> RawDocument | InputError:
    try:
        return RawDocument(origin, DocKind.RECORD, fields=record_fields(value, origin))
    except MalformedRecord as exc:
        return exc


def ingest_records(
    store: Store,
    settings: Settings,
    body: str | bytes | object,
    counters: Counters | None = None,
    lines: bool = False,
    kept: KeptEngine | None = None,
) -> dict[str, Any]:
    """Ingest articles given as JSON or JSON Lines (``lines``: always read as JSON Lines);
    bad items are reported, not fatal. ``kept``: the clusterer this process keeps
    between calls (see ``pipeline.KeptEngine``)."""
    records = parse_records(body, lines=lines)
    if len(records) > settings.max_records_per_file:
        raise TooLarge(
            "request",
            f"the body holds {len(records):,} articles, more than "
            f"{settings.max_records_per_file:,}; send them in several requests, or raise "
            "max_records_per_file (STORYLINE_MAX_RECORDS_PER_FILE)",
        )
    report = ingest(records, store, settings, kept=kept)
    if counters:
        counters.count(report)
    return report_dict(report)


def fetch_document(url: str, fetcher: Fetcher) -> RawDocument:
    """The page at ``url`` through the guarded fetcher (no private addresses unless the
    ``allow_private_addresses`` setting says so, robots.txt honoured), ready to ingest.
    A page that cannot be fetched raises its ``FetchError`` (HTTP 422). Fetch before
    taking the write lock: a slow site must not hold up every other writer."""
    page = fetcher.get(url, Kind.PAGE)
    return RawDocument(url, DocKind.HTML, page.text(), {"url": page.url})


def ingest_document(
    store: Store,
    settings: Settings,
    document: RawDocument,
    counters: Counters | None = None,
    kept: KeptEngine | None = None,
) -> dict[str, Any]:
    """Ingest one fetched page (see :func:`fetch_document`)."""
    report = ingest([document], store, settings, kept=kept)
    if counters:
        counters.count(report)
    return report_dict(report)


def ingest_url(
    store: Store,
    settings: Settings,
    url: str,
    fetcher: Fetcher,
    counters: Counters | None = None,
    kept: KeptEngine | None = None,
) -> dict[str, Any]:
    """Fetch one web page and ingest it (:func:`fetch_document`, then
    :func:`ingest_document`)."""
    document = fetch_document(url, fetcher)
    return ingest_document(store, settings, document, counters, kept)
