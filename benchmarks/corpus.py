"""Large article streams for benchmarks, made from a small set of real or demo texts.

A stream is a sequence of rounds. Every round re-tells each base article as a new
event: the rarer words of the base corpus (names, places, topic words) are
exchanged for other rare words of the corpus by a mapping drawn for that round, the
same for all articles of the round, so articles that reported one event still report
one event with each other, but not with any other round. Each copy is also lightly
edited (numbers changed, a sentence dropped, paragraphs rotated), dated within its
round, and a share of them is re-published by a second outlet with a changed
sentence, as syndicated wire copy is. The result has the story sizes, vocabulary and
duplicate rate of its base corpus at any length.
"""

from __future__ import annotations

import csv
import json
import random
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import wordfreq

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
GNAD = SHARED / "data" / "10kGNAD_test" / "test.csv"
DEMO = REPO / "demo" / "corpus"

# Words among this many of a language's most frequent are kept: they carry grammar,
# not the event. Not more: a language's top 3000 words hold the places and topics of
# the news (Hamburg, Ukraine, Hafen), which would tie every round to the same event.
KEEP_COMMON = 300

# A round's replacement words are drawn from this many of a language's most frequent
# words (beyond KEEP_COMMON). The corpus's own rarer words are too few (~1,500 per
# language in the demo): rounds drawing only from them share many by chance, and the
# clusterer rightly joins their events into stories of hundreds of articles.
VOCABULARY = 50_000

# Shortest word exchanged: shorter ones are mostly function words and abbreviations.
MIN_EXCHANGED = 4

# Share of articles that a second outlet re-publishes with one sentence changed.
SYNDICATED_SHARE = 0.1

_WORD = re.compile(r"\w+")
_NUMBER = re.compile(r"\d+")


@dataclass(frozen=True, slots=True)
class Base:
    title: str
    text: str
    language: str


def gnad_bases(limit: int | None = None) -> list[Base]:
    """The 10kGNAD test articles (Austrian news, German); the first words are the title."""
    with GNAD.open(encoding="utf-8") as f:
        rows = list(csv.reader(f, delimiter=";", quotechar="'"))
    out = []
    for _label, text in rows[:limit]:
        words = text.split()
        out.append(Base(" ".join(words[:12]), " ".join(words[12:]) or text, "de"))
    return out


def demo_bases() -> list[Base]:
    """The demo corpus the project wrote (German and English)."""
    from storyline.chunks import parse, prepare
    from storyline.config import Settings
    from storyline.model import Failure
    from storyline.sources.files import iter_documents

    out = []
    for item in iter_documents([str(DEMO)], Settings()):
        parsed = parse(item)
        if isinstance(parsed, Failure):
            continue
        article = prepare(parsed)
        if not isinstance(article, Failure):
            out.append(Base(article.title, article.text, article.language))
    return out


def exchangeable(bases: Sequence[Base]) -> dict[str, list[str]]:
    """Per language, the corpus words a round may exchange, in a fixed order."""
    found: dict[str, set[str]] = {}
    for base in bases:
        common = _common(base.language)
        words = found.setdefault(base.language, set())
        for word in _WORD.findall(f"{base.title} {base.text}"):
            if _exchanged(word) and word.lower() not in common:
                words.add(word)
    return {language: sorted(words) for language, words in found.items()}


def _exchanged(word: str) -> bool:
    # Acronyms name the event's actors (ČNB, BGH) however short they are.
    if word.isdigit():
        return False
    return len(word) >= MIN_EXCHANGED or (len(word) > 1 and word.isupper())


_COMMON: dict[str, frozenset[str]] = {}
_POOL: dict[str, list[str]] = {}


def _common(language: str) -> frozenset[str]:
    if language not in _COMMON:
        _COMMON[language] = frozenset(wordfreq.top_n_list(language, KEEP_COMMON))
    return _COMMON[language]


def _pool(language: str) -> list[str]:
    """The words a round may put in: frequent in the language, but not grammar."""
    if language not in _POOL:
        ranked = wordfreq.top_n_list(language, VOCABULARY)[KEEP_COMMON:]
        _POOL[language] = [w for w in ranked if w.isalpha() and len(w) >= MIN_EXCHANGED]
    return _POOL[language]


def _round_mapping(words: dict[str, list[str]], rng: random.Random) -> dict[str, str]:
    mapping: dict[str, str] = {}
    for language, vocabulary in words.items():
        pool = _pool(language)
        drawn = rng.sample(pool, len(vocabulary)) if len(pool) >= len(vocabulary) else pool
        if len(drawn) < len(vocabulary):  # a language wordfreq knows little of
            drawn = vocabulary[:]
            rng.shuffle(drawn)
        mapping.update(zip(vocabulary, drawn, strict=True))
    return mapping


def retell(text: str, mapping: dict[str, str], rng: random.Random, edit: bool) -> str:
    text = _WORD.sub(lambda m: _same_case(m.group(), mapping.get(m.group())), text)
    if not mapping:  # round 0: the base corpus as it is
        return text
    # Numbers change in titles too: the same figure in every round's headline
    # would tie the rounds together.
    text = _NUMBER.sub(lambda m: str(int(m.group()) + rng.randint(0, 9)), text)
    if not edit:
        return text
    paragraphs = [p for p in text.split("\n") if p.strip()]
    if len(paragraphs) > 3:
        middle = paragraphs[1:-1]
        k = rng.randrange(len(middle))
        paragraphs = [paragraphs[0], *middle[k:], *middle[:k], paragraphs[-1]]
    sentences = "\n".join(paragraphs).split(". ")
    if len(sentences) > 4:
        del sentences[rng.randrange(1, len(sentences))]
    return ". ".join(sentences)


def _same_case(word: str, other: str | None) -> str:
    if other is None:
        return word
    if word[:1].isupper():
        return other[:1].upper() + other[1:]
    return other[:1].lower() + other[1:]


def stream(
    bases: Sequence[Base],
    count: int,
    *,
    seed: int = 7,
    start: datetime = datetime(2024, 1, 1, tzinfo=UTC),
    hours_per_round: float = 24.0,
    url_prefix: str = "https://bench.example.org/",
    outlets: int = 40,
) -> Iterator[dict[str, str]]:
    """``count`` news-please records, round after round of re-told base articles."""
    rng = random.Random(seed)
    words = exchangeable(bases)
    mapping: dict[str, str] = {}
    made = 0
    round_no = 0
    while made < count:
        # Round 0 is the base corpus itself; later rounds re-tell it.
        mapping = {} if round_no == 0 else _round_mapping(words, rng)
        began = start + timedelta(hours=hours_per_round * round_no)
        for i, base in enumerate(bases):
            if made >= count:
                break
            published = began + timedelta(minutes=rng.randrange(int(hours_per_round * 60)))
            title = retell(base.title, mapping, rng, edit=False)
            text = retell(base.text, mapping, rng, edit=round_no > 0)
            record = {
                "title": title,
                "maintext": text,
                "url": f"{url_prefix}{round_no}/{i}",
                "source_domain": f"outlet{rng.randrange(outlets)}.example.org",
                "date_publish": published.strftime("%Y-%m-%d %H:%M:%S"),
                "language": base.language,
            }
            yield record
            made += 1
            if made < count and rng.random() < SYNDICATED_SHARE:
                copy = dict(record)
                sentences = text.split(". ")
                if len(sentences) > 2:
                    del sentences[rng.randrange(1, len(sentences))]
                copy["maintext"] = ". ".join(sentences)
                copy["url"] = f"{url_prefix}{round_no}/{i}/copy"
                copy["source_domain"] = f"wire{rng.randrange(5)}.example.org"
                later = published + timedelta(minutes=rng.randrange(1, 180))
                copy["date_publish"] = later.strftime("%Y-%m-%d %H:%M:%S")
                yield copy
                made += 1
        round_no += 1


def write_jsonl(records: Iterator[dict[str, str]], target: Path) -> int:
    count = 0
    with target.open("w", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
    return count
