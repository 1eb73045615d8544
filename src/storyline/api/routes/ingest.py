"""POST /api/ingest/url: fetch one page (no private addresses, robots.txt) and ingest it."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from storyline import services
from storyline.api.context import context
from storyline.api.routes import errors
from storyline.api.schemas import IngestResult, IngestUrl
from storyline.api.security import WriteAccess

router = APIRouter(prefix="/api/ingest", tags=["ingest"], dependencies=WriteAccess)


@router.post("/url", response_model=IngestResult, responses=errors(401, 403, 413, 422))
def ingest_url(request: Request, payload: IngestUrl) -> Any:
    """Fetch the page at ``url`` and ingest it. A page that cannot be fetched (refused
    address, robots.txt, HTTP error, too large) is a 422 naming the reason."""
    ctx = context(request)
    # Fetched before the write lock is taken: a slow site holds up no other writer.
    with ctx.fetcher() as fetcher:
        document = services.fetch_document(payload.url, fetcher)
    with ctx.writing() as store:
        return services.ingest_document(store, ctx.settings, document, ctx.counters, kept=ctx.kept)
