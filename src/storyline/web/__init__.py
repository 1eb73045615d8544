"""Web pages (placeholder until the web UI is installed here)."""

from __future__ import annotations

from fastapi import FastAPI


def install(app: FastAPI) -> None:
    """Add the web pages to ``app``; the placeholder adds none."""
    return None
