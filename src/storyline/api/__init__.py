"""The REST API: ``create_app(settings)`` builds the FastAPI application.

Routes live under ``/api/`` (one router per resource in ``storyline.api.routes``);
the web pages of ``storyline.web`` are installed on the same application and call the
same ``storyline.services`` functions.
"""

from __future__ import annotations

from storyline.api.app import create_app
from storyline.api.context import AppContext, context

__all__ = ["AppContext", "context", "create_app"]
