"""Compound splitting: German compounds into known words, and what vectors make of it."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storyline.cluster.terms import PART_WEIGHT, term_vector
from storyline.cluster.vectors import dot, weighted
from storyline.text.compounds import (
    LINKS,
    MAX_PARTS,
    MIN_PART_CHARS,
    part_lemmas,
    split_compound,
)


@pytest.mark.parametrize(
    ("word", "parts"),
    [
        ("Flüchtlingskrise", ("flüchtling", "krise")),
        ("Regierungsbündnis", ("regierung", "bündnis")),
        ("Schutzausrüstung", ("schutz", "ausrüstung")),
        ("Verkehrsunfall", ("verkehr", "unfall")),
        ("Gesundheitsminister", ("gesundheit", "minister")),
        ("Landtagswahl", ("landtag", "wahl")),
        ("Straßenbahn", ("straße", "bahn")),  # wordfreq knows "Straße" as "strasse"
        # Two parts where two known words make the word, however frequent the three.
        ("Waffenstillstand", ("waffen", "stillstand")),
        ("Bundesverfassungsgericht", ("bund", "verfassungsgericht")),
    ],
)
def test_compounds_split_into_known_words(word: str, parts: tuple[str, ...]) -> None:
    assert split_compound(word, "de") == parts


@pytest.mark.parametrize(
    "word",
    [
        "Verantwortung",  # a derivation, no compound
        "Unternehmen",  # "unter" is a stop word, not a part
        "Haus",  # too short to be two words
        "Corona-Krise",  # hyphenated words are already split by the tokenizer
        "Kanzlerin",
        "Meisterschaft",  # "-schaft" is a suffix here, not the word for a shaft
    ],
)
def test_compounds_leave_other_words_whole(word: str) -> None:
    assert split_compound(word, "de") == ()


def test_compounds_overlong_words_left_whole() -> None:
    assert split_compound("regierungs" * 100_000 + "krise", "de") == ()
    assert term_vector([("krise" * 200_000, 1)], "de") != {}


def test_compounds_only_for_compounding_languages() -> None:
    assert split_compound("policeofficer", "en") == ()
    assert split_compound("flüchtlingskrise", "xx") == ()


def test_compounds_part_lemmas_meet_words_written_apart() -> None:
    assert part_lemmas("waffenembargo", "de") == ("waffe", "embargo")
    # Parts of parts too: "Verfassungsgericht" meets "Verfassung" and "Gericht".
    assert part_lemmas("bundesverfassungsgericht", "de") == (
        "bund",
        "verfassungsgericht",
        "verfassung",
        "gericht",
    )


_WORDS = ("regierung", "krise", "wahl", "flüchtling", "gericht", "land", "schutz", "bahn")


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from(_WORDS), min_size=1, max_size=4),
    st.lists(st.sampled_from(LINKS["de"]), min_size=3, max_size=3),
    st.text(alphabet="abcdeghiklmnorstuwäöü", max_size=6),
)
def test_compounds_parts_join_back_to_the_word(
    words: list[str], links: list[str], noise: str
) -> None:
    word = "".join(w + link for w, link in zip(words, links, strict=False)) + noise
    parts = split_compound(word, "de")
    if not parts:
        return
    assert 2 <= len(parts) <= MAX_PARTS
    assert all(len(p) >= MIN_PART_CHARS for p in parts)
    assert _rebuilds(word.lower(), parts)


def _rebuilds(rest: str, parts: tuple[str, ...]) -> bool:
    """True if ``rest`` is ``parts`` in order, a linking element after each but the last."""
    if not rest.startswith(parts[0]):
        return False
    tail = rest[len(parts[0]) :]
    if len(parts) == 1:
        return tail == ""
    return any(tail.startswith(k) and _rebuilds(tail[len(k) :], parts[1:]) for k in LINKS["de"])


def test_compounds_split_is_the_same_whatever_the_case() -> None:
    assert split_compound("FLÜCHTLINGSKRISE", "de") == split_compound("flüchtlingskrise", "de")


def test_compounds_term_vector_adds_parts_at_reduced_weight() -> None:
    vector = term_vector([("flüchtlingskrise", 1)], "de")
    assert set(vector) == {"flüchtlingskrise", "flüchtling", "krise"}
    plain = term_vector([("flüchtling", 1), ("krise", 1)], "de")
    # A report of the "Flüchtlingskrise" now meets one of the "Krise der Flüchtlinge".
    assert dot(vector, plain) > 0.3
    assert dot(weighted([("flüchtlingskrise", 1)], "de"), plain) == 0.0
    # Each part weighs less than the compound would at PART_WEIGHT = 1.
    assert vector["krise"] < vector["flüchtlingskrise"]
    assert 0.0 < PART_WEIGHT < 1.0


def test_compounds_term_vector_is_plain_weighting_elsewhere() -> None:
    counts = [("refugee", 2), ("crisis", 1), ("policeofficer", 1)]
    assert term_vector(counts, "en") == weighted(counts, "en")
