"""JSON responses with ETags: a client that has the current data gets a 304."""

from __future__ import annotations

from typing import Any

from fastapi import Request, Response

from storyline.services import ListView, StoryView, etag_of, json_bytes

__all__ = ["etag_of", "etag_response", "json_bytes", "matches", "view_response"]

# Clients must ask again every time (the data changes as articles arrive), but an
# unchanged answer costs them a 304 without a body.
CACHE_CONTROL = "no-cache"


def matches(if_none_match: str | None, etag: str) -> bool:
    """Whether an If-None-Match header names ``etag`` (weak comparison, RFC 9110)."""
    if not if_none_match:
        return False
    tags = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
    return "*" in tags or etag in tags


def etag_response(request: Request, data: Any) -> Response:
    """``data`` as JSON with its ETag, or 304 when the client already has it."""
    body = json_bytes(data)
    return _answer(request, body, etag_of(body))


def view_response(request: Request, view: StoryView | ListView) -> Response:
    """A cached view's JSON (serialised once, when it was made), or 304."""
    return _answer(request, view.body, view.etag)


def _answer(request: Request, body: bytes, tag: str) -> Response:
    headers = {"ETag": tag, "Cache-Control": CACHE_CONTROL}
    if matches(request.headers.get("if-none-match"), tag):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)
