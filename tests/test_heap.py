"""Free heap pages go back to the operating system when asked."""

from __future__ import annotations

import pytest

from storyline import heap


def _resident_kib() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS in /proc/self/status")


def test_trim_gives_back_pages_freed_between_live_blocks() -> None:
    if not heap.can_trim():
        pytest.skip("this C library has no malloc_trim (not glibc)")
    heap.trim()
    # 64 kB blocks stay below glibc's mmap threshold, so they live in the heap; freeing
    # every other one leaves holes of whole pages that the heap cannot shrink past.
    blocks = [bytearray(64 * 1024) for _ in range(3000)]  # ~190 MiB, touched
    del blocks[::2]
    before = _resident_kib()
    heap.trim()
    after = _resident_kib()
    assert before - after > 50 * 1024  # most of the ~95 MiB freed
    assert len(blocks) == 1500


def test_trim_is_harmless_when_nothing_was_freed() -> None:
    heap.trim()
    heap.trim()
