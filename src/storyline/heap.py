"""Giving freed memory back to the operating system.

A long ingest frees as much as it allocates (each article's vectors arrive, are
added to a story and dropped; story sums grow and are cut back), but glibc's
allocator keeps freed pages inside its heap for reuse, so the process's resident
size creeps up with fragmentation and stays at the peak of a restore. ``malloc_trim``
hands whole free pages back.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1)
def _libc() -> Any | None:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        libc = ctypes.CDLL(name)
        return libc if hasattr(libc, "malloc_trim") else None
    except OSError:
        return None


def can_trim() -> bool:
    """Whether this C library can give free heap pages back (glibc can)."""
    return _libc() is not None


def trim() -> None:
    """Return the heap's free pages to the operating system; nothing where the C
    library has no ``malloc_trim`` (musl, macOS)."""
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)
