"""The template environment: autoescaping everywhere, the filters and globals the
templates use, and the static file addresses with a content hash for caching."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.responses import HTMLResponse

from storyline.web import charts, views
from storyline.web.security import path_segment

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
STATIC_PREFIX = "/static"

# Days of articles a home-page sparkline shows, ending with the newest story's day.
SPARK_DAYS = 14


@cache
def _static_version(name: str) -> str:
    return hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:12]


def static_url(name: str) -> str:
    """``/static/<name>?v=<hash>``: a changed file gets a new address, so browsers may
    cache the old one for as long as they like."""
    return f"{STATIC_PREFIX}/{name}?v={_static_version(name)}"


@cache
def environment() -> Environment:
    # autoescape=True for every template, not by file extension: article text is
    # untrusted and must never become markup. StrictUndefined turns a misspelt field
    # into an error the page tests catch, not an empty spot on the page.
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["seg"] = path_segment
    env.globals.update(
        static_url=static_url,
        span=views.span,
        short_time=views.short_time,
        spark_days=SPARK_DAYS,
        chart_left=charts.CHART_LEFT,
    )
    return env


def render(
    name: str, status: int = 200, headers: dict[str, str] | None = None, **context: Any
) -> HTMLResponse:
    """The template ``name`` filled with ``context``, as an HTML response."""
    body = environment().get_template(name).render(**context)
    return HTMLResponse(body, status_code=status, headers=headers)
