"""Tokens, lemmas, stop words and term weights; pure functions with caches.

Term weights come from wordfreq's word frequencies, which ship with the package:
a prior inverse document frequency that needs no corpus statistics, so a term's
weight never depends on what was ingested before or on batch boundaries.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

import simplemma
import wordfreq

# Words with a hyphen are split: compounds like "US-Dollar" should meet "Dollar".
_WORD = re.compile(r"[^\W\d_]+|\d+(?:[.,]\d+)*", re.UNICODE)

# simplemma's languages that matter most for news; others pass through lowercased.
LEMMA_LANGUAGES = frozenset(
    [
        "bg",
        "ca",
        "cs",
        "da",
        "de",
        "el",
        "en",
        "es",
        "et",
        "fi",
        "fr",
        "ga",
        "hu",
        "id",
        "it",
        "lt",
        "lv",
        "nl",
        "pl",
        "pt",
        "ro",
        "ru",
        "sk",
        "sl",
        "sv",
        "tr",
        "uk",
    ]
)

# The most frequent words of a language are nearly all function words; wordfreq's
# ranking gives a stop list for ~40 languages without a hand-made list per language.
STOPWORD_RANK = 150

# Zipf frequency (log10 per billion words) above which a word carries no topic:
# "der"/"the" sit at ~7.5, ordinary content words at 3-5, names of people at 1-3.
ZIPF_CEILING = 7.0

# Unknown words (zipf 0) would otherwise dominate; typos and rare inflections are
# common in news, so their weight is capped at that of a very rare known word.
MAX_TERM_WEIGHT = 6.0

# Tokens shorter than this are initials or noise, not terms.
MIN_TERM_CHARS = 2


@dataclass(frozen=True, slots=True)
class Token:
    """A word as it appears, its lemma, and where it starts in the text."""

    text: str
    lemma: str
    start: int
    is_number: bool


def fold(text: str) -> str:
    """Lowercase without diacritics: the form names and terms are compared in."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).replace("ß", "ss")


@lru_cache(maxsize=262_144)
def fold_word(word: str) -> str:
    """``fold`` of one word, cached: vocabularies repeat, texts do not."""
    return fold(word)


@lru_cache(maxsize=8)
def fold_text(text: str) -> str:
    """``fold`` of a whole text, remembered for the next few calls: an article's text
    is folded for its fingerprint and again for its MinHash signature."""
    return fold(text)


@lru_cache(maxsize=262_144)
def lemma(word: str, language: str) -> str:
    """Lowercased lemma of ``word``; cached because news vocabularies repeat."""
    if language in LEMMA_LANGUAGES:
        try:
            return str(simplemma.lemmatize(word, lang=language)).lower()
        except ValueError:
            return word.lower()
    return word.lower()


@lru_cache(maxsize=64)
def stopwords(language: str) -> frozenset[str]:
    """The ``STOPWORD_RANK`` most frequent words of ``language`` (empty if unknown)."""
    try:
        return frozenset(wordfreq.top_n_list(language, STOPWORD_RANK))
    except LookupError:
        return frozenset()


@lru_cache(maxsize=262_144)
def zipf(word: str, language: str) -> float:
    try:
        return float(wordfreq.zipf_frequency(word, language))
    except (LookupError, ImportError):
        # Unknown languages, and languages whose tokenizer is an extra wordfreq did
        # not install (Chinese needs jieba): no frequency, so the word counts as rare.
        return 0.0


@lru_cache(maxsize=262_144)
def term_weight(term: str, language: str) -> float:
    """Prior inverse document frequency of a lemma: rare words weigh more."""
    return min(MAX_TERM_WEIGHT, max(0.0, ZIPF_CEILING - zipf(term, language)))


def tokenize(text: str, language: str) -> Iterator[Token]:
    for match in _WORD.finditer(text):
        word = match.group()
        if word[0].isdigit():
            yield Token(word, word, match.start(), True)
        else:
            yield Token(word, lemma(word, language), match.start(), False)


def content_terms(tokens: list[Token], language: str) -> list[str]:
    """Lemmas that carry topic: no stop words, no numbers, no one-letter tokens."""
    stop = stopwords(language)
    return [
        t.lemma
        for t in tokens
        if not t.is_number and len(t.lemma) >= MIN_TERM_CHARS and t.lemma not in stop
    ]
