"""Exact and near-duplicate detection: syndicated copies link to their original.

Exact copies share a fingerprint. Near-copies (wire text with a changed sentence,
another headline, other boilerplate) are found with MinHash over character 5-grams
and locality-sensitive hashing (datasketch), kept for a sliding time window.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from datasketch import MinHash, MinHashLSH

from storyline.text.tokens import fold

# 64 permutations estimate Jaccard similarity to about ±0.06, enough to tell a
# syndicated copy (>0.8) from a rewrite of the same event (<0.4), at half the cost of 128.
NUM_PERM = 64

# Character 5-grams survive small edits and inflection yet rarely repeat by chance.
SHINGLE_CHARS = 5

# A fixed seed and hashing scheme make signatures comparable across runs and machines;
# stored signatures are only valid with the scheme that made them.
MINHASH_SEED = 1
MINHASH_SCHEME = "affine32"


def _minhash(hashvalues: np.ndarray | None = None) -> MinHash:
    return MinHash(
        num_perm=NUM_PERM, seed=MINHASH_SEED, scheme=MINHASH_SCHEME, hashvalues=hashvalues
    )


def signature(text: str) -> np.ndarray:
    """MinHash signature (``NUM_PERM`` uint64 values) of the folded text's 5-grams."""
    normal = " ".join(fold(text).split())
    shingles = {
        normal[i : i + SHINGLE_CHARS] for i in range(max(1, len(normal) - SHINGLE_CHARS + 1))
    }
    minhash = _minhash()
    minhash.update_batch([s.encode() for s in shingles])
    return np.asarray(minhash.hashvalues, dtype=np.uint64)


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of two signatures."""
    return float(np.count_nonzero(a == b)) / len(a)


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
        self._lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
        self._signatures: dict[str, np.ndarray] = {}
        self._fingerprints: dict[str, str] = {}
        self._by_fingerprint: dict[str, str] = {}
        self._order: deque[tuple[datetime | None, str]] = deque()

    def __len__(self) -> int:
        return len(self._signatures)

    def find(self, fingerprint: str, sig: np.ndarray) -> Match | None:
        """The indexed original this text copies, if any."""
        exact = self._by_fingerprint.get(fingerprint)
        if exact is not None:
            return Match(exact, 1.0)
        query = _minhash(sig)
        best: Match | None = None
        for key in sorted(self._lsh.query(query)):
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
        self._lsh.insert(key, _minhash(sig))
        self._order.append((published, key))
        if published is not None:
            self._expire(published - self.window)

    def _expire(self, before: datetime) -> None:
        # Articles arrive in publication order, so the oldest sit at the left; an
        # undated one stays until something dated after the window pushes it out.
        while self._order:
            published, key = self._order[0]
            if published is not None and published >= before:
                break
            self._order.popleft()
            self._lsh.remove(key)
            del self._signatures[key]
            fingerprint = self._fingerprints.pop(key)
            if self._by_fingerprint.get(fingerprint) == key:
                del self._by_fingerprint[fingerprint]
