"""The ``storyline`` command: thin wrappers over the pipeline, store and evaluation.

Exit codes: 0 success, 1 some items failed (the rest was stored), 2 usage or setting
error, 3 not found, 130 interrupted.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from storyline.config import Settings, env_name, load_settings
from storyline.errors import NotFound, StorylineError
from storyline.pipeline import IngestReport, ingest
from storyline.present import article_dict, published_text, story_dict
from storyline.sources.files import iter_documents
from storyline.store import Store, StoryFilter, open_store

app = typer.Typer(
    help="Storyline: group news articles into stories.", no_args_is_help=True, add_completion=False
)
eval_app = typer.Typer(help="Measure quality against labelled data.", no_args_is_help=True)
app.add_typer(eval_app, name="eval")

out = Console()
if not out.is_terminal:
    # Piped output (make demo, logs) has no width to fit: 80 columns would fold every
    # headline over many lines.
    out = Console(width=140)
err = Console(stderr=True)

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help=f"SQLite file or postgresql:// address [env {env_name('db')}; default storyline.db]",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


def _settings(db: str | None) -> Settings:
    return load_settings({"db": db})


def _open(settings: Settings) -> Store:
    return open_store(settings.db)


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


@app.command("ingest")
def ingest_cli(
    paths: Annotated[list[str], typer.Argument(help="Files, folders, globs, or - for stdin.")],
    db: DbOption = None,
    json_output: JsonOption = False,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            min=1,
            help=f"Processes preparing articles [env {env_name('workers')}; default 1].",
        ),
    ] = None,
) -> None:
    """Read articles, link duplicates, group them into stories, and store them."""
    settings = load_settings({"db": db, "workers": workers})
    store = _open(settings)
    items = iter_documents(paths, settings, stdin=sys.stdin.buffer)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    try:
        with Progress(*columns, TimeElapsedColumn(), console=err, transient=True) as bar:
            tasks: dict[str, Any] = {}

            def progress(stage: str, done: int, total: int | None) -> None:
                if stage not in tasks:
                    label = "reading" if stage == "read" else "clustering"
                    tasks[stage] = bar.add_task(label, total=total)
                bar.update(tasks[stage], completed=done, total=total)

            report = ingest(items, store, settings, progress)
    except KeyboardInterrupt:
        err.print(
            "[yellow]interrupted[/]: the database holds every batch completed so far; "
            "run the same command again to finish."
        )
        raise typer.Exit(130) from None
    finally:
        store.close()
    _report(report, json_output)
    if report.failed:
        raise typer.Exit(1)


def _report(report: IngestReport, json_output: bool) -> None:
    learned = {
        source: [line for line, _ in lines]
        for source, lines in (report.learned.per_source.items() if report.learned else ())
        if lines
    }
    if json_output:
        _print_json(
            {
                "added": report.added,
                "duplicates": report.duplicates,
                "already_stored": report.already_stored,
                "failed": report.failed,
                "skipped": len(report.skipped),
                "stories": len(report.stories),
                "failures": [{"item": f.origin, "reason": f.reason} for f in report.failures],
                "skips": [{"item": f.origin, "reason": f.reason} for f in report.skipped],
                "learned_boilerplate": learned,
            }
        )
        return
    skipped = f", skipped {len(report.skipped)} (not articles)" if report.skipped else ""
    out.print(
        f"added {report.added}, duplicates {report.duplicates}, "
        f"already stored {report.already_stored}, failed {report.failed}{skipped}; "
        f"{report.stories.label()} stories touched"
    )
    for source, lines in learned.items():
        out.print(f"  learned {len(lines)} boilerplate lines of {source}", highlight=False)
    for failure in report.failures:
        out.print(f"  [red]failed[/] {failure.origin}: {failure.reason}", highlight=False)


@app.command("stories")
def stories_cli(
    since: Annotated[
        datetime | None, typer.Option(help="Only stories with an article on or after this date.")
    ] = None,
    lang: Annotated[str | None, typer.Option(help="Only stories with this language.")] = None,
    source: Annotated[str | None, typer.Option(help="Only stories with this source.")] = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many stories.")] = 20,
    db: DbOption = None,
    json_output: JsonOption = False,
) -> None:
    """List stories, largest and most recent first."""
    store = _open(_settings(db))
    try:
        if since is not None and since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        found = store.stories(StoryFilter(since=since, language=lang, source=source, limit=limit))
    finally:
        store.close()
    if json_output:
        _print_json([story_dict(s) for s in found])
        return
    table = Table("id", "headline", "articles", "sources", "languages", "first", "last")
    for s in found:
        table.add_row(
            s.id,
            s.headline,
            str(s.article_count),
            str(s.source_count),
            ",".join(s.languages),
            _day(s.first_published),
            _day(s.last_published),
        )
    out.print(table)


def _day(value: datetime | None) -> str:
    return value.date().isoformat() if value else "-"


@app.command("show")
def show_cli(
    story_id: Annotated[str, typer.Argument(help="A story id from `storyline stories`.")],
    lang: Annotated[
        str | None, typer.Option(help="Preferred language for the headline, e.g. en.")
    ] = None,
    db: DbOption = None,
    json_output: JsonOption = False,
) -> None:
    """Show one story: headline, summary, sources, names, quotes, facts, timeline."""
    from storyline.assemble import assemble

    store = _open(_settings(db))
    try:
        story = store.story(story_id)
        view = assemble(story, store.story_articles(story.id), lang)
    except NotFound as exc:
        err.print(f"[red]{exc}[/]")
        raise typer.Exit(3) from None
    finally:
        store.close()
    if json_output:
        _print_json(view)
        return
    print_story(view)


def print_story(view: dict[str, Any]) -> None:
    out.print(f"[bold]{view['headline']}[/]", highlight=False)
    out.print(
        f"{view['article_count']} articles from {view['source_count']} independent sources; "
        f"languages {', '.join(view['languages'])}; "
        f"{(view['first_published'] or '-')[:10]} to {(view['last_published'] or '-')[:10]}",
        highlight=False,
    )
    if view["summary"]:
        out.print(f"\n{view['summary']}", highlight=False)
    sources = Table("source", "articles", "first", "last", title="Sources", title_justify="left")
    for s in view["sources"]:
        first = (s["first_published"] or "-")[:16] + (" (first)" if s["first_reported"] else "")
        sources.add_row(s["source"], str(s["articles"]), first, (s["last_published"] or "-")[:16])
    out.print(sources)
    names = ", ".join(f"{n['name']} ({n['kind']}, {n['count']})" for n in view["names"][:15])
    if names:
        out.print(f"[bold]Names[/]: {names}", highlight=False)
    if view["quotes"]:
        out.print("[bold]Quotes[/]")
        for q in view["quotes"]:
            via = f" via {q['via']}" if q["via"] else ""
            said = f"\u201c{q['text']}\u201d" if q["direct"] else f"(indirect) {q['text']}"
            out.print(f"  {q['speaker'] or 'unknown'}{via}: {said}", highlight=False)
    corroborated = [f for f in view["facts"] if f["corroborated"]]
    single = [f for f in view["facts"] if not f["corroborated"] and len(view["sources"]) > 1]
    for title, facts in (("Corroborated", corroborated), ("Only in one source", single)):
        if facts:
            out.print(f"[bold]{title}[/]")
            for f in facts:
                where = ", ".join(f["sources"])
                out.print(f"  - {f['text']} [dim]({where})[/]", highlight=False)
    table = Table("published", "source", "lang", "title", "note", title="Articles")
    for a in view["articles"]:
        note = f"copy of {a['duplicate_of']}" if a["duplicate_of"] else ""
        if a["agencies"]:
            note = " ".join([note, "agency: " + ", ".join(a["agencies"])]).strip()
        table.add_row(a["published"] or "undated", a["source"], a["language"], a["title"], note)
    out.print(table)


@app.command("entity")
def entity_cli(
    name: Annotated[str, typer.Argument(help="A name in any spelling or script, or its key.")],
    limit: Annotated[int, typer.Option(min=1, help="At most this many stories.")] = 20,
    db: DbOption = None,
    json_output: JsonOption = False,
) -> None:
    """The stories a person, place or organisation appears in."""
    from storyline.text.translit import name_key

    store = _open(_settings(db))
    try:
        key = name_key(name)
        forms = store.name_forms(key)
        found = store.name_stories(key, limit)
    finally:
        store.close()
    if json_output:
        _print_json(
            {
                "key": key,
                "forms": [{"name": n, "kind": k, "count": c} for n, k, c in forms],
                "stories": [story_dict(s) | {"mentions": m} for s, m in found],
            }
        )
        return
    if not forms:
        err.print(f"no stories mention {name!r} (key {key!r})")
        raise typer.Exit(3)
    spelled = ", ".join(f"{n} ({c})" for n, _, c in forms[:8])
    out.print(f"[bold]{forms[0][0]}[/] ({forms[0][1]}); written {spelled}", highlight=False)
    table = Table("id", "headline", "mentions", "articles", "last")
    for s, mentions in found:
        table.add_row(s.id, s.headline, str(mentions), str(s.article_count), _day(s.last_published))
    out.print(table)


@app.command("search")
def search_cli(
    text: Annotated[str, typer.Argument(help="Words to look for in titles and texts.")],
    limit: Annotated[int, typer.Option(min=1, help="At most this many articles.")] = 20,
    db: DbOption = None,
    json_output: JsonOption = False,
) -> None:
    """Full-text search over articles, with the story each belongs to."""
    store = _open(_settings(db))
    try:
        hits = store.search(text, limit)
    finally:
        store.close()
    if json_output:
        _print_json([article_dict(h, with_text=False) for h in hits])
        return
    table = Table("story", "published", "source", "title")
    for h in hits:
        a = h.article
        table.add_row(
            h.story_id or "-",
            published_text(a.published, a.date_precision) or "undated",
            a.source,
            a.title,
        )
    out.print(table)


@app.command("export")
def export_cli(
    format: Annotated[str, typer.Option("--format", help="Output format: jsonl.")] = "jsonl",
    out_file: Annotated[
        Path | None, typer.Option("--out", help="File to write (default stdout).")
    ] = None,
    db: DbOption = None,
) -> None:
    """Export every article, one JSON object per line; the output can be ingested again."""
    if format != "jsonl":
        err.print(f"[red]unknown format {format!r}[/]: only jsonl is supported")
        raise typer.Exit(2)
    store = _open(_settings(db))
    target = out_file.open("w", encoding="utf-8") if out_file else sys.stdout
    try:
        for stored in store.articles():
            target.write(json.dumps(article_dict(stored), ensure_ascii=False) + "\n")
    finally:
        store.close()
        if out_file:
            target.close()


@eval_app.command("clusters")
def eval_clusters_cli(
    folder: Annotated[Path, typer.Argument(help="Folder of news-please JSON files with gold ids.")],
    baseline: Annotated[
        bool, typer.Option("--baseline", help="Also run TF-IDF + agglomerative clustering.")
    ] = False,
    json_output: JsonOption = False,
) -> None:
    """Replay labelled articles in publication order and score the stories found."""
    from storyline.eval_run import run_cluster_eval

    rows = run_cluster_eval(folder, load_settings(), baseline=baseline)
    if json_output:
        _print_json(rows[0][1] if not baseline else {name: row for name, row in rows})
        return
    table = Table(
        "system",
        "B3 P",
        "B3 R",
        "B3 F1",
        "pair F1",
        "ARI",
        "stories",
        "threshold",
        caption="B3 = BCubed. Baseline thresholds are tuned on the gold labels.",
    )
    for name, row in rows:
        table.add_row(
            name,
            *(f"{row[k]:.4f}" for k in ("bcubed_precision", "bcubed_recall", "bcubed_f1")),
            f"{row['pairwise_f1']:.4f}",
            f"{row['ari']:.4f}",
            str(row["stories"]),
            f"{row['threshold']:.2f}" if "threshold" in row else "",
        )
    out.print(table)


@eval_app.command("pairs")
def eval_pairs_cli(
    csv_file: Annotated[Path, typer.Argument(help="SemEval-2022 Task 8 CSV.")],
    scores: Annotated[
        Path | None, typer.Option("--scores", help="Write pair_id,score per pair here.")
    ] = None,
    json_output: JsonOption = False,
) -> None:
    """Score article pairs with story similarity; Pearson against human judgements."""
    from storyline.eval_run import run_pair_eval

    report = run_pair_eval(csv_file, scores)
    if json_output:
        _print_json(report)
        return
    baseline = report.get("baseline", {}).get("by_language", {})
    table = Table("language pair", "pairs", "storyline", "char n-gram baseline")
    for key, row in report["by_language"].items():
        table.add_row(
            key, str(row["pairs"]), _r(row["pearson"]), _r(baseline.get(key, {}).get("pearson"))
        )
    overall_baseline = report.get("baseline", {}).get("overall", {}).get("pearson")
    table.add_row("overall", str(report["pairs"]), _r(report["pearson"]), _r(overall_baseline))
    out.print(table)


def _r(value: float | None) -> str:
    return "-" if value is None else f"{value:.4f}"


@app.command("calibrate")
def calibrate_cli(
    clusters: Annotated[
        Path | None, typer.Option(help="Folder of news-please JSON files with gold event ids.")
    ] = None,
    pairs: Annotated[
        Path | None, typer.Option(help="SemEval-2022 Task 8 CSV of rated pairs.")
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Model file to write (default: the packaged model).")
    ] = None,
    json_output: JsonOption = False,
) -> None:
    """Fit the similarity model's weights and thresholds on labelled data (needs
    scikit-learn); figures are cross-validated."""
    from storyline.calibrate import calibrate
    from storyline.cluster.embeddings import load_backend
    from storyline.cluster.model import packaged_model_path

    settings = load_settings()
    backend = load_backend(settings)
    model, report = calibrate(clusters, pairs, settings.story_window_days, backend)
    target = out or packaged_model_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(model.to_json() + "\n", encoding="utf-8")
    err.print(f"wrote {target} ({model.version}); cross-validated figures:")
    _print_json({"model": str(target), "report": report} if json_output else report)


from storyline import cli_watch  # noqa: E402

cli_watch.register(app)


from storyline import cli_extraction  # noqa: E402

cli_extraction.register_eval(eval_app)

from storyline import cli_serve  # noqa: E402

cli_serve.register(app)

from storyline import cli_spark  # noqa: E402

cli_spark.register(app)


def database_errors() -> tuple[type[Exception], ...]:
    """What a database driver raises mid-operation (a disk full, a server gone): the
    PostgreSQL driver's only when it was loaded, so SQLite users never import it."""
    errors: list[type[Exception]] = [sqlite3.Error]
    psycopg = sys.modules.get("psycopg")
    if psycopg is not None:
        errors.append(psycopg.Error)
    return tuple(errors)


def main() -> None:
    try:
        app()
    except StorylineError as exc:
        err.print(f"[red]error:[/] {exc}")
        sys.exit(3 if isinstance(exc, NotFound) else 2)
    except Exception as exc:
        if not isinstance(exc, database_errors()):
            raise
        # What was committed stays; the driver's message says what failed.
        err.print(f"[red]error:[/] the database failed: {type(exc).__name__}: {exc}")
        sys.exit(2)
