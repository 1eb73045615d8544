"""Boilerplate rules as data: one table, each rule with its scope and a reason.

A rule is a regular expression and where on a line it applies (:class:`Scope`):

``LINE``      the whole line matches;
``CONTAINS``  the line contains the phrase (phrases specific enough to mark a line);
``START``     a fragment at the start of the line matches;
``END``       a fragment at the end of the line matches;
``EDGE``      the whole line matches, but only before the first or after the last
              prose line (section labels such as "Politik" are headings elsewhere).

and what it does (:class:`Action`): ``DROP_LINE`` removes the whole line, ``CUT``
removes only the matched fragment. Lines are whitespace-normalised before matching,
and every pattern is matched case-insensitively unless compiled otherwise.

Two limits keep rules precise and matching linear (see ``storyline.text.clean``):
drop rules only judge lines up to ``MAX_BOILERPLATE_CHARS``, and ``END`` rules only
see the last ``END_WINDOW`` characters of a line. Patterns must keep every repeat
bounded or over a single character class, never nested; a test runs each rule over
1 MB pathological lines.

Learned per-source boilerplate can be added later as more ``Rule`` entries of the
same shape; ``storyline.text.clean`` reads its rules from ``RULES`` at import time.
Agency tags are not boilerplate but metadata: ``AGENCY_NAMES`` lists the agencies the
cleaner extracts, ``SECTION_LABELS`` the labels it drops at the edges of the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

MAX_BOILERPLATE_CHARS = 400
"""Buttons, captions, credits and notices are at most a few sentences; a longer
line is prose and is never dropped whole (only ``CUT`` rules and agency tags touch it)."""

END_WINDOW = 300
"""``END`` rules look at this many trailing characters: every end fragment in the
table is shorter, and the bound keeps matching cost flat on megabyte lines."""


class Scope(StrEnum):
    """Where on a line a rule's pattern must match."""

    LINE = "line"
    CONTAINS = "contains"
    START = "start"
    END = "end"
    EDGE = "edge"


class Action(StrEnum):
    """What a matching rule removes."""

    DROP_LINE = "drop_line"
    CUT = "cut"


@dataclass(frozen=True, slots=True)
class Rule:
    """One kind of boilerplate: a name, a pattern, where it applies and why."""

    name: str
    pattern: re.Pattern[str]
    scope: Scope
    reason: str
    action: Action = Action.DROP_LINE
    hints: tuple[str, ...] = ()
    """Lower-case substrings one of which any match contains: lines without one
    skip the regex (a substring test is ~50x cheaper than a regex scan)."""


def _i(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


def _alternation(words: tuple[str, ...]) -> str:
    """A regex alternation of literal words, longest first so prefixes lose."""
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


AGENCY_NAMES: tuple[str, ...] = (
    "dpa",
    "dpa-AFX",
    "AFP",
    "Reuters",
    "AP",
    "KNA",
    "epd",
    "APA",
    "sda",
    "Keystone-SDA",
    "ANSA",
    "TASS",
    "Interfax",
    "RIA Novosti",
    "EFE",
    "Xinhua",
    "UPI",
    "SID",
    "dts",
    "Belta",
    "Ukrinform",
    "PAP",
    "Kyodo",
    "Yonhap",
)
"""News agencies whose tags ("(dpa)", "Berlin (AFP) -") are extracted, spelled as
they are reported; tags are matched case-insensitively against these names."""

SECTION_LABELS: tuple[str, ...] = (
    "Germany",
    "Deutschland",
    "Austria",
    "Österreich",
    "Switzerland",
    "Schweiz",
    "Russia",
    "Russland",
    "Ukraine",
    "USA",
    "Europe",
    "Europa",
    "World",
    "Welt",
    "Politik",
    "Politics",
    "Ausland",
    "Inland",
    "International",
    "Wirtschaft",
    "Business",
    "Economy",
    "Finanzen",
    "Sport",
    "Sports",
    "Kultur",
    "Culture",
    "Panorama",
    "Gesellschaft",
    "Wissen",
    "Science",
    "Digital",
    "Technology",
    "Meinung",
    "Opinion",
    "News",
    "Nachrichten",
    "Aktuell",
    "Home",
    "Startseite",
)
"""Section and country labels that aggregators and site templates put above or
below an article ("Germany", "Politik > Ausland")."""

SECTION_PATTERN = rf"(?:{_alternation(SECTION_LABELS)})"

_SHARE = (
    r"(?:teilen|share(?: this(?: article| story| post)?)?|tweet(?:en)?|drucken|print"
    r"|e-?mail|mail|whatsapp|facebook|twitter|x|linkedin|xing|pinterest|reddit"
    r"|telegram|messenger|flipboard|pocket|threads|bluesky|kopieren|link kopieren"
    r"|copy link|merken|speichern|artikel (?:teilen|drucken|versenden|merken)"
    r"|per e-?mail (?:teilen|versenden)|teilen mit|share on|compartir|partager|condividi"
    r"|udostępnij|поделиться)"
)
_PHOTO_WORD = (
    r"(?:fotos?|photos?|bild(?:er|quelle|nachweis)?|titelbild|titelfoto|images?"
    r"|fotoquelle|(?:photo |foto-?)?credits?|crédits? photos?)"
)
_CREDIT_END = r"©[^©\n]{1,80}"

RULES: tuple[Rule, ...] = (
    Rule(
        "share_buttons",
        _i(rf"{_SHARE}(?:(?:\s*[|·•,/]\s*|\s+){_SHARE}){{0,12}}:?"),
        Scope.LINE,
        "Share, print and mail buttons render as lines of button labels.",
    ),
    Rule(
        "aggregator_disclaimer",
        _i(
            r"(?:this|the) (?:article|news|story|post|item) (?:was|has been)"
            r" (?:added|submitted|posted|shared) by (?:the|a|an|our) user"
            r"|is not responsible for the content of (?:the|this) (?:platform|site|website|page)"
        ),
        Scope.CONTAINS,
        "Aggregators (TheWorldNews and alike) wrap copied articles in a disclaimer.",
        hints=("user", "responsible"),
    ),
    Rule(
        "feed_footer",
        _i(r"the post .{1,300} appeared first on .{1,150}"),
        Scope.LINE,
        "Feed generators append 'The post X appeared first on Y.' to each item.",
        hints=("appeared first on",),
    ),
    Rule(
        "image_file",
        _i(r"\S{0,300}?\.(?:jpe?g|png|webp|gif|avif|bmp|tiff?|svg|heic)(?:\?\S{0,300})?"),
        Scope.LINE,
        "A bare image file name or URL is what is left of an image.",
        hints=(".",),
    ),
    Rule(
        "photo_credit",
        _i(rf"\(?\s*(?:{_PHOTO_WORD}\s*:|fot\.)\s*[^\n]{{1,150}}?\s*\)?"),
        Scope.LINE,
        "'Foto: dpa', '(Foto: AP)', 'Photo: Reuters', 'Fot. X' label an image, not prose.",
        hints=(":", "fot."),
    ),
    Rule(
        "copyright_line",
        _i(r"(?:©|\(c\) |copyright\s*(?:©|\(c\)|\d{4}|:))"),
        Scope.START,
        "A short line opening with a copyright sign or notice is a credit or footer.",
    ),
    Rule(
        "rights_reserved",
        _i(
            r"all rights reserved|alle rechte vorbehalten|tous droits réservés"
            r"|todos los derechos reservados|все права защищены"
        ),
        Scope.CONTAINS,
        "Rights notices belong to the page footer.",
        hints=("reserv", "vorbehalten", "droits", "derechos", "защищены"),
    ),
    Rule(
        "caption_credit",
        re.compile(_CREDIT_END),
        Scope.END,
        "A short line ending in a '©' credit is an image caption; captions are not "
        "article prose, so the whole line goes.",
        hints=("©",),
    ),
    Rule(
        "caption_photo_tag",
        _i(rf"\(\s*{_PHOTO_WORD}\s*:\s*[^()\n]{{1,80}}\)\.?"),
        Scope.END,
        "A short line ending in '(Foto: X)' is an image caption.",
        hints=(":",),
    ),
    Rule(
        "caption_photo_label",
        re.compile(r"(?<=[.!?\"“”)]\s)(?:Fotos?|Photos?|Bild|Bildquelle)\s*:\s*[^\n.!?:]{1,60}"),
        Scope.END,
        "A short line ending in a sentence then 'Foto: X' is an image caption; the "
        "capitalised label after a sentence end keeps 'auf dem Bild: ...' prose safe.",
        hints=(":",),
    ),
    Rule(
        "trailing_credit",
        re.compile(_CREDIT_END),
        Scope.END,
        "On a line too long to be a caption, only the glued '©' credit is cut.",
        Action.CUT,
        hints=("©",),
    ),
    Rule(
        "read_more",
        _i(
            r"(?:lesen sie (?:auch|mehr|hier)|mehr zum thema|mehr dazu|weiterlesen"
            r"|weitere (?:artikel|themen|beiträge)|auch interessant|empfohlene (?:artikel|beiträge)"
            r"|(?:ähnliche|verwandte) (?:artikel|beiträge)"
            r"|das könnte (?:sie|dich) auch interessieren|read more|read also|also read|see also"
            r"|related(?: articles?| stories| coverage)?|more on this(?: story)?|recommended"
            r"|(?:à )?lire aussi|lee también|leer más|leggi anche|czytaj (?:też|także|więcej)"
            r"|zobacz (?:też|także)|dowiedz się więcej|читайте также|также читайте)"
            r"\s*(?::|»|›|>|→|\||-\s|–|—|\Z)"
        ),
        Scope.START,
        "Links to other articles ('Lesen Sie auch: ...') carry another article's title.",
    ),
    Rule(
        "newsletter_pitch",
        _i(
            r"newsletter (?:abonnieren|bestellen)|(?:zum|für (?:den|unseren)) newsletter anmelden"
            r"|melden sie sich (?:jetzt |hier ){0,2}(?:für|zu) (?:unserem|unseren|den|dem)"
            r" newsletter|(?:sign(?:ing)? up|subscrib(?:e|ing)) (?:for|to) (?:our|the)"
            r" (?:\w{1,30} )?newsletter"
            r"|already a subscriber|sie sind bereits abonnent|bereits abonnent\?"
            r"|dieser artikel ist (?:nur )?für abonnenten"
            r"|this (?:article|story) is (?:only )?(?:available )?(?:for|to) subscribers"
        ),
        Scope.CONTAINS,
        "Newsletter and subscription pitches are page furniture, not reporting.",
        hints=("newsletter", "abonnent", "subscriber"),
    ),
    Rule(
        "subscribe_button",
        _i(
            r"(?:jetzt )?(?:abonnieren|abo abschließen|registrieren|anmelden)|subscribe(?: now)?"
            r"|sign up(?: now)?|newsletter|zum newsletter|jetzt lesen|weiterlesen mit \S{1,30}"
        ),
        Scope.LINE,
        "Subscription buttons render as short lines of button text.",
    ),
    Rule(
        "cookie_notice",
        _i(
            r"wir (?:verwenden|nutzen) cookies|(?:diese|unsere) (?:web)?(?:seite|site|website)"
            r" (?:verwendet|nutzt) cookies|we use cookies|this (?:web)?site uses cookies"
            r"|cookie-?einstellungen|cookie (?:settings|preferences)|(?:accept|akzeptieren sie)"
            r" (?:all )?cookies|alle cookies akzeptieren"
        ),
        Scope.CONTAINS,
        "Cookie banners are scraped along with the page.",
        hints=("cookie",),
    ),
    Rule(
        "advertisement",
        _i(
            r"[-–—\s]{0,5}(?:anzeige|advertisement|advertising|werbung|sponsored(?: content)?"
            r"|gesponsert|ad|реклама)[-–—\s]{0,5}"
        ),
        Scope.LINE,
        "Ad slot labels ('Anzeige', 'Advertisement') mark where an ad was.",
    ),
    Rule(
        "navigation",
        _i(
            r"(?:zurück )?zur startseite|nach oben|zum seitenanfang|back to top"
            r"|skip to (?:main )?content|zum inhalt springen|zur navigation springen"
            r"|menü|menu|suche|search|login|log in|sign in|einloggen|abmelden|schließen|close"
            r"|wird geladen\W{0,3}|loading\W{0,3}|inhaltsverzeichnis|table of contents"
            r"|mehr anzeigen|show more|alle anzeigen|alle akzeptieren|accept all"
            r"|(?:vorheriger|nächster) artikel|(?:previous|next) article"
        ),
        Scope.LINE,
        "Navigation and dialog buttons are page chrome.",
    ),
    Rule(
        "comments_link",
        _i(
            r"(?:\d{1,6}\s*|keine\s|no\s)?(?:kommentare?|comments?|kommentieren(?: sie)?"
            r"|leserkommentare|zu den kommentaren|diskutieren sie mit"
            r"|schreib(?:e|en sie)? einen kommentar|kommentar (?:verfassen|schreiben|abgeben)"
            r"|(?:post|leave|add|write) a (?:comment|reply)|publier un commentaire"
            r"|laisser un commentaire|deja un comentario|lascia un commento|dodaj komentarz"
            r"|оставить комментарий|комментарии)(?:\s*\([^()\n]{1,120}\))?\s*:?"
        ),
        Scope.LINE,
        "Comment counters, links and forms belong to the page, not the article.",
    ),
    Rule(
        "comment_login",
        _i(
            r"um (?:einen )?kommentare? zu (?:schreiben|verfassen)"
            r"|(?:log in|sign in|register) to (?:leave|post|write) a comment"
            r"|nur (?:angemeldete|registrierte) (?:benutzer|nutzer|leser)\S{0,8}"
            r" können kommentieren"
        ),
        Scope.CONTAINS,
        "'Log in to comment' notices sit under the article, not in it.",
        hints=("komment", "comment"),
    ),
    Rule(
        "media_controls",
        _i(
            r"(?:zur )?bildergalerie|bild (?:anzeigen|vergrößern)"
            r"|(?:video|audio) (?:abspielen|starten)"
            r"|(?:play|watch) (?:video|now)|vollbild|fullscreen|enlarge (?:image|photo)"
        ),
        Scope.LINE,
        "Gallery and player buttons are what remains of embedded media.",
    ),
    Rule(
        "separator",
        re.compile(r"[\W_]{1,400}"),
        Scope.LINE,
        "A line with no letter or digit is a rule, bullet or stray punctuation.",
    ),
    Rule(
        "section_label",
        _i(rf"{SECTION_PATTERN}(?:\s*[>/|›»·]\s*{SECTION_PATTERN}){{0,5}}"),
        Scope.EDGE,
        "Aggregators and templates put a section or country label above or below the "
        "article; inside the text the same word may be a subheading, so only edges go.",
    ),
)
"""The built-in boilerplate rules, applied in this order."""
