"""The web pages: server-rendered templates over the same services as the JSON API.

``install(app)`` adds the pages, the static files (one CSS and one JS file) and the
security headers to an application made by ``storyline.api.create_app``.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from storyline.web.render import STATIC, STATIC_PREFIX
from storyline.web.routes import router
from storyline.web.security import SecurityHeaders

__all__ = ["install"]


def install(app: FastAPI) -> None:
    """Add the pages at ``/``, static files at ``/static`` and the Content-Security-Policy
    (no inline script) on every HTML response but the API docs."""
    app.include_router(router)
    app.mount(STATIC_PREFIX, StaticFiles(directory=STATIC), name="storyline-static")
    app.add_middleware(SecurityHeaders, exempt=(app.docs_url or "", app.redoc_url or ""))
