"""SQLite store: the embedded default. WAL mode, FTS5 search, named migrations.

Every write is one ``BEGIN IMMEDIATE`` transaction, so an interrupted ingest leaves
the database as it was after the last complete batch.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from storyline.errors import NotFound, StoreError
from storyline.model import Failure, StoredArticle, Story
from storyline.store.base import (
    Placement,
    StoryFilter,
    article_from_row,
    features_json,
    story_from_row,
    to_iso,
)


def _run_script(db: sqlite3.Connection, script: str) -> None:
    # executescript() would COMMIT first and break the migration's transaction.
    for statement in script.split(";"):
        if statement.strip():
            db.execute(statement)


def _m001_initial(db: sqlite3.Connection) -> None:
    _run_script(
        db,
        """
        CREATE TABLE articles (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT NOT NULL UNIQUE,
            origin TEXT NOT NULL,
            url TEXT,
            source TEXT NOT NULL,
            title TEXT NOT NULL,
            text TEXT NOT NULL,
            published TEXT,
            date_precision TEXT,
            language TEXT NOT NULL,
            agencies TEXT NOT NULL,
            authors TEXT NOT NULL,
            fingerprint TEXT NOT NULL,
            features TEXT NOT NULL,
            signature BLOB NOT NULL,
            story_id TEXT NOT NULL,
            duplicate_of TEXT,
            ingested_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
        );
        CREATE INDEX articles_story ON articles(story_id, published);
        CREATE INDEX articles_fingerprint ON articles(fingerprint);
        CREATE TABLE stories (
            id TEXT PRIMARY KEY,
            headline TEXT NOT NULL,
            first_published TEXT,
            last_published TEXT,
            article_count INTEGER NOT NULL,
            source_count INTEGER NOT NULL,
            sources TEXT NOT NULL,
            languages TEXT NOT NULL
        );
        CREATE INDEX stories_last ON stories(last_published);
        CREATE TABLE failures (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            origin TEXT NOT NULL,
            reason TEXT NOT NULL,
            at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
        );
        CREATE VIRTUAL TABLE articles_fts USING fts5(
            title, text, content='articles', content_rowid='seq',
            tokenize='unicode61 remove_diacritics 2'
        );
        """,
    )


MIGRATIONS: list[tuple[str, Callable[[sqlite3.Connection], None]]] = [
    ("001_initial", _m001_initial),
]

# Readers wait this long for a writer's lock before reporting the database busy.
BUSY_TIMEOUT_SECONDS = 30.0


class SQLiteStore:
    """The ``Store`` protocol on one SQLite file."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        try:
            self.db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open database {self.path}: {exc}") from exc
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA foreign_keys=ON")
        self._migrate()

    def _migrate(self) -> None:
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at TEXT)"
        )
        done = {r[0] for r in self.db.execute("SELECT name FROM migrations")}
        for name, apply in MIGRATIONS:
            if name in done:
                continue
            with self._transaction():
                apply(self.db)
                self.db.execute("INSERT INTO migrations VALUES (?, datetime('now'))", (name,))

    def _transaction(self) -> _Transaction:
        return _Transaction(self.db)

    def known_ids(self, ids: Iterable[str]) -> set[str]:
        wanted = list(ids)
        found: set[str] = set()
        # SQLite caps host parameters; 500 per query stays well inside every build.
        for i in range(0, len(wanted), 500):
            chunk = wanted[i : i + 500]
            marks = ",".join("?" * len(chunk))
            rows = self.db.execute(f"SELECT id FROM articles WHERE id IN ({marks})", chunk)
            found.update(r[0] for r in rows)
        return found

    def write(
        self, placements: Sequence[Placement], stories: Sequence[Story], failures: Sequence[Failure]
    ) -> None:
        with self._transaction():
            for p in placements:
                a = p.article
                cursor = self.db.execute(
                    """INSERT INTO articles (id, origin, url, source, title, text, published,
                       date_precision, language, agencies, authors, fingerprint, features,
                       signature, story_id, duplicate_of)
                       VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)""",
                    (
                        a.id,
                        a.origin,
                        a.url,
                        a.source,
                        a.title,
                        a.text,
                        to_iso(a.published),
                        a.date_precision.value if a.date_precision else None,
                        a.language,
                        json.dumps(a.agencies),
                        json.dumps(a.authors, ensure_ascii=False),
                        a.fingerprint,
                        features_json(a.features),
                        p.signature,
                        p.story_id,
                        p.duplicate_of,
                    ),
                )
                self.db.execute(
                    "INSERT INTO articles_fts (rowid, title, text) VALUES (?, ?, ?)",
                    (cursor.lastrowid, a.title, a.text),
                )
            for s in stories:
                self.db.execute(
                    """INSERT INTO stories VALUES (?,?,?,?,?,?,?,?)
                       ON CONFLICT(id) DO UPDATE SET headline=excluded.headline,
                       first_published=excluded.first_published,
                       last_published=excluded.last_published,
                       article_count=excluded.article_count,
                       source_count=excluded.source_count,
                       sources=excluded.sources, languages=excluded.languages""",
                    (
                        s.id,
                        s.headline,
                        to_iso(s.first_published),
                        to_iso(s.last_published),
                        s.article_count,
                        s.source_count,
                        json.dumps(s.sources, ensure_ascii=False),
                        json.dumps(s.languages),
                    ),
                )
            self.db.executemany(
                "INSERT INTO failures (origin, reason) VALUES (?, ?)",
                [(f.origin, f.reason) for f in failures],
            )

    def active(self, since: datetime | None) -> Iterator[tuple[StoredArticle, bytes]]:
        if since is None:
            query, params = "SELECT * FROM articles ORDER BY seq", ()
        else:
            query = """SELECT a.* FROM articles a JOIN stories s ON s.id = a.story_id
                       WHERE s.last_published >= ? OR s.last_published IS NULL
                       ORDER BY a.seq"""
            params = (to_iso(since),)  # type: ignore[assignment]
        for row in self.db.execute(query, params):
            yield _stored(row), bytes(row["signature"])

    def stories(self, where: StoryFilter) -> list[Story]:
        clauses, params = [], []
        if where.since is not None:
            clauses.append("last_published >= ?")
            params.append(to_iso(where.since))
        if where.language:
            clauses.append("EXISTS (SELECT 1 FROM json_each(languages) WHERE value = ?)")
            params.append(where.language)
        if where.source:
            clauses.append("EXISTS (SELECT 1 FROM json_each(sources) WHERE value = ?)")
            params.append(where.source)
        sql = "SELECT * FROM stories"
        if clauses:
            sql += " WHERE " + " AND ".join(clauses)
        sql += " ORDER BY article_count DESC, last_published DESC, id LIMIT ?"
        rows = self.db.execute(sql, [*params, where.limit])
        return [story_from_row(dict(r)) for r in rows]

    def story(self, story_id: str) -> Story:
        row = self.db.execute("SELECT * FROM stories WHERE id = ?", (story_id,)).fetchone()
        if row is None:
            raise NotFound(f"no story with id {story_id!r}; list them with `storyline stories`")
        return story_from_row(dict(row))

    def story_articles(self, story_id: str) -> list[StoredArticle]:
        rows = self.db.execute(
            "SELECT * FROM articles WHERE story_id = ? ORDER BY published IS NULL, published, seq",
            (story_id,),
        )
        return [_stored(r) for r in rows]

    def search(self, text: str, limit: int = 20) -> list[StoredArticle]:
        query = _fts_query(text)
        if not query:
            return []
        rows = self.db.execute(
            """SELECT a.* FROM articles_fts f JOIN articles a ON a.seq = f.rowid
               WHERE articles_fts MATCH ? ORDER BY f.rank LIMIT ?""",
            (query, limit),
        )
        return [_stored(r) for r in rows]

    def articles(self) -> Iterator[StoredArticle]:
        for row in self.db.execute("SELECT * FROM articles ORDER BY seq"):
            yield _stored(row)

    def failures(self) -> list[Failure]:
        rows = self.db.execute("SELECT origin, reason FROM failures ORDER BY id")
        return [Failure(r[0], r[1]) for r in rows]

    def close(self) -> None:
        self.db.close()


def _fts_query(text: str) -> str:
    """Each word as a quoted FTS5 string: user text never becomes query syntax."""
    words = "".join(ch if ch.isalnum() else " " for ch in text).split()
    return " ".join(f'"{w}"' for w in words)


def _stored(row: sqlite3.Row) -> StoredArticle:
    data: dict[str, Any] = dict(row)
    return StoredArticle(
        article=article_from_row(data),
        seq=data["seq"],
        story_id=data["story_id"],
        duplicate_of=data["duplicate_of"],
    )


class _Transaction:
    """``BEGIN IMMEDIATE`` ... ``COMMIT``, rolled back on any exception (Ctrl-C too)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind: object, exc: BaseException | None, tb: object) -> None:
        if exc is None:
            self.db.execute("COMMIT")
        else:
            self.db.execute("ROLLBACK")
