"""What every route needs: settings, a store per request, the write lock, counters.

SQLite connections cannot cross threads, and FastAPI may run a dependency and its
route in different worker threads, so routes open their store inside the thread that
uses it: ``with context(request).store() as store: ...``. WAL mode lets these
readers run while one writer (holding ``write_lock``, and ``writer_lock`` across the
processes of ``storyline serve --workers N``) ingests.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TypeVar, cast

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from storyline.config import Settings
from storyline.pipeline import KeptEngine
from storyline.services import LRU, Counters, ListCache, ViewCache
from storyline.sources.fetch import Fetcher
from storyline.store import Store

StoreFactory = Callable[[], Store]
FetcherFactory = Callable[[Settings], Fetcher]
T = TypeVar("T")

# Home pages kept: the page changes with every ingest batch, and only the newest one
# is asked for; a few cover readers still polling an older one.
HOME_PAGES = 4

# First pages of the story list kept, per (connection, version, order, limit): the
# event loop's connection asks for the API's default page and the home page's; the
# rest is room for other limits and for versions still being asked for.
LIST_PAGES = 16


@dataclass(slots=True)
class AppContext:
    """Shared by the API routes and the web pages (``request.app.state.storyline``)."""

    settings: Settings
    store_factory: StoreFactory
    fetcher_factory: FetcherFactory = Fetcher
    # Whether a quick read may run on the event loop itself (see ``read``).
    inline_reads: bool = False
    # One writer per process: two ingests at once would each restore the clusterer
    # from the same state and split one story in two.
    write_lock: threading.Lock = field(default_factory=threading.Lock)
    # The clusterer and duplicate index, kept between ingests under the write locks:
    # restoring them for every request takes tens of seconds once the story window is
    # full. The memory is what an ingest needs anyway; another writer in between (a
    # second server process, a CLI ingest) makes the next request restore.
    kept: KeptEngine = field(default_factory=KeptEngine)
    counters: Counters = field(default_factory=Counters)
    # Assembled stories, their rendered pages by (view ETag, language), and home pages
    # by (story list ETag, reference time).
    views: ViewCache = field(init=False)
    pages: LRU[tuple[str, str | None], bytes] = field(init=False)
    homes: LRU[tuple[str, datetime], bytes] = field(init=False)
    # First pages of the story list while the database is unchanged.
    lists: ListCache = field(init=False)

    def __post_init__(self) -> None:
        self.views = LRU(self.settings.story_cache_entries)
        self.pages = LRU(self.settings.story_cache_entries)
        self.homes = LRU(HOME_PAGES)
        self.lists = LRU(LIST_PAGES)

    @contextmanager
    def store(self) -> Iterator[Store]:
        """A store for this thread, closed afterwards."""
        store = self.store_factory()
        try:
            yield store
        finally:
            store.close()

    async def read(self, work: Callable[[Store], T], quick: bool = True) -> T:
        """``work(store)``: on the event loop when it is ``quick`` (an indexed read,
        well under a millisecond) and ``inline_reads`` (SQLite: a connection kept per
        thread, and WAL readers never wait for the writer); else on a worker thread.
        On a busy machine every hand-over between threads waits for the scheduler, so
        the loop serves a cached story several times faster itself."""
        if quick and self.inline_reads:
            with self.store() as store:
                return work(store)
        return await run_in_threadpool(self.in_thread, work)

    def in_thread(self, work: Callable[[Store], T]) -> T:
        """``work(store)`` with a store of the calling thread (for slow work, which
        must not hold up the event loop: ``await run_in_threadpool(ctx.in_thread, f)``)."""
        with self.store() as store:
            return work(store)

    @contextmanager
    def writing(self) -> Iterator[Store]:
        """A store for one write, holding the write lock of this process and of every
        server process on this database (``storyline serve --workers N``)."""
        with self.write_lock, writer_lock(self.settings.db), self.store() as store:
            yield store

    @contextmanager
    def fetcher(self) -> Iterator[Fetcher]:
        fetcher = self.fetcher_factory(self.settings)
        try:
            yield fetcher
        finally:
            fetcher.close()


def writer_lock_path(address: str) -> Path:
    """The lock file of the database at ``address`` (a file path or a URL)."""
    if "://" not in address or address.startswith("sqlite://"):
        address = os.path.realpath(address.removeprefix("sqlite://"))
    digest = hashlib.sha256(address.encode("utf-8")).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"storyline-writer-{digest}.lock"


@contextmanager
def writer_lock(address: str) -> Iterator[None]:
    """Held by one process at a time per database on this machine: the server's
    processes take turns to ingest, as its threads do under ``write_lock``."""
    with writer_lock_path(address).open("a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def context(request: Request) -> AppContext:
    return cast(AppContext, request.app.state.storyline)
