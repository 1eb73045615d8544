"""The surface of quoted speech: quotation marks, sentences, and a sentence's items.

``storyline.text.quotes`` builds on these; everything here is pure and runs in linear
time in the length of the text, whatever marks it is made of.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from storyline.text.names import NameMention

# --- Quotation marks ----------------------------------------------------------------------

# Opening mark -> the marks that close it. German „…“ and ‚…‘, English “…” and ‘…’,
# guillemets both ways round (German »…«, French and Swiss «…»), typewriter marks.
CLOSERS = {
    "„": '“”"',
    "‚": "‘’",
    "“": "”",
    "‘": "’",
    "»": "«",
    "«": "»",
    '"': '"',
    "'": "'",
}
# Marks that are also apostrophes or stand both sides: they open only after a space or
# an opening bracket and before a non-space, and close only before a non-letter.
_SYMMETRIC = frozenset("\"'‘")
_LETTER_OPENED = frozenset("'‘")  # 'n' roll, the '90s: only a letter may follow
_APOSTROPHES = frozenset("'’‘")
_BEFORE_OPENING = frozenset(" \t\n\r([{<—–-/:")

# A direct quote longer than this is a missing closing mark, not one quotation; the
# longest quotes in news run to a paragraph of some 1,500 characters.
MAX_QUOTE_CHARS = 3000

_PARAGRAPH = re.compile(r"\n[ \t]*\n")
_MARK = re.compile("[" + re.escape("".join(CLOSERS) + "”’“‘«»") + "]")


def scan_quotes(text: str) -> list[tuple[int, int]]:
    """(opening mark, closing mark) index pairs of direct quotes, in text order.

    One pass, one open quote at a time: marks inside an open quote (a nested ‚…‘) are
    skipped; a paragraph break or ``MAX_QUOTE_CHARS`` abandons an unclosed mark.
    """
    breaks = [m.start() for m in _PARAGRAPH.finditer(text)]
    found: list[tuple[int, int]] = []
    opened = -1
    closers = ""
    n = len(text)
    for mark in _MARK.finditer(text):
        i, ch = mark.start(), mark.group()
        if opened >= 0 and (
            i - opened > MAX_QUOTE_CHARS
            or bisect.bisect_left(breaks, opened) != bisect.bisect_left(breaks, i)
        ):
            opened = -1
        after = text[i + 1] if i + 1 < n else " "
        if opened >= 0:
            if ch in closers and not (ch in _APOSTROPHES and after.isalnum()):
                found.append((opened, i))
                opened = -1
            elif ch == text[opened] and ch not in _SYMMETRIC:
                opened = i  # the same opening mark again: the first was never closed
            continue
        if ch not in CLOSERS:
            continue
        before = text[i - 1] if i > 0 else " "
        if ch in _SYMMETRIC and (before not in _BEFORE_OPENING or after.isspace()):
            continue
        if ch in _LETTER_OPENED and not after.isalpha():
            continue
        opened, closers = i, CLOSERS[ch]
    return found


# --- Sentences ----------------------------------------------------------------------------

_END = re.compile(r"[.!?…]+[\"'”“»«’‘)\]]*(?=\s)|\n")
_WORD_BEFORE = re.compile(r"([^\W_]+)\.?$")
ABBREVIATIONS = frozenset(
    {"dr", "mr", "mrs", "ms", "prof", "st", "nr", "no", "vs", "bzw", "ca", "etc", "usw",
     "inkl", "ggf", "vgl", "zb", "mio", "mrd", "jan", "feb", "mar", "apr", "jun", "jul",
     "aug", "sep", "sept", "okt", "oct", "nov", "dez", "dec", "gen", "col", "lt", "sgt",
     "sen", "rep", "gov", "jr", "sr", "inc", "corp", "ltd", "co", "abs", "art", "bd", "u",
     "a", "v", "chr", "tel", "min", "max", "std", "mt", "ft"}
)  # fmt: skip


def sentences(text: str, quotes: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """(start, end) of the sentences of ``text``; never splits inside a direct quote."""
    opens = [q[0] for q in quotes]
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _END.finditer(text):
        end = match.end()
        k = bisect.bisect_right(opens, match.start()) - 1
        if k >= 0 and quotes[k][1] > match.start() and quotes[k][1] >= end:
            continue  # inside a quote: "Wir sind bereit. Morgen …"
        if match.group() != "\n" and not _sentence_ends(text, match.start(), end):
            continue
        if text[start:end].strip():
            spans.append((start, end))
        start = end
    if text[start:].strip():
        spans.append((start, len(text)))
    return spans


def _sentence_ends(text: str, dot: int, end: int) -> bool:
    following = text[end : end + 40].lstrip()
    if not following or not (following[0].isupper() or following[0] in "„\"“«»‚'‘(-–"):
        return False
    if text[dot] != "." or end - dot > 1:
        return True
    word = _WORD_BEFORE.search(text[max(0, dot - 30) : dot])
    if word is None:
        return True
    before = word.group(1)
    if before.lower() in ABBREVIATIONS or (len(before) == 1 and before.isalpha()):
        return False
    # German ordinals before a month or a noun: "am 3. März", "der 2. Weltkrieg".
    return not (before.isdigit() and len(before) <= 2)


# --- Items: the words, names and quotes of a sentence --------------------------------------


@dataclass(frozen=True, slots=True)
class Item:
    """A word, a punctuation mark, a whole name mention, or a whole direct quote."""

    text: str
    start: int
    end: int
    mention: NameMention | None = None
    quote: int = -1  # index into the direct quotes, or -1

    @property
    def low(self) -> str:
        return self.text.lower()

    @property
    def is_word(self) -> bool:
        return self.mention is None and self.quote < 0 and self.text[:1].isalnum()


# A name inside a hyphenated noun is not a mention of its own: "UN-Chef",
# "CDU-Politiker", "Pentagon-Sprecher" name a role.
_COMPOUND = re.compile(r"-[^\W\d_]")
_ITEM = re.compile(r"\d+(?:[.,]\d+)*(?:[-'’][^\W_]+)*|[^\W_]+(?:[-'’][^\W_]+)*|\S")


def items(
    text: str,
    span: tuple[int, int],
    quotes: list[tuple[int, int]],
    mentions: list[NameMention],
    starts: list[int],
) -> list[Item]:
    """The items of ``text[span]``; ``starts`` are the mentions' start offsets."""
    start, end = span
    out: list[Item] = []
    qi = bisect.bisect_left(quotes, (start, -1))
    mi = bisect.bisect_left(starts, start)
    pos = start
    while pos < end:
        match = _ITEM.search(text, pos, end)
        if match is None:
            break
        while qi < len(quotes) and quotes[qi][0] < pos:
            qi += 1
        while mi < len(mentions) and mentions[mi].start < pos:
            mi += 1
        if qi < len(quotes) and quotes[qi][0] < match.end():
            opened, closed = quotes[qi]
            out.append(Item(text[opened : closed + 1], opened, closed + 1, quote=qi))
            pos = closed + 1
        elif (
            mi < len(mentions)
            and mentions[mi].start < match.end()
            and not _COMPOUND.match(text, mentions[mi].end)
        ):
            mention = mentions[mi]
            out.append(Item(mention.text, mention.start, mention.end, mention=mention))
            pos = max(mention.end, pos + 1)
            if text[pos : pos + 2] in ("'s", "’s"):
                pos += 2  # possessive: "Costa Rica's aviation agency"
        else:
            out.append(Item(match.group(), match.start(), match.end()))
            pos = match.end()
    return out
