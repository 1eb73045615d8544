"""The web pages: server-rendered templates over the same services as the JSON API.

``install(app)`` adds the pages, the static files (one CSS and one JS file) and the
security headers to an application made by ``storyline.api.create_app``.
"""

from __future__ import annotations

import inspect

from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException
from starlette.responses import Response

from storyline.web.render import STATIC, STATIC_PREFIX, render
from storyline.web.routes import router
from storyline.web.security import SecurityHeaders

__all__ = ["install"]


def install(app: FastAPI) -> None:
    """Add the pages at ``/``, static files at ``/static`` and the Content-Security-Policy
    (no inline script) on every HTML response but the API docs."""
    app.include_router(router)
    app.mount(STATIC_PREFIX, StaticFiles(directory=STATIC), name="storyline-static")
    app.add_middleware(SecurityHeaders, exempt=(app.docs_url or "", app.redoc_url or ""))
    _html_not_found(app)


def _html_not_found(app: FastAPI) -> None:
    """An unknown address outside ``/api/`` gets a page, not the API's JSON error."""
    api_handler = app.exception_handlers[HTTPException]

    async def handler(request: Request, exc: Exception) -> Response:
        if (
            isinstance(exc, HTTPException)
            and exc.status_code == 404
            and not request.url.path.startswith("/api/")
        ):
            return render("error.html", 404, title="Not found", message="No page at this address.")
        response = api_handler(request, exc)
        if inspect.isawaitable(response):
            response = await response
        assert isinstance(response, Response)
        return response

    app.add_exception_handler(HTTPException, handler)
