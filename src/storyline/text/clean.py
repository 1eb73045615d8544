"""Clean an article's text: repair encodings, normalise, drop boilerplate, find agencies.

Everything here is a pure function over strings. :func:`clean_text` is idempotent:
cleaning cleaned text changes nothing. Each line is cut and judged until no rule
applies, so every kept line is a fixed point of the rules; the few decisions that
depend on neighbours (edges, captions, title repeats) only ever look at lines a
second pass no longer sees.

Matching is linear in the input: drop rules judge only short lines, end rules only
a bounded window, and a line is cut at most ``MAX_CUTS_PER_LINE`` times.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import ftfy

from storyline.text.boilerplate_rules import (
    AGENCY_NAMES,
    END_WINDOW,
    MAX_BOILERPLATE_CHARS,
    RULES,
    SECTION_PATTERN,
    Action,
    Rule,
    Scope,
)
from storyline.text.notices import cut_notices

__all__ = [
    "Cleaned",
    "clean_text",
    "is_boilerplate_line",
    "is_near_repeat",
    "normalize_text",
]

MAX_CUTS_PER_LINE = 16
"""Real lines carry one or two glued fragments; a line with more is junk and is
dropped, which bounds the work per line on adversarial input."""

TITLE_REPEAT_JACCARD = 0.6
"""Word-set overlap above which a line repeats the title: a 10-word headline with
two words changed by another edit (0.67) still counts, a lead sentence that merely
shares the subject (< 0.4 on the seeds) does not."""

MAX_REPAIR_ROUNDS = 3
"""Cleaning can expose mojibake that ftfy repairs differently; clean again, at most
this often, until repair leaves the output alone (keeps ``clean_text`` idempotent)."""

_CAPTION_NEIGHBOURS = ("image_file",), ("photo_credit", "copyright_line")
"""A short line right after an image file line and right before a credit line is
that image's caption."""


@dataclass(frozen=True, slots=True)
class Cleaned:
    """Clean text, the agencies found in it, and what was removed (for a report)."""

    text: str
    agencies: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()


# --- encoding repair and normalisation ------------------------------------------------


def _continuation_chars(codec: str) -> str:
    """How bytes 0x80-0xBF (UTF-8 continuation bytes) look when misread as ``codec``."""
    chars = []
    for byte in range(0x80, 0xC0):
        try:
            chars.append(bytes([byte]).decode(codec))
        except UnicodeDecodeError:
            chars.append(chr(byte))
    return re.escape("".join(chars))


# Substrings every common mojibake contains: UTF-8 lead bytes read as Latin-1/cp1252
# (Ã Â â for German, French and punctuation; Ð Ñ for Cyrillic; Å Ä Î Ï Ø Ù and the
# CJK leads), and "Рѕ"-style pairs for Cyrillic read as cp1251. A substring test on
# these is ~25x cheaper than the precise pattern below, which only runs on a hit.
_MOJIBAKE_HINTS = (
    *"ÃÂâÐÑÅÄÎÏØÙ×åæçèé",
    *("Рѕ", "Р°", "Рµ", "Рё", "СЃ", "СЂ", "Сѓ"),
)
_LATIN = _continuation_chars("cp1252") + re.escape("".join(map(chr, range(0x80, 0xC0))))
_CYRILLIC = _continuation_chars("cp1251")
_MOJIBAKE = re.compile(
    # a UTF-8 lead byte read as Latin-1/cp1252 followed by its continuation bytes, or
    # the same read as cp1251; the lead class comes first so the scan skips fast
    f"[\u00c2-\u00efРС](?:(?<=[\u00c2-\u00df])[{_LATIN}]"
    f"|(?<=[\u00e0-\u00ef])[{_LATIN}]{{2}}|(?<=[РС])[{_CYRILLIC}])"
)
_FTFY_CONFIG = ftfy.TextFixerConfig(
    unescape_html=False,  # entities are the sources' business; unescaping is not idempotent
    fix_latin_ligatures=False,
    fix_character_width=False,
    uncurl_quotes=False,  # German „quotes“ are text, not damage
    fix_line_breaks=False,
    remove_control_chars=False,
    explain=False,
)

# controls and invisible format characters (soft hyphen, zero-width space, word
# joiner, BOM); ZWJ/ZWNJ stay because scripts and emoji need them
_INVISIBLE = re.compile(r"[\x00-\x08\x0e-\x1b\x7f-\x9f\u00ad\u200b\u2060\ufeff]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _needs_repair(text: str) -> bool:
    return any(hint in text for hint in _MOJIBAKE_HINTS) and bool(_MOJIBAKE.search(text))


def _repair(text: str) -> str:
    return str(ftfy.fix_text(text, _FTFY_CONFIG)) if _needs_repair(text) else text


def _normalize_line(line: str) -> str:
    if not line.isprintable():  # fast path: most lines hold nothing to remove
        line = _SURROGATE.sub("\ufffd", _INVISIBLE.sub("", line))
    if not unicodedata.is_normalized("NFC", line):
        line = unicodedata.normalize("NFC", line)
    return " ".join(line.split())


def _normalized_lines(text: str) -> list[str]:
    return [_normalize_line(line) for line in _repair(text).splitlines()]


def normalize_text(text: str) -> str:
    """Repair mojibake where present, unify line breaks, drop invisibles, NFC.

    Runs of whitespace become one space and lines are stripped; lines stay lines.
    """
    return "\n".join(_normalized_lines(text))


def _one_line(text: str) -> str:
    return " ".join(line for line in _normalized_lines(text) if line)


# --- agency tags ------------------------------------------------------------------------

_AGENCY_BY_KEY = {name.casefold(): name for name in AGENCY_NAMES}
_AGENCY = "|".join(re.escape(n) for n in sorted(AGENCY_NAMES, key=len, reverse=True))
# "(dpa)", "(dpa/AFP)", "(AFP, dpa)", "(dpa/lnw)", "(APA, 11.9.2015)": agencies plus
# author or desk codes and, in Austrian papers, the date
_TAG_ITEM = rf"(?:{_AGENCY}|[^\W\d_]{{1,5}})"
_TAG_DATE = r"(?:\s?[,–—-]?\s?[0-9]{1,2}\.\s?[0-9]{1,2}\.\s?(?:[0-9]{4}|[0-9]{2}))?"
_TAG = rf"\(\s?(?P<tag>{_TAG_ITEM}(?:\s?[/,;]\s?{_TAG_ITEM}){{0,5}}){_TAG_DATE}\s?\)"
_TAG_ONLY = re.compile(rf"{_TAG} ?(?:{SECTION_PATTERN})?", re.IGNORECASE)
_LEADING_TAG = re.compile(rf"{_TAG} ?(?:[-–—:] ?)?", re.IGNORECASE)
# "Berlin (dpa) - ...", "MOSKAU, 23. Nov. (Reuters) - ...": the place stays in the text
_DATELINE_TAG = re.compile(
    rf"(?P<place>[^\W\d_][^()\n!?;:]{{0,60}}?) ?{_TAG} ?(?=[-–—:])", re.IGNORECASE
)
# "... sagte er. (dpa)Germany": a section label glued on by an aggregator
_TRAILING_TAG = re.compile(rf"{_TAG} ?(?:{SECTION_PATTERN})? ?\Z", re.IGNORECASE)
# "... sagte er. (dpa)" ending a paragraph, or mid-line where paragraphs were flattened
_INLINE_TAG = re.compile(rf"{_TAG}(?= |\Z)", re.IGNORECASE)
# A line naming the sources: "Quelle: ntv.de, mau/dpa", "Mit Material von dpa und AFP",
# or a bare desk signature "aja/PAP"; it goes only if it names an agency
_SOURCE_LINE = re.compile(
    r"\(?(?:(?:quellen?|sources?)\s?:|mit material (?:von|der|aus)|with material from)"
    r"\s?(?P<list>[^()\n]{1,120}?)\)?\.?"
    rf"|(?P<signature>{_TAG_ITEM}(?:\s?/\s?{_TAG_ITEM}){{1,5}})",
    re.IGNORECASE,
)
_LIST_SEPARATOR = re.compile(r"\s?[/,;&+]\s?|\s(?:und|and|sowie)\s", re.IGNORECASE)
# A tag only counts after a sentence end, so "Associated Press (AP) berichtete" is prose.
_SENTENCE_END = frozenset(".!?…\"“”„«»'’)]")


def _after_sentence_end(line: str, start: int) -> bool:
    """True if the text before ``start`` (one space allowed) ends a sentence."""
    before = line[max(0, start - 2) : start].rstrip()
    return bool(before) and before[-1] in _SENTENCE_END


def _agencies_in(names: str) -> tuple[str, ...]:
    parts = _LIST_SEPARATOR.split(names)
    return tuple(
        _AGENCY_BY_KEY[key] for p in parts if (key := p.strip().casefold()) in _AGENCY_BY_KEY
    )


@dataclass(frozen=True, slots=True)
class _Cut:
    line: str
    fragments: tuple[str, ...]
    agencies: tuple[str, ...] = ()
    rule: str = "agency_tag"


def _cut_inline_tags(line: str) -> _Cut | None:
    pieces: list[str] = []
    fragments: list[str] = []
    agencies: list[str] = []
    last = 0
    for m in _INLINE_TAG.finditer(line):
        found = _agencies_in(m["tag"])
        if not found or not _after_sentence_end(line, m.start()):
            continue
        start = m.start() - 1 if line[m.start() - 1 : m.start()] == " " else m.start()
        pieces.append(line[last:start])
        fragments.append(m.group())
        agencies.extend(found)
        last = m.end()
    if not fragments:
        return None
    pieces.append(line[last:])
    return _Cut("".join(pieces), tuple(fragments), tuple(agencies))


def _cut_agency(line: str) -> _Cut | None:
    """Take one agency tag (or every inline one) out of the line."""
    if len(line) <= MAX_BOILERPLATE_CHARS:
        m = _SOURCE_LINE.fullmatch(line)
        if m and (found := _agencies_in(m["list"] or m["signature"])):
            return _Cut("", (line,), found, "source_line")
    if "(" not in line:
        return None
    if len(line) <= MAX_BOILERPLATE_CHARS:
        m = _TAG_ONLY.fullmatch(line)
        if m and (found := _agencies_in(m["tag"])):
            return _Cut("", (line,), found)
    m = _LEADING_TAG.match(line)
    if m and (found := _agencies_in(m["tag"])):
        return _Cut(line[m.end() :], (m.group().strip(),), found)
    m = _DATELINE_TAG.match(line)
    if m and (found := _agencies_in(m["tag"])):
        tag = line[m.end("place") : m.end()].strip()
        return _Cut(f"{m['place'].rstrip()} {line[m.end() :].lstrip()}", (tag,), found)
    m = _TRAILING_TAG.search(line, max(0, len(line) - END_WINDOW))
    if m and (found := _agencies_in(m["tag"])) and _after_sentence_end(line, m.start()):
        return _Cut(line[: m.start()], (m.group().strip(),), found)
    return _cut_inline_tags(line)


# --- rules ------------------------------------------------------------------------------

_DROP_RULES = tuple(r for r in RULES if r.action is Action.DROP_LINE and r.scope is not Scope.EDGE)
_EDGE_RULES = tuple(r for r in RULES if r.scope is Scope.EDGE)
_CUT_RULES = tuple(r for r in RULES if r.action is Action.CUT)
_DROP_AND_EDGE_RULES = _DROP_RULES + _EDGE_RULES
# END rules anchored at the end of the line once, here, so the table stays readable
_AT_END = {
    r.name: re.compile(f"(?:{r.pattern.pattern})\\Z", r.pattern.flags)
    for r in RULES
    if r.scope is Scope.END
}


def _matches(rule: Rule, line: str, lowered: str | None = None) -> re.Match[str] | None:
    """Where ``rule`` matches ``line`` in its scope; END rules see only a window."""
    if rule.hints:
        lowered = line.lower() if lowered is None else lowered
        if not any(hint in lowered for hint in rule.hints):
            return None
    if rule.scope in (Scope.LINE, Scope.EDGE):
        return rule.pattern.fullmatch(line)
    if rule.scope is Scope.CONTAINS:
        return rule.pattern.search(line)
    if rule.scope is Scope.START:
        return rule.pattern.match(line)
    return _AT_END[rule.name].search(line, max(0, len(line) - END_WINDOW))


def _drop_rule(line: str, at_edge: bool) -> str | None:
    """The name of the first rule that drops this whole line, if any."""
    if len(line) > MAX_BOILERPLATE_CHARS:
        return None
    lowered = line.lower()
    for rule in _DROP_AND_EDGE_RULES if at_edge else _DROP_RULES:
        if _matches(rule, line, lowered):
            return rule.name
    return None


def _cut(line: str) -> _Cut | None:
    cut = _cut_agency(line)
    if cut is not None:
        return cut
    for rule in _CUT_RULES:
        m = _matches(rule, line)
        if m is None or not m.group().strip():
            continue
        if rule.scope is Scope.START:
            return _Cut(line[m.end() :], (m.group().strip(),), rule=rule.name)
        if rule.scope is Scope.END:
            return _Cut(line[: m.start()], (line[m.start() :].strip(),), rule=rule.name)
    # Cookie and consent banners glued into a paragraph: only their sentences go.
    notices = cut_notices(line)
    if notices is not None:
        return _Cut(notices[0], notices[1], rule="site_notice")
    return None


@dataclass(frozen=True, slots=True)
class _Line:
    text: str | None  # None: dropped
    rule: str | None = None  # the rule that dropped it
    removed: tuple[str, ...] = ()
    agencies: tuple[str, ...] = ()


def _clean_line(line: str, at_edge: bool = False) -> _Line:
    """Cut fragments and judge the line until no rule applies (a fixed point)."""
    removed: list[str] = []
    agencies: list[str] = []
    rule: str | None = "empty"
    for _ in range(MAX_CUTS_PER_LINE + 1):
        if not line:
            return _Line(None, rule, tuple(removed), tuple(agencies))
        dropped_by = _drop_rule(line, at_edge)
        if dropped_by:
            removed.append(line)
            return _Line(None, dropped_by, tuple(removed), tuple(agencies))
        cut = _cut(line)
        if cut is None:
            return _Line(line, None, tuple(removed), tuple(agencies))
        removed.extend(cut.fragments)
        agencies.extend(cut.agencies)
        line = _normalize_line(cut.line)  # NFC may compose across the new edge
        rule = cut.rule
    removed.append(line)
    return _Line(None, "too_many_fragments", tuple(removed), tuple(agencies))


def is_boilerplate_line(line: str, *, at_edge: bool = False) -> bool:
    """True if cleaning would remove ``line`` entirely.

    ``at_edge`` says the line sits before the first (or after the last) prose line,
    where section labels such as "Politik" or "Germany" count as boilerplate too.
    """
    return _clean_line(_one_line(line), at_edge).text is None


# --- title repeats ----------------------------------------------------------------------

_WORD = re.compile(r"\w+")


def is_near_repeat(line: str, title: str) -> bool:
    """True if ``line`` repeats ``title`` with at most small edits (word-set Jaccard)."""
    if not title or not line or len(line) > 3 * len(title) + 40:
        return False
    a = set(_WORD.findall(line.casefold()))
    b = set(_WORD.findall(title.casefold()))
    if not a or not b:
        return line.strip() == title.strip()
    return len(a & b) / len(a | b) >= TITLE_REPEAT_JACCARD


# --- the whole text ---------------------------------------------------------------------


def _clean_once(text: str, title: str) -> Cleaned:
    blocks: list[list[str]] = [[]]
    for raw in _normalized_lines(text):
        if raw:
            blocks[-1].append(raw)
        elif blocks[-1]:
            blocks.append([])
    flat = [(b, line) for b, block in enumerate(blocks) for line in block]
    judged = [_clean_line(line) for _, line in flat]

    removed: list[str] = []
    agencies: list[str] = []
    kept: list[tuple[int, str]] = []
    repeats: list[tuple[int, str]] = []
    after_image, before_credit = _CAPTION_NEIGHBOURS
    for i, (block, line) in enumerate(flat):
        result = judged[i] if kept else _clean_line(line, at_edge=True)
        agencies.extend(result.agencies)
        if result.text is None:
            removed.extend(result.removed)
            continue
        is_caption = (
            len(result.text) <= MAX_BOILERPLATE_CHARS
            and 0 < i < len(flat) - 1
            and judged[i - 1].rule in after_image
            and judged[i + 1].rule in before_credit
        )
        if is_caption:
            removed.extend((*result.removed, result.text))
            continue
        # Only a repeat above the prose is the headline printed again; further down a
        # sentence that resembles the title is the article's own.
        if not kept and is_near_repeat(result.text, title):
            removed.extend(result.removed)
            repeats.append((block, result.text))
            continue
        removed.extend(result.removed)
        kept.append((block, result.text))

    while kept and any(_matches(rule, kept[-1][1]) for rule in _EDGE_RULES):
        removed.append(kept.pop()[1])
    # A text that is nothing but its headline keeps it: an empty article helps no one.
    if kept:
        removed.extend(line for _, line in repeats)
    else:
        kept = repeats

    out: list[list[str]] = []
    last_block = -1
    for block, line in kept:
        if block != last_block:
            out.append([])
            last_block = block
        out[-1].append(line)
    return Cleaned(
        text="\n\n".join("\n".join(lines) for lines in out),
        agencies=tuple(dict.fromkeys(agencies)),
        removed=tuple(removed),
    )


def clean_text(text: str, title: str = "") -> Cleaned:
    """Clean an article body: repair, normalise, remove boilerplate and agency tags.

    ``title``, when given, lets a body line that repeats it (or nearly) be removed.
    Paragraphs are separated by a blank line; ``removed`` lists what was taken out,
    in order. Never raises on text; idempotent on its own output.
    """
    title = _one_line(title)
    result = _clean_once(text, title)
    agencies = list(result.agencies)
    removed = list(result.removed)
    for _ in range(MAX_REPAIR_ROUNDS - 1):
        if _repair(result.text) == result.text:
            break
        result = _clean_once(result.text, title)
        agencies.extend(result.agencies)
        removed.extend(result.removed)
    return Cleaned(result.text, tuple(dict.fromkeys(agencies)), tuple(removed))
