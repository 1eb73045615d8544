"""JSON responses with ETags: a client that has the current data gets a 304."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from fastapi import Request, Response

# Clients must ask again every time (the data changes as articles arrive), but an
# unchanged answer costs them a 304 without a body.
CACHE_CONTROL = "no-cache"


def json_bytes(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def matches(if_none_match: str | None, etag: str) -> bool:
    """Whether an If-None-Match header names ``etag`` (weak comparison, RFC 9110)."""
    if not if_none_match:
        return False
    tags = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
    return "*" in tags or etag in tags


def etag_response(request: Request, data: Any) -> Response:
    """``data`` as JSON with its ETag, or 304 when the client already has it."""
    body = json_bytes(data)
    tag = etag_of(body)
    headers = {"ETag": tag, "Cache-Control": CACHE_CONTROL}
    if matches(request.headers.get("if-none-match"), tag):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)
