"""``storyline watch``: the thin CLI over :func:`storyline.sources.watch.watch`."""

from __future__ import annotations

import json
import signal
import sys
import threading
from types import FrameType
from typing import Annotated

import typer
from rich.console import Console

from storyline.config import env_name, load_settings
from storyline.errors import StorylineError
from storyline.sources.fetch import Fetcher
from storyline.sources.watch import WatchReport, watch
from storyline.store import open_store

err = Console(stderr=True, highlight=False)


def register(app: typer.Typer) -> None:
    """Add the ``watch`` command to ``app``."""
    app.command("watch")(watch_cli)


def watch_cli(
    feeds: Annotated[
        str,
        typer.Argument(
            metavar="FEEDS", help="Feed list: one RSS/Atom or sitemap URL per line, or OPML."
        ),
    ],
    once: Annotated[bool, typer.Option("--once", help="Poll every feed once, then exit.")] = False,
    interval: Annotated[
        float | None,
        typer.Option(
            "--interval",
            min=1.0,
            help="Seconds between polls of a feed "
            f"(env {env_name('watch_interval_seconds')}; default 300).",
        ),
    ] = None,
    allow_private_addresses: Annotated[
        bool,
        typer.Option(
            "--allow-private-addresses",
            help="Also fetch from loopback and private networks (a local feed server) "
            f"(env {env_name('allow_private_addresses')}).",
        ),
    ] = False,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help=f"SQLite file or postgresql:// address (env {env_name('db')}).",
        ),
    ] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """Poll RSS/Atom feeds and sitemaps, fetch new articles and ingest them; stories
    update live. Runs until Ctrl-C; a restart resumes where it stopped."""
    stop = threading.Event()
    try:
        settings = load_settings(
            {
                "db": db,
                "watch_interval_seconds": interval,
                "allow_private_addresses": True if allow_private_addresses else None,
            }
        )
        store = open_store(settings.db)
    except StorylineError as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(2) from None

    def on_sigterm(number: int, frame: FrameType | None) -> None:
        stop.set()  # finish the current batch, save the state, then return

    in_main = threading.current_thread() is threading.main_thread()  # signals need it
    previous = signal.signal(signal.SIGTERM, on_sigterm) if in_main else None
    try:
        with Fetcher(settings) as fetcher:
            report = watch(feeds, store, settings, once, fetcher, stop=stop, log=_log)
    except KeyboardInterrupt:
        # Ctrl-C is how a watch ends; only an interrupted --once run did not finish.
        err.print("stopped: every finished article and the feed state are saved.")
        raise typer.Exit(130 if once else 0) from None
    except StorylineError as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(2) from None
    finally:
        if in_main:
            signal.signal(signal.SIGTERM, previous)
        store.close()
    _print(report, json_output)
    if once and report.failed:
        raise typer.Exit(1)


def _log(line: str) -> None:
    err.print(line, markup=False)  # URLs and reasons may hold [brackets]


def _print(report: WatchReport, json_output: bool) -> None:
    summary = {
        "polls": report.polls,
        "not_modified": report.not_modified,
        "feed_failures": report.feed_failures,
        "entries": report.entries,
        "added": report.added,
        "duplicates": report.duplicates,
        "already_stored": report.already_stored,
        "retrying": report.retrying,
        "failed": report.failed,
        "stories": len(report.stories),
        "failures": [{"item": f.origin, "reason": f.reason} for f in report.failures],
    }
    if json_output:
        sys.stdout.write(json.dumps(summary, ensure_ascii=False, indent=2) + "\n")
        return
    typer.echo(
        f"polls {report.polls} ({report.not_modified} not modified, {report.feed_failures} "
        f"failed); new entries {report.entries}: added {report.added}, duplicates "
        f"{report.duplicates}, already stored {report.already_stored}, retrying "
        f"{report.retrying}, failed {report.failed}; {report.stories.label()} stories touched"
    )
    for failure in report.failures:
        typer.echo(f"  failed {failure.origin}: {failure.reason}")
