"""``storyline serve``: the REST API and web pages over one database, via uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from storyline.config import env_name, load_settings

err = Console(stderr=True, highlight=False)


def register(app: typer.Typer) -> None:
    """Add the ``serve`` command to ``app``."""
    app.command("serve")(serve_cli)


def serve_cli(
    host: Annotated[
        str, typer.Option(help="Address to listen on; 0.0.0.0 serves every interface.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 8000,
    db: Annotated[
        str | None,
        typer.Option("--db", help=f"SQLite database file [env {env_name('db')}]"),
    ] = None,
) -> None:
    """Serve the REST API (/api/, OpenAPI at /docs) and the web pages.

    Writes need the token from the environment variable STORYLINE_TOKEN (never an
    option: command lines are visible to other users)."""
    import uvicorn

    from storyline.api import create_app

    settings = load_settings({"db": db})
    app = create_app(settings)
    writes = "writes need the token" if settings.token else f"writes off (set {env_name('token')})"
    err.print(f"serving {settings.db} at http://{host}:{port}/ ({writes}); Ctrl-C stops")
    uvicorn.run(app, host=host, port=port, log_level="info", server_header=False)
