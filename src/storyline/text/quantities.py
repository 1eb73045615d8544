"""Numbers as news writes them, and the units they count, for ``storyline.text.facts``.

German and English number formats (``1,5`` / ``1.5``, ``18.000`` / ``18,000``), number
words ("neun", "twelve", "dreihundert", "twenty-five"), scale words ("Milliarden",
"bn", "Mio."), and one table of units with their normalised names (EUR, USD, percent,
hectare, km, …).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache

# --- Number words -----------------------------------------------------------------------

_DE_ONES = ["", "ein", "zwei", "drei", "vier", "fünf", "sechs", "sieben", "acht", "neun"]
_DE_TEENS = {
    "zehn": 10, "elf": 11, "zwölf": 12, "dreizehn": 13, "vierzehn": 14, "fünfzehn": 15,
    "sechzehn": 16, "siebzehn": 17, "achtzehn": 18, "neunzehn": 19,
}  # fmt: skip
_DE_TENS = {
    "zwanzig": 20, "dreißig": 30, "vierzig": 40, "fünfzig": 50, "sechzig": 60,
    "siebzig": 70, "achtzig": 80, "neunzig": 90,
}  # fmt: skip
_EN_ONES = ["", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
_EN_TEENS = {
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
_EN_TENS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}  # fmt: skip

# Words that are 1 only before a scale ("eine Milliarde", "a million"): alone they are
# articles and pronouns, not counts.
ONE_WORDS = frozenset({"a", "an", "one", "ein", "eine", "einen", "einer", "einem"})


def _german_words() -> dict[str, float]:
    words: dict[str, float] = {"eins": 1, "anderthalb": 1.5, "eineinhalb": 1.5, "hundert": 100}
    for i, one in enumerate(_DE_ONES[2:], start=2):
        words[one] = i
    words.update(_DE_TEENS)
    for tens, value in _DE_TENS.items():
        words[tens] = value
        for i, one in enumerate(_DE_ONES[1:], start=1):
            words[f"{one}und{tens}"] = value + i
    for i, one in enumerate(_DE_ONES[1:], start=1):
        words[f"{one}hundert"] = 100 * i
    words["tausend"] = 1000
    return words


def _english_words() -> dict[str, float]:
    words: dict[str, float] = {}
    for i, one in enumerate(_EN_ONES[2:], start=2):
        words[one] = i
    words.update(_EN_TEENS)
    for tens, value in _EN_TENS.items():
        words[tens] = value
        for i, one in enumerate(_EN_ONES[1:], start=1):
            words[f"{tens}-{one}"] = value + i
    return words


GERMAN_NUMBERS = _german_words()
ENGLISH_NUMBERS = _english_words()


@lru_cache(maxsize=16)
def number_words(language: str) -> Mapping[str, float]:
    """Number words of ``language`` (German and English for any other language)."""
    if language == "de":
        return GERMAN_NUMBERS
    if language == "en":
        return ENGLISH_NUMBERS
    return {**ENGLISH_NUMBERS, **GERMAN_NUMBERS}


def number_value(word: str, language: str) -> float | None:
    """The value of digits ("1,5") or of a number word ("neun"); None if neither."""
    if word[:1].isdigit():
        return parse_number(word, language)
    return number_words(language).get(word.lower())


# Scale words after a number; "billion" is 10^9 in English and 10^12 in German.
SCALES: Mapping[str, float] = {
    "hundert": 1e2, "hundred": 1e2, "tausend": 1e3, "tsd": 1e3, "thousand": 1e3, "k": 1e3,
    "million": 1e6, "millionen": 1e6, "mio": 1e6, "mn": 1e6, "m": 1e6, "milliarde": 1e9,
    "milliarden": 1e9, "mrd": 1e9, "bn": 1e9, "billion": 1e9, "billionen": 1e12,
    "trillion": 1e12, "dutzend": 12, "dozen": 12,
}  # fmt: skip
# Scales that are letters of other things ("100 m" is metres) unless money is meant.
MONEY_ONLY_SCALES = frozenset({"m", "k"})


def scale_of(word: str, language: str) -> float:
    low = word.lower().rstrip(".")
    if low == "billion" and language == "de":
        return 1e12
    return SCALES.get(low, 1.0)


# --- Digits -----------------------------------------------------------------------------

# Grouped thousands ("18.000", "18,000", "1 500 000" with no-break spaces) or plain
# digits with an optional decimal part; never part of an identifier ("Aster-3", "G7").
DIGITS = (
    r"(?<![^\W\d_]-)(?<![\w.,])"
    r"(?:\d{1,3}(?:[.,\u00a0\u202f]\d{3})+(?:[.,]\d{1,3}(?!\d))?|\d{1,15}(?:[.,]\d{1,6})?)"
    r"(?![\d])"
)


def parse_number(digits: str, language: str) -> float:
    """``1,5`` / ``18.000`` in German, ``1.5`` / ``18,000`` in English, as a float."""
    s = digits.replace("\u00a0", "").replace("\u202f", "")
    decimal, group = (",", ".") if language == "de" else (".", ",")
    if decimal in s and group in s:
        s = s.replace(group, "").replace(decimal, ".")
    elif group in s:
        parts = s.split(group)
        # grouped thousands, or else the other convention's decimal point
        grouped = all(len(p) == 3 for p in parts[1:])
        s = "".join(parts) if grouped else s.replace(group, ".")
    else:
        s = s.replace(decimal, ".")
    if s.count(".") > 1:
        s = s.replace(".", "")
    return float(s)


# --- Units ------------------------------------------------------------------------------

# (kind, normalised unit) -> the ways news writes it (matched case-insensitively).
_UNITS: dict[tuple[str, str], tuple[str, ...]] = {
    ("money", "EUR"): ("€", "eur", "euro", "euros"),
    ("money", "USD"): ("$", "usd", "dollar", "dollars", "us-dollar", "us-dollars",
                       "us dollars", "us dollar"),
    ("money", "GBP"): ("£", "gbp", "pfund", "pound", "pounds", "pfund sterling", "sterling"),
    ("money", "CHF"): ("chf", "franken", "schweizer franken", "swiss francs", "francs"),
    ("money", "RUB"): ("₽", "rub", "rubel", "ruble", "rubles", "rouble", "roubles"),
    ("money", "JPY"): ("¥", "jpy", "yen"),
    ("money", "CNY"): ("cny", "yuan", "renminbi"),
    ("money", "UAH"): ("uah", "hrywnja", "hrywnjas", "hryvnia", "hryvnias"),
    ("money", "PLN"): ("pln", "zloty", "złoty"),
    ("money", "cent"): ("cent", "cents"),
    ("percent", "percentage point"): ("prozentpunkte", "prozentpunkten", "percentage points",
                                      "percentage point"),
    ("percent", "percent"): ("%", "prozent", "percent", "per cent", "pct"),
    ("temperature", "celsius"): ("°c", "° c", "grad celsius", "degrees celsius", "grad"),
    ("temperature", "fahrenheit"): ("°f", "degrees fahrenheit"),
    ("temperature", "degree"): ("degrees", "°"),
    ("speed", "km/h"): ("km/h", "stundenkilometer", "kilometres per hour",
                        "kilometers per hour"),
    ("speed", "mph"): ("mph", "miles per hour"),
    ("distance", "km"): ("km", "kilometer", "kilometern", "kilometre", "kilometres",
                         "kilometers"),
    ("distance", "m"): ("meter", "metern", "metre", "metres", "meters", "m"),
    ("distance", "cm"): ("cm", "zentimeter", "zentimetern", "centimetres", "centimeters"),
    ("distance", "mile"): ("meilen", "mile", "miles"),
    ("area", "hectare"): ("hektar", "hectare", "hectares", "ha"),
    ("area", "km2"): ("quadratkilometer", "quadratkilometern", "km²", "km2",
                      "square kilometres", "square kilometers", "sq km"),
    ("area", "m2"): ("quadratmeter", "quadratmetern", "m²", "square metres", "square meters"),
    ("area", "acre"): ("acre", "acres"),
    ("weight", "t"): ("tonnen", "tonne", "tonnes", "tons", "ton"),
    ("weight", "kg"): ("kilogramm", "kilo", "kilos", "kg", "kilogram", "kilograms",
                      "kilogrammes"),
    ("volume", "l"): ("liter", "litern", "litre", "litres", "liters"),
    ("volume", "barrel"): ("barrel", "barrels"),
    ("volume", "m3"): ("kubikmeter", "cubic metres", "cubic meters"),
    ("energy", "MW"): ("megawatt", "mw"),
    ("energy", "GW"): ("gigawatt", "gw"),
    ("energy", "kWh"): ("kilowattstunden", "kwh"),
    ("energy", "TWh"): ("terawattstunden", "twh"),
    ("duration", "second"): ("sekunden", "sekunde", "seconds", "second"),
    ("duration", "minute"): ("minuten", "minute", "minutes"),
    ("duration", "hour"): ("stunden", "stunde", "hours", "hour"),
    ("duration", "day"): ("tage", "tagen", "tag", "days", "day"),
    ("duration", "week"): ("wochen", "woche", "weeks", "week"),
    ("duration", "month"): ("monate", "monaten", "monat", "months", "month"),
    ("duration", "year"): ("jahre", "jahren", "jahr", "years", "year"),
    ("duration", "decade"): ("jahrzehnte", "jahrzehnten", "decades", "decade"),
    ("count", "people"): ("menschen", "personen", "leute", "people", "persons"),
}  # fmt: skip

UNITS: Mapping[str, tuple[str, str]] = {
    surface: key for key, surfaces in _UNITS.items() for surface in surfaces
}
# Currency signs and codes written before the number ("$3.4 billion", "EUR 5 Mio.").
PREFIX_CURRENCIES: Mapping[str, str] = {
    "$": "USD", "us$": "USD", "us-$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₽": "RUB",
    "eur": "EUR", "usd": "USD", "gbp": "GBP", "chf": "CHF", "rub": "RUB", "jpy": "JPY",
    "cny": "CNY", "uah": "UAH",
}  # fmt: skip


# Where a word ends: no letter follows (digits may: "3-5").
WORD_END = r"(?![^\W\d_])"


def alternation(surfaces: Iterable[str]) -> str:
    """A regex alternation, longest first, spaces matching any run of white space."""
    ordered = sorted(set(surfaces), key=lambda s: (-len(s), s))
    return "|".join(re.escape(s).replace(r"\ ", r"\s+") for s in ordered)


# --- Calendar ---------------------------------------------------------------------------

MONTHS: Mapping[str, int] = {
    "Januar": 1, "Jänner": 1, "Februar": 2, "März": 3, "April": 4, "Mai": 5, "Juni": 6,
    "Juli": 7, "August": 8, "September": 9, "Oktober": 10, "November": 11, "Dezember": 12,
    "January": 1, "February": 2, "March": 3, "May": 5, "June": 6, "July": 7, "October": 10,
    "December": 12, "Jan": 1, "Feb": 2, "Mar": 3, "Apr": 4, "Jun": 6, "Jul": 7, "Aug": 8,
    "Sep": 9, "Sept": 9, "Oct": 10, "Nov": 11, "Dec": 12, "Jan.": 1, "Feb.": 2, "Mar.": 3,
    "Apr.": 4, "Jun.": 6, "Jul.": 7, "Aug.": 8, "Sep.": 9, "Sept.": 9, "Okt.": 10, "Oct.": 10,
    "Nov.": 11, "Dez.": 12, "Dec.": 12,
}  # fmt: skip
WEEKDAYS: Mapping[str, str] = {
    "Montag": "monday", "Dienstag": "tuesday", "Mittwoch": "wednesday",
    "Donnerstag": "thursday", "Freitag": "friday", "Samstag": "saturday",
    "Sonnabend": "saturday", "Sonntag": "sunday", "Monday": "monday", "Tuesday": "tuesday",
    "Wednesday": "wednesday", "Thursday": "thursday", "Friday": "friday",
    "Saturday": "saturday", "Sunday": "sunday",
}  # fmt: skip

# Lower bounds of vague counts: "Tausende Soldaten", "hundreds of people".
VAGUE_COUNTS: Mapping[str, float] = {
    "dutzende": 12, "hunderte": 100, "tausende": 1e3, "zehntausende": 1e4,
    "hunderttausende": 1e5, "millionen": 1e6, "milliarden": 1e9, "dozens": 12,
    "hundreds": 100, "thousands": 1e3, "tens of thousands": 1e4,
    "hundreds of thousands": 1e5, "millions": 1e6, "billions": 1e9,
}  # fmt: skip

# Words before a number that make it approximate ("rund 200", "more than 9").
APPROXIMATE = re.compile(
    r"(?:rund|etwa|ungefähr|circa|ca\.|knapp|fast|nahezu|mehr\s+als|über|weniger\s+als|"
    r"unter|bis\s+zu|mindestens|höchstens|gut|around|about|approximately|nearly|almost|"
    r"more\s+than|over|less\s+than|under|up\s+to|at\s+least|roughly|some|an\s+estimated|"
    r"estimated)\s+$",
    re.IGNORECASE,
)
