"""GET /api/names/{name}: a person, place or organisation in any spelling."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request

from storyline import services
from storyline.api.context import context
from storyline.api.routes import errors
from storyline.api.schemas import Entity
from storyline.api.security import ReadAccess

router = APIRouter(prefix="/api/names", tags=["names"], dependencies=ReadAccess)


@router.get("/{name}", response_model=Entity, responses=errors(401, 403, 404, 422))
def entity(
    request: Request,
    name: Annotated[str, Path(max_length=200, description="Any spelling, or a name key.")],
    limit: Annotated[int, Query(ge=1, le=services.MAX_LIMIT)] = 50,
) -> Any:
    """How the name is written, and the stories that mention it, most mentions first."""
    with context(request).store() as store:
        return services.entity(store, name, limit)
