"""GET /api/health (always open, for probes) and GET /api/metrics."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from storyline import services
from storyline.api.context import context
from storyline.api.routes import errors
from storyline.api.schemas import Health, Metrics
from storyline.api.security import ReadAccess

router = APIRouter(prefix="/api", tags=["health"])


@router.get("/health", response_model=Health)
def health(request: Request) -> Any:
    """``ok`` when the database answers; a 500 error body when it does not."""
    with context(request).store() as store:
        return services.health(store)


@router.get("/metrics", response_model=Metrics, dependencies=ReadAccess, responses=errors(401, 403))
def metrics(request: Request) -> Any:
    """Articles, stories and failures stored, and what this process ingested."""
    ctx = context(request)
    with ctx.store() as store:
        return services.metrics(store, ctx.counters)
