from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from storyline.dedupe import NUM_PERM, BandIndex, DuplicateIndex, signature, similarity

WIRE = (
    "The central bank of Norland raised its main interest rate by a quarter point to "
    "4.5 percent on Tuesday, the third increase this year. Governor Elin Dahl said "
    "inflation had stayed above target for too long and further steps were possible. "
    "Markets had expected the move; the krone rose slightly against the euro."
)
EDITED = WIRE.replace("on Tuesday", "on Tuesday afternoon").replace(
    "Markets had expected the move; ", ""
)
OTHER = (
    "Heavy rain flooded parts of the old town of Bresk overnight, and firefighters "
    "pumped water out of dozens of cellars. No one was hurt, the city said, but two "
    "schools will stay closed on Monday while the damage is assessed."
)
DAY = datetime(2024, 3, 1, tzinfo=UTC)


def test_dedupe_near_copy_is_similar_and_rewrite_is_not() -> None:
    assert similarity(signature(WIRE), signature(EDITED)) >= 0.7
    assert similarity(signature(WIRE), signature(OTHER)) < 0.2


def test_dedupe_index_links_copies_to_the_original() -> None:
    index = DuplicateIndex(0.7, timedelta(days=30))
    index.add("orig", "fp-orig", signature(WIRE), DAY)
    match = index.find("fp-other", signature(EDITED))
    assert match is not None and match.original == "orig"
    assert index.find("fp-x", signature(OTHER)) is None
    exact = index.find("fp-orig", signature(OTHER))
    assert exact is not None and exact.similarity == 1.0


def test_dedupe_index_forgets_originals_outside_the_window() -> None:
    index = DuplicateIndex(0.7, timedelta(days=30))
    index.add("orig", "fp-orig", signature(WIRE), DAY)
    index.add("later", "fp-later", signature(OTHER), DAY + timedelta(days=31))
    assert len(index) == 1
    assert index.find("fp-orig", signature(WIRE)) is None


@settings(max_examples=50, deadline=None)
@given(st.text(min_size=1, max_size=400), st.text(min_size=1, max_size=400))
def test_dedupe_similarity_is_symmetric_and_reflexive(a: str, b: str) -> None:
    sa, sb = signature(a), signature(b)
    assert similarity(sa, sb) == similarity(sb, sa)
    assert similarity(sa, sa) == 1.0


def test_band_index_finds_signatures_agreeing_on_a_band_and_forgets_removed_ones() -> None:
    index = BandIndex(0.8)
    rng = np.random.default_rng(3)
    base = rng.integers(0, 2**32, NUM_PERM, dtype=np.uint64).astype(np.uint32)
    near = base.copy()
    near[: index.rows] += 1  # differs in the first band only
    other = rng.integers(0, 2**32, NUM_PERM, dtype=np.uint64).astype(np.uint32)
    index.insert("a", base)
    index.insert("b", near)
    index.insert("c", other)
    assert index.query(base) == {"a", "b"}
    assert index.query(other) == {"c"}
    index.remove("a", base)
    assert index.query(base) == {"b"}
    index.remove("b", near)
    index.remove("c", other)
    assert len(index) == 0


@given(st.lists(st.integers(0, 5), min_size=1, max_size=30))
def test_band_index_holds_what_was_inserted_and_not_removed(ops: list[int]) -> None:
    # Six texts, some identical in signature, inserted and removed in any order.
    index = BandIndex(0.8)
    sigs = [signature(f"Bericht Nummer {n % 4} aus Hamburg über den Hafen") for n in range(6)]
    held: set[int] = set()
    for n in ops:
        if n in held:
            index.remove(str(n), sigs[n])
            held.discard(n)
        else:
            index.insert(str(n), sigs[n])
            held.add(n)
    for n in range(6):
        same = {str(m) for m in held if (sigs[m] == sigs[n]).all()}
        assert same <= index.query(sigs[n]) <= {str(m) for m in held}
    if not held:
        assert len(index) == 0
