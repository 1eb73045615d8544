"""``storyline watch``: poll feeds (and sitemaps) on a schedule and ingest new articles.

Each poll fetches the feed conditionally, then every new entry's page, and ingests
them in small batches so stories update as articles arrive. An entry is marked seen
only after its article was stored or its failure recorded, and a feed's validators
are kept only once all its new entries are done: a stop at any moment, even a
crash, loses nothing, and a restart fetches only what was not finished.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from storyline.config import Settings
from storyline.errors import ConfigError, InputError
from storyline.model import DocKind, Failure, RawDocument
from storyline.pipeline import KeptEngine, TouchedStories, ingest
from storyline.sources.feed_state import EntryOutcome, EntryStatus, FeedState
from storyline.sources.feeds import Entry, backoff_seconds, parse_feed, read_feed_list
from storyline.sources.fetch import Fetched, Fetcher, Kind
from storyline.sources.net import FetchError
from storyline.sources.sitemaps import is_sitemap, read_sitemap_tree
from storyline.store import Store
from storyline.store.sqlite import SQLiteStore

WATCH_BATCH = 20
"""Pages ingested per batch: stories update after every 20 new articles, and a stop
repeats at most one batch of page fetches."""

MAX_ENTRY_ATTEMPTS = 3
"""Polls a page may fail transiently (timeout, 5xx) before its failure is final:
outages of minutes pass, a page that is down for three polls is recorded as failed."""

MAX_IDLE_SECONDS = 60.0
"""The longest wait between two looks at the schedule, so an edited feed list is read."""

Log = Callable[[str], None]


@dataclass(slots=True)
class WatchReport:
    """What a watch did, summed over its polls."""

    polls: int = 0
    not_modified: int = 0
    feed_failures: int = 0
    entries: int = 0  # new entries handled (stored, failed or left to retry)
    added: int = 0
    duplicates: int = 0
    already_stored: int = 0
    failures: list[Failure] = field(default_factory=list)  # feeds and entries
    retrying: int = 0
    stories: TouchedStories = field(default_factory=TouchedStories)

    @property
    def failed(self) -> int:
        return len(self.failures)


def watch(
    feeds_file: str | Path,
    store: Store,
    settings: Settings,
    once: bool,
    fetcher: Fetcher,
    *,
    clock: Callable[[], float] = time.time,
    stop: threading.Event | None = None,
    log: Log | None = None,
) -> WatchReport:
    """Poll every feed in ``feeds_file`` when due; with ``once``, poll each once and return.

    Otherwise runs until ``stop`` is set (or Ctrl-C); the feed list is re-read on
    every round, so feeds can be added while it runs.
    """
    stop = stop or threading.Event()
    say = log or (lambda message: None)
    poller = _Poller(feed_state(store), store, settings, fetcher, clock, stop, say)
    feeds = read_feed_list(feeds_file)
    while not stop.is_set():
        schedule = {url: poller.state.feed(url).next_poll for url in feeds}
        for url in sorted(feeds, key=schedule.__getitem__):
            if stop.is_set():
                break
            if once or schedule[url] <= clock():
                poller.poll(url)
        if once:
            break
        soonest = min(poller.state.feed(url).next_poll for url in feeds)
        stop.wait(min(max(0.0, soonest - clock()), MAX_IDLE_SECONDS))
        try:
            feeds = read_feed_list(feeds_file)
        except ConfigError as exc:
            say(f"feed list unchanged: {exc}")
    return poller.report


def feed_state(store: Store) -> FeedState:
    """The watcher's state, kept in the store's own database."""
    if isinstance(store, SQLiteStore):
        return FeedState(store.db)
    from storyline.store.postgres import PostgresStore  # psycopg only when it is used

    if isinstance(store, PostgresStore):
        return FeedState(store.state_database())
    raise ConfigError(
        f"watch keeps its feed state in SQLite or PostgreSQL, not {type(store).__name__}"
    )


class _Poller:
    def __init__(
        self,
        state: FeedState,
        store: Store,
        settings: Settings,
        fetcher: Fetcher,
        clock: Callable[[], float],
        stop: threading.Event,
        say: Log,
    ) -> None:
        self.state, self.store, self.settings, self.fetcher = state, store, settings, fetcher
        self.clock, self.stop, self.say = clock, stop, say
        self.report = WatchReport()
        # The clusterer between polls: restoring it for every batch of entries would
        # cost more than the batch itself once the database holds a full window.
        self.kept = KeptEngine()

    def poll(self, url: str) -> None:
        """Poll one feed; any failure is recorded and the feed backs off."""
        self.report.polls += 1
        row = self.state.feed(url)
        interval = self.settings.watch_interval_seconds
        try:
            fetched = self.fetcher.get(url, Kind.FEED, row.etag, row.last_modified)
            if fetched.not_modified:
                self.state.record_not_modified(url, self.clock() + interval)
                self.report.not_modified += 1
                self.say(f"{url}: not modified")
                return
            entries = self._entries(fetched)
        except InputError as exc:
            retry_after = exc.retry_after if isinstance(exc, FetchError) else None
            delay = backoff_seconds(row.failures + 1, interval, retry_after)
            self._record_failures([Failure(url, exc.reason)])
            self.state.record_failure(url, exc.reason, self.clock() + delay)
            self.report.feed_failures += 1
            self.say(f"{url}: failed, next try in {delay:,.0f} s: {exc.reason}")
            return
        new = self._new_entries(url, entries)
        todo = new[: self.settings.max_entries_per_poll]
        complete = len(todo) == len(new)
        for start in range(0, len(todo), WATCH_BATCH):
            if self.stop.is_set():
                return  # the feed's state stays as it was: the rest comes next time
            complete &= self._ingest(url, todo[start : start + WATCH_BATCH])
        # Validators are kept only when nothing is left for later: with them the next
        # poll would get a 304 and never see the entries still waiting.
        etag, modified = (fetched.etag, fetched.last_modified) if complete else (None, None)
        self.state.record_success(url, etag, modified, self.clock() + interval)
        self.say(f"{url}: {len(entries)} entries, {len(todo)} new, {len(new) - len(todo)} later")

    def _entries(self, fetched: Fetched) -> list[Entry]:
        if not is_sitemap(fetched.content):
            return parse_feed(
                fetched.content,
                fetched.url,
                fetched.media_type,
                self.settings.max_feed_entries,
                self.settings.max_element_attributes,
            )
        urls, errors = read_sitemap_tree(
            self.fetcher, fetched.url, fetched.content, self.settings.max_input_bytes
        )
        self._record_failures([Failure(e.origin, e.reason) for e in errors])
        return [Entry(u.loc, u.loc, u.title, u.published) for u in urls]

    def _new_entries(self, feed_url: str, entries: Sequence[Entry]) -> list[Entry]:
        """Entries not handled before, one per URL, newest first (undated last)."""
        fresh: dict[str, Entry] = {}
        for entry in entries:
            if entry.url not in fresh and not self.state.is_seen(feed_url, entry.key, entry.url):
                fresh[entry.url] = entry
        dated = sorted((e for e in fresh.values() if e.published), key=lambda e: e.published or "")
        return [*reversed(dated), *(e for e in fresh.values() if not e.published)]

    def _ingest(self, feed_url: str, batch: Sequence[Entry]) -> bool:
        """Fetch and ingest ``batch``; False when some entry is left to retry."""
        items: list[RawDocument | InputError] = []
        outcomes: list[EntryOutcome] = []
        for entry in batch:
            try:
                page = self.fetcher.get(entry.url, Kind.PAGE)
                html = page.text()
            except InputError as exc:
                attempts = self.state.attempts(feed_url, entry.key) + 1
                if isinstance(exc, FetchError) and exc.transient and attempts < MAX_ENTRY_ATTEMPTS:
                    outcomes.append(
                        EntryOutcome(entry.key, entry.url, EntryStatus.RETRY, exc.reason)
                    )
                    self.say(f"{entry.url}: will retry ({exc.reason})")
                else:
                    items.append(InputError(entry.url, exc.reason))
                continue
            fields = {"url": page.url, "published": entry.published, "title": entry.title}
            items.append(RawDocument(entry.url, DocKind.HTML, html, fields))
        failed: dict[str, str] = {}
        if items:
            result = ingest(items, self.store, self.settings, kept=self.kept)
            failed = {f.origin: f.reason for f in result.failures}
            self.report.added += result.added
            self.report.duplicates += result.duplicates
            self.report.already_stored += result.already_stored
            self.report.failures.extend(result.failures)
            self.report.stories.update(result.stories)
        retrying = {o.url for o in outcomes}
        for entry in batch:
            if entry.url in retrying:
                continue
            reason = failed.get(entry.url)
            status = EntryStatus.FAILED if reason is not None else EntryStatus.STORED
            outcomes.append(EntryOutcome(entry.key, entry.url, status, reason))
        self.state.record_entries(feed_url, outcomes)
        self.report.entries += len(batch)
        self.report.retrying += len(retrying)
        return not retrying

    def _record_failures(self, failures: list[Failure]) -> None:
        if failures:
            self.store.write([], [], [], failures)
            self.report.failures.extend(failures)
