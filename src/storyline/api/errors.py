"""Every error is ``{"error": {"code", "message"}}`` with its 4xx status; never a trace.

``StorylineError`` subclasses carry their status (``NotFound`` is a 404); the code is
the class name in snake case (``address_refused``). Anything unexpected is logged
with its traceback and answered with a generic 500.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from storyline.errors import StorylineError

log = logging.getLogger("storyline.api")

_STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid_parameter",
}


class Unauthorized(StorylineError):
    """No valid token was given for an endpoint that needs one."""

    status_code = 401


class Forbidden(StorylineError):
    """The server does not allow this operation at all (no token configured)."""

    status_code = 403


def error_body(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


def error_response(status: int, code: str, message: str, **headers: str) -> JSONResponse:
    return JSONResponse(error_body(code, message), status_code=status, headers=headers or None)


def code_of(exc: StorylineError) -> str:
    """``HTTPStatusError`` -> ``http_status_error``."""
    return re.sub(
        r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", type(exc).__name__
    ).lower()


async def _storyline_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StorylineError)
    status = exc.status_code
    if status >= 500:
        log.error("%s on %s %s: %s", type(exc).__name__, request.method, request.url.path, exc)
        return error_response(status, "server_error", "the server could not answer; see its log")
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else {}
    return error_response(status, code_of(exc), str(exc), **headers)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    # loc and msg only: the rejected input may be large or hostile.
    problems = [
        ".".join(str(part) for part in error.get("loc", ())) + ": " + str(error.get("msg", ""))
        for error in exc.errors()
    ]
    return error_response(422, "invalid_parameter", "; ".join(problems) or "invalid request")


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    code = _STATUS_CODES.get(exc.status_code, "error" if exc.status_code < 500 else "server_error")
    headers = dict(exc.headers or {})
    return error_response(exc.status_code, code, str(exc.detail), **headers)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return error_response(500, "server_error", "unexpected server error; see the server log")


def install_handlers(app: FastAPI) -> None:
    app.add_exception_handler(StorylineError, _storyline_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)


class BodyLimit:
    """ASGI middleware: request bodies over ``limit`` bytes get a 413 JSON error.

    A declared Content-Length is checked before anything is read; a body without one
    (chunked) is read up to the limit here and handed on from memory.
    """

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None:
            if not declared.isdigit() or int(declared) > self.limit:
                await self._refuse(scope, receive, send)
                return
            await self.app(scope, receive, send)
            return
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            body += message.get("body", b"")
            if len(body) > self.limit:
                await self._refuse(scope, receive, send)
                return
            if not message.get("more_body", False):
                break
        await self.app(scope, _replay(bytes(body), receive), send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = error_response(
            413,
            "too_large",
            f"the request body is larger than {self.limit:,} bytes; send fewer articles "
            "per request or raise max_input_bytes (STORYLINE_MAX_INPUT_BYTES)",
        )
        await response(scope, receive, send)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay
