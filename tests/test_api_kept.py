"""The API keeps its clusterer between ingest requests: a full story window takes tens
of seconds to restore, and a client posting articles one batch at a time would wait
that long on every request."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient

from storyline.config import Settings
from storyline.pipeline import ingest
from storyline.services.ingest import parse_records
from storyline.store.sqlite import SQLiteStore
from tests.api_support import AUTH, jsonl, make_app
from tests.crash_support import stream


def stories(db: Path) -> dict[str, str | None]:
    store = SQLiteStore(db)
    try:
        return {s.article.id: s.story_id for s in store.articles()}
    finally:
        store.close()


def test_api_ingests_restore_the_clusterer_once_with_the_stories_of_one_ingest(
    tmp_path: Path, restores: list[object]
) -> None:
    records = stream(120, seed=11)
    parts = [records[i : i + 30] for i in range(0, len(records), 30)]
    with TestClient(make_app(tmp_path)) as client:
        for part in parts:
            reply = client.post("/api/articles", content=jsonl(part), headers=AUTH)
            assert reply.status_code == 200, reply.text
    assert len(restores) == 1
    plain = tmp_path / "plain.db"
    store = SQLiteStore(plain)
    try:
        for part in parts:
            ingest(parse_records(json.dumps(part)), store, Settings(db=str(plain)))
    finally:
        store.close()
    assert stories(tmp_path / "api.db") == stories(plain)


def test_api_restores_after_another_writer(tmp_path: Path, restores: list[object]) -> None:
    first, second, third = (stream(90, seed=12)[i : i + 30] for i in (0, 30, 60))
    with TestClient(make_app(tmp_path)) as client:
        assert client.post("/api/articles", content=jsonl(first), headers=AUTH).status_code == 200
        db = tmp_path / "api.db"
        other = SQLiteStore(db)  # a CLI ingest beside the server
        try:
            ingest(parse_records(json.dumps(second)), other, Settings(db=str(db)))
        finally:
            other.close()
        assert client.post("/api/articles", content=jsonl(third), headers=AUTH).status_code == 200
        assert len(restores) == 3  # the server's, the other writer's, the server's again
    assert len(stories(db)) == 90
