"""``storyline eval extraction DIR``: the extraction benchmark, as a thin CLI wrapper."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

__all__ = ["register_eval"]


def register_eval(eval_app: typer.Typer) -> None:
    """Add the ``extraction`` command to the ``storyline eval`` group."""
    eval_app.command("extraction")(eval_extraction_cli)


def eval_extraction_cli(
    folder: Annotated[
        Path,
        typer.Argument(
            help="trafilatura's benchmark: a folder with evaldata.json and pages.tar.gz "
            "(or eval/), or the tarball itself."
        ),
    ],
    limit: Annotated[
        int | None, typer.Option(min=1, help="Score only the first N pages, for a quick look.")
    ] = None,
    show_learned: Annotated[
        bool, typer.Option("--show-learned", help="Also print the boilerplate learned per source.")
    ] = False,
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """Score main-text extraction on trafilatura's benchmark, beside plain trafilatura."""
    from storyline.eval_extraction import run_extraction_eval

    err = Console(stderr=True)
    columns = (TextColumn("extracting"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task("pages", total=None)
        report = run_extraction_eval(
            folder, limit, lambda done, total: bar.update(task, completed=done, total=total)
        )
    if json_output:
        data = report.as_dict() | ({"learned": report.learned_lines} if show_learned else {})
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        return
    table = Table(
        "system",
        "precision",
        "recall",
        "F1",
        "seconds",
        caption=f"{report.pages} pages scored ({report.missing} entries without a page file "
        f"skipped); {report.sources} source hosts, boilerplate learned for "
        f"{len(report.learned_lines)}; whole run {report.seconds:.0f} s",
    )
    for score in report.scores:
        table.add_row(
            score.name,
            f"{score.precision:.4f}",
            f"{score.recall:.4f}",
            f"{score.f1:.4f}",
            f"{score.seconds:.1f}",
        )
    out = Console()
    out.print(table)
    if show_learned:
        for source, lines in sorted(report.learned_lines.items()):
            out.print(f"[bold]{source}[/]", highlight=False)
            for line, count in lines:
                out.print(f"  {count:>4}  {line}", highlight=False, markup=False)
