"""Names across spellings and scripts: transliteration and a cross-language name key.

``transliterate`` turns Cyrillic (Russian, Ukrainian, Belarusian, Bulgarian, Serbian)
and Greek into Latin letters. ``name_key`` goes further: it folds a name to a
skeleton in which the spelling conventions of German, English, Polish and the
transliteration standards no longer show, so that Schoigu / Shoigu / Shoygu /
Шойгу all give ``shoigu``. It is a phonetic key tuned to one job — romanised
Slavic and Greek names — and kept conservative elsewhere: vowels stay as they
are (Putin / Patin, Merkel / Markel keep different keys).

What meets and what does not (each is a test in ``tests/test_text_translit.py``):

- meet: Schoigu / Shoigu / Shoygu / Szojgu / Шойгу; Chrenin / Khrenin / Хренин;
  Lukaschenko / Lukashenko / Лукашенко; Wladimir / Vladimir / Владимир;
  Selenskyj / Zelensky / Zelenskyy / Зеленский / Зеленський; Jewgeni / Yevgeny /
  Evgeny / Евгений; Tkatschenko / Tkachenko / Ткаченко; Gorbatschow / Gorbachev /
  Gorbaczow / Горбачёв; Chruschtschow / Khrushchev / Хрущёв; Nawalny / Navalny /
  Navalnyy / Навальный; Peskow / Peskov / Песков; Sacharowa / Zakharova / Захарова;
  Tsipras / Τσίπρας; Mitsotakis / Μητσοτάκης; Kiew / Kiev / Kiyev / Киев;
  Kyiv / Київ; Donezk / Donetsk / Донецк; Jelzin / Yeltsin / Ельцин;
  Breschnew / Brezhnev / Брежнев; Prigoschin / Prigozhin / Пригожин.
- do not meet (no general spelling rule joins them): Kiew / Kyiv (the Ukrainian
  name differs in its vowels — the gazetteer in ``storyline.text.name_lexicon``
  knows both as one city and gives them one key); Müller / Mueller (ü folds to u, and
  "ue" is too common inside names to rewrite); Lukaschenko / Łukaszenka (the
  Belarusian form ends in -a); French spellings where ch is sh and ou is u
  (Choïgou, Loukachenko, Poutine); Czech spellings of Russian names (Šojgu):
  diacritics are stripped (š -> s) because English copy of Czech, Slovak and
  Turkish names drops them the same way (Babiš / Babis, Çavuşoğlu / Cavusoglu);
  Polish ie for a soft e (Pieskow / Peskow); Alexander / Aleksandr (-er / -r).
- Ukrainian is told from Russian by і, ї, є or ґ; a Ukrainian word without them
  (Зеленський) is romanised as Russian, which the key absorbs (-skyi / -skii / -sky).
- accepted collisions of different names: Jan / Ian (j is y is i), Jessen / Essen
  (initial ye is e, for Yevgeny / Evgeny), Moritz / Morris (German z is ts is s,
  for Donezk / Donetsk), Marx / Marks (x is ks), Bush / Busch (sch is sh).

Characters outside Latin, Cyrillic and Greek (Arabic, Chinese, …) are dropped: the
key of a name written only in such a script is empty.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = ["REWRITE_RULES", "name_key", "transliterate"]

# --- Cyrillic -------------------------------------------------------------------------

# Russian, in the English-style romanisation news agencies use (BGN/PCGN without
# diacritics); ё is written е in most Russian text, so both give "e".
_RUSSIAN = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh",
    "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu",
    "я": "ya",
}  # fmt: skip
# Ukrainian differs in г, и, і, ї, є, ґ (Київ -> kyyiv, Зеленський -> zelenskyy).
_UKRAINIAN = _RUSSIAN | {"г": "h", "ґ": "g", "и": "y", "і": "i", "ї": "yi", "є": "ye"}
# Belarusian: г is h, ў is a short u (Лукашэнка -> lukashenka).
_BELARUSIAN = _RUSSIAN | {"г": "h", "і": "i", "ў": "u"}
# Serbian and Macedonian Cyrillic map onto Serbian Latin without its diacritics,
# because that is how English copy spells those names (Вучић -> Vucic, Ђоковић ->
# Djokovic).
_SERBIAN = _RUSSIAN | {
    "ђ": "dj", "ј": "j", "љ": "lj", "њ": "nj", "ћ": "c", "џ": "dz", "ж": "z", "ш": "s",
    "ч": "c", "ц": "c", "х": "h", "ѓ": "gj", "ќ": "kj", "ѕ": "dz",
}  # fmt: skip
_UKRAINIAN_ONLY = frozenset("іїєґ")
_SERBIAN_ONLY = frozenset("ђјљњћџѓќѕ")
_CYRILLIC_VOWELS = frozenset("аеёиоуыэюяіїєў")


def _cyrillic_table(word: str) -> dict[str, str]:
    """Pick the romanisation from letters only one language uses; Russian otherwise."""
    letters = set(word)
    if "ў" in letters:
        return _BELARUSIAN
    if letters & _UKRAINIAN_ONLY:
        return _UKRAINIAN
    if letters & _SERBIAN_ONLY:
        return _SERBIAN
    return _RUSSIAN


def _cyrillic(word: str) -> str:
    table = _cyrillic_table(word)
    out: list[str] = []
    for i, ch in enumerate(word):
        if ch == "ъ" and table is _RUSSIAN:
            # Russian ъ is a hard sign before е/ё/ю/я; anywhere else it is the
            # Bulgarian vowel (България -> balgariya).
            nxt = word[i + 1] if i + 1 < len(word) else ""
            out.append("" if nxt in _CYRILLIC_VOWELS else "a")
        elif ch == "щ" and "ъ" in word[i:]:
            out.append("sht")  # Bulgarian щ, recognised by a following ъ
        else:
            out.append(table.get(ch, ch))
    return "".join(out)


# --- Greek ----------------------------------------------------------------------------

# Modern Greek as romanised in news copy (ELOT 743 without its optional marks).
_GREEK = {
    "α": "a", "β": "v", "γ": "g", "δ": "d", "ε": "e", "ζ": "z", "η": "i", "θ": "th",
    "ι": "i", "κ": "k", "λ": "l", "μ": "m", "ν": "n", "ξ": "x", "ο": "o", "π": "p",
    "ρ": "r", "σ": "s", "ς": "s", "τ": "t", "υ": "y", "φ": "f", "χ": "ch", "ψ": "ps",
    "ω": "o",
}  # fmt: skip
# Digraphs first; μπ / ντ / γκ are b / d / g at the start of a word.
_GREEK_DIGRAPHS = (
    ("ου", "ou"),
    ("αυ", "av"),
    ("ευ", "ev"),
    ("ηυ", "iv"),
    ("γγ", "ng"),
    ("γχ", "nch"),
    ("γξ", "nx"),
)
_GREEK_INITIAL = (("μπ", "b"), ("ντ", "d"), ("γκ", "g"))


def _greek(word: str) -> str:
    for greek, latin in _GREEK_INITIAL:
        if word.startswith(greek):
            word = latin + word[2:]
    word = word.replace("μπ", "mb").replace("ντ", "nd").replace("γκ", "ng")
    for greek, latin in _GREEK_DIGRAPHS:
        word = word.replace(greek, latin)
    return "".join(_GREEK.get(ch, ch) for ch in word)


# --- Latin folding --------------------------------------------------------------------

# Letters that Unicode does not decompose into a base letter plus a mark.
_LATIN_SPECIAL = str.maketrans(
    {"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "dj", "ð": "d", "þ": "th",
     "ı": "i", "ŀ": "l", "ħ": "h", "ŧ": "t", "ŋ": "ng", "ĸ": "k", "ſ": "s"}
)  # fmt: skip

_WORD = re.compile(r"[^\W_]+")


def _script_of(ch: str) -> str:
    code = ord(ch)
    if 0x0400 <= code <= 0x052F:
        return "cyrillic"
    if 0x0370 <= code <= 0x03FF or 0x1F00 <= code <= 0x1FFF:
        return "greek"
    return "latin"


def _transliterate_word(word: str) -> str:
    # Marks go first so that accented Greek and Cyrillic letters (ά, й stays: it is
    # a letter of its own and NFC keeps it) meet their plain forms.
    word = unicodedata.normalize("NFC", word.casefold())
    scripts = {_script_of(ch) for ch in word}
    if "greek" in scripts:
        decomposed = unicodedata.normalize("NFD", word)
        word = _greek("".join(ch for ch in decomposed if not unicodedata.combining(ch)))
    if "cyrillic" in scripts:
        word = _cyrillic(word)
    word = word.translate(_LATIN_SPECIAL)
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(ch for ch in decomposed if ch.isascii() and (ch.isalnum()))


def transliterate(text: str) -> str:
    """Lowercase ASCII romanisation of ``text``'s words, joined by single spaces."""
    words = (_transliterate_word(w) for w in _WORD.findall(text))
    return " ".join(w for w in words if w)


# --- The key ----------------------------------------------------------------------------

# Placeholders for two sound classes while the rules run; rendered at the end.
_KH = "C"  # German ch, English kh, English ch, German tsch, Polish cz, Russian х and ч
_SH = "S"  # German sch, English sh, Polish sz, Russian ш and ж
_RENDER = {_KH: "kh", _SH: "sh"}

REWRITE_RULES: tuple[tuple[str, str, str], ...] = (
    # (pattern, replacement, why) — applied in order to one lowercase ASCII word.
    ("q", "k", "q is k in every romanisation; before kh is formed"),
    ("x", "ks", "x is ks (Alexander / Aleksandr); before sh is formed"),
    ("ph", "f", "Greek φ as ph or f (Stephanos / Stefanos)"),
    ("th", "t", "Greek θ as th or t; German th is t"),
    ("tsch", _KH, "German tsch is English ch and Polish cz (Tkatschenko / Tkachenko)"),
    ("sch", _SH, "German sch is English sh and Polish sz (Schoigu / Shoigu)"),
    ("sh", _SH, "English sh (Shoigu)"),
    ("zh", _SH, "Russian ж: English zh, German sch (Prigozhin / Prigoschin)"),
    ("sz", _SH, "Polish sz (Szojgu / Shoigu)"),
    ("cz", _KH, "Polish cz (Gorbaczow / Gorbachev)"),
    ("tch", _KH, "French and English tch (Gorbatchev / Gorbachev)"),
    # German and Polish ch is Russian х (Chrenin / Khrenin) while English ch is
    # Russian ч (Tkachenko / Tkatschenko): without knowing the language of the
    # spelling, х and ч must share one class.
    ("ch", _KH, "ch is х in German and Polish, ч in English: one class with kh"),
    ("kh", _KH, "English kh is Russian х (Khrenin / Chrenin)"),
    ("ck", "k", "German ck is k"),
    ("c(?=[eiy])", "s", "soft c before e, i, y"),
    ("c", "k", "hard c elsewhere (Carl / Karl, Nicolai / Nikolai)"),
    ("w", "v", "German and Polish w is English v (Wladimir / Vladimir, Peskow / Peskov)"),
    ("z", "s", "German s is English z (Selenskyj / Zelensky, Sacharowa / Zakharova)"),
    ("ts", "s", "German z is English ts (Donezk / Donetsk, Jelzin / Yeltsin)"),
    ("j", "y", "German and Polish j is English y (Jewgeni / Yevgeny)"),
    ("^ye", "e", "iotated initial e: Yevgeny / Jewgeni / Evgeny / Евгений"),
    ("(?<=[aeiou])ye", "e", "iotated e after a vowel: Andreyev / Andrejew / Андреев"),
    ("y", "i", "y and i are one vowel across romanisations (Shoygu / Shoigu)"),
    # Russian ё after ч, ш, щ, ж is written о by German and е by English copy.
    (f"(?<=[{_KH}{_SH}])[eo]v(?=a?$)", "ev", "-chow / -chev (Gorbatschow / Gorbachev)"),
    ("(?<=[oe])ff$", "v", "-off / -eff for -ov / -ev (Rachmaninoff / Rachmaninov)"),
    (r"(.)\1+", r"\1", "double letters count once (Nawalny / Navalnyy, Odessa / Odesa)"),
)

_COMPILED = tuple((re.compile(p), r) for p, r, _ in REWRITE_RULES)

# The rules are applied until the key stops changing; two passes suffice in practice.
MAX_PASSES = 4


def _key_word(word: str) -> str:
    for pattern, replacement in _COMPILED:
        word = pattern.sub(replacement, word)
    return "".join(_RENDER.get(ch, ch) for ch in word)


def _key_once(text: str) -> str:
    words = (_key_word(w) for w in transliterate(text).split())
    return " ".join(w for w in words if w)


@lru_cache(maxsize=262_144)
def name_key(name: str) -> str:
    """Cross-language key of a name: lowercase ASCII words joined by single spaces.

    Variants of one name in German, English and Polish spelling and in Cyrillic or
    Greek script give the same key (``name_key("Schoigu") == name_key("Шойгу")``).
    """
    key = _key_once(name)
    for _ in range(MAX_PASSES):
        again = _key_once(key)
        if again == key:
            break
        key = again
    return key
