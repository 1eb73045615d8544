"""Who can speak in a text: the people it names, with their titles, for anaphora
("er", "der Minister", "the bank"), and the words that make up a speaker.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from storyline.text.name_lexicon import NameKind, is_org_cue, is_role
from storyline.text.names import NameMention
from storyline.text.speech import Item
from storyline.text.tokens import lemma
from storyline.text.translit import name_key, transliterate

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
    "Associated Press", "Agence France-Presse", "Deutsche Presse-Agentur", "Standard",
)  # fmt: skip
OUTLET_KEYS = frozenset({name_key(n) for n in OUTLETS} | {transliterate(n) for n in OUTLETS})
OUTLET_CUES = (
    "agentur", "zeitung", "sender", "magazin", "blatt", "portal", "medien", "fernsehen",
    "agency", "newspaper", "broadcaster", "outlet", "daily", "channel", "media", "radio", "tv",
    "television", "network", "wire", "website", "times", "journal", "herald", "tribune",
    "gazette", "press",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Speaker:
    """Who a quote is by: the name as the text gives it best, and its key if any."""

    text: str
    key: str | None
    outlet: bool = False
    place: bool = False  # "Moskau erklärte", "sagte Roth": a place name next to the verb


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
        if m.key in OUTLET_KEYS or transliterate(m.text) in OUTLET_KEYS:
            return True  # whatever kind the name step gave it ("told Reuters")
        if m.kind is NameKind.PERSON or m.kind is NameKind.PLACE:
            return False
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
        -> Meridian Bank); with an empty ``noun``, the last one the text calls one."""
        i = bisect.bisect_left(self.starts, before) - 1
        while i >= 0:
            m = self.mentions[i]
            if noun and m.kind not in (NameKind.PERSON, NameKind.PLACE) and noun in m.text.lower():
                return self.named(m)
            if not noun and m.kind is NameKind.ORGANISATION and not self.is_outlet(m):
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


# Words between a speaker and the verb: "he later said", "Schoigu sagte zudem".
ADVERBS = frozenset(
    {"also", "later", "then", "again", "further", "previously", "earlier", "once", "auch",
     "zudem", "außerdem", "dann", "später", "bereits", "erneut", "nochmals", "zuvor", "ferner",
     "weiter", "zuletzt", "jedoch", "aber", "however", "has", "have", "had", "hat", "habe"}
)  # fmt: skip

# Speakers beyond the titles the name lexicon knows: groups of people, and institutions.
EXTRA_ROLES = frozenset(
    {"official", "analyst", "expert", "witness", "resident", "source", "diplomat", "activist",
     "beamte", "beamter", "zeuge", "anwohner", "ermittler",
     "investigator", "prosecutor", "staatsanwalt", "staatsanwältin"}
)  # fmt: skip
EXTRA_ORGS = (
    "association", "union", "government", "regierung", "council", "committee", "authority",
    "landkreis", "gemeinde", "club", "verein", "armee", "army", "gewerkschaft", "rat",
    "kommission", "commission", "staatsanwaltschaft", "kreml", "kremlin", "amt",
)  # fmt: skip
# Institution nouns that, with "the", stand for the firm or club a report is about:
# "the carrier said" after "Northwind Airlines"; "der Konzern" after "Kessler Systems".
COMPANY_NOUNS = frozenset(
    {"company", "firm", "carrier", "airline", "club", "group", "maker", "manufacturer",
     "retailer", "operator", "insurer", "lender", "konzern", "unternehmen", "firma",
     "hersteller", "verein", "klub", "fluggesellschaft", "zulieferer"}
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
    if item.text[:1].isupper() and low.endswith(("mann", "frau")) and len(low) > 6:
        return low  # Feuerwehrmann, Geschäftsfrau
    return None


def org_noun(item: Item, language: str) -> bool:
    """An institution word that can speak: "police", "das Ministerium"."""
    if not item.is_word or len(item.text) <= 2:
        return False
    low = lemma(item.text, language)
    return is_org_cue(low) or low.endswith(EXTRA_ORGS)
