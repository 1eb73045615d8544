"""Proper-name candidates from capitalisation and word frequency.

German capitalises every noun, so capitalisation alone is not a name: a
capitalised word counts as a name only if it is rare in the language's general
vocabulary (wordfreq) — "Schoigu" and "Minsk" are, "Regierung" is not.
"""

from __future__ import annotations

from collections import Counter

from storyline.text.tokens import Token, fold, stopwords, zipf

# Languages that capitalise common nouns; there only rare capitalised words are names.
NOUN_CAPITALISING = frozenset({"de", "lb"})

# Zipf frequency below which a capitalised word in a noun-capitalising language is a
# name: common nouns sit above 3.5 ("Soldaten" 3.9, "Regierung" 5.2), surnames and
# most place names below ("Schoigu" 2.0, "Minsk" 3.4).
NAME_MAX_ZIPF_NOUN_LANG = 3.6

# A capitalised word at the start of a sentence may be any word; it counts as a name
# only when it is rare enough that it is unlikely to be an ordinary word.
NAME_MAX_ZIPF_SENTENCE_START = 3.0

# Characters after which the next word starts a sentence.
_SENTENCE_END = frozenset('.!?:;"„“”«»\n')


def _starts_sentence(text: str, start: int) -> bool:
    i = start - 1
    while i >= 0 and text[i] in " \t\r-–—(['‚‘’":
        i -= 1
    return i < 0 or text[i] in _SENTENCE_END


def name_keys(text: str, tokens: list[Token], language: str) -> Counter[str]:
    """Count of name keys (folded surface forms) mentioned in ``text``."""
    stop = stopwords(language)
    counts: Counter[str] = Counter()
    for token in tokens:
        word = token.text
        if token.is_number or len(word) < 2 or not word[0].isupper():
            continue
        lower = word.lower()
        if lower in stop:
            continue
        frequency = zipf(lower, language)
        if _starts_sentence(text, token.start):
            if frequency >= NAME_MAX_ZIPF_SENTENCE_START:
                continue
        elif language in NOUN_CAPITALISING and frequency >= NAME_MAX_ZIPF_NOUN_LANG:
            continue
        counts[fold(word)] += 1
    return counts
