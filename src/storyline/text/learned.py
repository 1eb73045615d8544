"""Learned per-source boilerplate: lines that repeat across many articles of one source.

Site templates put the same lines into every article: navigation, newsletter pitches,
copyright and "about us" lines, a desk's standard footer. The rule table
(``storyline.text.boilerplate_rules``) knows the common shapes; what is particular to
one outlet is learned from the corpus. :func:`learn` counts, per source, in how many
distinct articles each normalised line occurs; a line in at least ``MIN_ARTICLES``
articles and ``MIN_SHARE`` of the source's articles is boilerplate of that source.
:meth:`LearnedBoilerplate.clean` then removes those lines, idempotently.

Learning is a first pass over a batch's parsed texts; cleaning is the second (see
``learn``). Pure functions over strings: no I/O.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from storyline.text.boilerplate_rules import MAX_BOILERPLATE_CHARS
from storyline.text.clean import clean_text

__all__ = ["LearnedBoilerplate", "learn", "line_key"]

MIN_ARTICLES = 5
"""A line shared by two to four articles of one outlet is as likely a quote or a
background sentence that several reports on one event repeat as a template line."""

MIN_SHARE = 0.1
"""Template lines sit in most articles of a site or of a section of it; wire
background sentences ("Russia invaded Ukraine in February 2022.") recur in a few
percent of a large outlet's articles. One in ten separates the two."""

MIN_LINE_CHARS = 12
"""Shorter lines are single words or interview answers ("Ja.", "Nein.", "Warum?") and
subheadings that recur naturally; the rule table judges short labels and buttons."""

MAX_LINE_CHARS = MAX_BOILERPLATE_CHARS
"""Longer lines are prose; the rule table draws the same line for the same reason."""

MAX_REMOVED_SHARE = 0.5
"""An article that would lose more than half its text to learned lines is a re-crawl
or near-copy of articles the lines were learned from: it is left alone."""

MAX_TRACKED_LINES = 200_000
"""Distinct lines counted per source before lines seen once are forgotten: bounds
memory on large batches; a template line has recurred long before then."""

_DIGITS = re.compile(r"\d+")
_LETTER = re.compile(r"[^\W\d_]")


def line_key(line: str) -> str | None:
    """The form under which a line is counted, or None if it is never learned.

    Case and spacing are ignored and numbers are equalised, so "© 2023 Example" and
    "© 2024 Example" or "12 Kommentare" and "3 Kommentare" count as one line.
    """
    line = " ".join(line.split())
    if not MIN_LINE_CHARS <= len(line) <= MAX_LINE_CHARS or not _LETTER.search(line):
        return None
    return _DIGITS.sub("0", line.casefold())


def _digest(key: str) -> bytes:
    return hashlib.blake2b(key.encode(), digest_size=8).digest()


@dataclass(frozen=True, slots=True)
class LearnedBoilerplate:
    """What was learned: per source, the lines taken for boilerplate and in how many
    articles each was seen (most frequent first), and how many articles were read."""

    per_source: dict[str, list[tuple[str, int]]]
    articles: dict[str, int] = field(default_factory=dict)
    _keys: dict[str, frozenset[str]] = field(default_factory=dict, repr=False)

    def clean(self, text: str, source: str) -> tuple[str, tuple[str, ...]]:
        """``text`` without the lines learned for ``source``, and the lines removed.

        Paragraph breaks around a removed line collapse to one. Idempotent: what is
        left holds no learned line. A text that would lose more than
        ``MAX_REMOVED_SHARE`` of its characters is returned unchanged.
        """
        keys = self._keys.get(source)
        if not keys:
            return text, ()
        kept: list[str] = []
        removed: list[str] = []
        for line in text.split("\n"):
            key = line_key(line)
            if key is not None and key in keys:
                removed.append(line.strip())
            else:
                kept.append(line)
        if not removed or sum(map(len, removed)) > MAX_REMOVED_SHARE * len(text.strip()):
            return text, ()
        cleaned = re.sub(r"\n(?:[ \t]*\n)+", "\n\n", "\n".join(kept)).strip()
        return cleaned, tuple(removed)

    def report(self) -> str:
        """The learned lines per source, for people: one block per source."""
        blocks = []
        for source, lines in sorted(self.per_source.items()):
            head = f"{source}: {len(lines)} lines learned from {self.articles[source]} articles"
            blocks.append("\n".join([head, *(f"  {n:>5}  {line}" for line, n in lines)]))
        return "\n\n".join(blocks)


def learn(pairs: Iterable[tuple[str, str]]) -> LearnedBoilerplate:
    """Learn boilerplate lines per source from ``(source, text)`` pairs.

    Each distinct text counts once (re-crawls and copies would make everything
    repeat). Lines holding an agency tag are never learned: "(dpa)" on every
    article of a source that republishes dpa is metadata the cleaner extracts.
    """
    counts: dict[str, Counter[bytes]] = {}
    examples: dict[str, dict[bytes, str]] = {}
    seen_texts: set[bytes] = set()
    articles: Counter[str] = Counter()
    for source, text in pairs:
        text_digest = _digest(f"{source}\n{' '.join(text.split())}")
        if text_digest in seen_texts:
            continue
        seen_texts.add(text_digest)
        articles[source] += 1
        counter = counts.setdefault(source, Counter())
        lines: dict[bytes, str] = {}
        for line in text.split("\n"):
            key = line_key(line)
            if key is not None:
                lines.setdefault(_digest(key), line.strip())
        for digest, line in lines.items():
            counter[digest] += 1
            if counter[digest] == 2:  # the second sighting: worth remembering the words
                examples.setdefault(source, {})[digest] = line
        if len(counter) > MAX_TRACKED_LINES:
            for digest in [d for d, n in counter.items() if n == 1]:
                del counter[digest]
    per_source: dict[str, list[tuple[str, int]]] = {}
    keys: dict[str, frozenset[str]] = {}
    for source, counter in counts.items():
        needed = max(MIN_ARTICLES, math.ceil(MIN_SHARE * articles[source]))
        found = [
            (examples[source][digest], n)
            for digest, n in counter.most_common()
            if n >= needed and not clean_text(examples[source][digest]).agencies
        ]
        if found:
            per_source[source] = found
            keys[source] = frozenset(k for line, _ in found if (k := line_key(line)))
    return LearnedBoilerplate(per_source, dict(articles), keys)


def merge_learned(
    first: LearnedBoilerplate | None, second: LearnedBoilerplate | None
) -> LearnedBoilerplate | None:
    """What two chunks of one ingest learned, for the report: lines per source, once each."""
    if first is None or second is None:
        return second if first is None else first
    per_source = {source: list(lines) for source, lines in first.per_source.items()}
    for source, lines in second.per_source.items():
        have = {line for line, _ in per_source.get(source, [])}
        per_source.setdefault(source, []).extend(x for x in lines if x[0] not in have)
    articles = dict(first.articles)
    for source, count in second.articles.items():
        articles[source] = articles.get(source, 0) + count
    return LearnedBoilerplate(per_source, articles)
