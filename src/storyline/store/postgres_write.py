"""One write of the PostgreSQL store: a transaction that takes its turn among writers.

The transaction holds ``WRITE_LOCK`` (a transaction-level advisory lock), so writes
run one at a time, as SQLite's ``BEGIN IMMEDIATE`` makes them; readers never wait.
A writer's batch was computed from the state it read when its ingest began, and
another process may have written since. Under the lock the batch is reconciled with
what is stored:

- an article already stored is skipped (``ON CONFLICT DO NOTHING``): its id is a hash
  of its URL or text, so it is the same article;
- articles, merges and states aimed at a story another writer merged away follow the
  merge to the story it went into (states of merged stories are dropped as stale);
- a summary is extended only with the articles this write inserted, and a story left
  with no article (all of its batch was stored elsewhere first) is removed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import psycopg

from storyline.model import Failure
from storyline.store import postgres_sql as q
from storyline.store.base import (
    Placement,
    StoryRecord,
    features_from_json,
    features_json,
    json_title_part,
)
from storyline.stories import MemberBrief, Part, Summary, combine, extend, summarise

WRITE_LOCK = 0x53544F52_59575254
"""Advisory lock key of writes ("STORYWRT"). Holding it for the whole transaction
also hands out article ``seq`` numbers in commit order, which ``changed_stories``
relies on: a reader never sees seq 11 committed while seq 10 is still to come."""

Connection = psycopg.Connection[dict[str, Any]]


def write(
    conn: Connection,
    placements: Sequence[Placement],
    states: Sequence[StoryRecord],
    merges: Sequence[tuple[str, str]],
    failures: Sequence[Failure],
    config_of: Callable[[str], str],
) -> None:
    """Store one batch in one transaction; ``config_of`` names a language's
    text-search configuration."""
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
        mentioned = {p.story_id for p in placements} | {r.id for r in states}
        into = _merged_into(conn, mentioned | {s for pair in merges for s in pair})

        def current(story_id: str) -> str:
            return into.get(story_id, story_id)

        inserted = _insert_articles(conn, placements, current, config_of)
        # Read before the merges below delete the merged stories' rows.
        before = _summaries(conn, {current(story) for pair in merges for story in pair})
        merged: set[str] = set()
        for old, new in merges:
            old, new = current(old), current(new)
            if old != new:
                _merge(conn, old, new)
                into.update({k: new for k, v in into.items() if v == old})
                into[old] = new
                merged.add(new)
        titles: dict[str, Mapping[str, float]] = {}
        saved: set[str] = set()
        for r in states:
            if r.id not in into:  # else another writer merged it away: its state is stale
                _save_state(conn, r)
                saved.add(r.id)
                if r.title:
                    titles[r.id] = r.title
        added: dict[str, list[Placement]] = {}
        for p in placements:
            if p.article.id in inserted:
                inserted.discard(p.article.id)  # a repeat in the batch was skipped too
                added.setdefault(current(p.story_id), []).append(p)
        merged = {current(s) for s in merged}
        groups: dict[str, list[str]] = {story: [story] for story in merged}
        for story in before:
            if story not in merged and current(story) in groups:
                groups[current(story)].append(story)
        # A state alone (a story turning dormant) may name a story this writer never
        # got an article into: refreshing removes such an empty story again.
        touched = {current(p.story_id) for p in placements} | merged | saved
        for story_id in sorted(touched):
            parts = None
            if story_id in merged:
                parts = [before[s] for s in groups[story_id] if s in before]
            _refresh(conn, story_id, added.get(story_id, []), parts, titles.get(story_id))
        if failures:
            with conn.cursor() as cur:
                cur.executemany(
                    "INSERT INTO failures (origin, reason) VALUES (%s, %s)",
                    [(_text(f.origin), _text(f.reason)) for f in failures],
                )


def _text(value: str) -> str:
    """``value`` as PostgreSQL can store it: text cannot hold NUL (SQLite's can), so a
    stray one from a record's field becomes U+FFFD, the replacement character."""
    return value.replace("\x00", "\ufffd")


def _merged_into(conn: Connection, story_ids: set[str]) -> dict[str, str]:
    """Old id -> current id, for those of ``story_ids`` that were merged away."""
    rows = conn.execute(
        "SELECT old, new FROM story_merges WHERE old = ANY(%s)", (sorted(story_ids),)
    ).fetchall()
    return {r["old"]: r["new"] for r in rows}


def _insert_articles(
    conn: Connection,
    placements: Sequence[Placement],
    current: Callable[[str], str],
    config_of: Callable[[str], str],
) -> set[str]:
    """Insert the articles not stored yet; returns the ids inserted."""
    if not placements:
        return set()
    rows, names = [], []
    for p in placements:
        a = p.article
        rows.append(
            (
                a.id,
                _text(a.origin),
                a.url and _text(a.url),
                _text(a.source),
                _text(a.title),
                _text(a.text),
                q.utc(a.published),
                a.date_precision.value if a.date_precision else None,
                a.language,
                json.dumps(a.agencies),
                json.dumps(a.authors, ensure_ascii=False),
                a.fingerprint,
                features_json(a.features),
                p.signature,
                current(p.story_id),
                p.duplicate_of,
                config_of(a.language),
            )
        )
        forms = {key: (name, kind) for key, name, kind in a.features.name_forms}
        for key, count in a.features.names:
            name, kind = forms.get(key, (key, "other"))
            names.append((a.id, _text(key), _text(name), kind, count))
    inserted: set[str] = set()
    with conn.cursor() as cur:
        cur.executemany(
            """INSERT INTO articles (id, origin, url, source, title, text, published,
               date_precision, language, agencies, authors, fingerprint, features,
               signature, story_id, duplicate_of, search_config)
               VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s,
               %s::regconfig)
               ON CONFLICT (id) DO NOTHING RETURNING id""",
            rows,
            returning=True,
        )
        while True:
            inserted.update(r["id"] for r in cur.fetchall())
            if not cur.nextset():
                break
        if names:
            # Names of a skipped article are stored already, under the same keys.
            cur.executemany(
                """INSERT INTO article_names (article_id, key, name, kind, count)
                   VALUES (%s, %s, %s, %s, %s) ON CONFLICT DO NOTHING""",
                names,
            )
    return inserted


def _merge(conn: Connection, old: str, new: str) -> None:
    conn.execute("UPDATE articles SET story_id = %s WHERE story_id = %s", (new, old))
    # Earlier merges into ``old`` now lead to ``new``, so resolving is one lookup.
    conn.execute("UPDATE story_merges SET new = %s WHERE new = %s", (new, old))
    conn.execute(
        """INSERT INTO story_merges (old, new) VALUES (%s, %s)
           ON CONFLICT (old) DO UPDATE SET new = excluded.new""",
        (old, new),
    )
    conn.execute("DELETE FROM stories WHERE id = %s", (old,))


def _save_state(conn: Connection, r: StoryRecord) -> None:
    conn.execute(
        """INSERT INTO stories (id, headline, article_count, source_count, sources,
           languages, state, keys, last_seen, dormant)
           VALUES (%s, '', 0, 0, '[]', '[]', %s, %s, %s, %s)
           ON CONFLICT (id) DO UPDATE SET state = excluded.state, keys = excluded.keys,
           last_seen = excluded.last_seen, dormant = excluded.dormant""",
        (r.id, r.state, json.dumps(r.keys), q.utc(r.last_seen), r.dormant),
    )


def _refresh(
    conn: Connection,
    story_id: str,
    added: list[Placement],
    merged: list[Part | None] | None,
    title: Mapping[str, float] | None = None,
) -> None:
    """Bring a story's summary up to date: extend it with the articles ``added`` by
    this write; after a merge first combine the ``merged`` stories' summaries (None
    where a story had none); recompute it from all members when it is new (as the
    SQLite store does). A story with no member left is removed. ``title`` is the title
    part of the story's centroid when the batch brought it."""
    row = conn.execute(
        f"""SELECT {q.STORY_COLUMNS}, state, headline_id, independent
            FROM stories WHERE id = %s""",
        (story_id,),
    ).fetchone()
    if merged is None and not added and row is not None and row["article_count"] > 0:
        return  # every article of this batch for it was stored before: nothing changed
    title_centroid = dict(title) if title else json_title_part(row["state"] if row else None)
    previous = None if merged is not None else _summary(conn, row)
    if merged and all(part is not None for part in merged):
        parts = [part for part in merged if part is not None]
        combined = combine(story_id, parts, title_centroid)
        previous = (combined, next(h for _, h in parts if h.id == combined.headline_id))
    if previous is not None:
        summary = extend(*previous, [_placed(p) for p in added], title_centroid)
    else:
        members = _members(conn, story_id)
        if not members:
            conn.execute("DELETE FROM stories WHERE id = %s", (story_id,))
            return
        summary = summarise(story_id, members, title_centroid)
    s = summary.story
    conn.execute(
        """INSERT INTO stories (id, headline, first_published, last_published,
           article_count, source_count, sources, languages, headline_id, independent)
           VALUES (%s, %s, %s, %s, %s, %s, %s::jsonb, %s::jsonb, %s, %s)
           ON CONFLICT (id) DO UPDATE SET headline = excluded.headline,
           first_published = excluded.first_published, last_published = excluded.last_published,
           article_count = excluded.article_count, source_count = excluded.source_count,
           sources = excluded.sources, languages = excluded.languages,
           headline_id = excluded.headline_id, independent = excluded.independent""",
        (
            story_id,
            s.headline,
            s.first_published,
            s.last_published,
            s.article_count,
            s.source_count,
            json.dumps(s.sources, ensure_ascii=False),
            json.dumps(s.languages),
            summary.headline_id,
            json.dumps(summary.independent, ensure_ascii=False),
        ),
    )


def _summaries(conn: Connection, story_ids: set[str]) -> dict[str, Part | None]:
    """The stored summaries of those ``story_ids`` that have a row: each with its
    headline article, or None when the row holds no summary yet."""
    found: dict[str, Part | None] = {}
    for story_id in sorted(story_ids):
        row = conn.execute(
            f"""SELECT {q.STORY_COLUMNS}, headline_id, independent
                FROM stories WHERE id = %s""",
            (story_id,),
        ).fetchone()
        if row is not None:
            found[story_id] = _summary(conn, row)
    return found


def _summary(conn: Connection, row: dict[str, Any] | None) -> Part | None:
    """A story row's summary with its headline article, if it has one."""
    if row is None or not row["headline_id"] or row["article_count"] == 0:
        return None
    head = conn.execute(
        """SELECT id, title, features, language, source, published, duplicate_of
           FROM articles WHERE id = %s""",
        (row["headline_id"],),
    ).fetchone()
    if head is None:
        return None
    summary = Summary(q.story(row), row["headline_id"], tuple(json.loads(row["independent"])))
    return summary, _brief(head)


def _members(conn: Connection, story_id: str) -> list[MemberBrief]:
    rows = conn.execute(
        """SELECT id, title, features, language, source, published, duplicate_of
           FROM articles WHERE story_id = %s ORDER BY published NULLS LAST, seq""",
        (story_id,),
    )
    return [_brief(r) for r in rows]


def _brief(row: dict[str, Any]) -> MemberBrief:
    return MemberBrief(
        row["id"],
        row["title"],
        features_from_json(row["features"]).title_terms,
        row["language"],
        row["source"],
        row["published"],
        row["duplicate_of"] is not None,
    )


def _placed(p: Placement) -> MemberBrief:
    a = p.article
    return MemberBrief(
        a.id,
        _text(a.title),
        a.features.title_terms,
        a.language,
        _text(a.source),
        a.published,
        p.duplicate_of is not None,
    )
