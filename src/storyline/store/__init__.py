"""Storage backends behind one protocol; ``open_store`` picks one from the address."""

from __future__ import annotations

from collections.abc import Callable

from storyline.errors import ConfigError
from storyline.store.base import Placement, Store, StoryFilter
from storyline.store.sqlite import SQLiteStore

__all__ = [
    "Placement",
    "SQLiteStore",
    "Store",
    "StoryFilter",
    "describe_address",
    "is_postgres",
    "open_store",
    "shared_store",
]

POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def open_store(address: str) -> Store:
    """A SQLite file path (the default backend), or a ``postgresql://`` address."""
    if address.startswith(POSTGRES_SCHEMES):
        # Imported here: a SQLite user never loads the PostgreSQL driver.
        from storyline.store.postgres import PostgresStore

        return PostgresStore(address)
    if "://" in address and not address.startswith("sqlite://"):
        scheme = address.split("://", 1)[0]
        raise ConfigError(
            f"unsupported database address scheme {scheme!r}; "
            "give a SQLite file path or a postgresql:// address"
        )
    return SQLiteStore(address.removeprefix("sqlite://"))


def is_postgres(address: str) -> bool:
    return address.startswith(POSTGRES_SCHEMES)


def shared_store(address: str) -> tuple[Callable[[], Store], Callable[[], None]]:
    """A factory of stores for the threads of a server, and how to close what it holds.

    SQLite connections stay in their thread, so each thread keeps its own; PostgreSQL
    opens one connection pool (and migrates) once, and each call borrows it.
    """
    if not address.startswith(POSTGRES_SCHEMES):
        open_store(address).close()  # create and migrate now, not in the first request
        from storyline.store.kept import ThreadStores

        threads = ThreadStores(address.removeprefix("sqlite://"))
        return threads.borrow, threads.close
    from storyline.store.postgres import PostgresStore

    owner = PostgresStore(address)
    return owner.borrow, owner.close


def describe_address(address: str) -> str:
    """``address`` as it may be shown: a PostgreSQL address without its password."""
    if address.startswith(POSTGRES_SCHEMES):
        from storyline.store.postgres import describe

        return describe(address)
    return address
