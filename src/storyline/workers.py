"""Per-article stages on several cores: parsing, cleaning, analysis, signatures, vectors.

The clusterer must see articles one at a time in publication order, so it stays in
the main process; everything before it is independent per article and runs in a
process pool. Work goes out in small batches (one pickled copy of the learned
boilerplate per batch, not per article). With one worker nothing is forked and the
stages run inline, which is also what the API and the watcher use.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from multiprocessing.pool import Pool
from typing import TypeVar

from storyline.text.learned import LearnedBoilerplate

T = TypeVar("T")
R = TypeVar("R")

# Articles per task sent to a worker: enough that pickling the learned boilerplate and
# the round trip are small against the work (~10 ms an article), few enough that both
# workers get a share of a small chunk.
WORKER_BATCH = 64


def _run(
    fn: Callable[[Sequence[T], LearnedBoilerplate | None], Sequence[R]],
    learned: LearnedBoilerplate | None,
    batch: Sequence[T],
) -> Sequence[R]:
    # Module level, so the pool can pickle it with its arguments.
    return fn(batch, learned)


class Runner:
    """Maps a function over batches, inline or on a process pool."""

    def __init__(self, workers: int) -> None:
        self.workers = max(1, workers)
        self._pool: Pool | None = None
        if self.workers > 1:
            # Forked workers start with the parent's loaded lexicons and caches. The
            # pool forks all of them now, before the pipeline starts any thread.
            self._pool = multiprocessing.get_context("fork").Pool(self.workers)

    def map(
        self,
        fn: Callable[[Sequence[T], LearnedBoilerplate | None], Sequence[R]],
        items: Sequence[T],
        learned: LearnedBoilerplate | None = None,
    ) -> list[R]:
        """``fn`` over ``items`` in batches, results in input order."""
        return list(self.imap(fn, items, learned))

    def imap(
        self,
        fn: Callable[[Sequence[T], LearnedBoilerplate | None], Sequence[R]],
        items: Sequence[T],
        learned: LearnedBoilerplate | None = None,
    ) -> Iterator[R]:
        """``fn`` over ``items`` in batches, results in input order as they are ready:
        on the pool, all batches start now; inline, each when its results are taken."""
        batches = [items[i : i + WORKER_BATCH] for i in range(0, len(items), WORKER_BATCH)]
        if self._pool is None:
            return (r for batch in batches for r in fn(batch, learned))
        task = partial(_run, fn, learned)
        return (r for batch in self._pool.imap(task, batches) for r in batch)

    def close(self, cancel: bool = False) -> None:
        if self._pool is not None:
            if cancel:
                self._pool.terminate()
            else:
                self._pool.close()
            self._pool.join()
            self._pool = None

    def __enter__(self) -> Runner:
        return self

    def __exit__(self, kind: object, exc: BaseException | None, tb: object) -> None:
        self.close(cancel=exc is not None)
