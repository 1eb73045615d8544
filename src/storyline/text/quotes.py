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

import re
from dataclasses import dataclass

from storyline.text.name_lexicon import NameKind
from storyline.text.names import NameMention, find_names
from storyline.text.speech import (
    DETERMINERS,
    INDEFINITE,
    OUTLET_CUES,
    PREPOSITIONS,
    PRONOUNS,
    Item,
    People,
    Speaker,
    items,
    org_noun,
    role_noun,
    scan_quotes,
    sentences,
)
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
# How far from a reporting verb its speaker may stand, in words.
SPEAKER_WINDOW = 6
# A trailing attribution ("…, sagte Schoigu am Mittwoch in Minsk.") is at most this
# long; a longer clause after the last comma is content, not attribution.
MAX_TRAILER = 16
# ... and its reporting verb comes early in it ("…, wie unter anderem die BBC berichtete").
TRAILER_CUE_WINDOW = 7
# Indirect speech introduced by a verb: the content starts within this many items.
MAX_LEAD = 14
MIN_INDIRECT_WORDS = 3

_DE_VERBS = frozenset(
    ["sagt", "sagte", "sagten", "gesagt", "erklärt", "erklärte", "erklärten", "betont", "betonte", "betonten", "bekräftigt", "bekräftigte", "bekräftigten", "behauptet", "behauptete", "behaupteten", "warnt", "warnte", "warnten", "gewarnt", "fordert", "forderte", "forderten", "kritisiert", "kritisierte", "kritisierten", "versichert", "versicherte", "unterstrich", "unterstreicht", "bestätigt", "bestätigte", "bestätigten", "berichtet", "berichtete", "berichteten", "meinte", "meinten", "ergänzt", "ergänzte", "argumentiert", "argumentierte", "antwortete", "entgegnete", "erwiderte", "verkündet", "verkündete", "mahnte", "schrieb", "schreibt", "zitiert", "zitierte", "beklagte", "versprach", "verspricht", "vorgeworfen", "angekündigt", "mitgeteilt", "hinzugefügt", "eingeräumt", "zurückgewiesen", "bekanntgegeben", "klargestellt", "hervorgehoben"]
)
# Separable verbs count only with their particle later in the clause ("warf … vor").
_DE_SEPARABLE = {
    "warf": ("vor",), "wirft": ("vor",), "warfen": ("vor",), "kündigte": ("an",),
    "kündigt": ("an",), "kündigten": ("an",), "teilte": ("mit",), "teilt": ("mit",),
    "teilten": ("mit",), "fügte": ("hinzu",), "fügt": ("hinzu",), "räumte": ("ein",),
    "räumt": ("ein",), "wies": ("zurück", "hin"), "weist": ("zurück", "hin"),
    "gab": ("an", "bekannt", "zu"), "gibt": ("an", "bekannt", "zu"), "stellte": ("klar",),
    "stellt": ("klar",), "hob": ("hervor",), "hebt": ("hervor",),
}  # fmt: skip
_DE_NOT_SPEECH = frozenset({"ab"})  # "sagte das Treffen ab": cancelled, not said
_EN_VERBS = frozenset(
    ["said", "says", "told", "tells", "added", "adds", "claimed", "claims", "accused", "accuses", "warned", "warns", "stated", "explained", "explains", "insisted", "insists", "argued", "argues", "stressed", "stresses", "noted", "announced", "announces", "declared", "declares", "wrote", "writes", "confirmed", "confirms", "denied", "denies", "acknowledged", "admitted", "vowed", "promised", "urged", "replied", "responded", "reported", "reports", "quoted", "cited", "tweeted", "asserted", "maintained", "cautioned", "emphasised", "emphasized", "alleged", "recalled", "conceded", "complained", "predicted"]
)
_ADDRESSEE_VERBS = frozenset({"told", "tells"})  # "told Reuters": the name after is not the speaker
_PASSIVE = frozenset({"wurde", "wird", "wurden", "werden"})
_ATTRIBUTION_NOUNS = frozenset(
    {"angaben", "darstellung", "worten", "informationen", "aussage", "aussagen", "ansicht",
     "einschätzung", "auffassung"}
)  # fmt: skip
_LABEL_CUES = frozenset(
    {"als", "as", "called", "dubbed", "named", "titled", "titel", "motto", "sogenannte",
     "sogenannten", "sogenannter", "so-called", "genannt", "genannte", "genannten", "namens"}
)  # fmt: skip
_NAME_PARTICLES = frozenset({"of", "the", "and", "for", "de", "von", "der", "und", "für", "&"})
_SUBJUNCTIVE = frozenset(
    {"sei", "seien", "habe", "werde", "könne", "müsse", "solle", "wolle", "dürfe", "gebe"}
)
_CLAUSE_END = frozenset({",", ";", ":", ".", "!", "?"})
_LEFT, _RIGHT, _BOTH = "left", "right", "both"
# A dateline before the first sentence of a report: "Minsk – ", "Berlin (dpa) - ".
_DATELINE = re.compile(r"(?:[A-ZÄÖÜ][^\W\d_]+[ /]?){1,3}(?:\s*\([^)]{1,20}\))?\s+[–—-]\s+(?=[A-ZÄÖÜ])")


@dataclass(frozen=True, slots=True)
class _Cue:
    first: int
    last: int
    side: str
    word: str


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
    found: list[Quote] = []
    last: tuple[Speaker, str | None] | None = None
    previous_end = 0
    for span in sentences(text, marks):
        if "\n\n" in text[previous_end : span[0]] or "\n \n" in text[previous_end : span[0]]:
            last = None  # reported speech does not run on into a new paragraph
        previous_end = span[1]
        its = items(text, span, marks, mentions, starts)
        quotes = []
        if any(it.quote >= 0 for it in its):
            quotes = _direct(text, its, marks, people, language, last)
        if not quotes:  # no quotation marks, or only around names and labels
            quotes = _indirect(text, its, people, language, last)
        found.extend(quotes)
        spoken = [q for q in quotes if q.speaker is not None]
        last = None
        if spoken:
            last = Speaker(spoken[-1].speaker or "", spoken[-1].speaker_key), spoken[-1].via
    return found


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
    return _title_like(text[start:end])


def _title_like(content: str) -> bool:
    """ "Wind of Change Research Group", „Rheinischen Post“: a name, not speech."""
    words = content.split()
    return (
        len(words) >= 2
        and not any(ch in content for ch in ".!?,;")
        and all(w[0].isupper() or w.lower() in _NAME_PARTICLES for w in words)
    )


def _attribute(
    its: list[Item], lo: int, qi: int, hi: int, people: People, language: str
) -> tuple[Speaker | None, str | None]:
    first = qi + 1
    while first < hi and not its[first].is_word and its[first].mention is None:
        first += 1
    if first < hi and its[first].low == "so":  # „…“, so Schoigu.
        return _resolve(its, _Cue(first, first, _RIGHT, "so"), qi + 1, hi, people, language)
    for i in range(first, min(hi, first + 5)):
        cue = _cue(its, i, hi)
        if cue is not None:
            return _resolve(its, cue, qi + 1, hi, people, language)
    for i in range(qi - 1, lo - 1, -1):
        cue = _cue(its, i, qi)
        if cue is not None:
            return _resolve(its, cue, lo, qi, people, language)
    for i in range(first, hi):
        cue = _cue(its, i, hi)
        if cue is not None:
            return _resolve(its, cue, qi + 1, hi, people, language)
    # Headline attribution: „Fühlen sich wie zu Hause“: Schoigu dankt …
    after = qi + 2 if qi + 2 < len(its) and its[qi + 1].text == ":" else qi + 1
    mention = its[after].mention if after < len(its) else None
    if mention is not None and mention.kind is NameKind.PERSON:
        return people.named(mention), None
    return None, None


# --- Cues and speakers ------------------------------------------------------------------


def _cue(its: list[Item], i: int, hi: int) -> _Cue | None:
    """The reporting cue that starts at item ``i``, if any."""
    item = its[i]
    if not item.is_word:
        return None
    low = item.low
    nxt = its[i + 1].low if i + 1 < hi else ""
    if low == "according" and nxt == "to":
        return _Cue(i, i + 1, _RIGHT, low)
    if low == "laut":
        return _Cue(i, i, _RIGHT, low)
    if low == "zufolge":
        return _Cue(i, i, _LEFT, low)
    if low == "nach" and nxt in _ATTRIBUTION_NOUNS:
        last = i + 2 if i + 2 < hi and its[i + 2].low in {"von", "des", "der", "vom"} else i + 1
        return _Cue(i, last, _RIGHT, low)
    if low in {"sprach", "spricht"} and nxt == "von":  # sprach von einem „Kampf …“
        return _Cue(i, i + 1, _BOTH, low)
    if low in _EN_VERBS:
        return _Cue(i, i, _LEFT if low in _ADDRESSEE_VERBS else _BOTH, low)
    particles = _DE_SEPARABLE.get(low)
    if low in _DE_VERBS or particles:
        tail = _clause_words(its, i + 1, hi)
        if particles and not any(w in particles for w in tail[-2:]):
            return None
        if low.startswith("sagt") and tail and tail[-1] in _DE_NOT_SPEECH:
            return None
        return _Cue(i, i, _BOTH, low)
    return None


def _clause_words(its: list[Item], i: int, hi: int) -> list[str]:
    out: list[str] = []
    while i < hi and its[i].text not in _CLAUSE_END and its[i].quote < 0:
        out.append(its[i].low)
        i += 1
    return out


def _resolve(
    its: list[Item], cue: _Cue, lo: int, hi: int, people: People, language: str
) -> tuple[Speaker | None, str | None]:
    """The speaker next to ``cue`` within items [lo, hi), and an outlet as ``via``."""
    found: list[Speaker] = []
    aux = [i for i in range(lo, cue.first) if its[i].low in _PASSIVE]
    passive = cue.word.startswith("zitiert") and bool(aux)
    if cue.side != _RIGHT and not passive:
        e = cue.first - 1
        if e >= lo and its[e].text == ",":  # "Smith, the minister, said"
            e -= 1
        skipped = 0
        while e >= lo and skipped < 2 and _adverb(its[e]):
            e, skipped = e - 1, skipped + 1
        if e >= lo:
            found += _ending_at(its, e, lo, people, language)
    if all(s.outlet for s in found) and cue.side != _LEFT:
        # "wurde Schoigu von … Belta zitiert": the speaker follows the auxiliary.
        begin = aux[-1] + 1 if passive else cue.last + 1
        for j in range(begin, min(hi, begin + SPEAKER_WINDOW)):
            if its[j].text in _CLAUSE_END or its[j].quote >= 0:
                break
            found += _starting_at(its, j, hi, people, language)
            if any(not s.outlet for s in found):
                break
    speaker = next((s for s in found if not s.outlet), found[0] if found else None)
    via = _via(its, lo, hi, cue, people)
    if speaker is not None and speaker.outlet and speaker.key is not None:
        via = speaker.text
    return speaker, via


def _via(its: list[Item], lo: int, hi: int, cue: _Cue, people: People) -> str | None:
    """The agency or outlet a statement passed through: a known outlet, a name after
    "told", or a quoted title after an article ("der „Rheinischen Post“")."""
    for i in range(lo, hi):
        it = its[i]
        before = its[i - 1].low if i > lo else ""
        told = cue.word in _ADDRESSEE_VERBS and i in (cue.last + 1, cue.last + 2)
        if it.mention is not None and (
            people.is_outlet(it.mention) or (told and it.mention.kind is not NameKind.PERSON)
        ):
            return people.named(it.mention).text
        if it.quote >= 0 and (before in DETERMINERS or told) and _title_like(it.text[1:-1]):
            return it.text[1:-1].strip()
    return None


def _adverb(item: Item) -> bool:
    low = item.low
    return (
        item.is_word
        and item.text.islower()
        and low not in PRONOUNS | DETERMINERS | INDEFINITE | PREPOSITIONS
    )


def _ending_at(
    its: list[Item], e: int, lo: int, people: People, language: str
) -> list[Speaker]:
    item = its[e]
    if item.mention is None and e - 1 >= lo and its[e - 1].mention is not None:
        # "the AP news agency", "die Regierung Meloni" read as the name they contain
        if org_noun(item, language) or role_noun(item, language) is not None:
            return _named(its[e - 1].mention, people)
    if e - 2 >= lo and its[e - 2].mention is not None and its[e - 1].text.islower():
        if org_noun(item, language):
            return _named(its[e - 2].mention, people)
    if item.mention is not None:
        k = e - 1
        if k >= lo and its[k].low in DETERMINERS:
            k -= 1
        if k >= lo and its[k].low in PREPOSITIONS:
            return []  # "bei einem Treffen mit Lukaschenko sagte …"
        return _named(item.mention, people)
    if item.low in PRONOUNS:
        return _pronoun(item, people)
    k = e
    while k - 1 >= lo and e - k < 4 and its[k - 1].is_word:
        if its[k - 1].low in DETERMINERS | INDEFINITE:
            k -= 1
            break
        if not its[k - 1].text.islower():
            break
        k -= 1
    return _noun_phrase(its, k, e, people, language)


def _starting_at(
    its: list[Item], j: int, hi: int, people: People, language: str
) -> list[Speaker]:
    item = its[j]
    if item.mention is not None:
        return _named(item.mention, people)
    if item.low in PRONOUNS:
        return _pronoun(item, people)
    if item.low not in DETERMINERS | INDEFINITE:
        if role_noun(item, language) is None and not org_noun(item, language):
            return []
        # a bare title or institution: "Minister Chrenin", "nach Angaben des Betriebsrats"
        if j + 1 < hi and its[j + 1].mention is not None:
            return _named(its[j + 1].mention, people)
        return _noun_phrase(its, j, j, people, language)
    head = -1
    for e in range(j + 1, min(hi, j + 6)):
        if its[e].mention is not None:
            # "der Regierungschef Golowtschenko", "die Vorsitzende Richterin Katrin Sommer"
            return _named(its[e].mention, people)
        if not its[e].is_word or its[e].low in DETERMINERS | INDEFINITE | PREPOSITIONS:
            break
        if role_noun(its[e], language) is not None or org_noun(its[e], language):
            head = e
        elif head >= 0:
            break
    return _noun_phrase(its, j, head, people, language) if head >= 0 else []


def _named(mention: NameMention | None, people: People) -> list[Speaker]:
    if mention is None or mention.kind is NameKind.PLACE:
        return []
    speaker = people.named(mention)
    return [Speaker(speaker.text, speaker.key, people.is_outlet(mention))]


def _pronoun(item: Item, people: People) -> list[Speaker]:
    speaker = people.latest(item.start)
    return [speaker] if speaker is not None else []


def _noun_phrase(
    its: list[Item], k: int, e: int, people: People, language: str
) -> list[Speaker]:
    """"der Minister" -> the last minister; "ein Sprecher", "police" -> that phrase."""
    head = its[e]
    role = role_noun(head, language)
    org = role is None and org_noun(head, language)
    if role is None and not org:
        return []
    phrase = " ".join(it.text for it in its[k : e + 1])
    definite = its[k].low in DETERMINERS
    if org:
        noun = lemma(head.text, language)
        named = people.latest_org(its[k].start, noun) if definite else None
        if named is not None:
            return [named]
        return [Speaker(phrase, None, outlet=noun.endswith(OUTLET_CUES))]
    if definite:
        resolved = people.latest(its[k].start, role or None)
        if resolved is not None:
            return [resolved]
    speaker = Speaker(phrase, None)
    people.note(its[k].start, speaker)
    return [speaker]


# --- Indirect speech --------------------------------------------------------------------


def _indirect(
    text: str,
    its: list[Item],
    people: People,
    language: str,
    last: tuple[Speaker, str | None] | None,
) -> list[Quote]:
    n = len(its)
    # "…, sagte Schoigu am Mittwoch." / "…, according to the ministry."
    for c in range(n - 1, 0, -1):
        if n - c > MAX_TRAILER:
            break
        if its[c].text != ",":
            continue
        first = c + 1
        if first < n and its[first].low in {"wie", "as"}:
            first += 1
        if first < n and its[first].low == "so":
            cue: _Cue | None = _Cue(first, first, _RIGHT, "so")
        else:
            window = range(first, min(n, first + TRAILER_CUE_WINDOW))
            cue = next((q for i in window if (q := _cue(its, i, n))), None)
        if cue is not None:
            speaker, via = _resolve(its, cue, c + 1, n, people, language)
            if speaker is not None:
                return _content(text, its[0].start, its[c].start, speaker, via)
    # "Schoigu sagte, dass …" / "Smith said that …" / "Laut Belta …" / "According to X, …"
    for i in range(min(n, MAX_LEAD)):
        cue = _cue(its, i, n)
        if cue is None:
            continue
        speaker, via = _resolve(its, cue, 0, n, people, language)
        if speaker is None:
            continue
        begin = _content_start(its, cue, language)
        if begin is not None and begin < n:
            return _content(text, its[begin].start, its[-1].end, speaker, via)
    if language == "de" and last is not None and _subjunctive(its):
        return _content(text, its[0].start, its[-1].end, *last)
    return []


def _content_start(its: list[Item], cue: _Cue, language: str) -> int | None:
    n = len(its)
    j = cue.last + 1
    if cue.word in {"laut", "according", "nach", "zufolge"} and cue.first > 0:
        if cue.word == "zufolge" or its[cue.first - 1].text != ",":
            return 0  # "Der Schaden beläuft sich laut Gericht auf …": all of it
    if cue.word in {"laut", "according", "nach"}:
        for k in range(j, min(n, j + 8)):
            if its[k].text == ",":
                return k + 1
        named = [k for k in range(j, min(n, j + 4)) if its[k].mention is not None]
        return named[0] + 1 if named else None
    if cue.word == "zufolge":
        return j + (j < n and its[j].text == ",")
    for k in range(j, min(n, j + MAX_LEAD)):
        if its[k].quote >= 0:
            return None
        low = its[k].low
        if low == "that":
            return k + 1
        if its[k].text in {",", ":"}:
            after = its[k + 1].low if k + 1 < n else ""
            if after in {"dass", "ob", "that"}:
                return k + 2
            if its[k].text == ":" or cue.word in _DE_SEPARABLE or _subjunctive(its[k + 1 :]):
                return k + 1
            return None if language == "de" else k + 1
        if its[k].text in _CLAUSE_END:
            break
    if language == "de" or cue.word not in _EN_VERBS:
        return None
    if cue.word in _ADDRESSEE_VERBS:
        j += 1  # "told Reuters the talks failed"
    return j


def _subjunctive(its: list[Item]) -> bool:
    """A German subjunctive I form, the mark of reported speech ("sei", "versuche")."""
    for it in its:
        low = it.text
        if not it.is_word or not low.islower() or not low.endswith("e"):
            continue
        if low in _SUBJUNCTIVE:
            return True
        base = lemma(low, "de")
        if len(low) >= 5 and base.endswith("en") and low == base[:-1]:
            return True
    return False


def _content(
    text: str, start: int, end: int, speaker: Speaker, via: str | None
) -> list[Quote]:
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
