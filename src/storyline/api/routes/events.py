"""GET /api/events: server-sent events naming stories that changed.

The stream first sends ``ready`` with the current position as its id, then a
``stories`` event (``{"seq": n, "stories": [ids]}``) whenever articles were stored.
It polls the database every ``events_poll_seconds``, ends after ``events_max_seconds``
(or the ``wait`` asked for) and when the client goes away; a browser's EventSource
reconnects with ``Last-Event-ID`` and misses nothing.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from storyline import services
from storyline.api.context import AppContext, context
from storyline.api.routes import errors
from storyline.api.security import ReadAccess

router = APIRouter(prefix="/api", tags=["events"], dependencies=ReadAccess)

# A comment line this often keeps proxies from closing a quiet stream.
HEARTBEAT_SECONDS = 15.0

# SQLite integers are 64-bit; a larger seq would not even reach the database.
MAX_SEQ = 2**63 - 1

# Story ids read per poll; more changes than this arrive in the next event.
MAX_CHANGES = 1000

Poll = Callable[[int], Awaitable[tuple[int, list[str]]]]


async def event_stream(
    poll: Poll,
    start: int,
    *,
    interval: float,
    duration: float,
    disconnected: Callable[[], Awaitable[bool]],
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
) -> AsyncIterator[str]:
    """The text of the event stream; ``poll(seq)`` returns (new seq, changed ids)."""
    end = clock() + duration
    after = start
    yield f'retry: {int(interval * 1000)}\nid: {after}\nevent: ready\ndata: {{"seq": {after}}}\n\n'
    quiet_since = clock()
    while True:
        seq, changed = await poll(after)
        after = max(after, seq)
        if changed:
            data = json.dumps({"seq": after, "stories": changed}, separators=(",", ":"))
            yield f"id: {after}\nevent: stories\ndata: {data}\n\n"
            quiet_since = clock()
        elif clock() - quiet_since >= HEARTBEAT_SECONDS:
            yield ": heartbeat\n\n"
            quiet_since = clock()
        left = end - clock()
        if left <= 0 or await disconnected():
            return
        await sleep(min(interval, left))


def _start(ctx: AppContext, after: int | None) -> int:
    if after is not None:
        return after
    with ctx.store() as store:
        return store.counts().last_seq


def _poll(ctx: AppContext, after: int) -> tuple[int, list[str]]:
    with ctx.store() as store:
        return services.changes(store, after, MAX_CHANGES)


@router.get(
    "/events",
    response_class=StreamingResponse,
    responses={
        200: {"content": {"text/event-stream": {}}, "description": "An event stream."},
        **errors(401, 403, 422),
    },
)
async def events(
    request: Request,
    after: Annotated[
        int | None,
        Query(ge=0, le=MAX_SEQ, description="Announce changes after this seq (default: now)."),
    ] = None,
    wait: Annotated[
        float | None, Query(ge=0, le=86400, description="Seconds to keep the stream open.")
    ] = None,
    last_event_id: Annotated[
        str | None, Header(max_length=40, description="Sent by EventSource on reconnect.")
    ] = None,
) -> StreamingResponse:
    """Server-sent events naming the stories that gained articles."""
    ctx = context(request)
    settings = ctx.settings
    event_id = (last_event_id or "").strip()
    if after is None and event_id.isascii() and event_id.isdigit() and len(event_id) <= 18:
        after = int(event_id)  # any other id (not ours) means: from now
    start = await run_in_threadpool(_start, ctx, after)
    duration = settings.events_max_seconds if wait is None else wait
    stream = event_stream(
        lambda seq: run_in_threadpool(_poll, ctx, seq),
        start,
        interval=settings.events_poll_seconds,
        duration=min(duration, settings.events_max_seconds),
        disconnected=request.is_disconnected,
    )
    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return StreamingResponse(stream, media_type="text/event-stream", headers=headers)
