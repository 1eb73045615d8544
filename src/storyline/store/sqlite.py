"""SQLite store: the embedded default. WAL mode, FTS5 search, named migrations.

Every write is one ``BEGIN IMMEDIATE`` transaction, so an interrupted ingest leaves
the database as it was after the last complete batch.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from storyline.dedupe import signature, signature_bytes
from storyline.errors import NotFound, StoreError
from storyline.model import Failure, StoredArticle, Story
from storyline.store.base import (
    Placement,
    Signature,
    SourceStats,
    StoreCounts,
    StoryFilter,
    StoryQuery,
    StoryRecord,
    article_from_row,
    features_from_json,
    features_json,
    from_iso,
    json_title_part,
    story_from_row,
    to_iso,
)
from storyline.stories import MemberBrief, Part, Summary, combine, extend, merge_groups, summarise


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


def _m002_story_state(db: sqlite3.Connection) -> None:
    _run_script(
        db,
        """
        ALTER TABLE stories ADD COLUMN state TEXT;
        ALTER TABLE stories ADD COLUMN keys TEXT;
        ALTER TABLE stories ADD COLUMN last_seen TEXT;
        ALTER TABLE stories ADD COLUMN dormant INTEGER NOT NULL DEFAULT 0;
        CREATE INDEX stories_last_seen ON stories(last_seen);
        CREATE TABLE story_merges (old TEXT PRIMARY KEY, new TEXT NOT NULL);
        CREATE INDEX articles_published ON articles(published)
        """,
    )


def _m003_feed_state(db: sqlite3.Connection) -> None:
    """The watcher's state (storyline.sources.feed_state): per feed and per entry."""
    _run_script(
        db,
        """
        CREATE TABLE feeds (
            url TEXT PRIMARY KEY,
            etag TEXT,
            last_modified TEXT,
            failures INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            next_poll REAL NOT NULL DEFAULT 0,
            last_polled TEXT
        );
        CREATE TABLE feed_entries (
            feed_url TEXT NOT NULL,
            entry_key TEXT NOT NULL,
            url TEXT NOT NULL,
            status TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            reason TEXT,
            at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
            PRIMARY KEY (feed_url, entry_key)
        );
        CREATE INDEX feed_entries_url ON feed_entries(url, status)
        """,
    )


def _m004_article_names(db: sqlite3.Connection) -> None:
    _run_script(
        db,
        """
        CREATE TABLE article_names (
            article_id TEXT NOT NULL REFERENCES articles(id),
            key TEXT NOT NULL,
            name TEXT NOT NULL,
            kind TEXT NOT NULL,
            count INTEGER NOT NULL,
            PRIMARY KEY (article_id, key)
        );
        CREATE INDEX article_names_key ON article_names(key)
        """,
    )
    # Articles stored before this migration: their name keys, kind not yet known.
    for article_id, features in db.execute("SELECT id, features FROM articles").fetchall():
        for key, count in features_from_json(features).names:
            db.execute(
                "INSERT OR IGNORE INTO article_names VALUES (?, ?, ?, 'other', ?)",
                (article_id, key, key, count),
            )


def _m005_story_summary(db: sqlite3.Connection) -> None:
    """What extending a summary needs: its headline article and independent sources.

    Left NULL for stories stored before; their next change recomputes them in full.
    """
    _run_script(
        db,
        """
        ALTER TABLE stories ADD COLUMN headline_id TEXT;
        ALTER TABLE stories ADD COLUMN independent TEXT
        """,
    )


def _m006_signature_scheme(db: sqlite3.Connection) -> None:
    """Signatures of articles stored before the one-permutation scheme, made anew:
    signatures of two schemes never match, so old copies would go unlinked."""
    rows = db.execute("SELECT seq, text FROM articles WHERE duplicate_of IS NULL").fetchall()
    for seq, text in rows:
        db.execute(
            "UPDATE articles SET signature = ? WHERE seq = ?",
            (signature_bytes(signature(text)), seq),
        )


def _m007_story_order(db: sqlite3.Connection) -> None:
    """The story list's two orders as indexes: without them every page sorts all
    stories (a quarter of a second at 25,000 stories, on every request)."""
    _run_script(
        db,
        """
        CREATE INDEX stories_by_size
            ON stories(article_count DESC, COALESCE(last_published, '') DESC, id);
        CREATE INDEX stories_by_recent ON stories(COALESCE(last_published, '') DESC, id)
        """,
    )


MIGRATIONS: list[tuple[str, Callable[[sqlite3.Connection], None]]] = [
    ("001_initial", _m001_initial),
    ("002_story_state", _m002_story_state),
    ("003_feed_state", _m003_feed_state),
    ("004_article_names", _m004_article_names),
    ("005_story_summary", _m005_story_summary),
    ("006_signature_scheme", _m006_signature_scheme),
    ("007_story_order", _m007_story_order),
]

# The columns a ``Story`` is made of. Reads name them rather than ``*``: a story's row
# also holds the clusterer's state (~20 kB of JSON), which no reader needs.
STORY_COLUMNS = (
    "id, headline, first_published, last_published, article_count, source_count, sources, languages"
)

# Readers wait this long for a writer's lock before reporting the database busy.
BUSY_TIMEOUT_SECONDS = 30.0

# Pause between tries to set up a database another process is setting up too: short
# against the milliseconds the other's switch to WAL and migration take.
SETUP_RETRY_SECONDS = 0.02


def _busy(exc: sqlite3.Error) -> bool:
    """SQLITE_BUSY or one of its extended codes (the low byte is the primary code)."""
    code = getattr(exc, "sqlite_errorcode", None)
    return code is not None and code & 0xFF == sqlite3.SQLITE_BUSY


class SQLiteStore:
    """The ``Store`` protocol on one SQLite file."""

    def __init__(self, path: str | Path, *, check_same_thread: bool = True) -> None:
        """``check_same_thread=False`` lets another thread close the connection; the
        caller keeps every other use in one thread (see ``storyline.store.kept``)."""
        self.path = str(path)
        try:
            self.db = sqlite3.connect(
                self.path,
                timeout=BUSY_TIMEOUT_SECONDS,
                isolation_level=None,
                check_same_thread=check_same_thread,
            )
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open database {self.path}: {exc}") from exc
        self.db.row_factory = sqlite3.Row
        self._set_up()

    def _set_up(self) -> None:
        """WAL mode, pragmas and migrations. Processes opening a new file together
        both hold its read lock when they switch it to WAL; SQLite makes one give way
        at once ("database is locked") instead of waiting, as waiting would deadlock.
        Every step is idempotent, so the one that gave way tries again."""
        deadline = time.monotonic() + BUSY_TIMEOUT_SECONDS
        while True:
            try:
                self.db.execute("PRAGMA journal_mode=WAL")
                self.db.execute("PRAGMA synchronous=NORMAL")
                self.db.execute("PRAGMA foreign_keys=ON")
                self._migrate()
                return
            except sqlite3.OperationalError as exc:
                if not _busy(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(SETUP_RETRY_SECONDS)

    def _migrate(self) -> None:
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at TEXT)"
        )
        done = {r[0] for r in self.db.execute("SELECT name FROM migrations")}
        for name, apply in MIGRATIONS:
            if name in done:
                continue
            with self._transaction():
                # Two processes opening a new database both see it unmigrated; the
                # second to take the write lock must find the first one's work done.
                if self.db.execute("SELECT 1 FROM migrations WHERE name = ?", (name,)).fetchone():
                    continue
                apply(self.db)
                self.db.execute("INSERT INTO migrations VALUES (?, datetime('now'))", (name,))

    def _transaction(self) -> _Transaction:
        return _Transaction(self.db)

    def write_mark(self) -> int:
        (seq,) = self.db.execute("SELECT COALESCE(MAX(seq), 0) FROM articles").fetchone()
        return int(seq)

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
        self,
        placements: Sequence[Placement],
        states: Sequence[StoryRecord],
        merges: Sequence[tuple[str, str]],
        failures: Sequence[Failure],
    ) -> None:
        with self._transaction():
            # Another process may have stored some of these articles since this one's
            # ingest looked (two ingests of overlapping input): an id is a hash of the
            # URL or text, so it is the same article, skipped as PostgreSQL's writes do.
            stored = self.known_ids(p.article.id for p in placements)
            fresh = [p for p in placements if p.article.id not in stored]
            for p in fresh:
                self._insert_article(p)
            # Read before the merges below delete the merged stories' rows.
            before = self._summaries({story for pair in merges for story in pair})
            for old, new in merges:
                self.db.execute("UPDATE articles SET story_id = ? WHERE story_id = ?", (new, old))
                self.db.execute("UPDATE story_merges SET new = ? WHERE new = ?", (new, old))
                self.db.execute("INSERT OR REPLACE INTO story_merges VALUES (?, ?)", (old, new))
                self.db.execute("DELETE FROM stories WHERE id = ?", (old,))
            for r in states:
                self.db.execute(
                    """INSERT INTO stories (id, headline, article_count, source_count, sources,
                       languages, state, keys, last_seen, dormant)
                       VALUES (?, '', 0, 0, '[]', '[]', ?, ?, ?, ?)
                       ON CONFLICT(id) DO UPDATE SET state=excluded.state, keys=excluded.keys,
                       last_seen=excluded.last_seen, dormant=excluded.dormant""",
                    (r.id, r.state, json.dumps(r.keys), to_iso(r.last_seen), int(r.dormant)),
                )
            merged = _current({new for _, new in merges}, merges)
            added = _added_by_story(fresh, merges)
            titles = {r.id: r.title for r in states if r.title}
            groups = merge_groups(merges)
            for story_id in sorted(added.keys() | merged):
                parts = None
                if story_id in merged:
                    parts = [before[s] for s in groups[story_id] if s in before]
                self._refresh(story_id, added.get(story_id, []), parts, titles.get(story_id))
            if stored:
                # A story whose articles were all stored first by the other process
                # (under its own story) is left without any: it is not a story.
                self.db.executemany(
                    """DELETE FROM stories WHERE id = ? AND NOT EXISTS
                       (SELECT 1 FROM articles WHERE story_id = ?)""",
                    [(r.id, r.id) for r in states],
                )
            self.db.executemany(
                "INSERT INTO failures (origin, reason) VALUES (?, ?)",
                [(f.origin, f.reason) for f in failures],
            )

    def _insert_article(self, p: Placement) -> None:
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
        forms = {key: (name, kind) for key, name, kind in a.features.name_forms}
        self.db.executemany(
            "INSERT INTO article_names VALUES (?, ?, ?, ?, ?)",
            [
                (a.id, key, *forms.get(key, (key, "other")), count)
                for key, count in a.features.names
            ],
        )

    def _refresh(
        self,
        story_id: str,
        added: list[Placement],
        merged: list[Part | None] | None,
        title: Mapping[str, float] | None = None,
    ) -> None:
        """Bring a story's summary up to date: extend it with the articles ``added``
        in this batch; after a merge first combine the ``merged`` stories' summaries
        (None where a story had none); recompute it from all members when it is new."""
        row = self.db.execute(
            f"SELECT {SUMMARY_COLUMNS}, state FROM stories WHERE id = ?", (story_id,)
        ).fetchone()
        title_centroid = dict(title) if title else json_title_part(row["state"] if row else None)
        previous = None if merged is not None else self._summary(row)
        if merged and all(part is not None for part in merged):
            parts = [part for part in merged if part is not None]
            combined = combine(story_id, parts, title_centroid)
            head = next(h for _, h in parts if h.id == combined.headline_id)
            previous = (combined, head)
        if previous is None:
            summary = summarise(story_id, self._members(story_id), title_centroid)
        else:
            summary = extend(*previous, [_placed(p) for p in added], title_centroid)
        s = summary.story
        self.db.execute(
            """UPDATE stories SET headline=?, first_published=?, last_published=?,
               article_count=?, source_count=?, sources=?, languages=?, headline_id=?,
               independent=? WHERE id=?""",
            (
                s.headline,
                to_iso(s.first_published),
                to_iso(s.last_published),
                s.article_count,
                s.source_count,
                json.dumps(s.sources, ensure_ascii=False),
                json.dumps(s.languages),
                summary.headline_id,
                json.dumps(summary.independent, ensure_ascii=False),
                story_id,
            ),
        )

    def _summaries(self, story_ids: set[str]) -> dict[str, Part | None]:
        """The stored summaries of those ``story_ids`` that have a row: each with its
        headline article, or None when the row holds no summary yet."""
        found: dict[str, Part | None] = {}
        for story_id in sorted(story_ids):
            row = self.db.execute(
                f"SELECT {SUMMARY_COLUMNS} FROM stories WHERE id = ?", (story_id,)
            ).fetchone()
            if row is not None:
                found[story_id] = self._summary(row)
        return found

    def _summary(self, row: sqlite3.Row | None) -> Part | None:
        """A story row's summary with its headline article, if it has one."""
        if row is None or row["headline_id"] is None or row["article_count"] == 0:
            return None
        head = self.db.execute(
            """SELECT id, title, features, language, source, published, duplicate_of
               FROM articles WHERE id = ?""",
            (row["headline_id"],),
        ).fetchone()
        if head is None:
            return None
        summary = Summary(
            story_from_row(dict(row)), row["headline_id"], tuple(json.loads(row["independent"]))
        )
        return summary, _brief(head)

    def _members(self, story_id: str) -> list[MemberBrief]:
        rows = self.db.execute(
            """SELECT id, title, features, language, source, published, duplicate_of
               FROM articles WHERE story_id = ? ORDER BY published IS NULL, published, seq""",
            (story_id,),
        )
        return [_brief(r) for r in rows]

    def story_states(self, since: datetime | None, dormant_limit: int) -> Iterator[StoryRecord]:
        columns = "id, state, keys, last_seen, dormant"
        if since is None:
            rows = self.db.execute(f"SELECT {columns} FROM stories ORDER BY last_seen, id")
            yield from map(_record, rows)
            return
        older = self.db.execute(
            f"""SELECT {columns} FROM stories WHERE last_seen < ?
                ORDER BY last_seen DESC, id DESC LIMIT ?""",
            (to_iso(since), dormant_limit),
        ).fetchall()
        yield from map(_record, reversed(older))
        del older
        # The active stories' states are the bulk (hundreds of MB in a large database):
        # read one at a time, never all at once.
        recent = self.db.execute(
            f"""SELECT {columns} FROM stories WHERE last_seen >= ? OR last_seen IS NULL
                ORDER BY last_seen, id""",
            (to_iso(since),),
        )
        yield from map(_record, recent)

    def signatures(self, since: datetime | None) -> Iterator[Signature]:
        query = """SELECT id, fingerprint, signature, published, story_id FROM articles
                   WHERE duplicate_of IS NULL AND (? IS NULL OR published >= ? OR published IS NULL)
                   ORDER BY seq"""
        for r in self.db.execute(query, (to_iso(since), to_iso(since))):
            yield Signature(r[0], r[1], bytes(r[2]), from_iso(r[3]), r[4])

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
        sql = f"SELECT {STORY_COLUMNS} FROM stories"
        if clauses:
            sql += " WHERE " + " AND ".join(clauses)
        sql += " ORDER BY article_count DESC, last_published DESC, id LIMIT ?"
        rows = self.db.execute(sql, [*params, where.limit])
        return [story_from_row(dict(r)) for r in rows]

    def resolve(self, story_id: str) -> str:
        """The current id of a story that may have been merged into another."""
        row = self.db.execute("SELECT new FROM story_merges WHERE old = ?", (story_id,)).fetchone()
        return str(row[0]) if row else story_id

    def story(self, story_id: str) -> Story:
        story_id = self.resolve(story_id)
        row = self.db.execute(
            f"SELECT {STORY_COLUMNS} FROM stories WHERE id = ?", (story_id,)
        ).fetchone()
        if row is None:
            raise NotFound(f"no story with id {story_id!r}; list them with `storyline stories`")
        return story_from_row(dict(row))

    def story_articles(self, story_id: str) -> list[StoredArticle]:
        story_id = self.resolve(story_id)
        rows = self.db.execute(
            "SELECT * FROM articles WHERE story_id = ? ORDER BY published IS NULL, published, seq",
            (story_id,),
        )
        return [_stored(r) for r in rows]

    def publication_times(self, story_id: str) -> list[datetime | None]:
        # Reads only the (story_id, published) index: a sparkline of a story of
        # thousands of articles must not load their texts.
        rows = self.db.execute(
            "SELECT published FROM articles WHERE story_id = ? ORDER BY published",
            (self.resolve(story_id),),
        )
        return [from_iso(r[0]) for r in rows]

    def name_stories(self, key: str, limit: int = 50) -> list[tuple[Story, int]]:
        """Stories mentioning the name ``key``, with mentions per story, most first."""
        rows = self.db.execute(
            f"""SELECT {_prefixed("s.", STORY_COLUMNS)}, SUM(n.count) AS mentions
               FROM article_names n
               JOIN articles a ON a.id = n.article_id JOIN stories s ON s.id = a.story_id
               WHERE n.key = ? GROUP BY s.id ORDER BY mentions DESC, s.last_published DESC
               LIMIT ?""",
            (key, limit),
        )
        return [(story_from_row(dict(r)), int(r["mentions"])) for r in rows]

    def name_forms(self, key: str) -> list[tuple[str, str, int]]:
        """How the name ``key`` is written, with its kind and mentions, commonest first."""
        rows = self.db.execute(
            """SELECT name, kind, SUM(count) FROM article_names WHERE key = ?
               GROUP BY name, kind ORDER BY SUM(count) DESC, name""",
            (key,),
        )
        return [(r[0], r[1], int(r[2])) for r in rows]

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

    # Queries of the API and web pages (storyline.services).

    def article(self, article_id: str) -> StoredArticle:
        row = self.db.execute("SELECT * FROM articles WHERE id = ?", (article_id,)).fetchone()
        if row is None:
            raise NotFound(f"no article with id {article_id!r}; find one with `storyline search`")
        return _stored(row)

    def story_page(self, query: StoryQuery) -> list[Story]:
        clauses, params = _story_clauses(query)
        if clauses is None:
            return []
        last = "COALESCE(last_published, '')"
        columns: tuple[str, ...]
        if query.order == "recent":
            keys, columns = f"{last} DESC, id", (last, "id")
        else:
            keys, columns = f"article_count DESC, {last} DESC, id", ("article_count", last, "id")
        if query.after is not None:
            # Keyset: rows after the last one shown, in the same order (id ascending last).
            tests: list[str] = []
            equal: list[str] = []
            for column, value in zip(columns, query.after, strict=True):
                op = ">" if column == "id" else "<"
                tests.append("(" + " AND ".join([*equal, f"{column} {op} ?"]) + ")")
                params.extend(v for v in query.after[: len(equal)])
                params.append(value)
                equal.append(f"{column} = ?")
            clauses.append("(" + " OR ".join(tests) + ")")
        where = " WHERE " + " AND ".join(clauses) if clauses else ""
        rows = self.db.execute(
            f"SELECT {STORY_COLUMNS} FROM stories{where} ORDER BY {keys} LIMIT ?",
            [*params, query.limit],
        )
        return [story_from_row(dict(r)) for r in rows]

    def source_stats(self, source: str | None = None) -> list[SourceStats]:
        rows = self.db.execute(
            """SELECT source, COUNT(*), COUNT(DISTINCT story_id), MIN(published), MAX(published)
               FROM articles WHERE ? IS NULL OR source = ?
               GROUP BY source ORDER BY COUNT(*) DESC, source""",
            (source, source),
        )
        return [SourceStats(r[0], r[1], r[2], from_iso(r[3]), from_iso(r[4])) for r in rows]

    def counts(self) -> StoreCounts:
        row = self.db.execute(
            """SELECT (SELECT COUNT(*) FROM articles), (SELECT COUNT(*) FROM stories),
                      (SELECT COUNT(*) FROM failures),
                      (SELECT COALESCE(MAX(seq), 0) FROM articles)"""
        ).fetchone()
        return StoreCounts(row[0], row[1], row[2], row[3])

    def changed_stories(self, after_seq: int, limit: int) -> tuple[int, list[str]]:
        rows = self.db.execute(
            "SELECT seq, story_id FROM articles WHERE seq > ? ORDER BY seq LIMIT ?",
            (after_seq, limit),
        ).fetchall()
        changed = list(dict.fromkeys(r[1] for r in rows))
        return (rows[-1][0] if rows else after_seq), changed


def _story_clauses(query: StoryQuery) -> tuple[list[str] | None, list[Any]]:
    """WHERE clauses and parameters of a story query; None when it can match nothing."""
    clauses: list[str] = []
    params: list[Any] = []
    if query.since is not None:
        clauses.append("last_published >= ?")
        params.append(to_iso(query.since))
    if query.until is not None:
        clauses.append("first_published <= ?")
        params.append(to_iso(query.until))
    for column, value in (("languages", query.language), ("sources", query.source)):
        if value:
            clauses.append(f"EXISTS (SELECT 1 FROM json_each({column}) WHERE value = ?)")
            params.append(value)
    if query.name_key is not None:
        clauses.append(
            """id IN (SELECT a.story_id FROM article_names n
               JOIN articles a ON a.id = n.article_id WHERE n.key = ?)"""
        )
        params.append(query.name_key)
    if query.text is not None:
        words = _fts_query(query.text)
        if not words:
            return None, []
        clauses.append(
            """id IN (SELECT a.story_id FROM articles_fts f JOIN articles a ON a.seq = f.rowid
               WHERE articles_fts MATCH ?)"""
        )
        params.append(words)
    return clauses, params


def _prefixed(prefix: str, columns: str) -> str:
    return ", ".join(prefix + c.strip() for c in columns.split(","))


def _fts_query(text: str) -> str:
    """Each word as a quoted FTS5 string: user text never becomes query syntax."""
    words = "".join(ch if ch.isalnum() else " " for ch in text).split()
    return " ".join(f'"{w}"' for w in words)


# What a story's summary is read from.
SUMMARY_COLUMNS = """id, headline, first_published, last_published, article_count,
    source_count, sources, languages, headline_id, independent"""


def _current(story_ids: set[str], merges: Sequence[tuple[str, str]]) -> set[str]:
    """The stories that ``story_ids`` are now part of, after ``merges`` in order."""
    into = dict(merges)
    current = set()
    for story_id in story_ids | set(into.values()):
        while story_id in into:
            story_id = into[story_id]
        current.add(story_id)
    return current


def _added_by_story(
    placements: Sequence[Placement], merges: Sequence[tuple[str, str]]
) -> dict[str, list[Placement]]:
    """New articles per story they ended up in after this batch's merges, in the
    pipeline's order (publication order)."""
    into = dict(merges)
    grouped: dict[str, list[Placement]] = {}
    for p in placements:
        story_id = p.story_id
        while story_id in into:
            story_id = into[story_id]
        grouped.setdefault(story_id, []).append(p)
    return grouped


def _brief(row: sqlite3.Row) -> MemberBrief:
    return MemberBrief(
        row["id"],
        row["title"],
        features_from_json(row["features"]).title_terms,
        row["language"],
        row["source"],
        from_iso(row["published"]),
        row["duplicate_of"] is not None,
    )


def _placed(p: Placement) -> MemberBrief:
    a = p.article
    return MemberBrief(
        a.id,
        a.title,
        a.features.title_terms,
        a.language,
        a.source,
        a.published,
        p.duplicate_of is not None,
    )


def _record(row: sqlite3.Row) -> StoryRecord:
    return StoryRecord(
        id=row["id"],
        state=row["state"],
        keys=tuple(json.loads(row["keys"] or "[]")),
        last_seen=from_iso(row["last_seen"]),
        dormant=bool(row["dormant"]),
    )


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
