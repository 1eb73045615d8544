"""Quantities and dates in news text: amounts, counts, ages, percentages, dates.

Each finder is a regular expression with a small amount of code behind it; they run in
a fixed order (date ranges before single dates, ages before durations, amounts before
bare counts), and a span one finder has taken is not offered to the next. Values are
normalised (``1,5 Milliarden US-Dollar`` -> 1.5e9 USD); dates carry a TIMEX-like
``normal`` form with ``XXXX`` for a year the text does not give.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache

from storyline.text.name_lexicon import is_role
from storyline.text.quantities import (
    APPROXIMATE,
    DIGITS,
    MONEY_ONLY_SCALES,
    MONTHS,
    ONE_WORDS,
    PREFIX_CURRENCIES,
    SCALES,
    UNITS,
    VAGUE_COUNTS,
    WEEKDAYS,
    WORD_END,
    alternation,
    number_value,
    number_words,
    parse_number,
    scale_of,
)
from storyline.text.timex import find_dates
from storyline.text.tokens import lemma, stopwords

__all__ = ["Fact", "find_facts"]


@dataclass(frozen=True, slots=True)
class Fact:
    """A quantity or date: ``text`` is ``source[start:end]``.

    ``kind`` is one of money, percent, count, age, date, time, duration, temperature,
    distance, area, speed, weight, volume, energy. ``approximate`` marks "rund",
    "more than", "Tausende"; ``normal`` is the ISO-like form of a date or time.
    """

    text: str
    kind: str
    value: float | None
    unit: str | None
    start: int
    end: int
    approximate: bool = False
    normal: str | None = None


def _dates(text: str, language: str) -> Iterator[Fact]:
    for start, end, kind, normal in find_dates(text, language):
        yield _fact(text, kind, None, None, start, end, normal, False)


def find_facts(text: str, language: str) -> list[Fact]:
    """Quantities and dates in ``text``, in text order, with no two overlapping."""
    taken = bytearray(len(text))
    out: list[Fact] = []
    for finder in _FINDERS:
        for fact in finder(text, language):
            if fact.start < fact.end and taken.find(1, fact.start, fact.end) == -1:
                taken[fact.start : fact.end] = b"\x01" * (fact.end - fact.start)
                out.append(fact)
    out.sort(key=lambda f: (f.start, f.end))
    return out


def _fact(
    text: str, kind: str, value: float | None, unit: str | None, start: int, end: int,
    normal: str | None = None, approximate: bool | None = None,
) -> Fact:  # fmt: skip
    if approximate is None:
        approximate = APPROXIMATE.search(text, max(0, start - 30), start) is not None
    return Fact(text[start:end], kind, value, unit, start, end, approximate, normal)


# --- Ages and durations written as adjectives -------------------------------------------

# "der 68-jährige Präsident" is an age; "eine zweijährige Mission" a duration.
_PERSON_NOUNS = frozenset(
    {"mann", "frau", "junge", "mädchen", "kind", "sohn", "tochter", "patient", "fahrer",
     "mutter", "vater", "täter", "opfer", "schüler", "student", "rentner", "bruder",
     "schwester", "man", "woman", "boy", "girl", "child"}
)  # fmt: skip
# German nouns for people end so: Bauunternehmer, Lehrerin, Patient, Demonstrant.
_AGENT_ENDINGS = ("er", "erin", "in", "ent", "ant", "ist", "istin")
_ADJECTIVE_UNITS = {"stündig": "hour", "tägig": "day", "wöchig": "week", "monatig": "month"}


@lru_cache(maxsize=16)
def _age_patterns(language: str) -> tuple[re.Pattern[str], ...]:
    words = alternation(number_words(language))
    number = rf"(?<![\w.,])(?P<n>\d{{1,3}}|(?i:{words}))"
    return (
        re.compile(rf"{number}-?(?P<j>[Jj]ährige[nrms]?)(?P<next>\s+\w+)?{WORD_END}"),
        re.compile(rf"{number}[- ](?i:years?)[- ](?i:old){WORD_END}"),
        re.compile(r"(?i:im\s+alter\s+von|aged|age\s+of)\s+(?P<n>\d{1,3})(?:\s+(?i:jahren))?"),
        re.compile(r"(?<![\w.,])(?P<n>\d{1,3})\s+(?i:jahre\s+alt)" + WORD_END),
        re.compile(rf"{number}-?(?P<u>(?i:stündig|tägig|wöchig|monatig))(?:e[nrms]?)?{WORD_END}"),
    )


# Words without which each age pattern cannot match.
_AGE_CUES = (
    ("ährig",),
    ("old",),
    ("alter", "aged", "age of"),
    ("alt",),
    ("stündig", "tägig", "wöchig", "monatig"),
)
# "Paul Renner, 54, was …", "Paul Renner (54) wurde …": an age after a name.
_APPOSED_AGE = re.compile(r"(?<=[^\W\d_][^\W\d_])(?:,\s(?P<a>\d{1,3}),|\s\((?P<b>\d{1,3})\))")
MAX_AGE = 120


def _ages(text: str, language: str) -> Iterator[Fact]:
    for m in _APPOSED_AGE.finditer(text):
        group = "a" if m["a"] else "b"
        word = text[: m.start()].rsplit(None, 1)[-1] if text[: m.start()].strip() else ""
        if word[:1].isupper() and 0 < int(m[group]) <= MAX_AGE:
            yield _fact(text, "age", float(m[group]), "year", m.start(group), m.end(group))
    folded = text.lower()
    for i, pattern in enumerate(_age_patterns(language)):
        if not any(cue in folded for cue in _AGE_CUES[i]):
            continue  # most texts have none of these words: skip the scan
        for m in pattern.finditer(text):
            value = number_value(m["n"], language)
            if value is None:
                continue
            groups = m.groupdict()
            if groups.get("u"):
                unit = _ADJECTIVE_UNITS[m["u"].lower()]
                yield _fact(text, "duration", value, unit, m.start(), m.end("u"))
                continue
            end = m.end("j") if i == 0 else m.end()
            if i == 0 and m["j"][0] == "j" and not (m["n"][0].isalpha() and m["n"][0].isupper()):
                noun = (groups.get("next") or "").strip()
                person = noun and (
                    is_role(lemma(noun, "de"))
                    or noun.lower() in _PERSON_NOUNS
                    or noun.endswith(_AGENT_ENDINGS)
                )
                if noun[:1].isupper() and not person:
                    yield _fact(text, "duration", value, "year", m.start(), end)
                    continue
            yield _fact(text, "age", value, "year", m.start(), end)


# --- Amounts and counts -----------------------------------------------------------------

_SCALE_WORDS = alternation(SCALES)
_UNIT_WORDS = alternation(UNITS)
_PREFIX = r"(?P<pre>US-?\$|[$€£¥₽]|\b(?:EUR|USD|GBP|CHF|RUB|JPY|CNY|UAH)\b)"
_RANGE_GAP = re.compile(r"\s*(?:bis|to|-|–|und|and|oder|or)\s*", re.IGNORECASE)
_YEAR_CUE = re.compile(
    r"(?:jahre?|year|in|im|seit|bis|für|ab|since|until|by|for|of|ende|anfang|mitte|early|"
    r"late|from|to|vor|nach|von|und|and|zum|between|zwischen)\s+$",
    re.IGNORECASE,
)
# English adjectives before a counted noun end so: older, largest, former, federal.
_ADJECTIVE_ENDINGS = ("er", "est", "ed", "al", "ic", "ive", "ous", "ful", "less", "able", "ish")
_WORD_AFTER = re.compile(r"[ \t\u00a0]+([^\W\d_]+(?:-[^\W\d_]+)*)")
_NOT_COUNTED = frozenset({"uhr", "mal", "prozent", "percent", "of", "von", "times"})


_DIGITS = re.compile(DIGITS)
_WORD = re.compile(r"(?<![^\W\d_])[^\W\d_]+(?:-[^\W\d_]+)*")
# What may follow a number: a scale ("Milliarden", "bn") and a unit ("US-Dollar", "%").
_TAIL = re.compile(
    rf"(?:\s?(?P<scale>(?i:{_SCALE_WORDS})\.?){WORD_END})?"
    rf"(?:[\s-]?(?P<unit>(?i:{_UNIT_WORDS})){WORD_END})?"
)
_PREFIX_BEFORE = re.compile(rf"{_PREFIX}\s?$")
# The longest currency prefix with its space ("US-$ ").
_PREFIX_CHARS = 5


def _numbers(text: str, language: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, text) of numbers in digits and in words, in text order."""
    words = number_words(language)
    digits = ((m.start(), m.end(), m.group()) for m in _DIGITS.finditer(text))
    return heapq.merge(digits, _spelled(text, words))


def _spelled(text: str, words: Mapping[str, float]) -> Iterator[tuple[int, int, str]]:
    for m in _WORD.finditer(text):
        word = m.group()
        low = word.lower()
        if low in words or low in ONE_WORDS:
            yield m.start(), m.end(), word
        elif "-" in low and low.split("-", 1)[0] in words:  # "two-day", "zwei-Tage-Streik"
            head = word.split("-", 1)[0]
            yield m.start(), m.start() + len(head), head


@dataclass(slots=True)
class _Raw:
    start: int
    end: int
    value: float
    kind: str | None
    unit: str | None
    scaled: bool
    word: bool
    year: bool


def _raw(text: str, start: int, end: int, num: str, language: str) -> _Raw | None:
    value = number_value(num, language)
    if value is None:
        value = 1.0  # "a", "eine": one only before a scale
    m = _TAIL.match(text, end)
    scale, unit = (m["scale"], m["unit"]) if m is not None else (None, None)
    prefix = _PREFIX_BEFORE.search(text, max(0, start - _PREFIX_CHARS), start)
    pre = prefix["pre"] if prefix is not None else None
    if prefix is not None:
        start = prefix.start()
    kind = unit_name = None
    if pre:
        kind, unit_name = "money", PREFIX_CURRENCIES[pre.lower().replace("-", "")]
    if unit and m is not None:
        listed = UNITS[" ".join(unit.lower().split())]
        if kind is None:
            kind, unit_name = listed
        end = m.end("unit")
    if scale and m is not None:
        money = kind == "money"
        if scale.lower().rstrip(".") in MONEY_ONLY_SCALES and not money:
            if scale.lower() == "m" and not unit:
                kind, unit_name, end = "distance", "m", m.end("scale")
            scale = None
        else:
            value *= scale_of(scale, language)
            end = max(end, m.end("scale"))
    if num.lower() in ONE_WORDS and not scale:
        return None
    if unit_name == "cent":  # a hundredth of the currency the text writes in
        value, unit_name = value / 100, "EUR" if language == "de" else "USD"
    year = num.isdigit() and len(num) == 4 and 1800 <= value <= 2100 and not scale
    return _Raw(start, end, value, kind, unit_name, bool(scale), num[0].isalpha(), year)


def _quantities(text: str, language: str) -> Iterator[Fact]:
    raws = [r for n in _numbers(text, language) if (r := _raw(text, *n, language))]
    for i, raw in enumerate(raws):
        nxt = raws[i + 1] if i + 1 < len(raws) else None
        if (
            raw.kind is None
            and not raw.scaled
            and nxt is not None
            and (nxt.kind or nxt.scaled)
            and _RANGE_GAP.fullmatch(text, raw.end, nxt.start)
        ):
            # "3 bis 4 Millionen Euro": the first number borrows the second's scale and unit
            if nxt.scaled and not raw.year:
                raw.value *= _scale_factor(text, nxt, language)
            raw.kind, raw.unit = nxt.kind, nxt.unit
        if raw.kind == "temperature":
            yield _signed(text, raw)
        elif raw.kind is not None:
            yield _fact(text, raw.kind, raw.value, raw.unit, raw.start, raw.end)
        elif raw.year and (_YEAR_CUE.search(text, max(0, raw.start - 15), raw.start) or
                           not _WORD_AFTER.match(text, raw.end)):  # fmt: skip
            yield _fact(text, "date", None, None, raw.start, raw.end, f"{raw.value:.0f}", False)
        else:
            yield from _counted(text, raw, language)


def _scale_factor(text: str, raw: _Raw, language: str) -> float:
    scale = re.search(rf"(?i:{_SCALE_WORDS})\.?{WORD_END}", text[raw.start : raw.end])
    return scale_of(scale.group(), language) if scale else 1.0


def _signed(text: str, raw: _Raw) -> Fact:
    start, value = raw.start, raw.value
    before = text[max(0, start - 7) : start]
    if before.lower().endswith("minus "):
        start, value = start - 6, -value
    elif before.endswith(("-", "−")) and (len(before) < 2 or before[-2].isspace()):
        start, value = start - 1, -value
    return _fact(text, "temperature", value, raw.unit, start, raw.end)


def _counted(text: str, raw: _Raw, language: str) -> Iterator[Fact]:
    noun = _count_noun(text, raw.end, language)
    if noun is not None and raw.value == int(raw.value):  # "6.1 earthquake" is no count
        end, unit = noun
        yield _fact(text, "count", raw.value, unit, raw.start, end)


def _count_noun(text: str, pos: int, language: str) -> tuple[int, str] | None:
    """The noun a number counts: "18.000 Fahrzeuge", "two support pillars"."""
    stop = stopwords(language)
    words: list[tuple[str, int]] = []
    for _ in range(3):
        m = _WORD_AFTER.match(text, pos)
        if m is None:
            break
        words.append((m.group(1), m.end()))
        pos = m.end()
    chosen: tuple[str, int] | None = None
    if language == "de":
        for word, end in words:
            if word[:1].isupper():
                chosen = (word, end)
                break
            if word.lower() in stop:
                break
    else:
        content = []
        for word, end in words[:2]:
            if not word.islower() or word in stop or word in _NOT_COUNTED:
                break
            content.append((word, end))
        plural = [w for w in content if w[0].endswith("s")]
        if len(content) == 2 and content[0][0].endswith(_ADJECTIVE_ENDINGS):
            content = content[1:]  # "24 older aircraft", "three other people"
        chosen = plural[0] if plural else (content[0] if content else None)
    if chosen is None:
        return None
    word, end = chosen
    low = word.lower()
    if low in _NOT_COUNTED or low in stop or word in MONTHS or word in WEEKDAYS:
        return None
    unit = UNITS.get(low, ("count", _noun_lemma(word, language)))[1]
    return end, unit


def _noun_lemma(word: str, language: str) -> str:
    """Lemma of a counted noun; an unknown German compound by its last part
    ("Ladepunkte" -> "ladepunkt", as "Punkte" -> "punkt")."""
    base = lemma(word, language)
    if base != word.lower() or language != "de":
        return base
    for i in range(3, len(word) - 3):
        tail = word[i:].capitalize()
        tail_lemma = lemma(tail, language)
        if len(tail_lemma) < len(tail) and tail.lower().startswith(tail_lemma[:3]):
            return word[:i].lower() + tail_lemma
    return base


_VAGUE = re.compile(
    rf"(?<![^\W\d_])(?P<w>(?i:{alternation(VAGUE_COUNTS)}))n?{WORD_END}"
    rf"(?:\s+(?i:of|von))?(?:\s+(?P<unit>(?i:{_UNIT_WORDS})){WORD_END})?"
)


def _vague(text: str, language: str) -> Iterator[Fact]:
    """ "Tausende Soldaten", "hundreds of people", "Millionen Euro"."""
    for m in _VAGUE.finditer(text):
        value = VAGUE_COUNTS[" ".join(m["w"].lower().split())]
        if m["unit"]:
            kind, unit = UNITS[" ".join(m["unit"].lower().split())]
            yield _fact(text, kind, value, unit, m.start(), m.end(), approximate=True)
            continue
        noun = _count_noun(text, m.end(), language)
        if noun is not None:
            yield _fact(text, "count", value, noun[1], m.start(), noun[0], approximate=True)


_MAGNITUDE = re.compile(rf"(?i:magnitude|stärke)(?:\s+(?i:of|von))?\s+(?P<n>{DIGITS})")


def _magnitudes(text: str, language: str) -> Iterator[Fact]:
    """Earthquakes: "a magnitude 6.1 earthquake", "ein Beben der Stärke 6,1"."""
    for m in _MAGNITUDE.finditer(text):
        value = parse_number(m["n"], language)
        yield _fact(text, "quantity", value, "magnitude", m.start("n"), m.end("n"))


_FINDERS: tuple[Callable[[str, str], Iterator[Fact]], ...] = (
    _dates,
    _ages,
    _magnitudes,
    _quantities,
    _vague,
)
