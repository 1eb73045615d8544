"""The pieces quote extraction is built from: quotation marks, sentences, words of
reporting, and who a pronoun or "der Minister" stands for.

``storyline.text.quotes`` puts them together; everything here is pure and runs in
linear time in the length of the text, whatever marks it is made of.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from storyline.text.name_lexicon import NameKind, is_org_cue, is_role
from storyline.text.names import NameMention
from storyline.text.tokens import lemma
from storyline.text.translit import name_key, transliterate

# --- Quotation marks ----------------------------------------------------------------------

# Opening mark -> the marks that close it. German „…“ and ‚…‘, English “…” and ‘…’,
# guillemets both ways round (German »…«, French and Swiss «…»), typewriter marks.
CLOSERS = {
    "„": "“”\"",
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
    for i, ch in enumerate(text):
        if ch not in CLOSERS and ch not in "”’“‘«»":
            continue
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


_ITEM = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*|\S")


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
        elif mi < len(mentions) and mentions[mi].start < match.end():
            mention = mentions[mi]
            out.append(Item(mention.text, mention.start, mention.end, mention=mention))
            pos = max(mention.end, pos + 1)
        else:
            out.append(Item(match.group(), match.start(), match.end()))
            pos = match.end()
    return out


# --- Who is speaking ------------------------------------------------------------------------

PRONOUNS = frozenset({"er", "sie", "he", "she"})
DETERMINERS = frozenset(
    {"der", "die", "das", "den", "dem", "des", "the", "this", "that", "dieser", "diese"}
)
INDEFINITE = frozenset(
    {"ein", "eine", "einer", "eines", "einem", "einen", "a", "an", "sein", "seine", "seiner",
     "seinem", "seinen", "ihr", "ihre", "ihrer", "ihrem", "ihren", "his", "her", "its", "their",
     "one"}
)  # fmt: skip
# Prepositions before a name: the name is in a phrase ("bei einem Treffen mit
# Lukaschenko sagte Schoigu"), not the subject of the verb after it.
PREPOSITIONS = frozenset(
    {"mit", "von", "vom", "bei", "beim", "nach", "für", "gegen", "zu", "zum", "zur", "an", "am",
     "auf", "aus", "über", "in", "im", "with", "of", "by", "for", "against", "to", "at", "from",
     "on", "about", "gegenüber", "und", "and"}
)  # fmt: skip
# Nouns that stand for a person whose name came before: "der 68-Jährige", "a 36-year-old".
_AGE_NOUN = re.compile(r"^\d+-(?:jährige[nr]?|year-old)$")

# News agencies and outlets a quote is often passed through, as name keys.
OUTLETS = (
    "Reuters", "AP", "AFP", "dpa", "Tass", "Interfax", "RIA", "Ria Nowosti", "Belta", "BBC",
    "CNN", "Bloomberg", "Xinhua", "Kyodo", "Yonhap", "ANSA", "EFE", "APA", "KNA", "epd",
    "Ukrinform", "Unian", "Anadolu", "Al Jazeera", "Spiegel", "Bild", "FAZ", "ZDF", "ARD",
    "RTL", "NTV", "Politico", "Axios", "Guardian", "Kommersant", "Iswestija", "Izvestia",
    "Nexta", "Sky News", "Fox News", "NBC", "CBS", "ABC", "NPR", "Handelsblatt", "Welt",
)  # fmt: skip
OUTLET_KEYS = frozenset({name_key(n) for n in OUTLETS} | {transliterate(n) for n in OUTLETS})
OUTLET_CUES = (
    "agentur", "zeitung", "sender", "magazin", "blatt", "portal", "medien", "fernsehen",
    "agency", "newspaper", "broadcaster", "outlet", "daily", "channel", "media", "radio", "tv",
    "television", "network", "wire", "website",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Speaker:
    """Who a quote is by: the name as the text gives it best, and its key if any."""

    text: str
    key: str | None
    outlet: bool = False


class People:
    """The people a text names, where, and the titles it gives them, for anaphora."""

    def __init__(self, text: str, mentions: list[NameMention], language: str) -> None:
        self.language = language
        self.mentions = mentions
        self.persons = [m for m in mentions if m.kind is NameKind.PERSON]
        self.person_starts = [m.start for m in self.persons]
        self.starts = [m.start for m in mentions]
        longest: dict[str, str] = {}
        for m in mentions:
            if len(m.text) > len(longest.get(m.key, "")):
                longest[m.key] = m.text
        self.longest = longest
        self.outlets = {m.start for m in mentions if self._outlet(text, m)}
        # Titles met so far per person: "Verteidigungsminister Sergej Schoigu", "Sergej
        # Schoigu, the defence minister," — (position, key, role lemma).
        self.roles: dict[str, list[tuple[int, str]]] = {}
        # Unnamed speakers met so far ("ein Sprecher", "a spokesman"): "he" may be one.
        self.unnamed: list[tuple[int, Speaker]] = []
        for m in self.persons:
            for word in _around(text, m):
                low = lemma(word, language)
                if is_role(low):
                    self.roles.setdefault(m.key, []).append((m.start, low))

    def _outlet(self, text: str, m: NameMention) -> bool:
        if m.kind is NameKind.PERSON or m.kind is NameKind.PLACE:
            return False
        if m.key in OUTLET_KEYS or transliterate(m.text) in OUTLET_KEYS:
            return True
        if m.text.lower().endswith(OUTLET_CUES):  # "Deutsche Presse-Agentur"
            return True
        before = text[max(0, m.start - 40) : m.start].lower().split()[-2:]
        return any(w.strip(",.;:()").endswith(OUTLET_CUES) for w in before)

    def is_outlet(self, mention: NameMention) -> bool:
        return mention.start in self.outlets

    def named(self, mention: NameMention) -> Speaker:
        return Speaker(self.longest.get(mention.key, mention.text), mention.key)

    def note(self, position: int, speaker: Speaker) -> None:
        """Remember an unnamed speaker ("a spokesman") as a possible antecedent."""
        self.unnamed.append((position, speaker))

    def latest_org(self, before: int, noun: str) -> Speaker | None:
        """The last organisation before ``before`` whose name has ``noun`` ("the bank"
        -> Meridian Bank)."""
        i = bisect.bisect_left(self.starts, before) - 1
        while i >= 0:
            m = self.mentions[i]
            if m.kind is not NameKind.PERSON and m.kind is not NameKind.PLACE and noun in (
                m.text.lower()
            ):
                return self.named(m)
            i -= 1
        return None

    def latest(self, before: int, role: str | None = None) -> Speaker | None:
        """The person mentioned last before ``before``; with ``role``, the last one of
        that title (or of no known title)."""
        i = bisect.bisect_left(self.person_starts, before) - 1
        untitled: NameMention | None = None
        unnamed = [(pos, s) for pos, s in self.unnamed if pos < before]
        if role is None and unnamed:
            pos, speaker = max(unnamed, key=lambda u: u[0])
            if i < 0 or self.persons[i].start < pos:
                return speaker
        while i >= 0:
            m = self.persons[i]
            if role is None:
                return self.named(m)
            titles = [r for pos, r in self.roles.get(m.key, []) if pos < before]
            if any(r.endswith(role) or role.endswith(r) for r in titles):
                return self.named(m)
            if not titles and untitled is None:
                untitled = m
            i -= 1
        return self.named(untitled) if untitled is not None else None


def _around(text: str, m: NameMention) -> list[str]:
    """Words just before a mention, and an apposition just after it."""
    before = re.findall(r"[^\W\d_]+", text[max(0, m.start - 60) : m.start])[-3:]
    after = ""
    if text[m.end : m.end + 2].startswith(","):
        after = text[m.end + 1 : m.end + 80].split(",", 1)[0]
    return before + re.findall(r"[^\W\d_]+", after)[:5]


# Speakers beyond the titles the name lexicon knows: groups of people, and institutions.
EXTRA_ROLES = frozenset(
    {"official", "analyst", "expert", "witness", "resident", "source", "diplomat", "activist",
     "beamte", "beamter", "zeuge", "anwohner", "ermittler",
     "investigator", "prosecutor", "staatsanwalt", "staatsanwältin"}
)  # fmt: skip
EXTRA_ORGS = (
    "association", "union", "government", "regierung", "council", "committee", "authority",
    "landkreis", "gemeinde", "club", "verein", "armee", "army", "gewerkschaft", "rat",
    "kommission", "commission", "staatsanwaltschaft", "kreml", "kremlin",
)  # fmt: skip


def role_noun(item: Item, language: str) -> str | None:
    """The title a word is, as a lemma ("minister"), or "" for an age noun."""
    if not item.is_word:
        return None
    if _AGE_NOUN.match(item.low):
        return ""
    if item.text[:1].isdigit():
        return None
    low = lemma(item.text, language)
    if (is_role(low) or low in EXTRA_ROLES) and low not in PRONOUNS and len(low) > 2:
        return low
    return None


def org_noun(item: Item, language: str) -> bool:
    """An institution word that can speak: "police", "das Ministerium"."""
    if not item.is_word or len(item.text) <= 2:
        return False
    low = lemma(item.text, language)
    return is_org_cue(low) or low.endswith(EXTRA_ORGS)
