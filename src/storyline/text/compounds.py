"""Split compound words into the words they are made of (German).

German writes one word where English writes three: "Flüchtlingskrise" is the
"Krise der Flüchtlinge", a "Regierungsbündnis" a "Bündnis" of a "Regierung". Two
reports of one event often choose differently, so their term vectors miss each other,
and a compound without a dictionary entry finds no English translation either.

A word is split where every part is a known word: wordfreq's frequency list (shipped
with the package) knows it at ``MIN_PART_ZIPF`` or above and it is not a stop word.
A left part may end in a linking element ("s" in Regierung-s-bündnis) and may itself
be split ("Bundes|verfassungs|gericht"). The split with the fewest parts wins, and
among those the one whose parts are most frequent (the geometric mean of their
frequencies, after Koehn & Knight 2003), so "Waffenstillstand" is
"Waffen|Stillstand", not "Waffen|still|Stand". The parts are then lemmatised like any
token, so they meet the same words written apart.

Lookups go straight to wordfreq's frequency table (a dict it caches per language),
and every split is cached per word: ingest pays for a word once.
"""

from __future__ import annotations

import math
from functools import lru_cache

import wordfreq

from storyline.text.tokens import lemma, stopwords

__all__ = ["COMPOUNDING_LANGUAGES", "clear_cache", "part_lemmas", "split_compound"]

# Linking elements (Fugenelemente) a left part may end in; the empty link first.
# Other compounding languages (Dutch, Swedish, Danish) would each need their own
# list and a check on real text before they are added.
LINKS: dict[str, tuple[str, ...]] = {
    "de": ("", "s", "es", "n", "en", "er", "e", "ns"),
}
COMPOUNDING_LANGUAGES = frozenset(LINKS)

# German derivational suffixes that are also rare words ("Schaft" is a shaft): as the
# last part they make a derivation ("Meister-schaft"), not a compound.
SUFFIXES: dict[str, frozenset[str]] = {
    "de": frozenset({"schaft", "heit", "keit", "lich", "chen", "lein", "ling"}),
}

# Words shorter than this are rarely two known words of four letters or more.
MIN_COMPOUND_CHARS = 8

# Words longer than this are not split: news compounds of three parts stay well below
# ("Bundesverfassungsgericht" has 24 letters), and the work per word grows with the
# square of its length, so a hostile megabyte "word" must not reach it.
MAX_COMPOUND_CHARS = 40

# A part shorter than this is a prefix or a fragment ("ab", "ein", "ung"), not a word.
MIN_PART_CHARS = 4

# A part must be at least this common (zipf: log10 of occurrences per billion words)
# to count as a word: ordinary nouns sit at 3-5, while letter runs that happen to be
# rare words somewhere ("lings", "ungs") sit below 2.5.
MIN_PART_ZIPF = 2.5

# Parts per compound at most: three covers "Bundes|verfassungs|gericht"; longer
# chains are rare, and every extra level multiplies the candidate splits.
MAX_PARTS = 3

# Words whose split is kept, per cache (a few hundred bytes each): the long words
# that recur in news fit, while a long ingest's ever-growing tail of rare words does
# not hold tens of megabytes per cache in every worker; a miss costs ~0.1 ms.
CACHE_WORDS = 65_536


@lru_cache(maxsize=16)
def _lexicon(language: str) -> tuple[dict[str, float], frozenset[str]]:
    """wordfreq's frequency table (the dict wordfreq itself caches) and the stop words:
    looking a part up there directly is 40x faster than ``zipf_frequency``, which
    tokenizes its input first, and splitting looks up many parts."""
    return wordfreq.get_frequency_dict(language), stopwords(language)


# ``MIN_PART_ZIPF`` as wordfreq stores frequencies (a word's share of all words).
_MIN_PART_FREQUENCY = 10.0 ** (MIN_PART_ZIPF - 9.0)


def _known(part: str, frequencies: dict[str, float], stop: frozenset[str]) -> float:
    """The part's zipf frequency if it counts as a word of its own, else 0."""
    if len(part) < MIN_PART_CHARS:
        return 0.0
    # wordfreq keys its table by case-folded words: "Straße" is there as "strasse".
    key = part.casefold()
    frequency = frequencies.get(key, 0.0)
    if frequency < _MIN_PART_FREQUENCY or key in stop:
        return 0.0
    return math.log10(frequency) + 9.0


@lru_cache(maxsize=CACHE_WORDS)
def split_compound(word: str, language: str) -> tuple[str, ...]:
    """The parts of ``word`` in lower case, linking elements left out; () if it is
    not a compound of known words or ``language`` is not a compounding language.

    ``split_compound("Flüchtlingskrise", "de") == ("flüchtling", "krise")``.
    """
    if language not in LINKS or not MIN_COMPOUND_CHARS <= len(word) <= MAX_COMPOUND_CHARS:
        return ()
    if not word.isalpha():
        return ()
    # Frequent words are split too ("Bundesregierung": Bund, Regierung), at the price
    # of a few false splits ("Minister": Mini, Ster): keeping words whole that are
    # more frequent than their parts (Koehn & Knight 2003) cost de-en pairs 0.004.
    parts, _ = _best_split(word.lower(), language, MAX_PARTS)
    return parts


# Cached too: the left parts of many compounds are the same ("Regierungs-", "Bundes-").
@lru_cache(maxsize=CACHE_WORDS)
def _best_split(word: str, language: str, most: int) -> tuple[tuple[str, ...], float]:
    """The split of ``word`` into 2..``most`` known parts (fewest parts first, then the
    highest mean zipf), with that mean; ((), 0) if there is none."""
    frequencies, stop = _lexicon(language)
    best: tuple[str, ...] = ()
    best_key = (0, 0.0)
    suffixes = SUFFIXES.get(language, frozenset())
    for i in range(MIN_PART_CHARS, len(word) - MIN_PART_CHARS + 1):
        head = word[i:]
        head_zipf = 0.0 if head in suffixes else _known(head, frequencies, stop)
        if not head_zipf:
            continue
        left = word[:i]
        for link in LINKS[language]:
            if not left.endswith(link):
                continue
            stem = left[: len(left) - len(link)]
            stem_zipf = _known(stem, frequencies, stop)
            if stem_zipf:
                parts: tuple[str, ...] = (stem, head)
                score = (stem_zipf + head_zipf) / 2
            elif most > 2 and len(stem) >= MIN_COMPOUND_CHARS:
                inner, inner_score = _best_split(stem, language, most - 1)
                if not inner:
                    continue
                parts = (*inner, head)
                score = (inner_score * len(inner) + head_zipf) / len(parts)
            else:
                continue
            key = (-len(parts), score)
            if not best or key > best_key:
                best, best_key = parts, key
    return best, best_key[1]


@lru_cache(maxsize=CACHE_WORDS)
def part_lemmas(word: str, language: str) -> tuple[str, ...]:
    """The lemmas of the parts of compound ``word``, then of the parts' own parts
    ("Bundesverfassungsgericht": Bund, Verfassungsgericht, Verfassung, Gericht);
    () if it is not a compound.

    ``part_lemmas("waffenembargo", "de") == ("waffe", "embargo")``.
    """
    found: list[str] = []
    for part in split_compound(word, language):
        # German nouns are capitalised, and the lemmatiser reads a capitalised word so.
        found.append(lemma(part.capitalize(), language))
        found.extend(part_lemmas(part, language))
    return tuple(found)


def clear_cache() -> None:
    """Forget every split (for measuring the cost of a cold start)."""
    for cached in (split_compound, _best_split, part_lemmas):
        cached.cache_clear()
