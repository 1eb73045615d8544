from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from storyline.cli import app

runner = CliRunner()


def cli(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout


def test_cli_ingest_list_show_search_export(
    corpus: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    folder, gold = corpus
    db = str(tmp_path / "cli.db")
    code, output = cli("ingest", str(folder), "--db", db, "--json")
    assert code == 0
    summary = json.loads(output)
    assert (summary["added"], summary["failed"], summary["stories"]) == (len(gold), 0, 3)

    code, output = cli("stories", "--db", db, "--json")
    stories = json.loads(output)
    assert code == 0 and len(stories) == 3
    assert all(s["article_count"] == 2 for s in stories)

    code, output = cli("show", stories[0]["id"], "--db", db, "--json")
    shown = json.loads(output)
    assert code == 0 and len(shown["articles"]) == 2
    dates = [a["published"] for a in shown["articles"]]
    assert dates == sorted(dates)

    code, output = cli("search", "satellite", "--db", db, "--json")
    hits = json.loads(output)
    assert code == 0 and hits and all("Aster" in h["title"] for h in hits)

    export = tmp_path / "out.jsonl"
    code, _ = cli("export", "--format", "jsonl", "--out", str(export), "--db", db)
    lines = [json.loads(line) for line in export.read_text().splitlines()]
    assert code == 0 and len(lines) == len(gold)
    required = {
        "id",
        "url",
        "source",
        "title",
        "text",
        "published",
        "date_precision",
        "language",
        "agencies",
        "story_id",
        "duplicate_of",
    }
    assert all(required <= set(line) for line in lines)

    # The export is ingestable again, into a fresh database, with the same ids.
    db2 = str(tmp_path / "again.db")
    code, output = cli("ingest", str(export), "--db", db2, "--json")
    assert code == 0 and json.loads(output)["added"] == len(gold)
    code, output = cli("export", "--db", db2)
    assert {json.loads(x)["id"] for x in output.splitlines()} == {x["id"] for x in lines}


def test_cli_show_unknown_story_exits_3(tmp_path: Path) -> None:
    code, _ = cli("show", "nope", "--db", str(tmp_path / "e.db"))
    assert code == 3


def test_cli_failed_items_give_exit_1_and_one_line_each(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_text("")
    code, output = cli(
        "ingest",
        str(tmp_path / "empty.txt"),
        str(tmp_path / "missing.txt"),
        "--db",
        str(tmp_path / "f.db"),
    )
    assert code == 1
    assert "failed 2" in output
    assert output.count("failed ") == 3  # the summary and one line per item


def test_cli_runs_as_module(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "storyline", "stories", "--db", str(tmp_path / "m.db"), "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0 and json.loads(result.stdout) == []


def test_cli_bad_inputs_each_get_a_line_and_the_rest_is_stored(
    corpus: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    folder, gold = corpus
    (folder / "empty.txt").write_text("")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 40)
    (folder / "lines.jsonl").write_text('{"title": "A", "text": "x"}\n{broken\n')
    (folder / "garbled.txt").write_bytes(b"\x81\x8d\x8f\x90\x9d" * 400)
    with (folder / "huge.txt").open("wb") as f:  # 50 MB, sparse: never read whole
        f.truncate(50 * 1024 * 1024)
    code, output = cli("ingest", str(folder), "--db", str(tmp_path / "bad.db"), "--json")
    report = json.loads(output)
    failed = {Path(f["item"].split(":")[0]).name for f in report["failures"]}
    assert code == 1
    assert {"empty.txt", "binary.txt", "lines.jsonl", "garbled.txt", "huge.txt"} <= failed
    assert report["added"] == len(gold)
    assert all(f["reason"] for f in report["failures"])


def test_cli_database_failure_is_one_clear_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # A driver error in the middle of a command (here: a disk that fails) ends it with
    # a line naming the failure and exit code 2, not a traceback.
    from storyline import cli as cli_module

    def failing(*args: object, **kwargs: object) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(cli_module, "ingest", failing)
    monkeypatch.setattr(sys, "argv", ["storyline", "ingest", str(tmp_path), "--db", "x.db"])
    with pytest.raises(SystemExit) as exited:
        cli_module.main()
    assert exited.value.code == 2
    message = capsys.readouterr().err
    assert "the database failed: OperationalError: disk I/O error" in message
    assert "Traceback" not in message
