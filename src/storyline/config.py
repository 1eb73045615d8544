"""The one list of Storyline's settings: defaults, environment variables, docs.

Every setting is a field of :class:`Settings` with its reason in ``metadata``.
The CLI reads overrides from options and ``STORYLINE_*`` environment variables;
``docs/settings.md`` is checked against this list by a test.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

from storyline.errors import ConfigError


def _setting(default: Any, doc: str) -> Any:
    return field(default=default, metadata={"doc": doc})


@dataclass(frozen=True, slots=True)
class Settings:
    """Storyline's settings; see ``docs/settings.md`` for each one."""

    db: str = _setting(
        "storyline.db",
        "Database: a SQLite file path, or a PostgreSQL address "
        "(`postgresql://user:password@host:5432/dbname`; see docs/postgresql.md).",
    )
    max_input_bytes: int = _setting(
        10_000_000,
        "Largest input item accepted; the longest real articles are ~200 kB, "
        "so 10 MB leaves room for pages while refusing dumps and bombs.",
    )
    max_article_chars: int = _setting(
        500_000,
        "Longest article text analysed, in characters (for a page: its text outside tags "
        "and scripts); long real articles run to ~100,000, and analysis takes ~5 s per "
        "million, so a dump or a listing is refused instead of holding up the batch.",
    )
    max_html_elements: int = _setting(
        30_000,
        "Most elements one page may have; real news pages have up to ~10,000, and "
        "extraction slows faster than the element count grows (100,000 paragraphs "
        "take over a minute).",
    )
    max_element_attributes: int = _setting(
        2_000,
        "Most attributes one element of a page or feed may have; real pages stay under "
        "~600, and parsing time grows with their square (100,000 on one tag take minutes).",
    )
    max_records_per_file: int = _setting(
        1_000_000,
        "Articles read from one file, archive, stdin or request body; a day of a large "
        "crawl fits, and a bigger dump is ingested in parts so one command ends in "
        "bounded time.",
    )
    max_feed_entries: int = _setting(
        5_000,
        "Entries read from one feed document; real feeds carry 10-100, archive feeds a "
        "few thousand.",
    )
    story_window_days: float = _setting(
        30.0,
        "Stories with no article for this many days leave the active set, so candidate "
        "search cost stays flat as the archive grows; follow-ups of an event often come "
        "weeks later, so a week is too short.",
    )
    max_active_stories: int = _setting(
        5000,
        "Stories kept in full in memory for matching; beyond it the least recently seen "
        "go dormant early (compact, re-opened only by strong matches). Each costs 85-200 "
        "kB, so 5,000 keep an ingest near 1 GB; raise it with the memory to spare.",
    )
    duplicate_threshold: float = _setting(
        0.8,
        "Estimated Jaccard similarity of character 5-gram shingles above which "
        "an article is a near-copy (wire text with small edits).",
    )
    duplicate_window_days: float = _setting(
        30.0,
        "How far back near-copies are looked for; syndicated copies appear within days.",
    )
    embedding_model: str = _setting(
        "",
        "Folder of a local sentence-transformers model for dense similarity; empty (the "
        "default) uses the built-in lexical similarity. Never downloaded: hub names are refused.",
    )
    similarity_model: str = _setting(
        "",
        "JSON file of a calibrated similarity model (from `storyline calibrate`); empty "
        "uses the model shipped in the package, or the hand-set default without one.",
    )
    batch_size: int = _setting(
        200,
        "Articles written per transaction: large enough to amortise commits, "
        "small enough that an interrupted ingest loses little work.",
    )
    chunk_size: int = _setting(
        2000,
        "Input items read, cleaned and put in publication order together: enough articles "
        "per source to learn its boilerplate; memory holds a few chunks, not the input "
        "(an article prepared takes ~330 kB, ~30 kB as workers send it, packed).",
    )
    workers: int = _setting(
        1,
        "Processes that parse, clean and analyse articles (the clusterer is one more); set "
        "it to the number of cores for large ingests. One runs everything in one process.",
    )
    allow_private_addresses: bool = _setting(
        False,
        "Fetch from loopback, private, link-local and reserved addresses; off, so a feed or "
        "URL cannot make Storyline reach internal services (SSRF). Turn on for a local server.",
    )
    fetch_timeout_seconds: float = _setting(
        20.0,
        "Longest time for one web request, connect to last byte; a slower server is tried "
        "again on the next poll instead of holding up every other feed.",
    )
    max_redirects: int = _setting(
        5,
        "Redirects followed per fetch (RFC 9309's figure for robots.txt); news sites need "
        "two or three, and loops stop here.",
    )
    watch_interval_seconds: float = _setting(
        300.0,
        "Time between two polls of one feed by `storyline watch`; news feeds change every "
        "few minutes, and polling faster only costs the publisher.",
    )
    host_delay_seconds: float = _setting(
        1.0,
        "Least time between two requests to one host (politeness): a feed's new pages "
        "are fetched one per second, never in a burst.",
    )
    max_entries_per_poll: int = _setting(
        100,
        "New entries fetched per feed and poll; the rest wait for the next poll, so one "
        "huge feed or sitemap cannot starve the others.",
    )
    # repr=False: a logged or printed Settings never shows the secret.
    token: str = field(
        default="",
        repr=False,
        metadata={
            "doc": "Bearer token the API's write endpoints require; empty (the default) refuses "
            "every write, so a server is never writable by accident. Set it in the environment, "
            "not on a command line, where other users can read it."
        },
    )
    read_token_required: bool = _setting(
        False,
        "Require the token for reading too; off, because stories are meant to be read, "
        "and on for a private archive.",
    )
    events_poll_seconds: float = _setting(
        2.0,
        "How often an open event stream (/api/events) looks for changed stories; a page "
        "feels live at a few seconds and one query per stream per interval stays cheap.",
    )
    events_max_seconds: float = _setting(
        300.0,
        "Longest life of one event stream; the browser reconnects where it left off, so "
        "forgotten tabs and dead proxies cannot hold connections open forever.",
    )
    page_poll_seconds: float = _setting(
        30.0,
        "How often an open story or home page asks the API whether its data changed (an "
        "If-None-Match request, answered 304 when not); news moves in minutes, and a "
        "thousand open tabs cost 33 small requests a second.",
    )
    story_cache_entries: int = _setting(
        256,
        "Assembled stories (with their JSON and page) each server process keeps; assembly "
        "takes ~0.1 s per article, readers crowd on few stories, and an entry of a "
        "typical story is ~0.1 MB, so 256 stay near 25 MB.",
    )


def setting_docs() -> dict[str, str]:
    """Name -> one-line reason, for docs and the docs test."""
    return {f.name: str(f.metadata["doc"]) for f in fields(Settings)}


def env_name(name: str) -> str:
    return f"STORYLINE_{name.upper()}"


def _flag(raw: str) -> bool:
    word = raw.strip().lower()
    if word in ("1", "true", "yes", "on"):
        return True
    if word in ("0", "false", "no", "off", ""):
        return False
    raise ValueError(raw)


def load_settings(
    overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> Settings:
    """Defaults, then ``STORYLINE_*`` variables, then explicit overrides (CLI options)."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for f in fields(Settings):
        raw = environ.get(env_name(f.name))
        if raw is None:
            continue
        kind: type[Any] = type(f.default)
        try:
            # bool("0") is True: flags are read as words, and anything else is refused.
            values[f.name] = _flag(raw) if kind is bool else kind(raw)
        except ValueError as exc:
            raise ConfigError(
                f"{env_name(f.name)}={raw!r} is not a valid {kind.__name__}; "
                f"unset it or give a {kind.__name__}"
            ) from exc
    for key, value in (overrides or {}).items():
        if value is not None:
            values[key] = value
    return replace(Settings(), **values)
