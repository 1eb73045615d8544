"""Two `storyline ingest` processes on one SQLite file with overlapping input: both
finish, every article is stored once, and the stories stay consistent."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from tests.crash_support import audit, child_env, storyline, stream, write_jsonl


def test_two_ingests_of_overlapping_input_store_each_article_once(tmp_path: Path) -> None:
    records = stream(600, seed=5)
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    write_jsonl(first, records[:450])
    write_jsonl(second, records[150:])  # the middle 300 are in both
    db = tmp_path / "shared.db"
    # Small write batches, so the two processes take turns many times.
    env = child_env(STORYLINE_BATCH_SIZE="20")
    runs = [
        subprocess.Popen(
            storyline("ingest", str(path), "--db", str(db)),
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for path in (first, second)
    ]
    outputs = [run.communicate(timeout=600) for run in runs]
    for run, (_, err) in zip(runs, outputs, strict=True):
        assert run.returncode == 0, err.decode()
    audit(db)  # integrity, no dangling memberships, counts equal members
    with sqlite3.connect(db) as con:
        urls = [r[0] for r in con.execute("SELECT url FROM articles")]
        empty = con.execute("SELECT COUNT(*) FROM stories WHERE article_count = 0").fetchone()
    assert sorted(urls) == sorted(str(r["url"]) for r in records)
    assert empty == (0,)


def _all_finish(runs: list[subprocess.Popen[bytes]]) -> list[tuple[int, str]]:
    """Each run's exit code and error output; every pipe is read and closed."""
    errors = [run.communicate(timeout=120)[1].decode() for run in runs]
    return [(run.returncode, err) for run, err in zip(runs, errors, strict=True)]


def test_processes_opening_a_new_database_together_all_succeed(tmp_path: Path) -> None:
    # Each of them sees an unmigrated file; only one may create the tables.
    for attempt in range(3):
        db = tmp_path / f"new{attempt}.db"
        runs = [
            subprocess.Popen(
                storyline("stories", "--db", str(db)),
                env=child_env(),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            for _ in range(4)
        ]
        for code, err in _all_finish(runs):
            assert code == 0, err
        with sqlite3.connect(db) as check:
            names = [r[0] for r in check.execute("SELECT name FROM migrations")]
        assert len(names) == len(set(names)) > 0


# Opens the database at argv[1] at the moment argv[2] (time.time()), so the processes'
# start-up times do not spread the opens apart.
OPEN_AT = """
import sys, time
from storyline.store.sqlite import SQLiteStore
moment = float(sys.argv[2])
while time.time() < moment:
    time.sleep(0.0005)
SQLiteStore(sys.argv[1]).db.close()
"""


def test_processes_opening_a_new_database_at_one_moment_all_succeed(tmp_path: Path) -> None:
    # Switching a new file to WAL at the same moment, one process must give way at
    # once ("database is locked", without waiting); it tries again instead of failing.
    # Eight openers failed in about half of the attempts before they did.
    for attempt in range(6):
        db = tmp_path / f"moment{attempt}.db"
        moment = time.time() + 1.5  # after every process has imported the store
        runs = [
            subprocess.Popen(
                [sys.executable, "-c", OPEN_AT, str(db), str(moment)],
                env=child_env(),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            for _ in range(8)
        ]
        for code, err in _all_finish(runs):
            assert code == 0, err
        with sqlite3.connect(db) as check:
            (mode,) = check.execute("PRAGMA journal_mode").fetchone()
            names = [r[0] for r in check.execute("SELECT name FROM migrations")]
        assert mode == "wal"
        assert len(names) == len(set(names)) > 0
