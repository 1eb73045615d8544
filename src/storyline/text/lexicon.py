"""Bilingual lexicons: lemmas of other languages mapped onto English lemmas.

German and English reports of one event share names and numbers but few words.
FreeDict's dictionaries (Debian packages ``dict-freedict-XXX-eng`` and
``dict-freedict-eng-XXX``, dictd format in ``/usr/share/dictd``) give each foreign
lemma a few English lemmas, so the body terms of both languages meet in one space.
English is that space because FreeDict pairs most languages with it; English terms
map to themselves, and so do words without a translation: names and numbers, which
is what lets names meet across languages.

A lemma's translations are ranked by votes: every sense that lists an English word
counts once, and the reverse dictionary counts too (``eng-deu`` listing
"government: Regierung" confirms ``deu-eng``'s "Regierung: government"), so the main
sense wins over rare ones. A language with only the reverse dictionary
(``eng-rus``) is served by inverting it.

Parsing a large dictionary takes seconds, so each language's table is written once
to a gzip'd TSV cache in ``$STORYLINE_LEXICON_DIR`` (default
``$XDG_CACHE_HOME/storyline`` or ``~/.cache/storyline``), stamped with the size and
mtime of its dictionaries; a changed dictionary rebuilds it. ``python -m
storyline.text.lexicon build`` builds every cache ahead of time. Without
dictionaries nothing fails: terms pass through unchanged.
"""

from __future__ import annotations

import logging
import re
import sys
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import wordfreq

from storyline.text.tokens import MIN_TERM_CHARS, lemma, stopwords, zipf

log = logging.getLogger(__name__)

SHARED_LANGUAGE = "en"

# Where Debian's dict-freedict-* packages install their files.
DEFAULT_DICTD_DIR = Path("/usr/share/dictd")
DICTD_DIR_ENV = "STORYLINE_DICTD_DIR"
CACHE_DIR_ENV = "STORYLINE_LEXICON_DIR"

# English lemmas kept per foreign lemma. One loses synonyms the other side may use
# (Regierung: government / administration); beyond three, minor senses add noise
# that makes unrelated articles look alike (Bank: bank, bench, …).
MAX_TRANSLATIONS = 3

# A translation of more words than this is a description ("reach a place/as far as a
# place") or an idiom, not an equivalent, and is skipped.
MAX_PHRASE_WORDS = 3

# A translation with less than this share of the best one's votes is a minor sense
# ("Krieg": war, not post); half keeps true synonyms, which often tie.
MIN_VOTE_SHARE = 0.5

# A phrase of one word and one of the language's commonest words (article, pronoun,
# "to", "sich") stands for that word: "die Polizei", "the police". Twenty-five reaches
# the articles and reflexives of German, English and French, and no content word.
PARTICLE_RANK = 25

# Bump when parsing or ranking changes, so existing caches are rebuilt.
CACHE_FORMAT = 1

# FreeDict names languages by ISO 639-3; Storyline uses 639-1 (py3langid's codes).
FREEDICT_LANGUAGES = {
    "afr": "af",
    "ara": "ar",
    "bul": "bg",
    "ces": "cs",
    "cym": "cy",
    "dan": "da",
    "deu": "de",
    "ell": "el",
    "eng": "en",
    "epo": "eo",
    "fin": "fi",
    "fra": "fr",
    "gle": "ga",
    "hin": "hi",
    "hrv": "hr",
    "hun": "hu",
    "ind": "id",
    "isl": "is",
    "ita": "it",
    "jpn": "ja",
    "lat": "la",
    "lit": "lt",
    "nld": "nl",
    "nor": "no",
    "pol": "pl",
    "por": "pt",
    "rus": "ru",
    "slk": "sk",
    "slv": "sl",
    "spa": "es",
    "srp": "sr",
    "swe": "sv",
    "swh": "sw",
    "tur": "tr",
}
_ISO3 = {two: three for three, two in FREEDICT_LANGUAGES.items()}

# dictd's index encodes offsets and lengths in this base64 alphabet, most significant first.
_B64 = {
    c: i for i, c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
}
_WORD = re.compile(r"[^\W\d_]+")
_SENSE_NUMBER = re.compile(r"\s*\d+\.\s+")
_PRONUNCIATION = re.compile(r"(?:^|\s)/[^/]*/")
_BRACKETS = re.compile(r"\[[^\]]*\]|\{[^}]*\}|\([^)]*\)")
_OPEN, _CLOSE = "<[{(", ">]})"


@dataclass(frozen=True, slots=True)
class DictEntry:
    """One dictd article: its headword and its translations, main sense first."""

    headword: str
    translations: tuple[tuple[str, ...], ...]  # per sense, the translation phrases


def _b64(text: str) -> int:
    number = 0
    for ch in text:
        number = number * 64 + _B64[ch]
    return number


def _phrases(line: str) -> tuple[str, ...]:
    """Translation phrases of one sense line, without labels, notes and abbreviations."""
    pieces, depth, start = [], 0, 0
    for i, ch in enumerate(line):
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        elif ch in ",;" and depth == 0:
            pieces.append(line[start:i])
            start = i + 1
    pieces.append(line[start:])
    phrases = []
    for piece in pieces:
        # A grammatical tag ends the phrase: "government <n>Gov." lists an abbreviation.
        text = _BRACKETS.sub(" ", _PRONUNCIATION.sub(" ", piece.split("<", 1)[0]))
        text = " ".join(text.split())
        if text and not text.endswith((".", "…")):
            phrases.append(text)
    return tuple(phrases)


def parse_entry(text: str) -> DictEntry | None:
    """Headword and senses of one dictd article in FreeDict's TEI-derived layout.

    The first line holds the headword, its pronunciation in /…/ and tags in <…>.
    Senses are either numbered lines ("1. …") or, without numbers, the next line
    alone; what follows (examples, notes, synonyms, monolingual glosses) is skipped.
    """
    lines = [line for line in text.split("\n") if line.strip()]
    if len(lines) < 2:
        return None
    headword = _PRONUNCIATION.split(lines[0].split("<", 1)[0], maxsplit=1)[0].strip()
    numbered = [_SENSE_NUMBER.sub("", ln, count=1) for ln in lines[1:] if _SENSE_NUMBER.match(ln)]
    senses = [_phrases(line) for line in (numbered or lines[1:2])]
    translations = tuple(s for s in senses if s)
    if not headword or not translations:
        return None
    return DictEntry(headword, translations)


def read_dictd(index_path: Path, dict_path: Path) -> Iterator[DictEntry]:
    """Entries of a dictd dictionary (``.index`` plus ``.dict`` or gzip'd ``.dict.dz``)."""
    raw = dict_path.read_bytes()
    # dictzip is gzip with a random-access table; inflating it whole takes ~1.5 s for
    # the 100 MB German-English text, less than seeking once per entry would.
    data = zlib.decompress(raw, wbits=47) if raw[:2] == b"\x1f\x8b" else raw
    with index_path.open(encoding="utf-8") as index:
        for line in index:
            fields = line.rstrip("\n").split("\t")
            if len(fields) != 3 or fields[0].startswith("00database"):
                continue
            offset, length = _b64(fields[1]), _b64(fields[2])
            entry = parse_entry(data[offset : offset + length].decode("utf-8", "replace"))
            if entry is not None:
                yield entry


def _lemmas(phrase: str, language: str) -> list[str]:
    """Lemmas of a short phrase's content words; empty for a description.

    A one-word phrase keeps even a stop word, so that a foreign word whose
    translation is a function word is recognised as one.
    """
    words = _WORD.findall(phrase)
    if len(words) > MAX_PHRASE_WORDS:
        return []
    lemmas = [lemma(w, language) for w in words]
    if len(lemmas) == 1:
        return lemmas if len(lemmas[0]) >= MIN_TERM_CHARS else []
    stop = stopwords(language)
    return [w for w in lemmas if len(w) >= MIN_TERM_CHARS and w not in stop]


@lru_cache(maxsize=64)
def _particles(language: str) -> frozenset[str]:
    """The ``PARTICLE_RANK`` commonest words: articles, pronouns, "to", "sich"."""
    try:
        return frozenset(wordfreq.top_n_list(language, PARTICLE_RANK))
    except LookupError:
        return frozenset()


def _key(phrase: str, language: str) -> str | None:
    """The lemma a phrase stands for: one word, alone or with a particle ("die Polizei")."""
    words = _WORD.findall(phrase)
    if len(words) == 2:
        particles = _particles(language)
        words = [w for w in words if w.lower() not in particles]
    if len(words) != 1:
        return None
    lemmas = _lemmas(words[0], language)
    return lemmas[0] if lemmas else None


def _share(phrase: str) -> float:
    """One vote split over a phrase's words but its particles: "the police" is police,
    "take action" half action, "the Old Bill" only half old."""
    particles = _particles(SHARED_LANGUAGE)
    words = [w for w in _WORD.findall(phrase) if w.lower() not in particles]
    return 1.0 / max(1, len(words))


@dataclass(slots=True)
class Votes:
    """Evidence for one foreign lemma's translations, gathered over both dictionaries."""

    forward: dict[str, float] = field(default_factory=dict)
    confirmed: dict[str, float] = field(default_factory=dict)


def collect_votes(
    language: str, forward: Iterable[DictEntry], reverse: Iterable[DictEntry] = ()
) -> dict[str, Votes]:
    """Per foreign lemma: English lemmas voted for by senses, and those confirmed back.

    Each forward sense gives a word one vote, shared with the other words of its phrase
    ("minister of defence" gives a third to minister). Entries of inflected headwords
    ("Regierungen") count for their lemma. A reverse entry confirms its English
    headword's words for each foreign lemma it lists ("the police: die Polizei").
    """
    evidence: dict[str, Votes] = {}
    for entry in forward:
        key = _key(entry.headword, language)
        if key is None:
            continue
        tally = evidence.setdefault(key, Votes()).forward
        for sense in entry.translations:
            found: dict[str, float] = {}
            for phrase in sense:
                words = _lemmas(phrase, SHARED_LANGUAGE)
                share = _share(phrase)
                for word in words:
                    found[word] = max(found.get(word, 0.0), share)
            for word, share in found.items():
                tally[word] = tally.get(word, 0.0) + share
    for entry in reverse:
        english = _lemmas(entry.headword, SHARED_LANGUAGE)
        if not english:
            continue
        share = _share(entry.headword)
        for sense in entry.translations:
            for phrase in sense:
                key = _key(phrase, language)
                if key is not None:
                    back = evidence.setdefault(key, Votes()).confirmed
                    for word in english:
                        back[word] = max(back.get(word, 0.0), share)
    return evidence


def rank(key: str, votes: Votes, language: str) -> tuple[str, ...]:
    """The English lemmas ``key`` maps to: at most ``MAX_TRANSLATIONS``, maybe none.

    Forward and reverse votes add up. A lemma whose leading translation is an English
    stop word is a function word and maps to nothing ("Jahr": year). Otherwise the
    translations with more than ``MIN_VOTE_SHARE`` of the leader's votes are kept,
    the foreign word itself first when English shares it ("Internet", names), then
    the commonest: the word an English report of the same event most likely uses.
    """
    score = dict(votes.forward)
    for word, share in votes.confirmed.items():
        score[word] = score.get(word, 0.0) + share
    if not score:
        return ()
    stop = stopwords(SHARED_LANGUAGE)
    best = max(score.values())
    leaders = [w for w, v in score.items() if v == best]
    if any(w in stop for w in leaders):
        return ()
    candidates = [w for w, v in score.items() if v > MIN_VOTE_SHARE * best and w not in stop]
    candidates.sort(key=lambda w: (w != key, -zipf(w, SHARED_LANGUAGE), w))
    return tuple(candidates[:MAX_TRANSLATIONS])


def build_table(
    language: str, forward: Iterable[DictEntry], reverse: Iterable[DictEntry] = ()
) -> dict[str, tuple[str, ...]]:
    """Foreign lemma -> its English lemmas, best first, from ``xxx-eng`` and ``eng-xxx``."""
    evidence = collect_votes(language, forward, reverse)
    return {
        key: tuple(sys.intern(w) for w in rank(key, votes, language))
        for key, votes in evidence.items()
        if votes.forward or votes.confirmed
    }
