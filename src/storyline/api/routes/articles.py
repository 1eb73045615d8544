"""GET /api/articles/{id}; POST /api/articles with a JSON object, array or JSON Lines."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from starlette.concurrency import run_in_threadpool

from storyline import services
from storyline.api.context import AppContext, context
from storyline.api.routes import errors
from storyline.api.schemas import Article, IngestResult
from storyline.api.security import ReadAccess, WriteAccess

router = APIRouter(prefix="/api/articles", tags=["articles"])

# Media types read as JSON Lines whatever the first line looks like.
LINE_TYPES = ("application/x-ndjson", "application/jsonl", "application/x-jsonlines")

# Items that are not article objects are reported one by one, as `storyline ingest`
# does, so the schema takes any object and any non-empty array.
_BODY = {
    "required": True,
    "description": "news-please records: one JSON object, an array of them, an object "
    'with an "articles" array, or JSON Lines (one object per line).',
    "content": {
        "application/json": {
            "schema": {"anyOf": [{"type": "object"}, {"type": "array", "minItems": 1}]}
        },
        "application/x-ndjson": {"schema": {"type": "string", "pattern": "\\S"}},
    },
}


@router.get(
    "/{article_id}",
    response_model=Article,
    dependencies=ReadAccess,
    responses=errors(401, 403, 404, 422),
)
def article(request: Request, article_id: Annotated[str, Path(max_length=200)]) -> Any:
    """One stored article with its text, story and original (for copies)."""
    with context(request).store() as store:
        return services.article(store, article_id)


@router.post(
    "",
    response_model=IngestResult,
    dependencies=WriteAccess,
    responses=errors(401, 403, 413, 422),
    openapi_extra={"requestBody": _BODY},
)
async def post_articles(request: Request) -> Any:
    """Ingest articles; items that cannot be used are listed in ``failures`` and the
    rest is stored. Needs the bearer token."""
    body = await request.body()  # bounded by the BodyLimit middleware
    media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    return await run_in_threadpool(_ingest, context(request), body, media_type in LINE_TYPES)


def _ingest(ctx: AppContext, body: bytes, lines: bool) -> dict[str, Any]:
    with ctx.writing() as store:
        return services.ingest_records(
            store, ctx.settings, body, ctx.counters, lines, kept=ctx.kept
        )
