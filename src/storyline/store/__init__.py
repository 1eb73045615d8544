"""Storage backends behind one protocol; ``open_store`` picks one from the address."""

from __future__ import annotations

from storyline.errors import ConfigError
from storyline.store.base import Placement, Store, StoryFilter
from storyline.store.sqlite import SQLiteStore

__all__ = ["Placement", "SQLiteStore", "Store", "StoryFilter", "open_store"]


def open_store(address: str) -> Store:
    """A SQLite file path (the default backend)."""
    if "://" in address and not address.startswith("sqlite://"):
        scheme = address.split("://", 1)[0]
        raise ConfigError(f"unsupported database address scheme {scheme!r}; give a SQLite path")
    return SQLiteStore(address.removeprefix("sqlite://"))
