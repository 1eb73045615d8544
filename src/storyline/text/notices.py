"""Cookie, consent, login and newsletter notices inside running text.

Scrapers often flatten a page into one line, so a cookie banner ("Wir verwenden auf
unserer Webseite Cookies ...") or a comment form ("Ich habe die Netiquette und die
Datenschutzerklärung gelesen und akzeptiere diese") sits inside a paragraph, beyond
the reach of the line rules in :mod:`storyline.text.boilerplate_rules`. Two unrelated
articles from one site then share that paragraph and look alike to the clusterer.

A notice is recognised sentence by sentence by its genre rather than its wording: a
site speaking about itself, its cookies, the reader's data, consent, account or
newsletter. Each sentence is scored by the *topics* it touches (word stems in the
languages Storyline meets most, below) and by who speaks. It is a notice when it
touches a telling topic (one news prose seldom touches: cookies, privacy, consent,
personal data, site rules, accounts, newsletters) and either ``MIN_TOPICS_ADDRESSED``
topics while speaking to the reader ("Sie", "you", "vous"), or ``MIN_TOPICS`` while
the site speaks of itself or to the reader ("unsere Webseite", "our partners"). A
report on privacy law speaks in the third person ("the regulator fined the company
for collecting personal data without consent") and stays, and so does a quote such
as "we protect our customers' personal data", which addresses no reader. Banners run
over several sentences, so a sentence next to a notice that touches two topics, or
one topic in a short sentence, goes with it.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

__all__ = ["cut_notices", "is_notice", "sentences"]

# Topics that mark a notice; each is a tuple of word stems (lower case) in German,
# English, French, Spanish, Italian, Polish, Turkish, Dutch and Portuguese. A stem
# matches at the start of a word.
TELLING_TOPICS: dict[str, tuple[str, ...]] = {
    "cookies": ("cookie", "çerez", "ciasteczk"),
    "privacy": (
        "datenschutz",
        "privacy",
        "privacidad",
        "privacidade",
        "confidentialité",
        "riservatezza",
        "prywatnoś",
        "gizlilik",
        "privacybeleid",
    ),
    "consent": (
        "einwillig",
        "zustimm",
        "stimmen sie",
        "einverstanden",
        "consent",
        "consentimiento",
        "consentement",
        "consenso",
        "zgodę",
        "zgody",
        "toestemming",
        "onay",
    ),
    "personal data": (
        "personenbezogen",
        "persönliche daten",
        "persönlichen daten",
        "personal data",
        "personal information",
        "datos personales",
        "données personnelles",
        "dati personali",
        "danych osobowych",
        "dane osobowe",
        "kişisel veri",
        "dados pessoais",
        "persoonsgegevens",
    ),
    "site rules": (
        "nutzungsbedingung",
        "netiquette",
        "pflichtfeld",
        "terms of service",
        "terms of use",
        "required field",
    ),
    "account": (
        "registrier",
        "anmeld",
        "angemeldet",
        "einlogg",
        "login",
        "log in",
        "sign in",
        "sign up",
        "passwort",
        "password",
        "benutzerkonto",
        "kundenkonto",
        "your account",
        "inscri",
        "zaloguj",
        "zarejestruj",
    ),
    "mail address": ("e-mail-adresse", "email address", "e-mail address", "adresse e-mail"),
    "newsletter": (
        "newsletter",
        "news alerts",
        "email alerts",
        "abonnier",
        "subscrib",
        "abonnez",
        "suscr",
        "push-mitteilung",
        "benachrichtigung",
    ),
}

# Topics that news prose touches too: they count towards a notice, never make one.
CONTEXT_TOPICS: dict[str, tuple[str, ...]] = {
    "accepting": ("akzeptier", "accept", "acept", "zaakceptuj", "accett", "kabul", "aceit"),
    "the site": (
        "webseite",
        "website",
        "internetseite",
        "internetauftritt",
        "web site",
        "sitio web",
        "site web",
        "sito web",
        "witryn",
        "sitemiz",
    ),
    "advertising": (
        "werbung",
        "werbenetzwerk",
        "advertis",
        "ad network",
        "publicidad",
        "publicité",
    ),
    "settings": (
        "einstellungen",
        "settings",
        "configuración",
        "paramètres",
        "ustawieni",
        "ayarlar",
    ),
    "tracking": ("tracking", "analysetechnik", "analysezweck", "analytics", "tracker"),
    "third parties": (
        "drittanbieter",
        "third part",
        "third-part",
        "unserer partner",
        "unseren partnern",
        "our partners",
        "nos partenaires",
        "naszych partnerów",
    ),
    "browser": ("browser", "przeglądark", "tarayıcı", "navegador", "navigateur"),
}

# With a telling topic, this many topics make a notice when the site speaks of itself
# ("Wir verwenden auf unserer Webseite Cookies und Analysetechniken") ...
MIN_TOPICS = 3

# ... where cookies count twice: outside a banner they are hardly ever written about
# ("We use cookies on our website" is a notice, "we protect our customers' data" not).
DECISIVE_TOPIC = "cookies"

# ... and two when it speaks to the reader ("Sie stimmen der Verwendung von Cookies
# zu"): news rarely addresses its reader about cookies and consent.
MIN_TOPICS_ADDRESSED = 2

# A sentence touching a single topic joins a neighbouring notice when it is this
# short ("Zur Datenschutzerklärung", "Invalid email address.") ...
JOIN_MAX_WORDS = 12

# ... or when it addresses the reader and is no longer than banner sentences get;
# a longer one is a report that happens to mention a registration.
JOIN_MAX_WORDS_ADDRESSED = 30


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


# The second person, by which a site speaks to its reader, and the first person
# singular of the forms it has the reader sign ("Ich habe die Datenschutzerklärung
# gelesen"). German "Sie"/"Ihre" is also "they"/"their", which the topic counts make
# up for; English "I" is left out, as "i" is "and" in Polish.
ADDRESS = _word_set(
    """sie ihr ihre ihnen ihrer ihren ihres ihrem dich dein deine deiner you your yours
    vous votre vos usted ustedes tu tus su sus tú ti te twoje twoich twoją twój twoim
    ciebie siz sizin size sizi sizlere u uw jij jouw você vocês seu sua ich je yo eu"""
)

# The first person plural possessive, by which a site speaks of itself ("unsere
# Webseite", "our partners"); "we" alone is left out, reports quote people saying it.
SELF = _word_set(
    """unser unsere unserer unseren unserem unseres our ours notre nos nuestro nuestra
    nuestros nuestras nostro nostra nostri nostre nasz nasza naszej naszych naszą naszym
    onze nosso nossa"""
)

_TOPIC_OF = {
    stem: topic for topics in (TELLING_TOPICS, CONTEXT_TOPICS) for topic, stems in topics.items()
    for stem in stems
}  # fmt: skip
_TELLING = frozenset(TELLING_TOPICS)


def _trie_pattern(words: list[str]) -> str:
    """One regular expression for many words, shaped as a prefix tree ("co(?:okie|nsent)"):
    the scan then fails at most positions on the first letter, twice as fast as a plain
    alternation, which is what lets every line of every article be scanned."""
    trie: dict[str, dict[str, Any]] = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def pattern(node: dict[str, Any]) -> str:
        branches = [re.escape(ch) + pattern(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"
        return f"(?:{body})?" if "" in node else body

    return pattern(trie)


# Stems at the start of a word, matched in lower-cased text.
_STEMS = re.compile(r"(?<!\w)" + _trie_pattern(sorted(_TOPIC_OF)))
_WORD = re.compile(r"[^\W\d_]+")
# A sentence ends at . ! ? … (closing quotes included) before a space, or right
# before two letters, as flattened pages glue sentences ("Datenschutzerklärung.Details").
# Possessive, and only at the start of a run of marks: a megabyte of dots is one
# failed match, not one per dot.
_SENTENCE_END = re.compile(r"(?<![.!?…])[.!?…]++[\"'“”»«)]*+(?:\s++|(?=[^\W\d_]{2}))")


def sentences(line: str) -> list[str]:
    """``line`` cut after each sentence end; the pieces joined give the line back."""
    pieces: list[str] = []
    start = 0
    for m in _SENTENCE_END.finditer(line):
        pieces.append(line[start : m.end()])
        start = m.end()
    if start < len(line):
        pieces.append(line[start:])
    return pieces


def _speakers(sentence: str) -> tuple[bool, bool]:
    """Whether the sentence speaks to the reader, and whether the site speaks of itself."""
    words = set(_WORD.findall(sentence.lower()))
    return not words.isdisjoint(ADDRESS), not words.isdisjoint(SELF)


def _is_notice(sentence: str, topics: set[str]) -> bool:
    if len(topics) < MIN_TOPICS_ADDRESSED or not topics & _TELLING:
        return False
    to_reader, of_itself = _speakers(sentence)
    return to_reader or (of_itself and len(topics) + (DECISIVE_TOPIC in topics) >= MIN_TOPICS)


def _joins_notice(sentence: str, topics: set[str]) -> bool:
    if len(topics) >= MIN_TOPICS_ADDRESSED:
        return True
    if not topics:
        return False
    words = len(_WORD.findall(sentence))
    return words <= JOIN_MAX_WORDS or (words <= JOIN_MAX_WORDS_ADDRESSED and _speakers(sentence)[0])


def _topics(text: str) -> set[str]:
    # The stems are lower case; a letter whose lower case is longer ("İ") may hide a
    # match, which only lets a notice through.
    return {_TOPIC_OF[m.group()] for m in _STEMS.finditer(text.lower())}


def is_notice(sentence: str) -> bool:
    """True if ``sentence`` is a cookie, consent, login or newsletter notice."""
    return _is_notice(sentence, _topics(sentence))


@lru_cache(maxsize=16)
def cut_notices(line: str) -> tuple[str, tuple[str, ...]] | None:
    """``line`` without its notice sentences, and those sentences; None if it has none."""
    found = _topics(line)
    if len(found) < MIN_TOPICS_ADDRESSED or not found & _TELLING:
        return None
    pieces = sentences(line)
    topics = [_topics(piece) for piece in pieces]
    notice = [_is_notice(p, t) for p, t in zip(pieces, topics, strict=True)]
    if not any(notice):
        return None
    joins = [n or _joins_notice(p, t) for p, t, n in zip(pieces, topics, notice, strict=True)]
    # A notice spreads to its neighbours in both directions while they join it.
    for order in (range(len(pieces)), range(len(pieces) - 1, -1, -1)):
        previous = False
        for i in order:
            notice[i] = notice[i] or (previous and joins[i])
            previous = notice[i]
    kept: list[str] = []
    after_cut = False
    for piece, is_cut in zip(pieces, notice, strict=True):
        if is_cut:
            after_cut = bool(kept)
            continue
        # Pieces that stood together stay together ("www." + "example.org"); a gap
        # left by a cut notice becomes a space.
        kept.append(f" {piece}" if after_cut else piece)
        after_cut = False
    cut = tuple(p.strip() for p, n in zip(pieces, notice, strict=True) if n)
    return " ".join("".join(kept).split()), cut
