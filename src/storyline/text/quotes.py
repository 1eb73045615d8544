"""Quotes and who said them, in German and English, from the text alone.

Direct quotes are found by their quotation marks (``speech.scan_quotes``); indirect
speech by a reporting verb at a clause boundary ("…, sagte Schoigu", "Schoigu sagte,
dass …", "X said that …", "according to X, …") and, in German, by the subjunctive
that carries reported speech on into the next sentence. The speaker is the name,
pronoun or title next to the reporting verb, resolved to a name key where the text
allows ("er", "der Minister", "the minister" -> the most recent matching person); a
news agency or outlet in the same clause is the quote's ``via``.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from storyline.text.attribution import (
    ADDRESSEE_VERBS,
    CLAUSE_END,
    EN_VERBS,
    RIGHT,
    SEPARABLE,
    Cue,
    cue_positions,
    find_cue,
    resolve,
    starting_at,
    title_like,
    unnamed,
)
from storyline.text.name_lexicon import NameKind
from storyline.text.names import NameMention, find_names
from storyline.text.speakers import (
    ADVERBS,
    DETERMINERS,
    PREPOSITIONS,
    PRONOUNS,
    People,
    Speaker,
)
from storyline.text.speech import Item, items, scan_quotes, sentences
from storyline.text.tokens import lemma, tokenize

__all__ = ["Quote", "find_quotes"]


@dataclass(frozen=True, slots=True)
class Quote:
    """A quotation: ``text`` is ``source[start:end]``; the speaker's key may be None."""

    text: str
    speaker: str | None
    speaker_key: str | None
    via: str | None
    start: int
    end: int
    direct: bool


# A direct quote with no speaker is kept only if it is this long: shorter quoted
# phrases without a reporting verb are scare quotes and titles ("letzte Diktator").
MIN_SPEECH_WORDS = 4
# A reporting verb right after a quote comes within this many items ("…," the
# former minister said; „…“, sagte am Abend der Minister).
AFTER_QUOTE_CUE_WINDOW = 5
# A trailing attribution ("…, sagte Schoigu am Mittwoch in Minsk.") is at most this
# long, up to the next comma; a longer clause is content, not attribution.
MAX_TRAILER = 16
# ... and its reporting verb comes early in it ("…, wie unter anderem die BBC berichtete").
TRAILER_CUE_WINDOW = 7
# Indirect speech introduced by a verb: the content starts within this many items.
MAX_LEAD = 14
# Reported content shorter than this is no statement ("He said goodbye.").
MIN_INDIRECT_WORDS = 3

_LABEL_CUES = frozenset(
    {"als", "as", "called", "dubbed", "named", "titled", "titel", "motto", "sogenannte",
     "sogenannten", "sogenannter", "so-called", "genannt", "genannte", "genannten", "namens"}
)  # fmt: skip
# German subjunctive I forms that carry reported speech ("Er sagte, er sei bereit").
_SUBJUNCTIVE = frozenset(
    {"sei", "seien", "habe", "werde", "könne", "müsse", "solle", "wolle", "dürfe", "gebe"}
)
# A dateline before the first sentence of a report: "Minsk – ", "Berlin (dpa) - ".
_DATELINE = re.compile(
    r"(?:(?:[A-ZÄÖÜ][^\W\d_]+[ /]?){1,3}(?:\s*\([^)]{1,20}\))?|[A-ZÄÖÜ][^\n()]{0,40}\([^)]{1,20}\))"
    r"\s+[–—-]\s+(?=[A-ZÄÖÜ])"
)


def find_quotes(text: str, language: str, names: list[NameMention] | None = None) -> list[Quote]:
    """Direct and indirect quotes in ``text``, in text order, with their speakers.

    ``names`` are the text's name mentions (``find_names``); computed when not given.
    """
    if names is None:
        names = find_names(text, list(tokenize(text, language)), language)
    mentions = _non_overlapping(names)
    people = People(text, mentions, language)
    marks = scan_quotes(text)
    starts = [m.start for m in mentions]
    cues = cue_positions(text)
    found: list[Quote] = []
    last: tuple[Speaker, str | None] | None = None
    previous_end = 0
    for span in sentences(text, marks):
        if "\n\n" in text[previous_end : span[0]] or "\n \n" in text[previous_end : span[0]]:
            last = None  # reported speech does not run on into a new paragraph
        previous_end = span[1]
        if last is None and not _worth_reading(span, marks, cues):
            continue  # no quotation mark, no reporting word: nothing to find
        its = items(text, span, marks, mentions, starts)
        quotes = []
        if any(it.quote >= 0 for it in its):
            quotes = _direct(text, its, marks, people, language, last)
        if all(len(q.text.split()) < MIN_SPEECH_WORDS for q in quotes):
            # no quotation marks, marks around names and labels only, or a few quoted
            # words inside reported speech ("told analysts the airline had "no choice"")
            reported = _indirect(text, its, people, language, last)
            if reported and all(
                r.start <= q.start and q.end <= r.end for q in quotes for r in reported
            ):
                quotes = reported
        found.extend(quotes)
        spoken = [q for q in quotes if q.speaker is not None]
        last = None
        if spoken:
            last = Speaker(spoken[-1].speaker or "", spoken[-1].speaker_key), spoken[-1].via
    return found


def _worth_reading(span: tuple[int, int], marks: list[tuple[int, int]], cues: list[int]) -> bool:
    k = bisect.bisect_left(marks, (span[0], -1))
    if k < len(marks) and marks[k][0] < span[1]:
        return True
    c = bisect.bisect_left(cues, span[0])
    return c < len(cues) and cues[c] < span[1]


def _non_overlapping(names: list[NameMention]) -> list[NameMention]:
    out: list[NameMention] = []
    for m in sorted(names, key=lambda m: (m.start, -m.end)):
        if m.end > m.start and (not out or m.start >= out[-1].end):
            out.append(m)
    return out


# --- Direct quotes ----------------------------------------------------------------------


def _direct(
    text: str,
    its: list[Item],
    marks: list[tuple[int, int]],
    people: People,
    language: str,
    last: tuple[Speaker, str | None] | None,
) -> list[Quote]:
    at = [i for i, it in enumerate(its) if it.quote >= 0]
    only_quotes = all(it.quote >= 0 or not it.is_word for it in its)
    out: list[Quote] = []
    for n, qi in enumerate(at):
        opened, closed = marks[its[qi].quote]
        start, end = _strip(text, opened + 1, closed, ",;: \t\n")
        if start >= end or not any(ch.isalpha() for ch in text[start:end]):
            continue
        if _label(text, its, qi, start, end):
            continue
        lo = at[n - 1] + 1 if n else 0
        hi = at[n + 1] if n + 1 < len(at) else len(its)
        speaker, via = _attribute(its, lo, qi, hi, people, language)
        if speaker is None and out and out[-1].speaker is not None:
            speaker, via = Speaker(out[-1].speaker, out[-1].speaker_key), out[-1].via
        if speaker is None and only_quotes and last is not None:
            speaker, via = last
        if speaker is None and len(text[start:end].split()) < MIN_SPEECH_WORDS:
            continue
        out.append(_quote(text, start, end, speaker, via, direct=True))
    return out


def _label(text: str, its: list[Item], qi: int, start: int, end: int) -> bool:
    """A quoted name or label, not speech: "the so-called 'X'", „Bild“-Zeitung, titles."""
    before = its[qi - 1].low if qi > 0 else ""
    if before in _LABEL_CUES or text[its[qi].end : its[qi].end + 1] == "-":
        return True
    return title_like(text[start:end])


def _attribute(
    its: list[Item], lo: int, qi: int, hi: int, people: People, language: str
) -> tuple[Speaker | None, str | None]:
    first = qi + 1
    while first < hi and not its[first].is_word and its[first].mention is None:
        first += 1
    if first < hi and its[first].low == "so":  # „…“, so Schoigu.
        return resolve(its, Cue(first, first, RIGHT, "so"), qi + 1, hi, people, language)
    for i in range(first, min(hi, first + AFTER_QUOTE_CUE_WINDOW)):
        cue = find_cue(its, i, hi)
        if cue is not None:
            return resolve(its, cue, qi + 1, hi, people, language)
    for i in range(qi - 1, lo - 1, -1):
        cue = find_cue(its, i, qi)
        if cue is not None:
            return resolve(its, cue, lo, qi, people, language)
    for i in range(first, hi):
        cue = find_cue(its, i, hi)
        if cue is not None:
            return resolve(its, cue, qi + 1, hi, people, language)
    # Headline attribution: „Fühlen sich wie zu Hause“: Schoigu dankt …
    after = qi + 2 if qi + 2 < len(its) and its[qi + 1].text == ":" else qi + 1
    mention = its[after].mention if after < len(its) else None
    if mention is not None and mention.kind is NameKind.PERSON:
        return people.named(mention), None
    return None, None


# --- Indirect speech --------------------------------------------------------------------


def _indirect(
    text: str,
    its: list[Item],
    people: People,
    language: str,
    last: tuple[Speaker, str | None] | None,
) -> list[Quote]:
    n = len(its)
    attributed = False
    # "…, sagte Schoigu am Mittwoch." / "…, according to the ministry."
    for c in range(n - 1, 0, -1):
        if its[c].text != ",":
            continue
        end = next((k for k in range(c + 1, n) if its[k].text in {",", ";"}), n)
        if end - c > MAX_TRAILER:
            continue
        first = c + 1
        if first < end and its[first].low in {"wie", "as"}:
            first += 1
        if first < end and its[first].low == "so":
            cue: Cue | None = Cue(first, first, RIGHT, "so")
        else:
            window = range(first, min(end, first + TRAILER_CUE_WINDOW))
            cue = next((q for i in window if (q := find_cue(its, i, end))), None)
        if cue is not None and (cue.word == "so" or _trailer(its, cue, end, people, language)):
            attributed = True
            speaker, via = resolve(its, cue, c + 1, end, people, language)
            speaker = speaker or unnamed(its, cue, c + 1, end)
            if speaker is not None:
                apposed = _apposed(its, c, people)
                if apposed is not None:  # "…, Enio Cubillo, director of X, said"
                    c, speaker = apposed
                colon = [i for i in range(c) if its[i].text == ":"]
                begin = its[colon[-1] + 1].start if colon else its[0].start
                return _content(text, begin, its[c].start, speaker, via)
    # "Schoigu sagte, dass …" / "Smith said that …" / "Laut Belta …" / "According to X, …"
    for i in range(min(n, MAX_LEAD)):
        cue = find_cue(its, i, n)
        if cue is None:
            continue
        speaker, via = resolve(its, cue, 0, n, people, language)
        if speaker is None:
            continue
        said = _content_start(its, cue, language, people)
        if said is not None and said < n:
            return _content(text, its[said].start, its[-1].end, speaker, via)
    if language == "de" and last is not None and not attributed and _subjunctive(its):
        return _content(text, its[0].start, its[-1].end, *last)
    return []


def _apposed(its: list[Item], c: int, people: People) -> tuple[int, Speaker] | None:
    """A person named between two commas before an apposition that the verb follows."""
    if c >= 3 and its[c - 2].text == ",":
        mention = its[c - 1].mention
        if mention is not None and mention.kind is NameKind.PERSON:
            return c - 2, people.named(mention)
    return None


def _trailer(its: list[Item], cue: Cue, n: int, people: People, language: str) -> bool:
    """Whether the words after a verb end an attribution ("…, X said on Monday") rather
    than start what was said ("…, Varga said the gap had widened")."""
    if language == "de":
        return True  # a verb right after a comma opens an attribution: "…, teilte X mit"
    j = cue.last + 1
    if cue.word in ADDRESSEE_VERBS:
        j += 1 + (j < n and its[j].low in DETERMINERS)  # "told (the) Reuters"
    if j >= n or not its[j].is_word or its[j].mention is not None:
        return True
    low = its[j].low
    return (
        low in PREPOSITIONS | ADVERBS | PRONOUNS
        or low.endswith("ing")
        or bool(starting_at(its, j, n, people, language))
    )


def _content_start(its: list[Item], cue: Cue, language: str, people: People) -> int | None:
    n = len(its)
    j = cue.last + 1
    if (
        cue.word in {"laut", "according", "nach", "zufolge"}
        and cue.first > 0
        and (cue.word == "zufolge" or its[cue.first - 1].text != ",")
    ):
        return 0  # "Der Schaden beläuft sich laut Gericht auf …": all of it
    if cue.word in {"laut", "according", "nach"}:
        for k in range(j, min(n, j + 8)):
            if its[k].text == ",":
                return k + 1
        named = [k for k in range(j, min(n, j + 4)) if its[k].mention is not None]
        if named:
            return named[0] + 1
        # the verb after "Nach Angaben des Betriebsrats": the first lower-case word
        verbs = [k for k in range(j, min(n, j + 6)) if its[k].text.islower()]
        return next((k for k in verbs if its[k].low not in DETERMINERS | PREPOSITIONS), None)
    if cue.word == "zufolge":
        return j + (j < n and its[j].text == ",")
    for k in range(j, min(n, j + MAX_LEAD)):
        low = its[k].low
        if low == "that":
            return k + 1
        if its[k].text in {",", ":"}:
            after = its[k + 1].low if k + 1 < n else ""
            if after in {"dass", "ob", "that"}:
                return k + 2
            if its[k].text == ":" or cue.word in SEPARABLE or _subjunctive(its[k + 1 :]):
                return k + 1
            if k == j or (k - j <= 3 and starting_at(its, j, k, people, language)):
                return k + 1  # "Stern sagte, es fehlten …": the clause right after the verb
            return None if language == "de" else k + 1
        if its[k].text in CLAUSE_END:
            break
    if language == "de" or cue.word not in EN_VERBS:
        return None
    if cue.word in ADDRESSEE_VERBS:
        j += 1  # "told Reuters the talks failed"
    return j


def _subjunctive(its: list[Item]) -> bool:
    """A German subjunctive I form, the mark of reported speech ("sei", "versuche")."""
    for it in its:
        low = it.text
        if not it.is_word or not low.islower():
            continue
        if low in _SUBJUNCTIVE:
            return True
        if not low.endswith("e"):
            continue
        base = lemma(low, "de")
        if len(low) >= 5 and base.endswith("en") and low == base[:-1]:
            return True
    return False


def _content(text: str, start: int, end: int, speaker: Speaker, via: str | None) -> list[Quote]:
    start, end = _strip(text, start, end, " \t\n,;:.–-\"'„“”«»‚‘’")
    dateline = _DATELINE.match(text, start, end)
    if dateline is not None:
        start = dateline.end()
    if len(text[start:end].split()) < MIN_INDIRECT_WORDS:
        return []
    return [_quote(text, start, end, speaker, via, direct=False)]


def _strip(text: str, start: int, end: int, chars: str) -> tuple[int, int]:
    while start < end and text[start] in chars:
        start += 1
    while end > start and text[end - 1] in chars:
        end -= 1
    return start, end


def _quote(
    text: str, start: int, end: int, speaker: Speaker | None, via: str | None, *, direct: bool
) -> Quote:
    return Quote(
        text=text[start:end],
        speaker=speaker.text if speaker else None,
        speaker_key=speaker.key if speaker else None,
        via=via,
        start=start,
        end=end,
        direct=direct,
    )
