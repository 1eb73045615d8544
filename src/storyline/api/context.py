"""What every route needs: settings, a store per request, the write lock, counters.

SQLite connections cannot cross threads, and FastAPI may run a dependency and its
route in different worker threads, so routes open their store inside the thread that
uses it: ``with context(request).store() as store: ...``. WAL mode lets these
readers run while one writer (holding ``write_lock``) ingests.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import cast

from fastapi import Request

from storyline.config import Settings
from storyline.services import Counters, DetailCache
from storyline.sources.fetch import Fetcher
from storyline.store import Store

StoreFactory = Callable[[], Store]
FetcherFactory = Callable[[Settings], Fetcher]


@dataclass(slots=True)
class AppContext:
    """Shared by the API routes and the web pages (``request.app.state.storyline``)."""

    settings: Settings
    store_factory: StoreFactory
    fetcher_factory: FetcherFactory = Fetcher
    # One writer per process: two ingests at once would each restore the clusterer
    # from the same state and split one story in two.
    write_lock: threading.Lock = field(default_factory=threading.Lock)
    counters: Counters = field(default_factory=Counters)
    details: DetailCache = field(default_factory=DetailCache)

    @contextmanager
    def store(self) -> Iterator[Store]:
        """A store for this thread, closed afterwards."""
        store = self.store_factory()
        try:
            yield store
        finally:
            store.close()

    @contextmanager
    def writing(self) -> Iterator[Store]:
        """A store for one write, holding the process's write lock."""
        with self.write_lock, self.store() as store:
            yield store

    @contextmanager
    def fetcher(self) -> Iterator[Fetcher]:
        fetcher = self.fetcher_factory(self.settings)
        try:
            yield fetcher
        finally:
            fetcher.close()


def context(request: Request) -> AppContext:
    return cast(AppContext, request.app.state.storyline)
