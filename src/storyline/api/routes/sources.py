"""GET /api/sources and GET /api/sources/{source}."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request

from storyline import services
from storyline.api.context import context
from storyline.api.routes import errors
from storyline.api.schemas import SourceDetail, SourceSummary
from storyline.api.security import ReadAccess

router = APIRouter(prefix="/api/sources", tags=["sources"], dependencies=ReadAccess)


@router.get("", response_model=list[SourceSummary], responses=errors(401, 403))
def sources(request: Request) -> Any:
    """Every source: articles, stories, first and last publication; most articles first."""
    with context(request).store() as store:
        return services.sources(store)


@router.get("/{source}", response_model=SourceDetail, responses=errors(401, 403, 404, 422))
def source(
    request: Request,
    source: Annotated[str, Path(max_length=200)],
    limit: Annotated[int, Query(ge=1, le=services.MAX_LIMIT)] = 50,
) -> Any:
    """One source's figures and its largest stories."""
    with context(request).store() as store:
        return services.source_detail(store, source, limit)
