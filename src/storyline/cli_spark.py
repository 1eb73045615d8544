"""``storyline spark`` and ``storyline load``: the archive-scale batch job and its import.

Both need the ``spark`` extra (``pip install 'storyline[spark]'``); Spark itself also
needs Java 17.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from storyline.config import env_name, load_settings
from storyline.errors import ConfigError
from storyline.store import describe_address, open_store

err = Console(stderr=True, highlight=False)


def register(app: typer.Typer) -> None:
    """Add the ``spark`` and ``load`` commands to ``app``."""
    app.command("spark")(spark_cli)
    app.command("load")(load_cli)


def _needs_extra(module: str) -> None:
    raise ConfigError(
        f"the Spark commands need {module}: install them with pip install 'storyline[spark]'"
    )


def spark_cli(
    inputs: Annotated[list[str], typer.Argument(help="JSONL, JSON or WARC files, folders, globs.")],
    out: Annotated[str, typer.Option("--out", help="Folder (or Hadoop URI) for the Parquet.")],
    partitions: Annotated[
        int | None,
        typer.Option("--partitions", min=1, help="Shuffle partitions (default 3 per core)."),
    ] = None,
    window_days: Annotated[
        float | None,
        typer.Option(
            "--window-days",
            min=1.0,
            help="Days per clustering partition (default: the story window setting).",
        ),
    ] = None,
    master: Annotated[
        str | None,
        typer.Option(
            "--master", help="Spark master, e.g. local[2] (default: spark-submit's, else local[*])."
        ),
    ] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """Run the pipeline on Apache Spark and write Parquet (articles, stories, memberships)."""
    try:
        from storyline.distributed.spark import run, session
    except ImportError as exc:
        _needs_extra(exc.name or "pyspark")
    settings = load_settings()
    spark = session(master)
    try:
        report = run(spark, inputs, out, settings, window_days, partitions)
    finally:
        spark.stop()
    if json_output:
        sys.stdout.write(json.dumps(asdict(report), indent=2) + "\n")
    else:
        err.print(
            f"{report.articles} articles ({report.copies} copies, {report.failed} failed, "
            f"{report.skipped} skipped) in {report.stories} stories from {report.files} files; "
            f"{report.partitions} partitions, {report.context_links} context and "
            f"{report.centroid_links} centroid links; {report.seconds:.1f} s -> {out}"
        )
    if report.failed:
        raise typer.Exit(1)


def load_cli(
    folder: Annotated[Path, typer.Argument(help="The --out folder of `storyline spark`.")],
    db: Annotated[
        str | None,
        typer.Option("--db", help=f"Database to load into [env {env_name('db')}]"),
    ] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """Import a Spark job's Parquet output into the database, ready for stories/show/serve."""
    try:
        from storyline.distributed.load import load
    except ImportError as exc:
        _needs_extra(exc.name or "pyarrow")
    settings = load_settings({"db": db})
    store = open_store(settings.db)
    try:
        report = load(folder, store, settings.batch_size)
    finally:
        store.close()
    if json_output:
        sys.stdout.write(json.dumps(asdict(report), indent=2) + "\n")
        return
    err.print(
        f"loaded {report.articles} articles ({report.already_stored} already stored), "
        f"{report.stories} stories, {report.failures} failures into "
        f"{describe_address(settings.db)}"
    )
