"""Statements of a story aligned across its sources: corroborated or single-source.

Each article is split into sentences. Two sentences of different sources state the
same thing when they share enough weighted content (lemmas mapped into the shared
cross-language space, names and numbers) and at least one name or number: "Schoigu
met Chrenin in Minsk" in two outlets. Matching sentences are grouped into one
statement; its sources are the independent sources that carry it. Copies of one wire
text count as one source, so syndication is not corroboration.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from storyline.cluster.vectors import Vector, dot, normalised
from storyline.text.lexicon import shared_vector
from storyline.text.names import NameMention, name_keys
from storyline.text.tokens import content_terms, term_weight, tokenize

# Sentences shorter than this many words are datelines, captions or fragments.
MIN_SENTENCE_WORDS = 6

# Two sentences state the same thing at this cosine of their vectors (words, names and
# numbers) or more; paraphrases of one statement score 0.35-0.6, sentences that merely
# share the story's topic below 0.3.
SAME_STATEMENT = 0.35

# ... and their words alone (without names and numbers) must also meet at least this
# much: two sentences naming the same two cities can still say different things.
SAME_WORDS = 0.12

# Weight of the names and numbers of a sentence relative to its words (a unit vector):
# they are what makes two sentences about the same fact rather than the same topic.
ANCHOR_WEIGHT = 1.5

# At most this many sentences per article are aligned, so a very long article cannot
# make a story page slow; leads come first and carry the news.
MAX_SENTENCES_PER_ARTICLE = 60

_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"“”»«']?\s+(?=[\"„“«»']?[A-ZÄÖÜÀ-Þ0-9])")


@dataclass(frozen=True, slots=True)
class Sentence:
    article_id: str
    source: str  # the independent source: copies carry their original's source
    text: str
    start: int
    vector: Vector
    anchors: frozenset[str]


@dataclass(frozen=True, slots=True)
class Statement:
    """One thing the story's articles say, with the sources that say it."""

    text: str
    sources: tuple[str, ...]
    article_ids: tuple[str, ...]

    @property
    def corroborated(self) -> bool:
        return len(self.sources) >= 2


def split_sentences(text: str) -> list[tuple[int, str]]:
    """(offset, sentence) pairs; paragraphs always end a sentence."""
    found: list[tuple[int, str]] = []
    offset = 0
    for paragraph in text.split("\n"):
        start = 0
        for match in _SENTENCE_END.finditer(paragraph):
            found.append((offset + start, paragraph[start : match.start()].strip()))
            start = match.end()
        found.append((offset + start, paragraph[start:].strip()))
        offset += len(paragraph) + 1
    return [(o, s) for o, s in found if s]


def sentences(
    article_id: str,
    source: str,
    text: str,
    language: str,
    mentions: Sequence[NameMention] | None = None,
) -> list[Sentence]:
    """The sentences of ``text`` with their vectors and anchors. ``mentions`` are the
    names found in the whole text, when at hand: a sentence's names are then those
    that start inside it, instead of a name search per sentence."""
    out: list[Sentence] = []
    for start, sentence in split_sentences(text)[:MAX_SENTENCES_PER_ARTICLE]:
        tokens = list(tokenize(sentence, language))
        if sum(not t.is_number for t in tokens) < MIN_SENTENCE_WORDS:
            continue
        counts: dict[str, float] = {}
        for term in content_terms(tokens, language):
            counts[term] = counts.get(term, 0.0) + term_weight(term, language)
        vector = shared_vector(normalised(counts), language)
        if mentions is None:
            anchors = {f"@{k}" for k in name_keys(sentence, tokens, language)}
        else:
            begin = text.find(sentence, start)
            end = begin + len(sentence)
            anchors = {f"@{m.key}" for m in mentions if begin <= m.start < end}
        anchors |= {f"#{t.text}" for t in tokens if t.is_number and len(t.text) >= 2}
        out.append(Sentence(article_id, source, sentence, start, vector, frozenset(anchors)))
    return out


def _with_anchors(all_sentences: Sequence[Sentence]) -> list[Vector]:
    """Sentence vectors with their names and numbers added, each weighted by how rare
    it is among the story's sentences: the story's protagonist is in every sentence
    and says nothing about which fact a sentence states."""
    df: Counter[str] = Counter(a for s in all_sentences for a in s.anchors)
    n = len(all_sentences)
    vectors = []
    for s in all_sentences:
        vector = dict(s.vector)
        for anchor in s.anchors:
            rarity = math.log((n + 1) / df[anchor]) / math.log(n + 1)
            vector[anchor] = vector.get(anchor, 0.0) + (
                ANCHOR_WEIGHT * rarity / math.sqrt(len(s.anchors))
            )
        vectors.append(normalised(vector))
    return vectors


def align(all_sentences: Sequence[Sentence]) -> list[Statement]:
    """Group sentences of different sources that state the same thing.

    Two sentences are linked when each is the other's best match in the other's
    source (a mutual best match) and they are similar enough: one generic sentence
    then cannot gather a whole story around it.
    """
    vectors = _with_anchors(all_sentences)
    by_anchor: dict[str, list[int]] = {}
    for i, s in enumerate(all_sentences):
        for anchor in s.anchors:
            by_anchor.setdefault(anchor, []).append(i)
    best: dict[tuple[int, str], tuple[float, int]] = {}
    seen: set[tuple[int, int]] = set()
    for members in by_anchor.values():
        for x, i in enumerate(members):
            for j in members[x + 1 :]:
                a, b = all_sentences[i], all_sentences[j]
                if a.source == b.source or (i, j) in seen:
                    continue
                seen.add((i, j))
                score = dot(vectors[i], vectors[j])
                if score >= SAME_STATEMENT and dot(a.vector, b.vector) >= SAME_WORDS:
                    for me, other in ((i, j), (j, i)):
                        key = (me, all_sentences[other].source)
                        if key not in best or (score, -other) > (best[key][0], -best[key][1]):
                            best[key] = (score, other)
    parent = list(range(len(all_sentences)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for (i, _source), (_score, j) in best.items():
        if best.get((j, all_sentences[i].source), (0.0, -1))[1] == i:
            parent[find(j)] = find(i)
    groups: dict[int, list[int]] = {}
    for i in range(len(all_sentences)):
        groups.setdefault(find(i), []).append(i)
    statements = []
    for members in groups.values():
        first = all_sentences[members[0]]
        statements.append(
            Statement(
                text=first.text,
                sources=tuple(sorted({all_sentences[i].source for i in members})),
                article_ids=tuple(dict.fromkeys(all_sentences[i].article_id for i in members)),
            )
        )
    return statements
