"""Shared pieces of the API tests: an app over a temporary database, records, the token."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from storyline.api import create_app
from storyline.api.context import FetcherFactory
from storyline.config import Settings
from storyline.sources.fetch import Fetcher
from tests.conftest import EVENTS

TOKEN = "test-token-7f3a9c"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def records() -> list[dict[str, Any]]:
    """The test events as news-please records, one source per report."""
    return [
        {
            "title": title,
            "maintext": body,
            "date_publish": day,
            "source_domain": f"{event}{n}.example",
            "url": f"https://{event}{n}.example/{event}",
            "language": "en",
        }
        for event, reports in EVENTS.items()
        for n, (day, title, body) in enumerate(reports)
    ]


def jsonl(items: list[dict[str, Any]]) -> str:
    return "\n".join(json.dumps(item) for item in items) + "\n"


def make_app(tmp_path: Path, fetcher_factory: FetcherFactory = Fetcher, **changes: Any) -> FastAPI:
    settings = replace(Settings(db=str(tmp_path / "api.db"), token=TOKEN), **changes)
    return create_app(settings, fetcher_factory=fetcher_factory)


def loaded_client(tmp_path: Path, **changes: Any) -> TestClient:
    """A client of an app whose database holds the three test events."""
    client = TestClient(make_app(tmp_path, **changes))
    response = client.post("/api/articles", content=jsonl(records()), headers=AUTH)
    assert response.status_code == 200, response.text
    assert response.json()["added"] == 6
    return client


def assert_error(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """The response is a JSON error body with ``status`` (and ``code``)."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    error: dict[str, Any] = response.json()["error"]
    assert set(error) == {"code", "message"} and error["message"]
    assert "Traceback" not in response.text
    if code is not None:
        assert error["code"] == code, error
    return error
