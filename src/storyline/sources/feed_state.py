"""What the watcher remembers between polls and restarts, in the Storyline database.

Per feed: its validators (ETag, Last-Modified), consecutive failures and the next
poll time. Per entry: ``stored`` or ``failed`` once its article is in the store or
its failure recorded (only then is it *seen*), or ``retry`` after a transient error.
The tables come from the store's migrations (SQLite ``003_feed_state``, PostgreSQL
``002_feed_state``); the statements here are written once for both databases.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Protocol


class EntryStatus(StrEnum):
    STORED = "stored"  # its article is in the store (new, a copy, or stored before)
    FAILED = "failed"  # its failure is recorded; not tried again
    RETRY = "retry"  # a transient error; tried again on the next poll


@dataclass(frozen=True, slots=True)
class FeedRow:
    """One feed's state; a feed never polled has the defaults."""

    url: str
    etag: str | None = None
    last_modified: str | None = None
    failures: int = 0
    last_error: str | None = None
    next_poll: float = 0.0  # Unix time
    last_polled: str | None = None


@dataclass(frozen=True, slots=True)
class EntryOutcome:
    key: str
    url: str
    status: EntryStatus
    reason: str | None = None


class StateDatabase(Protocol):
    """What the feed state needs of a database. Statements use ``?`` marks and SQL that
    SQLite and PostgreSQL share; the PostgreSQL store translates the marks."""

    def rows(self, sql: str, params: Sequence[object]) -> list[tuple[Any, ...]]:
        """The rows of one query."""

    def run(self, statements: Sequence[tuple[str, Sequence[object]]]) -> None:
        """Execute ``statements`` in one transaction."""


class SQLiteStateDatabase:
    """A ``StateDatabase`` on a SQLite connection in autocommit mode (the store's)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def rows(self, sql: str, params: Sequence[object]) -> list[tuple[Any, ...]]:
        return [tuple(r) for r in self.db.execute(sql, params).fetchall()]

    def run(self, statements: Sequence[tuple[str, Sequence[object]]]) -> None:
        # BEGIN IMMEDIATE .. COMMIT: exactly these statements, rolled back on any
        # exception, Ctrl-C too.
        self.db.execute("BEGIN IMMEDIATE")
        try:
            for sql, params in statements:
                self.db.execute(sql, params)
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")


class FeedState:
    """Feed and entry state in the store's database (a SQLite connection, or the
    ``StateDatabase`` of another backend)."""

    def __init__(self, db: sqlite3.Connection | StateDatabase) -> None:
        self.db: StateDatabase = (
            SQLiteStateDatabase(db) if isinstance(db, sqlite3.Connection) else db
        )

    def feed(self, url: str) -> FeedRow:
        rows = self.db.rows(
            """SELECT url, etag, last_modified, failures, last_error, next_poll, last_polled
               FROM feeds WHERE url = ?""",
            (url,),
        )
        return FeedRow(*rows[0]) if rows else FeedRow(url)

    def next_polls(self, urls: Sequence[str]) -> dict[str, float]:
        """When each feed in ``urls`` is due (0 for a feed never polled)."""
        return {url: self.feed(url).next_poll for url in urls}

    def is_seen(self, feed_url: str, key: str, url: str) -> bool:
        """Whether the entry was handled: in this feed by key, or in any feed by URL."""
        done = (EntryStatus.STORED.value, EntryStatus.FAILED.value)
        rows = self.db.rows(
            """SELECT 1 FROM feed_entries WHERE feed_url = ? AND entry_key = ? AND status IN (?, ?)
               UNION ALL SELECT 1 FROM feed_entries WHERE url = ? AND status IN (?, ?) LIMIT 1""",
            (feed_url, key, *done, url, *done),
        )
        return bool(rows)

    def attempts(self, feed_url: str, key: str) -> int:
        rows = self.db.rows(
            "SELECT attempts FROM feed_entries WHERE feed_url = ? AND entry_key = ?",
            (feed_url, key),
        )
        return int(rows[0][0]) if rows else 0

    def record_entries(self, feed_url: str, outcomes: Sequence[EntryOutcome]) -> None:
        """Record what happened to entries, in one transaction."""
        at = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        self.db.run(
            [
                (
                    """INSERT INTO feed_entries (feed_url, entry_key, url, status, attempts,
                       reason, at) VALUES (?, ?, ?, ?, 1, ?, ?)
                       ON CONFLICT(feed_url, entry_key) DO UPDATE SET url = excluded.url,
                       status = excluded.status, attempts = feed_entries.attempts + 1,
                       reason = excluded.reason, at = excluded.at""",
                    (feed_url, o.key, o.url, o.status.value, o.reason, at),
                )
                for o in outcomes
            ]
        )

    def record_success(
        self, url: str, etag: str | None, last_modified: str | None, next_poll: float
    ) -> None:
        """A poll went through: keep its validators, reset the failure count."""
        self._save(url, etag, last_modified, 0, None, next_poll)

    def record_not_modified(self, url: str, next_poll: float) -> None:
        row = self.feed(url)
        self._save(url, row.etag, row.last_modified, 0, None, next_poll)

    def record_failure(self, url: str, reason: str, next_poll: float) -> int:
        """A poll failed; returns the number of failures in a row, this one included."""
        row = self.feed(url)
        failures = row.failures + 1
        self._save(url, row.etag, row.last_modified, failures, reason, next_poll)
        return failures

    def failures(self, url: str) -> int:
        return self.feed(url).failures

    def entry_counts(self, feed_url: str) -> dict[str, int]:
        rows = self.db.rows(
            "SELECT status, COUNT(*) FROM feed_entries WHERE feed_url = ? GROUP BY status",
            (feed_url,),
        )
        return {str(r[0]): int(r[1]) for r in rows}

    def _save(
        self,
        url: str,
        etag: str | None,
        last_modified: str | None,
        failures: int,
        error: str | None,
        next_poll: float,
    ) -> None:
        polled = datetime.now(UTC).isoformat(timespec="seconds")
        self.db.run(
            [
                (
                    """INSERT INTO feeds (url, etag, last_modified, failures, last_error,
                       next_poll, last_polled) VALUES (?, ?, ?, ?, ?, ?, ?)
                       ON CONFLICT(url) DO UPDATE SET etag = excluded.etag,
                       last_modified = excluded.last_modified, failures = excluded.failures,
                       last_error = excluded.last_error, next_poll = excluded.next_poll,
                       last_polled = excluded.last_polled""",
                    (url, etag, last_modified, failures, error, next_poll, polled),
                )
            ]
        )
