"""Crash safety: ``storyline ingest`` and ``storyline watch`` killed with SIGKILL at
random moments, then restarted; after every run the database is intact and consistent,
and after the last one every article is stored exactly once.

The kill moments come from a seeded generator: some fall in start-up, migration and
reading (before any write), the rest a random number of articles into the writes,
plus a random fraction of a batch, so that they land inside transactions.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from pathlib import Path

from tests.crash_support import (
    Publisher,
    Run,
    after,
    audit,
    audit_feed_state,
    child_env,
    once_stored,
    run_until,
    stored_count,
    storyline,
    stream,
    write_jsonl,
)

ARTICLES = 5_000
PARTS = 8
"""The stream is ingested in parts, each run reading the part before it as well (to
finish it) and its own: every restart pays the start-up of a process, and a run over
all 5,000 articles would spend most of a kill cycle analysing before its first write."""

EARLY_KILLS = 2
"""Kills per part before the writes start (start-up, migrations, reading); with the one
into the writes, 24 kills in all."""

MIN_KILLS = 20

EARLY_KILL_SECONDS = (0.2, 4.0)
"""When early kills fall: from the interpreter's start to the loading of the lexicons."""

BATCH = 25
"""Articles per transaction in these runs: many commits, so kills meet them."""

BAD_EVERY = 125

CHUNK = 200
"""Items per chunk in the pooled runs, so that writes start after a few hundred."""


def test_crash_ingest_killed_at_random_keeps_the_database_consistent(tmp_path: Path) -> None:
    rng = random.Random(8_2024)
    records = stream(ARTICLES)
    size = ARTICLES // PARTS
    files: list[str] = []
    bad: set[str] = set()
    for k in range(PARTS):
        name = f"part{k}.jsonl"
        lines = write_jsonl(tmp_path / name, records[k * size : (k + 1) * size], BAD_EVERY)
        bad |= {f"{name}:{n}" for n in lines}
        files.append(name)
    urls = [str(r["url"]) for r in records]
    db = tmp_path / "crash.db"
    env = child_env(STORYLINE_DB=str(db), STORYLINE_BATCH_SIZE=str(BATCH))
    # Every other part runs on a worker pool: a kill must not leave workers behind.
    pooled = env | {"STORYLINE_WORKERS": "2", "STORYLINE_CHUNK_SIZE": str(CHUNK)}

    def check(run: Run, done_parts: int) -> None:
        # A run that was not killed finished: 0, or 1 when some items failed. (A killed
        # run's workers print the broken pipe they die of: not a failure.)
        if not run.killed:
            assert run.code in (0, 1) and "Traceback" not in run.output, run.output[-3000:]
        found = audit(db)
        assert set(found.urls) <= set(urls), "an article that was never given is stored"
        assert set(found.failures) <= bad, "a failure recorded for a good article"
        missing = [u for u in urls[: done_parts * size] if u not in found.urls]
        assert not missing, f"lost after a restart: {missing[:5]}"

    kills = 0
    for k in range(PARTS):
        command = storyline("ingest", *files[max(0, k - 1) : k + 1])
        run_env = pooled if k % 2 else env
        for _ in range(EARLY_KILLS):
            run = run_until(command, run_env, tmp_path, after(rng.uniform(*EARLY_KILL_SECONDS)))
            kills += run.killed
            check(run, max(0, k - 1))
        # Into this part's writes: the part before is finished first (it is older).
        start = max(stored_count(db), k * size)
        target = start + rng.randint(1, max(1, (k + 1) * size - start - 1))
        kill = once_stored(db, target, rng.uniform(0, 0.1))
        run = run_until(command, run_env, tmp_path, kill)
        kills += run.killed
        check(run, k)
    final = run_until(storyline("ingest", *files[-2:]), env, tmp_path, lambda: False)
    check(final, PARTS)
    assert final.code == 1  # 1: the bad lines failed
    found = audit(db)
    assert found.articles == ARTICLES and set(found.urls) == set(urls)
    assert set(found.failures) == bad  # every bad line recorded, none of the good ones
    assert kills >= MIN_KILLS


FEED_ENTRIES = 500
WATCH_KILLS = 12
PUBLISH_PER_TICK = 5
PUBLISH_TICK_SECONDS = 0.1
"""The site publishes 50 entries a second, faster than the watcher fetches them."""

WATCH_KILL_SECONDS = (0.5, 12.0)

HANG_SECONDS = 300.0
"""A run that has not reached its kill condition by then hangs (it takes seconds)."""


def either(*conditions: Callable[[], bool]) -> Callable[[], bool]:
    return lambda: any(condition() for condition in conditions)


def test_crash_watch_killed_at_random_loses_nothing(tmp_path: Path) -> None:
    rng = random.Random(9_2024)
    site = Publisher(stream(FEED_ENTRIES, seed=2), missing_every=37, empty_every=41)
    stop = threading.Event()

    def publish() -> None:
        while not stop.wait(PUBLISH_TICK_SECONDS):
            site.publish(PUBLISH_PER_TICK)

    threading.Thread(target=publish, daemon=True).start()
    (tmp_path / "feeds.txt").write_text(f"{site.base}/rss\n")
    db = tmp_path / "watch.db"
    env = child_env(
        STORYLINE_DB=str(db), STORYLINE_HOST_DELAY_SECONDS="0", STORYLINE_FETCH_TIMEOUT_SECONDS="10"
    )
    command = storyline("watch", "feeds.txt", "--interval", "1", "--allow-private-addresses")
    good, missing, empty = site.urls("article"), site.urls("missing"), site.urls("empty")
    try:
        kills = 0
        while kills < WATCH_KILLS:
            stored = stored_count(db)
            left = len(good) - stored
            if rng.random() < 0.3 or left < 2:
                kill = after(rng.uniform(*WATCH_KILL_SECONDS))
            else:  # some articles into this run's writes, and a fraction of a batch
                more = rng.randint(1, min(40, left - 1))
                kill = once_stored(db, stored + more, rng.uniform(0, 0.3))
            run = run_until(command, env, tmp_path, either(kill, after(HANG_SECONDS)))
            assert run.killed and "Traceback" not in run.output, run.output[-3000:]
            kills += 1
            found = audit(db)
            assert set(found.urls) <= good, "a page that is no article was stored"
            audit_feed_state(db)
        site.publish(FEED_ENTRIES)  # everything is out: the last run must finish the lot

        def finished() -> bool:
            handled = [s for s in audit_feed_state(db).values() if s in ("stored", "failed")]
            return len(handled) == FEED_ENTRIES

        run = run_until(command, env, tmp_path, either(finished, after(HANG_SECONDS)))
        assert finished() and "Traceback" not in run.output, run.output[-3000:]
    finally:
        stop.set()
        site.close()
    found = audit(db)
    assert set(found.urls) == good and found.articles == len(good)  # each stored once
    status = audit_feed_state(db)
    assert {u for u, s in status.items() if s == "failed"} == missing | empty
    assert set(found.failures) >= missing | empty
