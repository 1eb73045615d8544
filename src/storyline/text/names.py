"""Proper names — people, places, organisations — without downloadable models.

A capitalised word is a name when the lexicon (``storyline.text.name_lexicon``: a
gazetteer, CLDR word lists and simplemma's dictionaries) and the text around it agree:

- **gazetteer**: country, region and city names in many languages and scripts, with
  one canonical key (Kiew / Kyiv / Київ), and international organisations (Nato);
- **capitalisation**, where the language and the text make it mean something: in
  English, French or Russian body text a capitalised word inside a sentence is a name
  unless it is a stop word, a month, a nationality ("Russian"), a title ("Minister")
  or a word the same text also writes in lower case;
- **dictionary and frequency**, where capitalisation means nothing (German nouns,
  Title Case headlines): a word is a name when simplemma's dictionary does not know it
  and it is not visibly a common noun (inflected, derived, compound), or when the
  dictionary knows it but it is rare and never declines ("Kreml", but not
  "Sortiment" / "Sortimente");
- **context**: a title before a name ("Präsident", "Minister", "Mr") marks a person
  and admits a common-looking surname ("Kanzler Scholz"); a reporting verb next to an
  unknown word marks a person ("Peskow sagte"); "Agentur", "Konzern" before a name or
  "GmbH", "Bank", "Group" after it mark an organisation; all-caps acronyms (FSB, BBC)
  are organisations;
- **the text itself**: consecutive name words form one mention ("Sergej Schoigu"), a
  later "Schoigu" or genitive "Schoigus" is the same person, and a kind found once
  holds for every mention with that key.

Keys come from ``storyline.text.translit.name_key``. A person's key is the key of the
surname (the last word), so "Sergej Schoigu", "Schoigu" and "Mr Shoigu" meet across
articles; a gazetteer name's key is the key of its canonical (English) name.

Country adjectives and nationality words ("russische", "belarussischen", "German",
"Russians") are *not* names: they describe rather than refer, they are as common in
unrelated stories about a country as in related ones, and mapping them to the
country's key would crowd out the rarer names that tell stories apart.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from itertools import compress, pairwise
from operator import itemgetter

from storyline.text.name_lexicon import (
    ACRONYM_MAX,
    CITY_PREPOSITIONS,
    NAME_PARTICLES,
    NOUN_CAPITALISING,
    OPENING_PARTICLES,
    ORG_PREFIXES,
    ORG_SUFFIXES,
    PERSON_VERBS,
    PLACE_PREPOSITIONS,
    PLACE_SUFFIXES,
    GazetteerEntry,
    NameKind,
    WordFacts,
    compound,
    declines,
    gazetteer,
    is_org_cue,
    is_role,
    known,
    language_words,
    own_country_names,
    place_of,
    word_facts,
)
from storyline.text.tokens import Token, stopwords
from storyline.text.translit import name_key, transliterate

__all__ = ["NameKind", "NameMention", "find_names", "name_keys"]


@dataclass(frozen=True, slots=True)
class NameMention:
    """One mention of a name: its words as written, its key, and where it is."""

    text: str
    key: str
    start: int
    end: int
    kind: NameKind


# --- Thresholds -----------------------------------------------------------------------

# Zipf frequency (log10 per billion words) below which a capitalised dictionary word
# that never declines may be a name: surnames and places sit at 1.5-3.5 ("Kreml" 3.5,
# "Apulien" 2.8), everyday nouns above ("Soldat" 4.8, "Grenze" 4.8).
RARE_NAME_ZIPF = 3.6

# A word after a title ("Kanzler Scholz") or next to a clear name ("Olaf Scholz") may be
# a known word; it joins the name when it is below this frequency. Given names sit at
# 3-5 ("Viktor" 4.0, "Friedrich" 4.8, "Christian" 4.9), the nouns that follow a name
# do not ("Treffen" 5.3), and the inflected ones are caught by their lemma.
NAME_NEIGHBOUR_ZIPF = 5.0

# At the start of an English sentence a given name before a surname can be common
# ("John" 5.3, "David" 5.2); sentence adverbs that could stand there are commoner
# ("Today" 5.8, "Later" 5.6).
SENTENCE_START_GIVEN_NAME_ZIPF = 5.5

# Where capitals say nothing, a dictionary word this common is no name, whatever
# stands before it.
_NAME_MAX_ZIPF = max(NAME_NEIGHBOUR_ZIPF, RARE_NAME_ZIPF)

# A word before a city that makes a club's name ("Borussia" 4.2, "Hertha" 3.4) is
# rarer than the everyday nouns that stand there ("Stadt" 5.7, "Region" 4.9).
CLUB_WORD_MAX_ZIPF = 4.5

# A city whose name is also a common word ("Essen" 5.3, "Nice" 5.4 in English) counts
# as a place only where the context allows (see ``_Text._place``), unless it is big:
# Frankfurt (650,000 people) is a word as common as "Essen" (590,000).
COMMON_WORD_ZIPF = 4.5
BIG_CITY_POPULATION = 500_000
# Words this common are function words and everyday verbs ("dort" 5.8, "auch" 6.5),
# whatever town GeoNames lists under the same name.
FUNCTION_WORD_ZIPF = 5.5

# In a two-word name, a first word this common ("White House", "World Bank") says it
# is not a person.
PERSON_WORD_MAX_ZIPF = 5.0

# A text whose words are mostly capitalised is a Title Case headline (or shouting):
# its capitals say nothing, as in German.
TITLE_CASE_SHARE = 0.7
TITLE_CASE_MIN_WORDS = 3
# A text with this share of all-caps words is shouting; its acronyms are not names.
SHOUTING_SHARE = 0.3
SHOUTING_MIN_WORDS = 4

# Abbreviations with a full stop ("Mio.", "Nr.") are at most this long.
ABBREVIATION_MAX = 3

# Name runs longer than this are lists or headlines, not one name.
MAX_NAME_WORDS = 4

# German articles and contractions: "das Essen", "beim Essen" is food, not the city.
GERMAN_ARTICLES = frozenset(
    {"der", "die", "das", "dem", "den", "des", "ein", "eine", "einem", "einen", "einer",
     "eines", "im", "am", "beim", "vom", "zum", "zur", "ins"}
)  # fmt: skip

# How much a cue says about a kind: countries, acronyms and organisation suffixes are
# near-certain; titles and cue nouns strong; a city that shares its name with a
# person or firm a little less (Gallup, Jackson); verbs and two-word shape fair; a
# preposition barely.
_CERTAIN, _STRONG, _CITY, _FAIR, _WEAK = 4.0, 3.0, 2.5, 2.0, 0.5

_SENTENCE_END = frozenset('.!?:;"„“”«»\n')
_OPENING = " \t\r-–—(['‚‘’"


def _suffix_near(texts: list[str]) -> list[bool]:
    """Which tokens have an organisation suffix close enough after them to end their
    name ("Deutsche Bank", "Wind of Change Research Group")."""
    near = [False] * len(texts)
    if ORG_SUFFIXES.isdisjoint(texts):
        return near
    for k in compress(range(len(texts)), map(ORG_SUFFIXES.__contains__, texts)):
        for i in range(max(0, k - MAX_NAME_WORDS - 1), k):
            near[i] = True
    return near


def _title_case(content: list[str]) -> bool:
    """Most content words (not stop words) capitalised: a headline, or shouting."""
    capitals = sum(word[0].isupper() for word in content)
    return len(content) >= TITLE_CASE_MIN_WORDS and capitals >= TITLE_CASE_SHARE * len(content)


@dataclass(slots=True)
class _Span:
    first: int
    last: int
    kind: NameKind = NameKind.OTHER
    weight: float = 0.0
    entry: GazetteerEntry | None = None
    key: str = ""


class _Text:
    """One text's tokens with what is known about them; the rules read from here.

    Only capitalised tokens can be names, and in German they are a third of all
    tokens, so the rules run over those alone, each testing the cheap word facts
    before the context."""

    def __init__(self, text: str, tokens: list[Token], language: str) -> None:
        self.text = text
        self.tokens = tokens
        self.language = language
        self.german = language in NOUN_CAPITALISING
        self.words = language_words(language)
        self.stop = stopwords(language)
        self.places = gazetteer()
        n = len(tokens)
        # Plain lists: the rules read each token's text many times.
        texts = self.texts = [t.text for t in tokens]
        # What stands between a token and the next: a space or a hyphen joins a name.
        self.gaps = [text[a.start + len(a.text) : b.start] for a, b in pairwise(tokens)] + [""]
        self.suffix_near = _suffix_near(texts)
        # Only capitalised tokens can be names: the rules below run over these alone.
        # Their first letter, tested in C, rules out most tokens.
        upper_first = map(str.isupper, map(itemgetter(slice(0, 1)), texts))
        caps = self.caps = [
            i
            for i in compress(range(n), upper_first)
            if len(texts[i]) >= 2 and not tokens[i].is_number
        ]
        self.capital = [False] * n
        facts: list[WordFacts | None] = [None] * n
        for i in caps:
            self.capital[i] = True
            facts[i] = word_facts(texts[i], tokens[i].lemma, language)
        self.facts = facts
        # Corpus statistics of the text itself: a word it also writes in lower case is
        # an ordinary word ("Bank" / "bank", "Essen" / "essen"). (Numbers and one-letter
        # words are in too, but never equal a capitalised word or its lower case.)
        self.lower_seen = set(filter(str.islower, texts))
        # Shouting and Title Case are shares of the content words (not stop words). The
        # all-caps ones are few and counted first: a German text that has too few to
        # shout needs no other count.
        shouted = sum(
            1
            for word in filter(str.isupper, texts)
            if len(word) >= 2 and word.lower() not in self.stop
        )
        content: list[str] = []
        if shouted >= SHOUTING_MIN_WORDS or not self.german:
            content = [
                t.text
                for t in tokens
                if not t.is_number and len(t.text) >= 2 and t.text.lower() not in self.stop
            ]
        self.shouting = shouted >= SHOUTING_MIN_WORDS and shouted >= SHOUTING_SHARE * len(content)
        # Whether a capital inside a sentence marks a name in this text: not in German,
        # where every noun has one, nor in a Title Case headline.
        self.informative = not self.german and not _title_case(content)
        self.mid_capitals = (
            {texts[i] for i in caps if not self.starts_sentence(i)} if self.informative else set()
        )
        self.acronym = [False] * n
        self.excluded = [True] * n
        self.place: list[GazetteerEntry | None] = [None] * n
        self.name = [False] * n
        # Each rule reads the results of the rules before it for the same token only. The
        # word's facts settle most rules; the context is read only when they do not.
        self.openers: list[int] = []  # where a name may start (see ``spans``)
        for i in caps:
            word_fact = facts[i]
            assert word_fact is not None
            if word_fact.acronym_shape:
                self.acronym[i] = self._acronym(i, word_fact)
            self.excluded[i] = self._excluded(i, word_fact)
            if word_fact.place is not None:
                self.place[i] = self._place(i, word_fact)
            self.name[i] = self._name_word(i, word_fact)
            # A name word, acronym or place, or the first word of an organisation, of a
            # gazetteer name or of a name with a particle. Most German nouns are none.
            if (
                self.name[i]
                or self.acronym[i]
                or self.place[i] is not None
                or self.suffix_near[i]
                or word_fact.multiword_start
                or texts[i] in ORG_PREFIXES
                or word_fact.lower in OPENING_PARTICLES
            ):
                self.openers.append(i)

    # -- token tests ------------------------------------------------------------------

    def fact(self, i: int) -> WordFacts:
        facts = self.facts[i]
        assert facts is not None, "facts exist for capitalised tokens only"
        return facts

    def starts_sentence(self, i: int) -> bool:
        """Only opening characters (spaces, dashes, brackets, quotes) stand between
        token ``i`` and a sentence end or the start of the text. Asked only where
        capitals mean something, so not stored for every word."""
        before = self.gaps[i - 1] if i else self.text[: self.tokens[0].start]
        rest = before.rstrip(_OPENING)
        # Nothing left: the previous token's last letter comes next, and ends no sentence.
        return rest[-1] in _SENTENCE_END if rest else i == 0

    def end(self, i: int) -> int:
        """Offset just after token ``i``."""
        return self.tokens[i].start + len(self.texts[i])

    def adjacent(self, i: int, j: int) -> bool:
        """Tokens ``i`` and ``j`` (= i + 1) are separated by one space or a hyphen."""
        return self.gaps[i] in (" ", "-") and j == i + 1

    def _acronym(self, i: int, facts: WordFacts) -> bool:
        word = self.texts[i]
        if self.shouting or not facts.acronym_shape or self._in_currency(i):
            return False
        if word in self.places:
            return True  # "WHO", "USA": listed, whatever else the letters spell
        if facts.lower in self.stop or self._shouted(i):
            return False  # "IN", "FOR"; "BREAKING NEWS"
        if len(word) >= 4 and facts.known and facts.frequency >= COMMON_WORD_ZIPF:
            return False  # "CREDIT", "DOWN"
        # "AMD" is a firm, "5 AMD" Armenian drams.
        return word not in self.words.currencies or not self._number_next_to(i)

    def _number_next_to(self, i: int) -> bool:
        before, after = i - 1, i + 1
        return (before >= 0 and self.tokens[before].is_number) or (
            after < len(self.tokens) and self.tokens[after].is_number
        )

    def _shouted(self, i: int) -> bool:
        """Next to another all-caps word: a shouted heading, not an acronym."""
        for j in (i - 1, i + 1):
            if 0 <= j < len(self.tokens) and self.gaps[min(i, j)].strip() == "":
                other = self.texts[j]
                if len(other) >= 2 and other.isupper() and other not in self.places:
                    return True
        return False

    def _in_currency(self, i: int) -> bool:
        """The first part of a currency's name: "US" in "US-Dollar"."""
        nxt = i + 1
        return (
            self.gaps[i] == "-"
            and nxt < len(self.tokens)
            and f"{self.texts[i]}-{self.texts[nxt]}".lower() in self.words.currency_names
        )

    def _excluded(self, i: int, facts: WordFacts) -> bool:
        """Capitalised words that are never names: stop words, months, nationalities,
        titles, German adjectives, abbreviations, and words the text also writes in
        lower case."""
        if self.acronym[i]:
            return False
        word = self.texts[i]
        # The tests of the context run only where the word allows them: they are slower.
        return (
            facts.never_name
            or word in self.lower_seen
            or facts.lower in self.lower_seen
            or (len(word) <= ABBREVIATION_MAX and self._abbreviation(i))
            or (self.german and word.endswith("er") and self._city_adjective(i))
            or (self.gaps[i] == "-" and self._in_currency(i))
        )

    def _abbreviation(self, i: int) -> bool:
        """ "Mio.", "Nr." before a lower-case word or a number."""
        after = self.end(i)
        if len(self.texts[i]) > ABBREVIATION_MAX or self.text[after : after + 1] != ".":
            return False
        following = self.text[after + 1 : after + 3].strip()[:1]
        return following.islower() or following.isdigit()

    def _city_adjective(self, i: int) -> bool:
        """German adjectives from places: "Grazer", "Budapester", "Kölner"."""
        word = self.texts[i]
        return self.german and word.endswith("er") and len(word) > 4 and word[:-2] in self.places

    def _place(self, i: int, facts: WordFacts) -> GazetteerEntry | None:
        """The gazetteer entry of a single word, when the word is used as that name.

        Checked before the stop list: "Deutschland" is among German's 150 commonest
        words and still a name."""
        word = self.texts[i]
        # Looked up first because most words are in no gazetteer.
        entry = facts.place
        if entry is None:
            return None
        lower = facts.lower
        if lower in self.lower_seen or lower in self.words.calendar or self._in_currency(i):
            return None
        if lower in NAME_PARTICLES:
            return None  # "Van der Bellen", not the Turkish city
        if entry.major:
            # "Deutschland" is a German stop word and a name; "Man" is an English
            # stop word and in some languages the Isle of Man.
            own = word.isupper() or word in own_country_names(self.language)
            return entry if own or lower not in self.stop else None
        if lower in self.stop or facts.frequency >= FUNCTION_WORD_ZIPF:
            return None  # "Man" (Isle of Man), "Dort" (Dordrecht), "Auch" (a French town)
        if facts.frequency < COMMON_WORD_ZIPF:
            return entry
        # A city named like a common word ("Essen", "Lage", "Nice"): in German an
        # article before it makes it the word, and a small town needs "in", "nach" or
        # "aus" before it; in other languages the start of a sentence makes it the word.
        if self.german:
            before = self.texts[i - 1].lower() if i > 0 else ""
            if before in GERMAN_ARTICLES:
                return None
            if entry.population >= BIG_CITY_POPULATION or before in CITY_PREPOSITIONS:
                return entry
            return None
        return None if self.starts_sentence(i) else entry

    def _role(self, i: int) -> bool:
        """A title before a person, capitalised or not ("Präsident", "spokesman")."""
        facts = self.facts[i]  # None unless capitalised
        return facts.role if facts is not None else is_role(self.tokens[i].lemma)

    def _org_cue(self, i: int) -> bool:
        """A noun before an organisation ("Nachrichtenagentur", "agency")."""
        facts = self.facts[i]  # None unless capitalised
        return facts.org_cue if facts is not None else is_org_cue(self.tokens[i].lemma)

    def _after_cue(self, i: int) -> bool:
        """Right after a title or organisation noun ("Kanzler Scholz", "Agentur Tass")."""
        before = i - 1
        if before < 0 or self.gaps[before] not in (" ", "-"):  # not adjacent
            return False
        facts = self.facts[before]  # None unless capitalised
        if facts is not None:
            return facts.role or facts.org_cue
        lemma = self.tokens[before].lemma
        return is_role(lemma) or is_org_cue(lemma)

    def _name_word(self, i: int, facts: WordFacts) -> bool:
        if self.excluded[i] or self.acronym[i]:
            return False
        word = self.texts[i]
        if self.informative:
            if not self.starts_sentence(i):
                # "Foreign Minister", "Prime Minister": a known word before a title is
                # part of the title.
                nxt = i + 1
                return not (
                    nxt < len(self.tokens)
                    and self.capital[nxt]
                    and self.adjacent(i, nxt)
                    and self.fact(nxt).role
                    and facts.known
                )
            return not facts.known or word in self.mid_capitals or self.place[i] is not None
        if not facts.known:
            # A word no dictionary holds is a name unless it is visibly a common one:
            # inflected ("Rückschiebungen"), derived ("Lokalempfehlungs-"), compound.
            return (
                facts.uninflected and not facts.derived_noun and not compound(word, self.language)
            )
        # A dictionary word is a name when it is rare and the dictionary knows no
        # plural or case form of it ("Kreml", "Apulien", but not "Sortiment" /
        # "Sortimente"), or after a title or organisation noun ("Kanzler Scholz").
        if not facts.uninflected or facts.frequency >= _NAME_MAX_ZIPF:
            return False  # too common to be a name whatever stands before it
        if self._after_cue(i):
            return facts.frequency < NAME_NEIGHBOUR_ZIPF  # "Autobauer Volkswagen"
        return (
            facts.frequency < RARE_NAME_ZIPF
            and not declines(word, self.language)
            and not compound(word, self.language)
        )

    def _neighbour(self, i: int) -> bool:
        """A word that joins a name next to it: a given name or a known surname."""
        if not self.capital[i] or self.excluded[i] or self.acronym[i]:
            return False
        place = self.place[i]
        if place is not None and place.major:
            return False
        if self.name[i]:
            return True
        facts = self.fact(i)
        if facts.org_cue or compound(self.texts[i], self.language):
            return False
        informative_start = self.informative and self.starts_sentence(i)
        limit = SENTENCE_START_GIVEN_NAME_ZIPF if informative_start else NAME_NEIGHBOUR_ZIPF
        return facts.uninflected and facts.frequency < limit

    def _right_neighbour(self, j: int, nxt: int) -> bool:
        """A known word after a given name: "Olaf Scholz", "Oliver Blume" — but not
        after a surname ("Sobotkas Wunsch")."""
        return self._neighbour(nxt) and (
            self.informative or self.fact(j).known or self._after_cue(j)
        )

    def _left_neighbour(self, i: int) -> bool:
        """A given name before a surname: "Viktor Chrenin" — but not a noun
        ("Ortsteil Uttenhofen"), which the dictionary knows with plural endings."""
        return self._neighbour(i) and (self.name[i] or not declines(self.texts[i], self.language))

    def _org_word(self, i: int) -> bool:
        """A word that may stand in an organisation's name before "Bank", "AG", …

        Where capitals say nothing, only names, acronyms and adjectives ("Deutsche
        Bank") qualify, not nouns ("Spiel der Gruppe")."""
        if self.informative or self.name[i] or self.acronym[i]:
            return True
        facts = self.fact(i)
        inflected_adjective = not facts.uninflected and facts.lower.endswith(
            ("e", "en", "er", "es")
        )
        return inflected_adjective or facts.lower in self.words.nationality

    def _institution(self, i: int) -> bool:
        """An uninflected institution noun: "Oberlandesgericht", "Polizei" (but "des
        Instituts Gallup" names the institute Gallup)."""
        if not self.capital[i] or self.starts_sentence(i):
            return False
        facts = self.fact(i)
        return facts.uninflected and facts.org_cue

    def _club_word(self, i: int) -> bool:
        """A word that names a club or firm before a city ("Borussia", "Hertha"): not a
        stop word, title or noun with plural forms."""
        if not self.capital[i] or self.excluded[i]:
            return False
        facts = self.fact(i)
        word = self.texts[i]
        return (
            facts.uninflected
            and not facts.org_cue
            and facts.frequency < CLUB_WORD_MAX_ZIPF
            and not declines(word, self.language)
            and not compound(word, self.language)
        )

    # -- spans ------------------------------------------------------------------------

    def _organisation_at(self, i: int) -> int | None:
        """Last index of "Deutsche Bank", "Wind of Change Research Group" starting at i."""
        word = self.texts[i]
        if word in ORG_PREFIXES:
            return self._club_at(i)
        if not self.suffix_near[i]:
            return None
        if (
            word in ORG_SUFFIXES
            or not self._org_word(i)
            or (self.excluded[i] and self.fact(i).lower not in self.words.nationality)
        ):
            return None
        j = i
        n = len(self.tokens)
        while j + 1 < n and j - i < MAX_NAME_WORDS and self.adjacent(j, j + 1):
            nxt = j + 1
            word = self.texts[nxt]
            if word in ORG_SUFFIXES:
                return nxt
            if word in NAME_PARTICLES and self.informative:
                j = nxt
                continue
            if not self.capital[nxt] or word.lower() in self.stop or not self._org_word(nxt):
                return None
            j = nxt
        return None

    def _club_at(self, i: int) -> int | None:
        """Last index of "FC Bayern München", "VfL Wolfsburg" starting at i."""
        j = i
        while (
            j + 1 < len(self.tokens)
            and j - i < MAX_NAME_WORDS
            and self.adjacent(j, j + 1)
            and self.capital[j + 1]
            and not self.excluded[j + 1]
        ):
            j += 1
        return j if j > i else None

    def _gazetteer_at(self, i: int) -> tuple[int, GazetteerEntry] | None:
        """Longest gazetteer name of two or three words starting at i."""
        if not self.fact(i).multiword_start:
            return None
        n = len(self.tokens)
        for length in (3, 2):
            last = i + length - 1
            if last >= n or not self.capital[last]:
                continue
            if not all(self.adjacent(k, k + 1) for k in range(i, last)):
                continue
            surface = " ".join(self.texts[i : last + 1])
            entry = place_of(surface, self.language)
            if entry is not None:
                return last, entry
        return None

    def _particle_start(self, i: int) -> bool:
        """A capitalised particle opening a name: "Van der Bellen", "De Gaulle"."""
        if self.texts[i].lower() not in OPENING_PARTICLES:
            return False
        n = len(self.tokens)
        k = i + 1
        while k < n and self.texts[k] in NAME_PARTICLES and self.adjacent(k - 1, k):
            k += 1
        return k < n and self.adjacent(k - 1, k) and self._after_particle(k)

    def _after_particle(self, k: int) -> bool:
        """The word after "von der", "van": a name, or a word that never declines
        ("Bellen" in "Van der Bellen"; not "Opposition")."""
        if self.name[k]:
            return True
        return self._neighbour(k) and not declines(self.texts[k], self.language)

    def _continues(self, i: int) -> bool:
        nxt = i + 1
        return nxt < len(self.tokens) and self.adjacent(i, nxt) and self.name[nxt]

    def _run_end(self, i: int) -> int:
        """Last word of the name that starts at i: "Sergej Schoigu", "Ursula von der
        Leyen", "Mikl-Leitner" (a hyphen joins names only, not "Energie-Ressort")."""
        j = i
        n = len(self.tokens)
        while j + 1 < n and j - i + 1 < MAX_NAME_WORDS and self.adjacent(j, j + 1):
            nxt = j + 1
            hyphen = self.gaps[j] == "-"
            if self.name[nxt] or (not hyphen and self._right_neighbour(j, nxt)):
                j = nxt
                continue
            k = nxt
            while k < n and self.texts[k] in NAME_PARTICLES and self.adjacent(k - 1, k):
                k += 1
            if k > nxt and k < n and self.adjacent(k - 1, k) and self._after_particle(k):
                j = k
                continue
            break
        return j

    def _place_span(self, i: int, entry: GazetteerEntry, spans: list[_Span]) -> _Span:
        before = i - 1
        free = (
            not entry.major
            and before >= 0
            and self.adjacent(before, i)
            and (not spans or spans[-1].last < before)
        )
        if free and self._institution(before):
            # "Oberlandesgericht Naumburg", "Staatsanwaltschaft Hannover"
            return _Span(before, i, NameKind.ORGANISATION, _CERTAIN)
        if free and self._club_word(before):
            return _Span(before, i, NameKind.ORGANISATION, _FAIR)  # "Borussia Dortmund"
        return _Span(i, i, entry.kind, _CERTAIN if entry.major else _CITY, entry)

    def spans(self) -> list[_Span]:
        spans: list[_Span] = []
        free = 0  # the first token after the last name found
        for i in self.openers:
            if i < free:
                continue
            last = self._organisation_at(i)
            if last is not None:
                spans.append(_Span(i, last, NameKind.ORGANISATION, _CERTAIN))
                free = last + 1
                continue
            found = self._gazetteer_at(i)
            if found is not None:
                last, listed = found
                spans.append(_Span(i, last, listed.kind, _CERTAIN, listed))
                free = last + 1
                continue
            entry = self.place[i]
            if self.acronym[i] and entry is None:
                spans.append(_Span(i, i, NameKind.ORGANISATION, _CERTAIN))
            elif entry is not None and (entry.major or not self._continues(i)):
                spans.append(self._place_span(i, entry, spans))
            elif self.name[i] or entry is not None or self._particle_start(i):
                first, last = i, self._run_end(i)
                before = i - 1
                if (
                    before >= 0
                    and self.adjacent(before, i)
                    and self._left_neighbour(before)
                    and (not spans or spans[-1].last < before)
                ):
                    first = before
                spans.append(_Span(first, last))
                free = last + 1
        return self._repeated_surnames(spans)

    def _repeated_surnames(self, spans: list[_Span]) -> list[_Span]:
        """A word the text uses as the last word of a longer name is that name where it
        stands alone too ("Olaf Scholz … Scholz sagte", genitive "Scholz'")."""
        surnames = {
            self.texts[s.last]
            for s in spans
            if s.last > s.first and s.entry is None and s.weight < _CERTAIN
        }
        if not surnames:
            return spans
        covered = {k for s in spans for k in range(s.first, s.last + 1)}
        texts = self.texts
        extra = [
            _Span(i, i)
            for i in self.caps
            if i not in covered and (texts[i] in surnames or texts[i][:-1] in surnames)
        ]
        return sorted(spans + extra, key=lambda s: s.first) if extra else spans

    # -- kinds and keys ---------------------------------------------------------------

    def classify(self, span: _Span) -> None:
        """Kind from the words around a span whose kind is not already certain."""
        if span.weight >= _STRONG:
            return
        tokens = self.tokens
        before, after = span.first - 1, span.last + 1
        if before >= 0 and self.adjacent(before, span.first):
            if self._role(before):
                span.kind, span.weight = NameKind.PERSON, _STRONG
                return
            if self._org_cue(before):
                span.kind, span.weight = NameKind.ORGANISATION, _STRONG
                return
        if span.entry is not None:
            return
        if tokens[span.last].text in PLACE_SUFFIXES:
            span.kind, span.weight = NameKind.PLACE, _STRONG
            return
        if span.last > span.first:
            if self.fact(span.first).frequency < PERSON_WORD_MAX_ZIPF:
                span.kind, span.weight = NameKind.PERSON, _FAIR
            return
        # A reporting verb next to a word no dictionary knows: a surname ("Peskov
        # said"); next to a known word it may as well be a firm ("Apple said").
        verb = (after < len(tokens) and tokens[after].lemma in PERSON_VERBS) or (
            before >= 0 and tokens[before].lemma in PERSON_VERBS
        )
        if verb and not known(tokens[span.first].text, self.language):
            span.kind, span.weight = NameKind.PERSON, _FAIR
        elif before >= 0 and tokens[before].text.lower() in PLACE_PREPOSITIONS:
            span.kind, span.weight = NameKind.PLACE, _WEAK

    def key(self, span: _Span) -> str:
        if span.entry is not None:
            return _acronym_or_name_key(span.entry.name)
        if span.first == span.last and self.acronym[span.first]:
            return _acronym_or_name_key(self.texts[span.first])
        if span.kind is NameKind.PERSON or (span.weight == 0.0 and span.last > span.first):
            # The surname is what later mentions and other articles repeat.
            return name_key(self.texts[span.last])
        return name_key(self.text[self.tokens[span.first].start : self.end(span.last)])


@lru_cache(maxsize=65_536)
def _acronym_or_name_key(name: str) -> str:
    # Acronyms are spelled, not pronounced: BBC is "bbc", not the key of "Bibisi".
    return transliterate(name) if name.isupper() and len(name) <= ACRONYM_MAX else name_key(name)


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
    votes: dict[str, dict[NameKind, float]] = {}
    for span in spans:
        # German genitive of a name the text also uses bare: "Schoigus" is Schoigu.
        if span.key.endswith("s") and " " not in span.key and span.key[:-1] in keys:
            span.key = span.key[:-1]
        kind_votes = votes.setdefault(span.key, {})
        kind_votes[span.kind] = kind_votes.get(span.kind, 0.0) + span.weight
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


def _winner(votes: dict[NameKind, float]) -> NameKind:
    kind, weight = max(votes.items(), key=lambda item: item[1])
    return kind if weight > 0 else NameKind.OTHER


def name_keys(text: str, tokens: list[Token], language: str) -> Counter[str]:
    """Count of name keys mentioned in ``text``: what story similarity compares."""
    return Counter(m.key for m in find_names(text, tokens, language))
