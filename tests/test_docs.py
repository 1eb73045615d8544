"""Docs as tests: every setting and every CLI command is documented."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

from typer.main import get_command

from storyline.cli import app
from storyline.config import Settings, env_name

REPO = Path(__file__).resolve().parents[1]


def test_docs_list_every_setting_with_its_variable() -> None:
    text = (REPO / "docs" / "settings.md").read_text()
    for f in fields(Settings):
        assert f"`{f.name}`" in text and f"`{env_name(f.name)}`" in text, f.name
        assert f.metadata.get("doc"), f"setting {f.name} has no reason"


def test_docs_readme_names_every_command() -> None:
    readme = (REPO / "README.md").read_text()
    group = get_command(app)
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        subcommands = getattr(command, "commands", None)
        if subcommands:
            for sub in subcommands:
                assert f"storyline {name} {sub}" in readme, f"{name} {sub} undocumented"
        else:
            assert f"storyline {name}" in readme, f"{name} undocumented"
