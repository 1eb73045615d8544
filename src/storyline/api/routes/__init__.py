"""One router per resource; ``ROUTERS`` is what ``create_app`` includes."""

from __future__ import annotations

from typing import Any

from storyline.api.schemas import ErrorBody

_MEANINGS = {
    401: "No or wrong bearer token.",
    403: "The server takes no token-protected requests (no token configured).",
    404: "Not found.",
    413: "The request body is too large.",
    422: "A parameter or the body is invalid.",
}


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for the error statuses a route can answer with."""
    return {code: {"model": ErrorBody, "description": _MEANINGS[code]} for code in codes}
