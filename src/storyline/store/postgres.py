"""PostgreSQL store: the server backend, for many readers and several writers.

Selected by ``--db postgresql://user@host/db`` (or ``postgres://``). Connections come
from a pool, so one store serves every thread of the API. Each ``write`` is one
transaction holding a transaction-level advisory lock: writers take turns (as
SQLite's ``BEGIN IMMEDIATE`` makes them), readers never wait. Within the lock a write
reconciles with what other writers stored since it read its state: an article
stored already is skipped (``ON CONFLICT DO NOTHING``), articles and merges aimed at
a story another writer merged away follow it to the story it went into, and a story
left with no article is removed. See docs/postgresql.md.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any

import psycopg
from psycopg.rows import DictRow, dict_row, tuple_row
from psycopg.types.string import TextLoader
from psycopg_pool import ConnectionPool

from storyline.errors import ConfigError, NotFound, StoreError
from storyline.model import Failure, StoredArticle, Story
from storyline.store import postgres_sql as q
from storyline.store import postgres_write
from storyline.store.base import (
    Placement,
    Signature,
    SourceStats,
    StoreCounts,
    StoryFilter,
    StoryQuery,
    StoryRecord,
)
from storyline.store.postgres_schema import fallback_config, language_configs, migrate

POOL_MAX_SIZE = 10
"""Connections per process: the API's worker threads share them; more would only
queue inside the server, which by default accepts 100 connections in all."""

CONNECT_TIMEOUT_SECONDS = 10
"""How long opening the store waits for the server: long enough for a server across a
network, short enough that a wrong address is reported promptly."""

FETCH_ROWS = 2_000
"""Rows per round trip when streaming articles or signatures from a server-side cursor."""


def describe(address: str) -> str:
    """``address`` without its password, for messages and logs."""
    try:
        parts = psycopg.conninfo.conninfo_to_dict(address)
    except psycopg.ProgrammingError as exc:
        raise ConfigError(f"not a valid PostgreSQL address: {exc}") from None
    user = f"{parts['user']}@" if parts.get("user") else ""
    port = f":{parts['port']}" if parts.get("port") else ""
    return f"postgresql://{user}{parts.get('host', '')}{port}/{parts.get('dbname', '')}"


Connection = psycopg.Connection[DictRow]


def _configure(conn: Connection) -> None:
    # Times come back in UTC, as the SQLite store returns them.
    conn.execute("SET TIME ZONE 'UTC'")
    # JSON columns come back as text, for the row conversions shared with SQLite.
    conn.adapters.register_loader("jsonb", TextLoader)


class PostgresStore:
    """The ``Store`` protocol on a PostgreSQL database."""

    _pool: ConnectionPool[Connection]
    _configs: dict[str, str]  # language code -> text-search configuration
    _owner: bool  # whether closing this store closes the pool

    def __init__(self, address: str, *, _shared: PostgresStore | None = None) -> None:
        self.address = describe(address)
        if _shared is not None:
            self._pool, self._configs, self._owner = _shared._pool, _shared._configs, False
            return
        try:
            with psycopg.connect(
                address, autocommit=True, connect_timeout=CONNECT_TIMEOUT_SECONDS
            ) as conn:
                migrate(conn)
                self._configs = language_configs(conn)
        except psycopg.Error as exc:
            raise StoreError(f"cannot open database {self.address}: {exc}") from exc
        self._pool = ConnectionPool(
            address,
            min_size=1,
            max_size=POOL_MAX_SIZE,
            connection_class=Connection,
            kwargs={"autocommit": True, "row_factory": dict_row},
            configure=_configure,
            open=True,
            name="storyline",
        )
        self._owner = True

    def borrow(self) -> PostgresStore:
        """A store over the same pool whose ``close`` leaves the pool open (one per
        API request; the owner closes the pool)."""
        return PostgresStore(self.address, _shared=self)

    def state_database(self) -> PostgresStateDatabase:
        """Where ``storyline watch`` keeps its feed state: this database."""
        return PostgresStateDatabase(self._pool)

    def close(self) -> None:
        if self._owner:
            self._pool.close()

    def _connection(self) -> AbstractContextManager[Connection]:
        return self._pool.connection()

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
        with self._connection() as conn:
            return conn.execute(sql, params).fetchall()

    def _config(self, language: str) -> str:
        return self._configs.get(language) or fallback_config()

    def _all_configs(self) -> list[str]:
        return sorted({*self._configs.values(), fallback_config()})

    # Writing.

    def write_mark(self) -> int:
        [row] = self._rows("SELECT COALESCE(MAX(seq), 0) AS seq FROM articles")
        return int(row["seq"])

    def known_ids(self, ids: Iterable[str]) -> set[str]:
        rows = self._rows("SELECT id FROM articles WHERE id = ANY(%s)", (list(ids),))
        return {r["id"] for r in rows}

    def write(
        self,
        placements: Sequence[Placement],
        states: Sequence[StoryRecord],
        merges: Sequence[tuple[str, str]],
        failures: Sequence[Failure],
    ) -> None:
        with self._connection() as conn:
            postgres_write.write(conn, placements, states, merges, failures, self._config)

    # Reading.

    def story_states(self, since: datetime | None, dormant_limit: int) -> Iterator[StoryRecord]:
        columns = "id, state, keys, last_seen, dormant"
        # A story row made by a refresh alone (see write) has no state to restore.
        if since is None:
            rows = self._stream(
                f"""SELECT {columns} FROM stories WHERE state IS NOT NULL
                    ORDER BY last_seen NULLS FIRST, id""",
                (),
            )
            yield from map(q.story_record, rows)
            return
        older = self._rows(
            f"""SELECT {columns} FROM stories WHERE state IS NOT NULL AND last_seen < %s
                ORDER BY last_seen DESC, id DESC LIMIT %s""",
            (q.utc(since), dormant_limit),
        )
        yield from map(q.story_record, reversed(older))
        del older
        # The active stories' states are the bulk: streamed, never all in memory.
        recent = self._stream(
            f"""SELECT {columns} FROM stories
                WHERE state IS NOT NULL AND (last_seen >= %s OR last_seen IS NULL)
                ORDER BY last_seen NULLS FIRST, id""",
            (q.utc(since),),
        )
        yield from map(q.story_record, recent)

    def signatures(self, since: datetime | None) -> Iterator[Signature]:
        rows = self._stream(
            """SELECT id, fingerprint, signature, published, story_id FROM articles
               WHERE duplicate_of IS NULL
                 AND (%s::timestamptz IS NULL OR published >= %s OR published IS NULL)
               ORDER BY seq""",
            (q.utc(since), q.utc(since)),
        )
        for r in rows:
            yield Signature(
                r["id"], r["fingerprint"], bytes(r["signature"]), r["published"], r["story_id"]
            )

    def articles(self) -> Iterator[StoredArticle]:
        for row in self._stream(f"SELECT {q.ARTICLE_COLUMNS} FROM articles ORDER BY seq", ()):
            yield q.stored_article(row)

    def _stream(self, sql: str, params: Sequence[Any]) -> Iterator[dict[str, Any]]:
        """Rows from a server-side cursor, so a large table is never held in memory."""
        with self._connection() as conn, conn.transaction(), conn.cursor(name="stream") as cur:
            cur.itersize = FETCH_ROWS
            cur.execute(sql, params)
            yield from cur

    def stories(self, where: StoryFilter) -> list[Story]:
        clauses: list[str] = []
        params: list[Any] = []
        if where.since is not None:
            clauses.append("last_published >= %s")
            params.append(q.utc(where.since))
        for column, value in (("languages", where.language), ("sources", where.source)):
            if value:
                clauses.append(f"{column} @> %s::jsonb")
                params.append(json.dumps([value]))
        sql = f"SELECT {q.STORY_COLUMNS} FROM stories"
        if clauses:
            sql += " WHERE " + " AND ".join(clauses)
        sql += " ORDER BY article_count DESC, last_published DESC NULLS LAST, id LIMIT %s"
        return [q.story(r) for r in self._rows(sql, [*params, where.limit])]

    def resolve(self, story_id: str) -> str:
        """The current id of a story that may have been merged into another."""
        rows = self._rows("SELECT new FROM story_merges WHERE old = %s", (story_id,))
        return str(rows[0]["new"]) if rows else story_id

    def story(self, story_id: str) -> Story:
        story_id = self.resolve(story_id)
        rows = self._rows(f"SELECT {q.STORY_COLUMNS} FROM stories WHERE id = %s", (story_id,))
        if not rows:
            raise NotFound(f"no story with id {story_id!r}; list them with `storyline stories`")
        return q.story(rows[0])

    def story_articles(self, story_id: str) -> list[StoredArticle]:
        rows = self._rows(
            f"""SELECT {q.ARTICLE_COLUMNS} FROM articles WHERE story_id = %s
                ORDER BY published NULLS LAST, seq""",
            (self.resolve(story_id),),
        )
        return [q.stored_article(r) for r in rows]

    def publication_times(self, story_id: str) -> list[datetime | None]:
        # Undated first, as SQLite orders NULL; reads only the (story_id, published) index.
        rows = self._rows(
            "SELECT published FROM articles WHERE story_id = %s ORDER BY published NULLS FIRST",
            (self.resolve(story_id),),
        )
        return [r["published"] for r in rows]

    def name_stories(self, key: str, limit: int = 50) -> list[tuple[Story, int]]:
        """Stories mentioning the name ``key``, with mentions per story, most first."""
        columns = ", ".join(f"s.{c.strip()}" for c in q.STORY_COLUMNS.split(","))
        rows = self._rows(
            f"""SELECT {columns}, SUM(n.count) AS mentions FROM article_names n
                JOIN articles a ON a.id = n.article_id JOIN stories s ON s.id = a.story_id
                WHERE n.key = %s GROUP BY s.id
                ORDER BY mentions DESC, s.last_published DESC NULLS LAST, s.id LIMIT %s""",
            (key, limit),
        )
        return [(q.story(r), int(r["mentions"])) for r in rows]

    def name_forms(self, key: str) -> list[tuple[str, str, int]]:
        """How the name ``key`` is written, with its kind and mentions, commonest first."""
        rows = self._rows(
            """SELECT name, kind, SUM(count) AS mentions FROM article_names WHERE key = %s
               GROUP BY name, kind ORDER BY SUM(count) DESC, name""",
            (key,),
        )
        return [(r["name"], r["kind"], int(r["mentions"])) for r in rows]

    def search(self, text: str, limit: int = 20) -> list[StoredArticle]:
        words = q.search_words(text)
        if not words:
            return []
        rows = self._rows(
            f"""SELECT {q.ARTICLE_COLUMNS} FROM {q.MATCHES}
                ORDER BY ts_rank_cd(a.search, qs.query) DESC, a.seq LIMIT %s""",
            [words, self._all_configs(), limit],
        )
        return [q.stored_article(r) for r in rows]

    def failures(self) -> list[Failure]:
        rows = self._rows("SELECT origin, reason FROM failures ORDER BY id")
        return [Failure(r["origin"], r["reason"]) for r in rows]

    def article(self, article_id: str) -> StoredArticle:
        rows = self._rows(f"SELECT {q.ARTICLE_COLUMNS} FROM articles WHERE id = %s", (article_id,))
        if not rows:
            raise NotFound(f"no article with id {article_id!r}; find one with `storyline search`")
        return q.stored_article(rows[0])

    def story_page(self, query: StoryQuery) -> list[Story]:
        clauses, params = q.story_clauses(query, self._all_configs())
        if clauses is None:
            return []
        order, _, _ = q.keyset(query)
        if query.after is not None:
            clause, after = q.after_clause(query)
            clauses.append(clause)
            params += after
        where = " WHERE " + " AND ".join(clauses) if clauses else ""
        rows = self._rows(
            f"SELECT {q.STORY_COLUMNS} FROM stories{where} ORDER BY {order} LIMIT %s",
            [*params, query.limit],
        )
        return [q.story(r) for r in rows]

    def source_stats(self, source: str | None = None) -> list[SourceStats]:
        rows = self._rows(
            """SELECT source, COUNT(*) AS articles, COUNT(DISTINCT story_id) AS stories,
                      MIN(published) AS first, MAX(published) AS last
               FROM articles WHERE %s::text IS NULL OR source = %s
               GROUP BY source ORDER BY COUNT(*) DESC, source""",
            (source, source),
        )
        return [
            SourceStats(r["source"], r["articles"], r["stories"], r["first"], r["last"])
            for r in rows
        ]

    def counts(self) -> StoreCounts:
        row = self._rows(
            """SELECT (SELECT COUNT(*) FROM articles) AS articles,
                      (SELECT COUNT(*) FROM stories) AS stories,
                      (SELECT COUNT(*) FROM failures) AS failures,
                      (SELECT COALESCE(MAX(seq), 0) FROM articles) AS last_seq"""
        )[0]
        return StoreCounts(row["articles"], row["stories"], row["failures"], row["last_seq"])

    def changed_stories(self, after_seq: int, limit: int) -> tuple[int, list[str]]:
        rows = self._rows(
            "SELECT seq, story_id FROM articles WHERE seq > %s ORDER BY seq LIMIT %s",
            (after_seq, limit),
        )
        changed = list(dict.fromkeys(r["story_id"] for r in rows))
        return (rows[-1]["seq"] if rows else after_seq), changed


class PostgresStateDatabase:
    """The feed state's database (``storyline.sources.feed_state.StateDatabase``) on
    PostgreSQL: the same statements, with PostgreSQL's parameter marks."""

    def __init__(self, pool: ConnectionPool[Connection]) -> None:
        self._pool = pool

    def rows(self, sql: str, params: Sequence[object]) -> list[tuple[Any, ...]]:
        with (
            self._pool.connection() as conn,
            conn.cursor(row_factory=tuple_row) as cur,
        ):
            cur.execute(_marks(sql), params)
            return cur.fetchall() if cur.description else []

    def run(self, statements: Sequence[tuple[str, Sequence[object]]]) -> None:
        with self._pool.connection() as conn, conn.transaction(), conn.cursor() as cur:
            for sql, params in statements:
                cur.execute(_marks(sql), params)


def _marks(sql: str) -> str:
    # The feed-state statements are written with ? marks and hold no other ? or %.
    return sql.replace("?", "%s")
