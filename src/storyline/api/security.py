"""Token checks: writes always need ``Authorization: Bearer <token>``; reads only when
``read_token_required`` is on. The token is compared in constant time and never logged."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from storyline.api.context import context
from storyline.api.errors import Forbidden, Unauthorized
from storyline.config import env_name

bearer = HTTPBearer(auto_error=False, description="The server's token (STORYLINE_TOKEN).")
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


def check_token(expected: str, credentials: HTTPAuthorizationCredentials | None) -> None:
    """Raise Forbidden when no token is configured, Unauthorized when the given one is
    missing or wrong."""
    if not expected:
        raise Forbidden(
            f"this server takes no writes: no token is configured; set {env_name('token')} "
            "on the server and send it as `Authorization: Bearer <token>`"
        )
    if credentials is None:
        raise Unauthorized("this endpoint needs `Authorization: Bearer <token>`")
    # compare_digest takes as long for a near miss as for a wild guess.
    if not hmac.compare_digest(credentials.credentials.encode(), expected.encode()):
        raise Unauthorized("the bearer token is not valid for this server")


def require_write(request: Request, credentials: Credentials) -> None:
    check_token(context(request).settings.token, credentials)


async def require_read(request: Request) -> None:
    # The header is read here, not through ``bearer``: reads are open by default, so the
    # OpenAPI schema must not declare them as needing a token. Async because it does no
    # I/O: a plain function would cost every read a trip through the thread pool.
    settings = context(request).settings
    if settings.read_token_required:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        given = token.strip() if scheme.lower() == "bearer" and token.strip() else None
        check_token(
            settings.token,
            HTTPAuthorizationCredentials(scheme=scheme, credentials=given) if given else None,
        )


WriteAccess = [Depends(require_write)]
ReadAccess = [Depends(require_read)]
