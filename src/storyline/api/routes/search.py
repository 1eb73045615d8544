"""GET /api/search?q=: full-text search over article titles and texts."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from storyline import services
from storyline.api.context import context
from storyline.api.routes import errors
from storyline.api.schemas import Article
from storyline.api.security import ReadAccess

router = APIRouter(prefix="/api/search", tags=["search"], dependencies=ReadAccess)


@router.get(
    "",
    response_model=list[Article],
    response_model_exclude_unset=True,  # hits carry no text; do not send "text": null
    responses=errors(401, 403, 422),
)
def search(
    request: Request,
    q: Annotated[str, Query(min_length=1, max_length=500, description="Words to find.")],
    limit: Annotated[int, Query(ge=1, le=services.MAX_LIMIT)] = 20,
) -> Any:
    """Articles (without text) whose words match, best first, with their story ids.
    Words are matched as words: query syntax in ``q`` is not interpreted."""
    with context(request).store() as store:
        return services.search(store, q, limit)
