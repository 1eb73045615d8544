"""Bilingual lexicons: lemmas of other languages mapped onto English lemmas.

German and English reports of one event share names and numbers but few words.
FreeDict's dictionaries (Debian packages ``dict-freedict-XXX-eng`` and
``dict-freedict-eng-XXX``, dictd format in ``/usr/share/dictd``) give each foreign
lemma a few English lemmas, so the terms of both languages meet in one space.
English is that space because FreeDict pairs most languages with it; English terms
map to themselves, and so do words without a translation, names and numbers above
all, which is what lets names meet across languages.

Translations are chosen by votes: each sense of the forward dictionary (``deu-eng``)
that lists an English word votes for it, and the reverse one (``eng-deu`` listing
"government: Regierung") confirms it; minor senses fall below half the leader's
votes. A language with only the reverse dictionary (``eng-rus``) is served by
inverting it. Weight a vector in the article's own language first, then map it
(:func:`shared_vector`): rarity is a fact of the source language.

Building the German table takes ~30 s, so each language's table is cached once as
gzip'd TSV in ``$STORYLINE_LEXICON_DIR`` (default ``$XDG_CACHE_HOME/storyline`` or
``~/.cache/storyline``), stamped with the size and mtime of its dictionaries; a
changed dictionary rebuilds it. ``python -m storyline.text.lexicon build`` builds
every cache ahead of time. Without dictionaries nothing fails: terms pass through.
"""

from __future__ import annotations

import gzip
import logging
import math
import os
import re
import sys
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path

import wordfreq

from storyline.text.tokens import MIN_TERM_CHARS, STOPWORD_RANK, lemma, stopwords, zipf

log = logging.getLogger(__name__)

SHARED_LANGUAGE = "en"

# Where Debian's dict-freedict-* packages install their files.
DEFAULT_DICTD_DIR = Path("/usr/share/dictd")
DICTD_DIR_ENV = "STORYLINE_DICTD_DIR"
CACHE_DIR_ENV = "STORYLINE_LEXICON_DIR"
SUGGESTED_PACKAGES = ("dict-freedict-deu-eng", "dict-freedict-eng-deu")

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
_LANGUAGE_CODES = """afr:af ara:ar bul:bg ces:cs cym:cy dan:da deu:de ell:el eng:en epo:eo
fin:fi fra:fr gle:ga hin:hi hrv:hr hun:hu ind:id isl:is ita:it jpn:ja lat:la lit:lt nld:nl
nor:no pol:pl por:pt rus:ru slk:sk slv:sl spa:es srp:sr swe:sv swh:sw tur:tr"""
FREEDICT_LANGUAGES: dict[str, str] = dict(p.split(":", 1) for p in _LANGUAGE_CODES.split())
_ISO3 = {two: three for three, two in FREEDICT_LANGUAGES.items()}

# dictd's index encodes offsets and lengths in this base64 alphabet, most significant first.
_B64 = {
    c: i for i, c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
}
_WORD = re.compile(r"[^\W\d_]+")
_SENSE_NUMBER = re.compile(r"\s*\d+\.\s+")
_PRONUNCIATION = re.compile(r"(?:^|\s)/[^/]*/")
_BRACKETS = re.compile(r"\[[^\]]*\]|\{[^}]*\}|\([^)]*\)")
_TAG = re.compile(r"<[^>]*>")
_SEPARATOR = re.compile(r"[,;]")
# Dictionaries abbreviate the objects of verbs: "jdn. über etw. informieren", "sb./sth.".
_PLACEHOLDER = re.compile(r"\b[^\W\d_]{1,4}\.")


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
    # Tags become a bare "<" first, so the commas inside "<fem, n, sg>" split nothing.
    line = _BRACKETS.sub(" ", _TAG.sub("<", line))
    phrases = []
    for piece in _SEPARATOR.split(line):
        # A tag ends the phrase: "government <n>Gov." goes on with an abbreviation.
        text = " ".join(_PRONUNCIATION.sub(" ", piece.split("<", 1)[0]).split())
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


class _Lemmatiser:
    """``tokens.lemma`` with an unbounded memo for one build: dictionaries hold more
    distinct words than the shared cache, which the build would also flush."""

    def __init__(self) -> None:
        self._memo: dict[tuple[str, str], str] = {}
        self._lemma: Callable[[str, str], str] = lemma.__wrapped__

    def __call__(self, word: str, language: str) -> str:
        found = self._memo.get((word, language))
        if found is None:
            found = self._memo[word, language] = self._lemma(word, language)
        return found


def _lemmas(phrase: str, language: str, lemma_of: Callable[[str, str], str]) -> list[str]:
    """Lemmas of a short phrase's content words; empty for a description.

    A one-word phrase keeps even a stop word, so that a foreign word whose
    translation is a function word is recognised as one.
    """
    words = _WORD.findall(phrase)
    if len(words) > MAX_PHRASE_WORDS:
        return []
    lemmas = [lemma_of(w, language) for w in words]
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


def _key(phrase: str, language: str, lemma_of: Callable[[str, str], str]) -> str | None:
    """The lemma a phrase stands for: one word in its base form, alone or with
    particles and placeholders ("die Polizei", "jdn. informieren").

    Inflected headwords ("Regierungen", "Freier") are skipped: their lemma is either
    listed in its own right or another word ("frei"), whose senses they would blur.
    """
    words = _WORD.findall(_PLACEHOLDER.sub(" ", phrase))
    if len(words) > 1:
        particles = _particles(language)
        words = [w for w in words if w.lower() not in particles]
    if len(words) != 1:
        return None
    key = lemma_of(words[0], language)
    return key if key == words[0].lower() and len(key) >= MIN_TERM_CHARS else None


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
    ("minister of defence" gives a third to minister). A reverse entry confirms its
    English headword's words for each foreign lemma it lists ("the police: die Polizei").
    """
    lemma_of = _Lemmatiser()
    evidence: dict[str, Votes] = {}
    for entry in forward:
        key = _key(entry.headword, language, lemma_of)
        if key is None:
            continue
        tally = evidence.setdefault(key, Votes()).forward
        for sense in entry.translations:
            found: dict[str, float] = {}
            for phrase in sense:
                words = _lemmas(phrase, SHARED_LANGUAGE, lemma_of)
                share = _share(phrase)
                for word in words:
                    found[word] = max(found.get(word, 0.0), share)
            for word, share in found.items():
                tally[word] = tally.get(word, 0.0) + share
    for entry in reverse:
        english = _lemmas(entry.headword, SHARED_LANGUAGE, lemma_of)
        if not english:
            continue
        share = _share(entry.headword)
        for sense in entry.translations:
            for phrase in sense:
                key = _key(phrase, language, lemma_of)
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


@dataclass(frozen=True, slots=True)
class Dictionary:
    """One installed FreeDict dictionary, e.g. ``deu-eng``."""

    pair: str
    index: Path
    data: Path

    @property
    def stamp(self) -> str:
        """Name, sizes and mtimes: changes whenever the package is upgraded."""
        stats = [self.index.stat(), self.data.stat()]
        return f"{self.pair}:" + ":".join(f"{s.st_size}:{s.st_mtime_ns}" for s in stats)

    def entries(self) -> Iterator[DictEntry]:
        return read_dictd(self.index, self.data)


def find_dictionary(dictd_dir: Path, pair: str) -> Dictionary | None:
    index = dictd_dir / f"freedict-{pair}.index"
    for suffix in (".dict.dz", ".dict"):
        data = dictd_dir / f"freedict-{pair}{suffix}"
        if index.is_file() and data.is_file():
            return Dictionary(pair, index, data)
    return None


def default_dictd_dir() -> Path:
    return Path(os.environ.get(DICTD_DIR_ENV) or DEFAULT_DICTD_DIR)


def default_cache_dir() -> Path:
    """``$STORYLINE_LEXICON_DIR``, else ``$XDG_CACHE_HOME/storyline`` or ``~/.cache/storyline``."""
    if override := os.environ.get(CACHE_DIR_ENV):
        return Path(override)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "storyline"


def _read_cache(path: Path, signature: str) -> dict[str, tuple[str, ...]] | None:
    try:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            if handle.readline().rstrip("\n") != signature:
                return None
            table = {}
            for line in handle:
                key, _, translations = line.rstrip("\n").partition("\t")
                table[key] = tuple(sys.intern(w) for w in translations.split())
            return table
    except (OSError, EOFError, UnicodeDecodeError):
        return None


def _write_cache(path: Path, signature: str, table: Mapping[str, tuple[str, ...]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    with gzip.open(partial, "wt", encoding="utf-8", compresslevel=6) as handle:
        handle.write(signature + "\n")
        for key in sorted(table):
            handle.write(f"{key}\t{' '.join(table[key])}\n")
    os.replace(partial, path)  # atomic: a concurrent reader sees the old or the new file


class Lexicon:
    """The tables of every language whose FreeDict dictionaries are installed.

    Tables are loaded (or built and cached) on first use per language.
    """

    def __init__(self, dictd_dir: Path | None = None, cache_dir: Path | None = None) -> None:
        self.dictd_dir = dictd_dir or default_dictd_dir()
        self.cache_dir = cache_dir or default_cache_dir()
        self._tables: dict[str, Mapping[str, tuple[str, ...]]] = {}
        self._lock = threading.Lock()

    def dictionaries(self, language: str) -> tuple[Dictionary | None, Dictionary | None]:
        """``xxx-eng`` and ``eng-xxx`` for ``language``, each None when not installed."""
        three = _ISO3.get(language)
        if three is None or language == SHARED_LANGUAGE:
            return None, None
        return (
            find_dictionary(self.dictd_dir, f"{three}-eng"),
            find_dictionary(self.dictd_dir, f"eng-{three}"),
        )

    def languages(self) -> frozenset[str]:
        """Languages with a dictionary, plus English when there is any."""
        found = {
            language for language in FREEDICT_LANGUAGES.values() if any(self.dictionaries(language))
        }
        return frozenset(found | {SHARED_LANGUAGE}) if found else frozenset()

    def cache_path(self, language: str) -> Path:
        return self.cache_dir / f"lexicon-{language}.tsv.gz"

    def _signature(self, found: Sequence[Dictionary]) -> str:
        versions = ";".join(f"{name} {version(name)}" for name in ("simplemma", "wordfreq"))
        stamps = ";".join(d.stamp for d in found)
        rules = f"{MAX_TRANSLATIONS};{MAX_PHRASE_WORDS};{MIN_VOTE_SHARE};{PARTICLE_RANK}"
        rules += f";{STOPWORD_RANK};{MIN_TERM_CHARS}"  # stop words decide what is kept
        return f"#storyline-lexicon {CACHE_FORMAT};{rules};{versions};{stamps}"

    def _cached(self, language: str) -> bool:
        """Whether the cache holds this language's table for the installed dictionaries."""
        found = [d for d in self.dictionaries(language) if d is not None]
        try:
            with gzip.open(self.cache_path(language), "rt", encoding="utf-8") as handle:
                return handle.readline().rstrip("\n") == self._signature(found)
        except (OSError, EOFError, UnicodeDecodeError):
            return False

    def table(self, language: str) -> Mapping[str, tuple[str, ...]]:
        """Lemma -> English lemmas for ``language``; empty without a dictionary."""
        with self._lock:
            if language not in self._tables:
                self._tables[language] = self._load(language)
            return self._tables[language]

    def _load(self, language: str) -> Mapping[str, tuple[str, ...]]:
        forward, reverse = self.dictionaries(language)
        found = [d for d in (forward, reverse) if d is not None]
        if not found:
            return {}
        try:
            signature = self._signature(found)
            path = self.cache_path(language)
            if (table := _read_cache(path, signature)) is not None:
                return table
            log.info("building the %s lexicon from %s (once)", language, self.dictd_dir)
            table = build_table(
                language,
                forward.entries() if forward else (),
                reverse.entries() if reverse else (),
            )
        except (OSError, ValueError, KeyError, zlib.error) as exc:
            log.warning("%s lexicon unusable, terms pass through: %s", language, exc)
            return {}
        try:
            _write_cache(path, signature, table)
        except OSError as exc:
            log.warning("cannot cache the %s lexicon in %s: %s", language, path, exc)
        return table

    def translate(self, term: str, language: str) -> tuple[str, ...]:
        """English lemmas for one lemma: itself when unknown, none for a function word."""
        if language == SHARED_LANGUAGE:
            return (term,)
        return self.table(language).get(term, (term,))

    def shared_terms(
        self, counts: Iterable[tuple[str, int]], language: str
    ) -> list[tuple[str, int]]:
        """Lemma counts of ``language`` as English lemma counts, sorted by term.

        A translated term adds its count to each of its English lemmas; untranslated
        terms (names, numbers, loanwords) keep their form. Unchanged for English and
        for languages without a dictionary.
        """
        table = self.table(language) if language != SHARED_LANGUAGE else {}
        if not table:
            return list(counts)
        merged: dict[str, int] = {}
        for term, count in counts:
            for english in table.get(term, (term,)):
                merged[english] = merged.get(english, 0) + count
        return sorted(merged.items())

    def shared_vector(self, vector: Mapping[str, float], language: str) -> dict[str, float]:
        """A weighted term vector of ``language`` in the shared space, at unit length.

        Weight first, in the article's own language, then map: how rare a word is
        is a fact of its own language. Each English lemma of a term gets the term's
        full weight. Unchanged for English and languages without a dictionary.
        """
        table = self.table(language) if language != SHARED_LANGUAGE else {}
        if not table:
            return dict(vector)
        merged: dict[str, float] = {}
        for term, weight in vector.items():
            for english in table.get(term, (term,)):
                merged[english] = merged.get(english, 0.0) + weight
        norm = math.sqrt(sum(w * w for w in merged.values()))
        return {t: w / norm for t, w in merged.items()} if norm else {}

    def status(self) -> str:
        """What is installed and cached, or what to install."""
        languages = sorted(self.languages() - {SHARED_LANGUAGE})
        if not languages:
            return (
                f"No FreeDict dictionaries in {self.dictd_dir}: articles in different "
                "languages meet only through names and numbers. For German-English: "
                f"apt-get install {' '.join(SUGGESTED_PACKAGES)}"
            )
        parts = []
        for language in languages:
            pairs = " + ".join(d.pair for d in self.dictionaries(language) if d is not None)
            cached = ", cached" if self._cached(language) else ""
            parts.append(f"{language} ({pairs}{cached})")
        return (
            f"Bilingual lexicon into English from FreeDict in {self.dictd_dir}: "
            f"{', '.join(parts)}; cache in {self.cache_dir}"
        )


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    """The lexicon of the installed dictionaries, shared by the whole process."""
    return Lexicon()


def shared_terms(counts: Iterable[tuple[str, int]], language: str) -> list[tuple[str, int]]:
    """``language``'s lemma counts mapped into the shared English space.

    Words without a translation keep their form, so names and numbers meet across
    languages; without dictionaries the input comes back unchanged.
    """
    return default_lexicon().shared_terms(counts, language)


def shared_vector(vector: Mapping[str, float], language: str) -> dict[str, float]:
    """A term vector weighted in ``language`` mapped into the shared English space.

    Prefer this to weighting ``shared_terms`` as English: on SemEval-2022 de-en pairs,
    body cosine reaches Pearson 0.70 this way against 0.64 (0.57 without a lexicon).
    """
    return default_lexicon().shared_vector(vector, language)


def available_languages() -> frozenset[str]:
    """Languages that ``shared_terms`` maps into English (with ``en``); empty if none."""
    return default_lexicon().languages()


def lexicon_status() -> str:
    """One line for docs and diagnostics: dictionaries found, or the packages to install."""
    return default_lexicon().status()


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m storyline.text.lexicon build [LANG ...]`` builds caches; ``status`` reports."""
    args = list(sys.argv[1:] if argv is None else argv)
    lexicon = default_lexicon()
    if args[:1] == ["build"]:
        for language in args[1:] or sorted(lexicon.languages() - {SHARED_LANGUAGE}):
            started = time.perf_counter()
            size = len(lexicon.table(language))
            print(f"{language}: {size} lemmas in {time.perf_counter() - started:.1f} s")
    elif args[:1] != ["status"]:
        print("usage: python -m storyline.text.lexicon build [LANG ...] | status")
        return 2
    print(lexicon_status())
    return 0


if __name__ == "__main__":
    sys.exit(main())
