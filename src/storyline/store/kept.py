"""SQLite stores kept open per thread for the life of a server.

Opening the file, setting its pragmas and checking its migrations costs a few
milliseconds, more than most reads; a server's worker threads live as long as the
server, so each keeps its own connection (SQLite connections stay in the thread that
opened them) and the server closes them all when it stops.
"""

from __future__ import annotations

import threading
from pathlib import Path

from storyline.store.base import Store
from storyline.store.sqlite import SQLiteStore


class _Kept(SQLiteStore):
    """A thread's store: ``close`` after a request keeps it open for the next one."""

    def close(self) -> None:
        pass

    def release(self) -> None:
        super().close()

    def data_version(self) -> tuple[int, int, int]:
        """Differs from the last value whenever the database may have changed: another
        connection committed (SQLite's ``data_version``) or this one wrote. Counted
        per connection, so the connection is part of it; a kept connection lives as
        long as the server, so its identity is never reused meanwhile."""
        (changed,) = self.db.execute("PRAGMA data_version").fetchone()
        return (id(self), int(changed), self.db.total_changes)


class ThreadStores:
    """Stores over one SQLite file, one per thread that asks."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._local = threading.local()
        self._kept: list[_Kept] = []
        self._lock = threading.Lock()
        self._closed = False

    def borrow(self) -> Store:
        """This thread's store; a plain one (closed by its user) once the owner closed."""
        store: _Kept | None = getattr(self._local, "store", None)
        if store is not None and not self._closed:
            return store
        with self._lock:
            if self._closed:
                return SQLiteStore(self.path)
            store = _Kept(self.path, check_same_thread=False)
            self._kept.append(store)
        self._local.store = store
        return store

    def close(self) -> None:
        """Close every kept connection (at server shutdown, when no request runs)."""
        with self._lock:
            self._closed = True
            kept, self._kept = self._kept, []
        for store in kept:
            store.release()
