"""``storyline load``: a Spark job's Parquet output into a store, through ``Store.write``.

Stories go first (their clusterer states, so a later ``storyline ingest`` continues
them), then articles in publication order, in transactions of ``batch_size``, then
failures. Articles already in the store are skipped, so an interrupted load is
completed by running it again. Reads Parquet with pyarrow, one batch at a time.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from storyline.distributed.rows import FORMAT, MANIFEST, article_from_parquet
from storyline.errors import ConfigError, NotFound
from storyline.model import Failure
from storyline.store.base import Placement, Store, StoryRecord, from_iso, json_title_part

Progress = Callable[[str, int], None]


@dataclass(slots=True)
class LoadReport:
    articles: int = 0
    already_stored: int = 0
    stories: int = 0
    failures: int = 0


def check_output(folder: Path) -> dict[str, Any]:
    """The manifest of a Spark output folder; a clear error when it is not one."""
    manifest = folder / MANIFEST
    if not manifest.is_file():
        raise NotFound(f"{folder}: no {MANIFEST}; give the --out folder of `storyline spark`")
    data: dict[str, Any] = json.loads(manifest.read_text(encoding="utf-8"))
    if data.get("format") != FORMAT:
        raise ConfigError(
            f"{manifest}: output format {data.get('format')!r}, this version reads {FORMAT}; "
            "re-run the job with this version"
        )
    return data


def _batches(folder: Path, table: str, size: int) -> Iterator[list[dict[str, Any]]]:
    # Part files are numbered in the order the job sorted the table.
    for part in sorted((folder / table).glob("*.parquet")):
        for batch in pq.ParquetFile(part).iter_batches(batch_size=size):
            yield batch.to_pylist()


def load(
    folder: Path, store: Store, batch_size: int, progress: Progress | None = None
) -> LoadReport:
    """Import the Spark output in ``folder`` into ``store``."""
    check_output(folder)
    report = LoadReport()
    for rows in _batches(folder, "stories", batch_size):
        states = [
            StoryRecord(
                id=row["id"],
                state=row["state"],
                keys=tuple(row["keys"] or ()),
                last_seen=from_iso(row["last_seen"]),
                dormant=bool(row["dormant"]),
                title=json_title_part(row["state"]),
            )
            for row in rows
        ]
        store.write([], states, [], [])
        report.stories += len(states)
        if progress:
            progress("stories", report.stories)
    for rows in _batches(folder, "articles", batch_size):
        known = store.known_ids(row["id"] for row in rows)
        placements = [
            Placement(
                article_from_parquet(row), row["story_id"], row["duplicate_of"], row["signature"]
            )
            for row in rows
            if row["id"] not in known
        ]
        report.already_stored += len(known)
        if placements:
            store.write(placements, [], [], [])
        report.articles += len(placements)
        if progress:
            progress("articles", report.articles + report.already_stored)
    if report.already_stored and not report.articles:
        return report  # a finished load run again: its failures are stored already
    for rows in _batches(folder, "failures", batch_size):
        failures = [Failure(row["origin"], row["reason"]) for row in rows]
        store.write([], [], [], failures)
        report.failures += len(failures)
    return report
