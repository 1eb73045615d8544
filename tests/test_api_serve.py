"""`storyline serve`: builds the app over --db and hands it to uvicorn on the address."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from storyline.cli import app


def test_cli_serve_runs_uvicorn_with_the_app(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[dict[str, Any]] = []

    def run(application: FastAPI, **options: Any) -> None:
        calls.append(options)
        with TestClient(application) as client:
            assert client.get("/api/health").json()["status"] == "ok"

    monkeypatch.setattr(uvicorn, "run", run)
    monkeypatch.setenv("STORYLINE_TOKEN", "s3cret-serve")
    db = tmp_path / "served.db"
    result = CliRunner().invoke(app, ["serve", "--db", str(db), "--port", "8123"])
    assert result.exit_code == 0, result.output
    assert calls and calls[0]["host"] == "127.0.0.1" and calls[0]["port"] == 8123
    assert db.exists() and "s3cret-serve" not in result.output
    assert "http://127.0.0.1:8123/" in result.output


def test_cli_serve_refuses_a_bad_port() -> None:
    result = CliRunner().invoke(app, ["serve", "--port", "70000"])
    assert result.exit_code == 2
