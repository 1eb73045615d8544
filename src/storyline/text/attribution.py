"""Who said it: the reporting cue next to a quote and the speaker next to the cue.

A cue is a reporting verb ("sagte", "warf … vor", "told"), a phrase ("laut",
"zufolge", "nach Angaben von", "according to") or "so" after a quote. ``resolve``
looks for the speaker on the side of the cue where the language puts it — a name,
a pronoun, or a title ("der Minister", "a spokesman for the operator") — and for an
agency or outlet in the same clause, the statement's ``via``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from storyline.text.name_lexicon import NameKind
from storyline.text.names import NameMention
from storyline.text.speakers import (
    ADVERBS,
    COMPANY_NOUNS,
    DETERMINERS,
    INDEFINITE,
    OUTLET_CUES,
    OUTLET_KEYS,
    PREPOSITIONS,
    PRONOUNS,
    People,
    Speaker,
    org_noun,
    role_noun,
)
from storyline.text.speech import Item
from storyline.text.tokens import lemma

# How far from a reporting verb its speaker may stand, in words.
SPEAKER_WINDOW = 6

DE_VERBS = frozenset(
    {"sagt", "sagte", "sagten", "gesagt", "erklärt", "erklärte", "erklärten", "betont",
     "betonte", "betonten", "bekräftigt", "bekräftigte", "bekräftigten", "behauptet",
     "behauptete", "behaupteten", "warnt", "warnte", "warnten", "gewarnt", "fordert", "forderte",
     "forderten", "kritisiert", "kritisierte", "kritisierten", "versichert", "versicherte",
     "unterstrich", "unterstreicht", "bestätigt", "bestätigte", "bestätigten", "berichtet",
     "berichtete", "berichteten", "meinte", "meinten", "ergänzt", "ergänzte", "argumentiert",
     "argumentierte", "antwortete", "entgegnete", "erwiderte", "verkündet", "verkündete",
     "mahnte", "schrieb", "schreibt", "zitiert", "zitierte", "beklagte", "versprach",
     "verspricht", "vorgeworfen", "angekündigt", "mitgeteilt", "hinzugefügt", "eingeräumt",
     "zurückgewiesen", "bekanntgegeben", "klargestellt", "hervorgehoben"}
)  # fmt: skip

# Separable verbs count only with their particle later in the clause ("warf … vor").
SEPARABLE = {
    "warf": ("vor",), "wirft": ("vor",), "warfen": ("vor",), "kündigte": ("an",),
    "kündigt": ("an",), "kündigten": ("an",), "teilte": ("mit",), "teilt": ("mit",),
    "teilten": ("mit",), "fügte": ("hinzu",), "fügt": ("hinzu",), "räumte": ("ein",),
    "räumt": ("ein",), "wies": ("zurück", "hin"), "weist": ("zurück", "hin"),
    "gab": ("an", "bekannt", "zu"), "gibt": ("an", "bekannt", "zu"), "stellte": ("klar",),
    "stellt": ("klar",), "hob": ("hervor",), "hebt": ("hervor",),
}  # fmt: skip

_DE_NOT_SPEECH = frozenset({"ab"})  # "sagte das Treffen ab": cancelled, not said

EN_VERBS = frozenset(
    {"said", "says", "told", "tells", "added", "adds", "claimed", "claims", "accused", "accuses",
     "warned", "warns", "stated", "explained", "explains", "insisted", "insists", "argued",
     "argues", "stressed", "stresses", "noted", "announced", "announces", "declared", "declares",
     "wrote", "writes", "confirmed", "confirms", "denied", "denies", "acknowledged", "admitted",
     "vowed", "promised", "urged", "replied", "responded", "reported", "reports", "quoted",
     "cited", "tweeted", "asserted", "maintained", "cautioned", "emphasised", "emphasized",
     "alleged", "recalled", "conceded", "complained", "predicted"}
)  # fmt: skip

ADDRESSEE_VERBS = frozenset({"told", "tells"})  # "told Reuters": the name after is not the speaker

_PASSIVE = frozenset({"wurde", "wird", "wurden", "werden"})

_ATTRIBUTION_NOUNS = frozenset(
    {"angaben", "darstellung", "worten", "informationen", "aussage", "aussagen", "ansicht",
     "einschätzung", "auffassung"}
)  # fmt: skip

CLAUSE_END = frozenset({",", ";", ":", ".", "!", "?"})

LEFT, RIGHT, BOTH = "left", "right", "both"

_GENITIVE = frozenset({"des", "der"})

# Verbs and phrases whose subject may be an outlet ("berichtete die BBC", "so Tass");
# after the others an outlet is who was told ("sagte dem Sender RBB").
_REPORTING = frozenset(
    {"berichtet", "berichtete", "berichteten", "schrieb", "schreibt", "zitiert", "zitierte",
     "reported", "reports", "wrote", "writes", "quoted", "cited", "tweeted", "so", "laut",
     "according", "zufolge", "nach"}
)  # fmt: skip

# Outlets written as short acronyms: "dpa", "AFP", "epd".
ACRONYM = 5
_NOT_MODIFIERS = PREPOSITIONS | ADVERBS | {"and", "or", "und", "oder", "but", "aber"}

_OF = frozenset({"for", "of", "at", "from", "bei", "von"})

_NAME_PARTICLES = frozenset({"of", "the", "and", "for", "de", "von", "der", "und", "für", "&"})


# Any word a cue can start with; a sentence without one holds no indirect speech.
_CUE_WORDS = frozenset(
    DE_VERBS | EN_VERBS | set(SEPARABLE) | {"according", "laut", "zufolge", "sprach", "spricht"}
)
_WORD = re.compile(r"[^\W\d_]+")
_PHRASE_CUE = re.compile(
    r"(?i:nach\s+(?:" + "|".join(sorted(_ATTRIBUTION_NOUNS)) + r")|,\s+(?:so|wie|as)\s)"
)


def cue_positions(text: str) -> list[int]:
    """Where the words that can start a reporting cue stand, in text order: a sentence
    with none of them holds no indirect speech."""
    words = [m.start() for m in _WORD.finditer(text) if m.group().lower() in _CUE_WORDS]
    return sorted(words + [m.start() for m in _PHRASE_CUE.finditer(text)])


@dataclass(frozen=True, slots=True)
class Cue:
    """A reporting cue over items ``first``..``last``; ``side`` is where its speaker
    stands (left, right or either) and ``word`` its first word, lowercased."""

    first: int
    last: int
    side: str
    word: str


def find_cue(its: list[Item], i: int, hi: int) -> Cue | None:
    """The reporting cue that starts at item ``i``, if any."""
    item = its[i]
    if not item.is_word:
        return None
    low = item.low
    nxt = its[i + 1].low if i + 1 < hi else ""
    if low == "according" and nxt == "to":
        return Cue(i, i + 1, RIGHT, low)
    if low == "laut":
        return Cue(i, i, RIGHT, low)
    if low == "zufolge":
        return Cue(i, i, LEFT, low)
    if low == "nach" and nxt in _ATTRIBUTION_NOUNS:
        last = i + 2 if i + 2 < hi and its[i + 2].low in {"von", "des", "der", "vom"} else i + 1
        return Cue(i, last, RIGHT, low)
    if low in {"sprach", "spricht"} and nxt == "von":  # sprach von einem „Kampf …“
        return Cue(i, i + 1, BOTH, low)
    if low in EN_VERBS:
        return Cue(i, i, LEFT if low in ADDRESSEE_VERBS else BOTH, low)
    particles = SEPARABLE.get(low)
    if low in DE_VERBS or particles:
        tail = _clause_words(its, i + 1, hi)
        if particles and not any(w in particles for w in tail[-2:]):
            return None
        if low.startswith("sagt") and _DE_NOT_SPEECH & set(tail[:4]):
            return None
        return Cue(i, i, BOTH, low)
    return None


def _clause_words(its: list[Item], i: int, hi: int) -> list[str]:
    out: list[str] = []
    while i < hi and its[i].text not in CLAUSE_END and its[i].quote < 0:
        out.append(its[i].low)
        i += 1
    return out


def unnamed(its: list[Item], cue: Cue, lo: int, hi: int) -> Speaker | None:
    """A speaker the text does not name and no lexicon knows, by its noun phrase:
    "teilte der Hochwassernachrichtendienst mit", "the organisers said"."""
    j = cue.last + 1
    if j < hi and its[j].low in DETERMINERS:
        for e in range(j + 1, min(hi, j + 4)):
            if not its[e].is_word:
                break
            if its[e].text[:1].isupper():
                return Speaker(" ".join(it.text for it in its[j : e + 1]), None)
    e = cue.first - 1
    if e >= lo and its[e].is_word and its[e].text.islower() and its[e].low.endswith("s"):
        k = e - 1 if e - 1 >= lo and its[e - 1].low in DETERMINERS else e
        return Speaker(" ".join(it.text for it in its[k : e + 1]), None)  # "organisers said"
    return None


def resolve(
    its: list[Item], cue: Cue, lo: int, hi: int, people: People, language: str
) -> tuple[Speaker | None, str | None]:
    """The speaker next to ``cue`` within items [lo, hi), and an outlet as ``via``."""
    found: list[Speaker] = []
    aux = [i for i in range(lo, cue.first) if its[i].low in _PASSIVE]
    passive = cue.word.startswith("zitiert") and bool(aux)
    if cue.side != RIGHT and not passive:
        e = cue.first - 1
        skipped = 0
        while e >= lo and skipped < 2 and _adverb(its[e]):
            e, skipped = e - 1, skipped + 1
        comma = e >= lo and its[e].text == ","
        if comma:  # "Smith, the minister, said"
            e -= 1
        if e >= lo:
            found += _ending_at(its, e, lo, people, language)
        if comma and not any(s.key for s in found):
            # "Pam Kravitz, a friend of the family, told …": the name before the apposition
            opening = [k for k in range(max(lo, e - 10), e) if its[k].text == ","]
            if opening and opening[-1] - 1 >= lo:
                named = _ending_at(its, opening[-1] - 1, lo, people, language)
                found = [s for s in named if s.key] + found
    if all(s.outlet or s.place for s in found) and cue.side != LEFT:
        # "wurde Schoigu von … Belta zitiert": the speaker follows the auxiliary.
        begin = aux[-1] + 1 if passive else cue.last + 1
        for j in range(begin, min(hi, begin + SPEAKER_WINDOW)):
            low = its[j].low
            if its[j].text in CLAUSE_END or its[j].quote >= 0:
                break
            if low in PREPOSITIONS and low not in INDEFINITE and j > begin:
                break  # "wrote in a Facebook post": not the speaker
            after = starting_at(its, j, hi, people, language)
            if cue.word not in _REPORTING:
                after = [s for s in after if not s.outlet]  # "sagte … dem Sender RBB"
            found += after
            if any(not s.outlet and not s.place for s in found):
                break
    ranked = sorted(found, key=lambda s: (s.outlet, s.place))  # stable: nearest first
    speaker = ranked[0] if ranked else None
    via = _via(its, lo, hi, cue, people)
    if speaker is not None and speaker.outlet and speaker.key is not None:
        via = speaker.text
    return speaker, via


def _via(its: list[Item], lo: int, hi: int, cue: Cue, people: People) -> str | None:
    """The agency or outlet a statement passed through: a known outlet, a name after
    "told", or a quoted title after an article ("der „Rheinischen Post“")."""
    for i in range(lo, hi):
        it = its[i]
        before = its[i - 1].low if i > lo else ""
        told = cue.word in ADDRESSEE_VERBS and i in (cue.last + 1, cue.last + 2)
        # after "told", a name that is not a person, or any name after "the", is an outlet
        told_outlet = told and (
            (it.mention is not None and it.mention.kind is not NameKind.PERSON) or before == "the"
        )
        if it.mention is not None and (people.is_outlet(it.mention) or told_outlet):
            return people.named(it.mention).text
        if it.quote >= 0 and (before in DETERMINERS or told) and title_like(it.text[1:-1]):
            return it.text[1:-1].strip()
        if (
            it.mention is None
            and it.is_word
            and it.low in OUTLET_KEYS
            and (
                before.endswith(OUTLET_CUES)
                or (len(it.text) <= ACRONYM and it.text in (it.low, it.text.upper()))
            )
        ):
            return it.text  # "der Nachrichtenagentur dpa" where no name was found
    return None


def title_like(content: str) -> bool:
    """ "Wind of Change Research Group", „Rheinischen Post“: a name, not speech."""
    words = content.split()
    return (
        len(words) >= 2
        and not any(ch in content for ch in ".!?,;")
        and all(w[0].isupper() or w.lower() in _NAME_PARTICLES for w in words)
    )


def _adverb(item: Item) -> bool:
    return item.is_word and (
        item.low in ADVERBS or (item.low.endswith("ly") and item.text.islower())
    )


def _ending_at(its: list[Item], e: int, lo: int, people: People, language: str) -> list[Speaker]:
    item = its[e]
    # "the AP news agency", "die Regierung Meloni": read as the name they contain
    noun = org_noun(item, language) or role_noun(item, language) is not None
    if item.mention is None and e - 1 >= lo and its[e - 1].mention is not None and noun:
        named = _named(its[e - 1].mention, people)
        if named:
            return named
    if (
        e - 2 >= lo
        and its[e - 2].mention is not None
        and its[e - 1].text.islower()
        and org_noun(item, language)
    ):
        named = _named(its[e - 2].mention, people)
        if named:
            return named
    if item.mention is not None:
        k = e - 1
        if k >= lo and its[k].low in DETERMINERS:
            k -= 1
        if k >= lo and its[k].low in PREPOSITIONS:
            owner = _owner(its, k, lo, people, language)
            return owner  # "a spokesman for Meridian Bank"; not "mit Lukaschenko sagte"
        return _named(item.mention, people, place=True)
    if item.low in PRONOUNS:
        return _pronoun(item, people)
    k = e
    while k - 1 >= lo and e - k < 4 and its[k - 1].is_word:
        low = its[k - 1].low
        if low in DETERMINERS | INDEFINITE:
            k -= 1
            break
        if not its[k - 1].text.islower() or low in _NOT_MODIFIERS or low.endswith("ed"):
            break  # "volunteered for various organisations" is no noun phrase
        k -= 1
    if its[k].low in _GENITIVE and k - 1 >= lo and role_noun(its[k - 1], language) is not None:
        return _ending_at(its, k - 1, lo, people, language)  # "ein Sprecher des Ministeriums"
    if k - 1 >= lo and its[k - 1].low in PREPOSITIONS:
        owner = _owner(its, k - 1, lo, people, language)
        if owner:
            return owner  # "a spokesman for the operator"
    return _noun_phrase(its, k, e, people, language)


def _owner(its: list[Item], p: int, lo: int, people: People, language: str) -> list[Speaker]:
    """The title before a "for"/"of" phrase: "a spokesman [for the operator]"."""
    if its[p].low in _OF and p - 1 >= lo and role_noun(its[p - 1], language) is not None:
        return _ending_at(its, p - 1, lo, people, language)
    return []


def starting_at(its: list[Item], j: int, hi: int, people: People, language: str) -> list[Speaker]:
    item = its[j]
    if item.mention is not None:
        return _named(item.mention, people, place=True)
    if item.low in PRONOUNS:
        return _pronoun(item, people)
    if item.low not in DETERMINERS | INDEFINITE:
        if role_noun(item, language) is None and not org_noun(item, language):
            return []
        # a bare title or institution: "Minister Chrenin", "nach Angaben des Betriebsrats"
        if j + 1 < hi and its[j + 1].mention is not None:
            return _named(its[j + 1].mention, people)
        nxt = its[j + 1] if j + 1 < hi else None
        modifier = nxt is not None and nxt.is_word and nxt.text.islower()
        if modifier and language != "de" and nxt is not None and nxt.low not in _NOT_MODIFIERS:
            return []  # "court documents": the noun is a modifier
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


def _named(mention: NameMention | None, people: People, place: bool = False) -> list[Speaker]:
    """The speaker a name stands for; a place only where ``place`` allows it (right
    next to the verb: "Moskau erklärte", a town's name that is also a surname)."""
    if mention is None or (mention.kind is NameKind.PLACE and not place):
        return []
    speaker = people.named(mention)
    return [
        Speaker(
            speaker.text, speaker.key, people.is_outlet(mention), mention.kind is NameKind.PLACE
        )
    ]


def _pronoun(item: Item, people: People) -> list[Speaker]:
    speaker = people.latest(item.start)
    return [speaker] if speaker is not None else []


def _noun_phrase(its: list[Item], k: int, e: int, people: People, language: str) -> list[Speaker]:
    """ "der Minister" -> the last minister; "ein Sprecher", "police" -> that phrase."""
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
        if named is None and definite and noun in COMPANY_NOUNS:
            named = people.latest_org(its[k].start, "")  # "the carrier": the firm named last
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
