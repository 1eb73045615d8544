"""GET /api/stories (filters, cursor pages) and GET /api/stories/{id}, both with ETags."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import BeforeValidator
from starlette.concurrency import run_in_threadpool

from storyline import services
from storyline.api.context import context
from storyline.api.responses import etag_response, view_response
from storyline.api.routes import errors
from storyline.api.schemas import StoryDetail, StoryPage
from storyline.api.security import ReadAccess

router = APIRouter(prefix="/api/stories", tags=["stories"], dependencies=ReadAccess)

_ISO = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_only(value: object) -> object:
    # pydantic would read "0.5" as a Unix timestamp; a date here is always ISO 8601.
    if isinstance(value, str) and not _ISO.match(value):
        raise ValueError("give an ISO 8601 date or time, e.g. 2024-05-03 or 2024-05-03T08:00Z")
    return value


Time = Annotated[datetime | None, BeforeValidator(_iso_only)]


@router.get("", response_model=StoryPage, responses=errors(401, 403, 422))
async def list_stories(
    request: Request,
    since: Annotated[
        Time, Query(description="Stories with an article at or after this time.")
    ] = None,
    until: Annotated[
        Time, Query(description="Stories with an article at or before this time.")
    ] = None,
    language: Annotated[str | None, Query(max_length=16, description="e.g. de")] = None,
    source: Annotated[str | None, Query(max_length=200, description="e.g. dw.com")] = None,
    name: Annotated[
        str | None, Query(max_length=200, description="A name in any spelling or script.")
    ] = None,
    q: Annotated[
        str | None, Query(max_length=500, description="Words some article contains.")
    ] = None,
    order: Annotated[
        Literal["size", "recent"], Query(description="Largest first, or latest first.")
    ] = "size",
    limit: Annotated[int, Query(ge=1, le=services.MAX_LIMIT)] = 50,
    cursor: Annotated[
        str | None, Query(max_length=1000, description="next_cursor of the previous page.")
    ] = None,
) -> Response:
    """Stories matching every filter given, one page at a time; send If-None-Match to
    get a 304 when nothing changed."""
    ctx = context(request)
    # Filters and deep pages may scan many stories or articles; the first page of the
    # plain list is a quick read, kept while the database is unchanged.
    if all(f is None for f in (since, until, language, source, name, q, cursor)):
        listed = await ctx.read(lambda store: services.story_list(store, order, limit, ctx.lists))
        return view_response(request, listed)
    page = await ctx.read(
        lambda store: services.list_stories(
            store,
            since=since,
            until=until,
            language=language,
            source=source,
            name=name,
            text=q,
            order=order,
            limit=limit,
            cursor=cursor,
        ),
        quick=False,
    )
    return etag_response(request, {"items": page.items, "next_cursor": page.next_cursor})


@router.get("/{story_id}", response_model=StoryDetail, responses=errors(401, 403, 404, 422))
async def story(
    request: Request,
    story_id: Annotated[str, Path(max_length=200)],
    language: Annotated[
        str | None, Query(max_length=16, description="Preferred headline language.")
    ] = None,
) -> Response:
    """Everything `storyline show --json` prints: sources, summary, timeline, names,
    quotes, facts, articles. A merged story's old id answers with the story it joined."""
    ctx = context(request)
    view = await ctx.read(lambda store: services.cached_view(store, story_id, language, ctx.views))
    if view is None:  # assembly reads every article's text: on a worker thread
        view = await run_in_threadpool(
            ctx.in_thread, lambda store: services.story_view(store, story_id, language, ctx.views)
        )
    return view_response(request, view)
