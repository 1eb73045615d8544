"""Exact and near-duplicate detection: syndicated copies link to their original.

Exact copies share a fingerprint. Near-copies (wire text with a changed sentence,
another headline, other boilerplate) are found with one-permutation MinHash over
character 5-grams and locality-sensitive hashing (``BandIndex``), kept for a sliding
time window.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

import numpy as np

from storyline.text.dates import window_start
from storyline.text.tokens import fold_text

# 128 values estimate Jaccard similarity to about ±0.03 near the duplicate threshold
# (64 gave ±0.05 and missed a copy of true similarity 0.84); with one hash per shingle
# the count costs nothing when signing, only 512 bytes stored per article.
NUM_PERM = 128

# Character 5-grams survive small edits and inflection yet rarely repeat by chance.
SHINGLE_CHARS = 5

# The values are one-permutation MinHash (Li, Owen and Zhang, 2012): every shingle is
# hashed once and falls into one of NUM_PERM bins, each bin keeping its minimum, so a
# signature costs one hash per shingle instead of NUM_PERM. Rows of equal values in
# two signatures still estimate the Jaccard similarity of the shingle sets. The
# hashing is fixed here (not seeded per run), so signatures compare across runs and
# machines; stored signatures are only valid with the scheme that made them.
SIGNATURE_SCHEME = "oph-poly5-fmix64"

_BIN_BITS = 7  # 2**7 == NUM_PERM bins
_VALUE_MASK = np.uint64(0xFFFFFFFF)
_POLY = np.uint64(0x100000001B3)  # an odd multiplier: the FNV-1a 64-bit prime
# An empty bin borrows the next filled bin's value plus this step per bin skipped
# ("rotation" densification), so two texts agree there only when they agree there.
_ROTATION_STEP = 0x9E3779B1


def _fmix64(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's finaliser: every input bit affects every output bit."""
    h = h ^ (h >> np.uint64(33))
    h = h * np.uint64(0xFF51AFD7ED558CCD)
    h = h ^ (h >> np.uint64(33))
    h = h * np.uint64(0xC4CEB9FE1A85EC53)
    mixed: np.ndarray = h ^ (h >> np.uint64(33))
    return mixed


def signature(text: str) -> np.ndarray:
    """MinHash signature (``NUM_PERM`` 32-bit values) of the folded text's 5-grams."""
    normal = " ".join(fold_text(text).split())
    codes = np.frombuffer(normal.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    if len(codes) < SHINGLE_CHARS:  # a text shorter than a shingle is one shingle
        codes = np.concatenate([codes, np.zeros(SHINGLE_CHARS - len(codes), np.uint64)])
    count = len(codes) - SHINGLE_CHARS + 1
    hashes = np.zeros(count, dtype=np.uint64)
    for offset in range(SHINGLE_CHARS):
        hashes = hashes * _POLY + codes[offset : offset + count]
    hashes = _fmix64(hashes)
    bins = (hashes >> np.uint64(64 - _BIN_BITS)).astype(np.intp)
    values = (hashes >> np.uint64(64 - _BIN_BITS - 32)) & _VALUE_MASK
    sig = np.full(NUM_PERM, int(_VALUE_MASK), dtype=np.uint64)
    np.minimum.at(sig, bins, values)
    filled = np.bincount(bins, minlength=NUM_PERM) > 0
    if not filled.all():
        sig = _densify(sig, filled)
    return sig.astype(np.uint32)


def signature_bytes(sig: np.ndarray) -> bytes:
    """How a signature is stored."""
    return sig.astype(np.uint32).tobytes()


def signature_from_bytes(data: bytes) -> np.ndarray:
    return np.frombuffer(data, dtype=np.uint32)


def _densify(sig: np.ndarray, filled: np.ndarray) -> np.ndarray:
    out = sig.copy()
    for i in np.flatnonzero(~filled):
        for step in range(1, NUM_PERM):
            j = (i + step) % NUM_PERM
            if filled[j]:
                out[i] = (int(sig[j]) + step * _ROTATION_STEP) & int(_VALUE_MASK)
                break
    return out


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of two signatures."""
    return float(np.count_nonzero(a == b)) / len(a)


# Share of true copies at the threshold that LSH must offer as candidates. Candidates
# are checked against the signatures, so a false candidate costs a comparison while a
# missed one is a copy left unlinked; a balance of errors (datasketch's default) found
# only ~45%.
LSH_RECALL = 0.99


def banding(threshold: float) -> tuple[int, int]:
    """(bands, rows): the most rows per band (fewest false candidates) that still find
    ``LSH_RECALL`` of the pairs whose similarity is ``threshold``."""
    best = (NUM_PERM, 1)
    for rows in range(1, NUM_PERM + 1):
        bands = NUM_PERM // rows
        if 1 - (1 - threshold**rows) ** bands >= LSH_RECALL:
            best = (bands, rows)
    return best


@lru_cache(maxsize=4)
def band_ranges(threshold: float) -> tuple[tuple[int, int], ...]:
    """The (start, end) slices of a signature that are banded for ``threshold``."""
    bands, rows = banding(threshold)
    return tuple((band * rows, (band + 1) * rows) for band in range(bands))


class BandIndex:
    """Locality-sensitive hashing of signatures: two signatures are candidates when
    they agree on all rows of at least one band.

    One dict maps a 64-bit hash of (band, the band's values) to the key holding it, or
    to a list when several do (copies of one text); a hash collision only adds a
    candidate, which the signatures then reject. A general-purpose index (datasketch's)
    keeps a set per bucket and a table per band: 197 MiB for the 29,921 originals of a
    month's window (6.7 kB each, traced), where this keeps 41 MiB (1.4 kB each).
    """

    def __init__(self, threshold: float) -> None:
        self.bands, self.rows = banding(threshold)
        self._buckets: dict[int, str | list[str]] = {}

    def _keys(self, sig: np.ndarray) -> list[int]:
        rows = sig[: self.bands * self.rows].astype(np.uint64).reshape(self.bands, self.rows)
        hashes = np.arange(self.bands, dtype=np.uint64)  # the band's number seeds its hash
        for row in range(self.rows):
            hashes = hashes * _POLY + rows[:, row]
        keys: list[int] = _fmix64(hashes).tolist()
        return keys

    def insert(self, key: str, sig: np.ndarray) -> None:
        for bucket in self._keys(sig):
            held = self._buckets.get(bucket)
            if held is None:
                self._buckets[bucket] = key
            elif isinstance(held, str):
                self._buckets[bucket] = [held, key]
            else:
                held.append(key)

    def remove(self, key: str, sig: np.ndarray) -> None:
        """Forget ``key``, inserted with ``sig``."""
        for bucket in self._keys(sig):
            held = self._buckets.get(bucket)
            if held == key:
                del self._buckets[bucket]
            elif isinstance(held, list) and key in held:
                held.remove(key)
                if len(held) == 1:
                    self._buckets[bucket] = held[0]

    def query(self, sig: np.ndarray) -> set[str]:
        found: set[str] = set()
        for bucket in self._keys(sig):
            held = self._buckets.get(bucket)
            if isinstance(held, str):
                found.add(held)
            elif held is not None:
                found.update(held)
        return found

    def __len__(self) -> int:
        """Buckets held."""
        return len(self._buckets)


@dataclass(frozen=True, slots=True)
class Match:
    original: str
    similarity: float


class DuplicateIndex:
    """Fingerprints and MinHash signatures of recent originals, in memory.

    Only originals are indexed: a copy of a copy still points at the first text.
    """

    def __init__(self, threshold: float, window: timedelta) -> None:
        self.threshold = threshold
        self.window = window
        self._lsh = BandIndex(threshold)
        self._signatures: dict[str, np.ndarray] = {}
        self._fingerprints: dict[str, str] = {}
        self._by_fingerprint: dict[str, str] = {}
        self._order: deque[tuple[datetime | None, str]] = deque()

    def __len__(self) -> int:
        return len(self._signatures)

    def __contains__(self, key: object) -> bool:
        return key in self._signatures

    def find(self, fingerprint: str, sig: np.ndarray) -> Match | None:
        """The indexed original this text copies, if any."""
        exact = self._by_fingerprint.get(fingerprint)
        if exact is not None:
            return Match(exact, 1.0)
        best: Match | None = None
        for key in sorted(self._lsh.query(sig)):
            score = similarity(sig, self._signatures[key])
            if score >= self.threshold and (best is None or score > best.similarity):
                best = Match(key, score)
        return best

    def add(self, key: str, fingerprint: str, sig: np.ndarray, published: datetime | None) -> None:
        if key in self._signatures:
            return
        self._signatures[key] = sig
        self._fingerprints[key] = fingerprint
        self._by_fingerprint.setdefault(fingerprint, key)
        self._lsh.insert(key, sig)
        self._order.append((published, key))
        since = window_start(published, self.window) if published is not None else None
        if since is not None:
            self._expire(since)

    def _expire(self, before: datetime) -> None:
        # Articles arrive in publication order, so the oldest sit at the left; an
        # undated one stays until something dated after the window pushes it out.
        while self._order:
            published, key = self._order[0]
            if published is not None and published >= before:
                break
            self._order.popleft()
            self._lsh.remove(key, self._signatures.pop(key))
            fingerprint = self._fingerprints.pop(key)
            if self._by_fingerprint.get(fingerprint) == key:
                del self._by_fingerprint[fingerprint]
