"""``storyline serve``: the REST API and web pages over one database, via uvicorn."""

from __future__ import annotations

import os
from typing import Annotated, Any

import typer
from rich.console import Console

from storyline.config import env_name, load_settings

err = Console(stderr=True, highlight=False)

# More server processes than this only add memory: each holds its own story cache,
# and SQLite serves one writer at a time however many processes read.
MAX_WORKERS = 32

# What each worker process of ``serve --workers N`` imports to build its application.
APP_FACTORY = "storyline.api.app:app_from_environment"

# How long a worker may take to answer uvicorn's health check before it is killed and
# replaced. A starting worker holds the interpreter for seconds at a time while it
# loads its tables; on a busy machine uvicorn's default of 5 s kills every replacement
# in turn.
WORKER_HEALTHCHECK_SECONDS = 120


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
        typer.Option("--db", help=f"SQLite file or postgresql:// address [env {env_name('db')}]"),
    ] = None,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            max=MAX_WORKERS,
            help="Server processes; one per core serves the most readers.",
        ),
    ] = 1,
) -> None:
    """Serve the REST API (/api/, OpenAPI at /docs) and the web pages.

    Writes need the token from the environment variable STORYLINE_TOKEN (never an
    option: command lines are visible to other users)."""
    import uvicorn

    from storyline.api import create_app
    from storyline.api.tcp import PROTOCOL
    from storyline.services import start_warm_up
    from storyline.store import describe_address, open_store

    settings = load_settings({"db": db})
    writes = "writes need the token" if settings.token else f"writes off (set {env_name('token')})"
    shown = describe_address(settings.db)  # never print a password
    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "log_level": "info",
        "server_header": False,
        "http": PROTOCOL,
    }
    if workers == 1:
        app = create_app(settings)
        start_warm_up()
        err.print(f"serving {shown} at http://{host}:{port}/ ({writes}); Ctrl-C stops")
        uvicorn.run(app, **options)
        return
    # Each worker process builds its own application from the environment, so the
    # database chosen here must reach them there.
    os.environ[env_name("db")] = settings.db
    open_store(settings.db).close()  # create and migrate once, before the workers start
    err.print(
        f"serving {shown} at http://{host}:{port}/ with {workers} processes ({writes}); "
        "Ctrl-C stops"
    )
    uvicorn.run(
        APP_FACTORY,
        factory=True,
        workers=workers,
        timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
        **options,
    )
