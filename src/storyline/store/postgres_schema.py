"""The PostgreSQL schema: named migrations, and the text-search configuration per language.

Migrations are applied in one transaction under an advisory lock, so two processes
opening a new database at once do not both create it. Text columns that are sorted
or compared as keys use the "C" collation, so ids, sources and names sort by code
point as in SQLite, whatever the database's locale.
"""

from __future__ import annotations

from collections.abc import Callable

import psycopg
from psycopg import sql

MIGRATION_LOCK = 0x53544F52_594D4947
"""Advisory lock key held while migrating ("STORYMIG"); any fixed number unlikely
to be used by another application of the same database."""

CONFIG_PREFIX = "storyline_"
"""Storyline's own text-search configurations: copies of PostgreSQL's per-language
ones with ``unaccent`` in front of the stemmer, named ``storyline_<language>``."""

FALLBACK_CONFIG = "simple"
"""For languages PostgreSQL has no stemmer for (and ``und``): lower-cased words."""

LANGUAGE_CONFIGS = {
    "ar": "arabic",
    "ca": "catalan",
    "da": "danish",
    "de": "german",
    "el": "greek",
    "en": "english",
    "es": "spanish",
    "eu": "basque",
    "fi": "finnish",
    "fr": "french",
    "ga": "irish",
    "hi": "hindi",
    "hu": "hungarian",
    "hy": "armenian",
    "id": "indonesian",
    "it": "italian",
    "lt": "lithuanian",
    "nb": "norwegian",
    "ne": "nepali",
    "nl": "dutch",
    "nn": "norwegian",
    "no": "norwegian",
    "pt": "portuguese",
    "ro": "romanian",
    "ru": "russian",
    "sr": "serbian",
    "sv": "swedish",
    "ta": "tamil",
    "tr": "turkish",
    "yi": "yiddish",
}
"""ISO 639-1 codes (as the language identifier gives them) to PostgreSQL's built-in
configurations. A configuration the server lacks (older versions have fewer) falls
back to ``simple``."""

# The token types that can hold accented letters; ASCII words need no unaccenting.
ACCENTED_TOKENS = ("word", "hword", "hword_part")


def _m001_tables(db: psycopg.Connection) -> None:
    db.execute(
        """
        CREATE TABLE articles (
            seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            id TEXT COLLATE "C" NOT NULL UNIQUE,
            origin TEXT NOT NULL,
            url TEXT,
            source TEXT COLLATE "C" NOT NULL,
            title TEXT NOT NULL,
            text TEXT NOT NULL,
            published TIMESTAMPTZ,
            date_precision TEXT,
            language TEXT NOT NULL,
            agencies TEXT NOT NULL,
            authors TEXT NOT NULL,
            fingerprint TEXT NOT NULL,
            features TEXT NOT NULL,
            signature BYTEA NOT NULL,
            story_id TEXT COLLATE "C" NOT NULL,
            duplicate_of TEXT COLLATE "C",
            ingested_at TIMESTAMPTZ NOT NULL DEFAULT now()
        );
        CREATE INDEX articles_story ON articles (story_id, published);
        CREATE INDEX articles_fingerprint ON articles (fingerprint);
        CREATE INDEX articles_published ON articles (published);
        CREATE INDEX articles_source ON articles (source);
        CREATE TABLE stories (
            id TEXT COLLATE "C" PRIMARY KEY,
            headline TEXT NOT NULL,
            first_published TIMESTAMPTZ,
            last_published TIMESTAMPTZ,
            article_count INTEGER NOT NULL,
            source_count INTEGER NOT NULL,
            sources JSONB NOT NULL,
            languages JSONB NOT NULL,
            state TEXT,
            keys TEXT,
            last_seen TIMESTAMPTZ,
            dormant BOOLEAN NOT NULL DEFAULT false,
            headline_id TEXT COLLATE "C",
            independent TEXT
        );
        CREATE INDEX stories_last ON stories (last_published);
        CREATE INDEX stories_last_seen ON stories (last_seen);
        -- The story list's two orders (storyline.store.postgres_sql.keyset), so a page
        -- reads an index instead of sorting every story.
        CREATE INDEX stories_by_size ON stories (
            article_count DESC, COALESCE(last_published, '-infinity'::timestamptz) DESC, id);
        CREATE INDEX stories_by_recent ON stories (
            COALESCE(last_published, '-infinity'::timestamptz) DESC, id);
        CREATE TABLE story_merges (
            old TEXT COLLATE "C" PRIMARY KEY,
            new TEXT COLLATE "C" NOT NULL
        );
        CREATE INDEX story_merges_new ON story_merges (new);
        CREATE TABLE failures (
            id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            origin TEXT NOT NULL,
            reason TEXT NOT NULL,
            at TIMESTAMPTZ NOT NULL DEFAULT now()
        );
        CREATE TABLE article_names (
            article_id TEXT COLLATE "C" NOT NULL REFERENCES articles (id),
            key TEXT COLLATE "C" NOT NULL,
            name TEXT COLLATE "C" NOT NULL,
            kind TEXT NOT NULL,
            count INTEGER NOT NULL,
            PRIMARY KEY (article_id, key)
        );
        CREATE INDEX article_names_key ON article_names (key)
        """
    )


def _m002_feed_state(db: psycopg.Connection) -> None:
    """The watcher's state (storyline.sources.feed_state), as in SQLite."""
    db.execute(
        """
        CREATE TABLE feeds (
            url TEXT PRIMARY KEY,
            etag TEXT,
            last_modified TEXT,
            failures INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            next_poll DOUBLE PRECISION NOT NULL DEFAULT 0,
            last_polled TEXT
        );
        CREATE TABLE feed_entries (
            feed_url TEXT NOT NULL,
            entry_key TEXT NOT NULL,
            url TEXT NOT NULL,
            status TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            reason TEXT,
            at TEXT NOT NULL,
            PRIMARY KEY (feed_url, entry_key)
        );
        CREATE INDEX feed_entries_url ON feed_entries (url, status)
        """
    )


def _m003_text_search(db: psycopg.Connection) -> None:
    """Per-language configurations and a weighted tsvector (title A, text B) per article.

    The vector is a generated column over the article's own configuration, so it is
    always in step with the text; a GIN index serves searches.
    """
    unaccent = _try_unaccent(db)
    builtin = [
        str(r[0])
        for r in db.execute(
            """SELECT cfgname FROM pg_ts_config c JOIN pg_namespace n ON n.oid = c.cfgnamespace
               WHERE n.nspname = 'pg_catalog' ORDER BY cfgname"""
        )
    ]
    for name in builtin:
        ours = sql.Identifier(CONFIG_PREFIX + name)
        db.execute(
            sql.SQL("CREATE TEXT SEARCH CONFIGURATION {} (COPY = {})").format(
                ours, sql.Identifier("pg_catalog", name)
            )
        )
        if unaccent:
            dictionaries = _word_dictionaries(db, name)
            db.execute(
                sql.SQL("ALTER TEXT SEARCH CONFIGURATION {} ALTER MAPPING FOR {} WITH {}").format(
                    ours,
                    sql.SQL(", ").join(sql.SQL(t) for t in ACCENTED_TOKENS),
                    sql.SQL(", ").join(sql.Identifier(d) for d in ("unaccent", *dictionaries)),
                )
            )
    db.execute(
        sql.SQL(
            """
            ALTER TABLE articles ADD COLUMN search_config REGCONFIG NOT NULL
                DEFAULT {fallback}::regconfig;
            ALTER TABLE articles ADD COLUMN search TSVECTOR GENERATED ALWAYS AS (
                setweight(to_tsvector(search_config, title), 'A')
                || setweight(to_tsvector(search_config, text), 'B')
            ) STORED;
            CREATE INDEX articles_search ON articles USING GIN (search)
            """
        ).format(fallback=sql.Literal(CONFIG_PREFIX + FALLBACK_CONFIG))
    )


def _try_unaccent(db: psycopg.Connection) -> bool:
    """Install ``unaccent`` (a trusted extension: a database owner may); False when the
    server lacks it or refuses, and search is then accent-sensitive."""
    try:
        with db.transaction():
            db.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    except psycopg.Error:
        return False
    return True


def _word_dictionaries(db: psycopg.Connection, config: str) -> list[str]:
    rows = db.execute(
        """SELECT d.dictname FROM pg_ts_config_map m
           JOIN pg_ts_config c ON c.oid = m.mapcfg
           JOIN pg_namespace n ON n.oid = c.cfgnamespace
           JOIN pg_ts_dict d ON d.oid = m.mapdict
           WHERE n.nspname = 'pg_catalog' AND c.cfgname = %s
             AND m.maptokentype = (SELECT tokid FROM ts_token_type('default') WHERE alias = 'word')
           ORDER BY m.mapseqno""",
        (config,),
    )
    return [str(r[0]) for r in rows]


MIGRATIONS: list[tuple[str, Callable[[psycopg.Connection], None]]] = [
    ("001_tables", _m001_tables),
    ("002_feed_state", _m002_feed_state),
    ("003_text_search", _m003_text_search),
]


def migrate(db: psycopg.Connection) -> list[str]:
    """Apply the migrations not yet recorded; returns their names.

    ``db`` must be in autocommit mode. Everything happens in one transaction holding
    ``MIGRATION_LOCK``: a second process waits, then finds the work done.
    """
    applied: list[str] = []
    with db.transaction():
        db.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
        db.execute(
            """CREATE TABLE IF NOT EXISTS migrations (
                   name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"""
        )
        done = {str(r[0]) for r in db.execute("SELECT name FROM migrations")}
        for name, apply in MIGRATIONS:
            if name not in done:
                apply(db)
                db.execute("INSERT INTO migrations (name) VALUES (%s)", (name,))
                applied.append(name)
    return applied


def language_configs(db: psycopg.Connection) -> dict[str, str]:
    """Language code -> the configuration its articles are indexed with, for the
    configurations this database has (the others use the fallback)."""
    present = {
        str(r[0])
        for r in db.execute(
            "SELECT cfgname FROM pg_ts_config WHERE starts_with(cfgname, %s)", (CONFIG_PREFIX,)
        )
    }
    return {
        code: CONFIG_PREFIX + name
        for code, name in LANGUAGE_CONFIGS.items()
        if CONFIG_PREFIX + name in present
    }


def fallback_config() -> str:
    return CONFIG_PREFIX + FALLBACK_CONFIG
