"""Transliteration and the cross-language name key: which spellings meet, which not."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from storyline.text.translit import REWRITE_RULES, name_key, transliterate

# One real name per row, in German, English, Polish, French or Czech spelling and in
# its Russian, Ukrainian, Belarusian, Serbian or Greek original.
SAME_NAME = [
    ("Schoigu", "Shoigu", "Shoygu", "Szojgu", "Шойгу"),
    ("Chrenin", "Khrenin", "Хренин"),
    ("Lukaschenko", "Lukashenko", "Łukaszenko", "Лукашенко"),
    ("Wladimir", "Vladimir", "Владимир"),
    ("Kiew", "Kiev", "Kiyev", "Киев"),
    ("Kyiv", "Київ"),
    ("Selenskyj", "Zelensky", "Zelenskyy", "Zelenskij", "Зеленский", "Зеленський"),
    ("Jewgeni", "Jewgenij", "Yevgeny", "Evgeny", "Евгений"),
    ("Tkatschenko", "Tkachenko", "Ткаченко"),
    ("Gorbatschow", "Gorbachev", "Gorbatchev", "Gorbaczow", "Горбачёв"),
    ("Chruschtschow", "Khrushchev", "Chruszczow", "Хрущёв"),
    ("Nawalny", "Navalny", "Navalnyy", "Навальный"),
    ("Peskow", "Peskov", "Песков"),
    ("Sacharowa", "Zakharova", "Захарова"),
    ("Tsipras", "Τσίπρας"),
    ("Mitsotakis", "Μητσοτάκης"),
    ("Kyriakos", "Κυριάκος"),
    ("Alexis", "Αλέξης"),
    ("Golowtschenko", "Golovchenko", "Головченко"),
    ("Donezk", "Donetsk", "Донецк"),
    ("Jelzin", "Yeltsin", "Jelcyn", "Ельцин"),
    ("Breschnew", "Brezhnev", "Брежнев"),
    ("Prigoschin", "Prigozhin", "Пригожин"),
    ("Schukow", "Zhukov", "Жуков"),
    ("Medwedew", "Medvedev", "Медведев"),
    ("Lawrow", "Lavrov", "Лавров"),
    ("Charkiw", "Kharkiv", "Харків"),
    ("Saporischschja", "Zaporizhzhia", "Запоріжжя"),
    ("Tichanowskaja", "Tikhanovskaya", "Тихановская"),
    ("Dostojewski", "Dostoyevsky", "Dostoevsky", "Достоевский"),
    ("Tschaikowski", "Tchaikovsky", "Чайковский"),
    ("Rachmaninow", "Rachmaninoff", "Rachmaninov", "Рахманинов"),
    ("Sergej", "Sergei", "Sergey", "Сергей"),
    ("Dmitri", "Dmitrij", "Dmitry", "Дмитрий"),
    ("Andrejew", "Andreyev", "Andreev", "Андреев"),
    ("Vučić", "Vucic", "Вучић"),
    ("Đoković", "Djokovic", "Ђоковић"),
    ("Lukashenka", "Лукашэнка"),
    ("Papadopoulos", "Παπαδόπουλος"),
    ("Thessaloniki", "Θεσσαλονίκη"),
    ("Erdoğan", "Erdogan"),
    ("Babiš", "Babis"),
]


@pytest.mark.parametrize("variants", SAME_NAME, ids=lambda v: v[0])
def test_text_translit_variants_of_one_name_meet(variants: tuple[str, ...]) -> None:
    keys = {name_key(v) for v in variants}
    assert len(keys) == 1, dict(zip(variants, map(name_key, variants), strict=True))


# Different names that must keep different keys: the key is a phonetic skeleton, but
# vowels and most consonants stay as written.
DIFFERENT_NAMES = [
    ("Putin", "Patin"),
    ("Merkel", "Markel"),
    ("Berlin", "Berlim"),
    ("Minsk", "Pinsk"),
    ("Minsk", "Minsker"),
    ("Scholz", "Schulz"),
    ("Kiew", "Kiel"),
    ("Chen", "Shen"),
    ("Kim", "Kin"),
    ("Lee", "Li"),
    ("Medvedev", "Medvedchuk"),
    ("Navalny", "Naval"),
    ("Zelensky", "Zelenko"),
    ("Lukashenko", "Lukashevich"),
    ("Trump", "Truss"),
    ("Macron", "Micron"),
    ("Habeck", "Haber"),
    ("Lindner", "Linder"),
    ("Merz", "Marx"),
    ("Wagner", "Wegner"),
    ("Orban", "Urban"),
    ("Fico", "Figo"),
    ("Duda", "Dudek"),
    ("Tusk", "Musk"),
    ("Iran", "Irak"),
    ("Austria", "Australia"),
    ("Niger", "Nigeria"),
    ("Slovakia", "Slovenia"),
    ("Kharkiv", "Kherson"),
    ("Odesa", "Oder"),
    ("Ivanov", "Ivanova"),
    ("Zelensky", "Zelenskaya"),
    ("Shevchenko", "Tkachenko"),
    ("Sergei", "Sergio"),
    ("Maria", "Mario"),
    ("Anna", "Anne"),
    ("Gerhard", "Gerard"),
    ("Müller", "Miller"),
    ("Kohl", "Kol"),
    ("Peskov", "Pesko"),
    ("Schoigu", "Schoiga"),
    ("Tsipras", "Tsiolas"),
    ("Mitsotakis", "Mitropoulos"),
]


@pytest.mark.parametrize(("one", "other"), DIFFERENT_NAMES)
def test_text_translit_different_names_keep_different_keys(one: str, other: str) -> None:
    assert name_key(one) != name_key(other)


# Collisions the rules accept for the variants they join (documented in translit.py).
ACCEPTED_COLLISIONS = [
    ("Jan", "Ian"),  # j is y is i: Jewgeni / Yevgeny
    ("Jessen", "Essen"),  # initial ye is e: Yevgeny / Evgeny
    ("Moritz", "Morris"),  # German z is ts is s: Donezk / Donetsk
    ("Marx", "Marks"),  # x is ks: Alexander / Aleksandr
    ("Bush", "Busch"),  # sch is sh: Schoigu / Shoigu
]


@pytest.mark.parametrize(("one", "other"), ACCEPTED_COLLISIONS)
def test_text_translit_accepted_collisions_are_known(one: str, other: str) -> None:
    assert name_key(one) == name_key(other)


# Variants no general spelling rule joins (documented in translit.py); the gazetteer
# in storyline.text.name_lexicon joins the place names among them.
KNOWN_MISSES = [
    ("Kiew", "Kyiv"),
    ("Müller", "Mueller"),
    ("Lukaschenko", "Łukaszenka"),
    ("Schoigu", "Choïgou"),
    ("Putin", "Poutine"),
    ("Schoigu", "Šojgu"),
    ("Peskow", "Pieskow"),
]


@pytest.mark.parametrize(("one", "other"), KNOWN_MISSES)
def test_text_translit_known_misses_stay_documented(one: str, other: str) -> None:
    assert name_key(one) != name_key(other)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Лукашенко", "lukashenko"),
        ("Київ", "kyyiv"),
        ("Зеленський", "zelenskiy"),  # no і, ї, є, ґ: read as Russian; the key still meets
        ("Шойгу", "shoygu"),
        ("Хрущёв", "khrushchev"),
        ("Лукашэнка", "lukashenka"),
        ("България", "balgariya"),
        ("Вучић", "vucic"),
        ("Τσίπρας", "tsipras"),
        ("Μητσοτάκης", "mitsotakis"),
        ("Ντόρα Μπακογιάννη", "dora bakogianni"),
        ("Weißrussland", "weissrussland"),
        ("Sergej  Schoigu, Minsk", "sergej schoigu minsk"),
    ],
)
def test_text_translit_transliterates_scripts(text: str, expected: str) -> None:
    assert transliterate(text) == expected


def test_text_translit_multiword_keys_keep_words() -> None:
    assert name_key("Sergej Schoigu") == "sergei shoigu"
    assert name_key("Jean-Claude Juncker").split() == [
        name_key("Jean"),
        name_key("Claude"),
        name_key("Juncker"),
    ]


def test_text_translit_every_rule_has_a_reason() -> None:
    for pattern, _, reason in REWRITE_RULES:
        assert pattern and len(reason) > 10, pattern


@given(st.text())
def test_text_translit_key_is_ascii_lowercase_and_idempotent(text: str) -> None:
    key = name_key(text)
    assert key.isascii()
    assert key == key.lower()
    assert key == " ".join(key.split())
    assert name_key(key) == key


_NAME_LETTERS = st.sampled_from(
    list("abcdefghijklmnopqrstuvwxyzäöüßčšžłńśźżćđ")
    + list("абвгдеёжзийклмнопрстуфхцчшщъыьэюяіїєґўђјљњћџ")
    + list("αβγδεζηθικλμνξοπρστυφχψωάέήίόύώς")
    + ["sch", "tsch", "ch", "kh", "zh", "sh", "cz", "sz", "ts", "tz", "ye", "ja", "ow", "ff"]
)


@given(st.lists(_NAME_LETTERS, min_size=1, max_size=12).map("".join))
def test_text_translit_key_is_idempotent_on_name_like_strings(name: str) -> None:
    key = name_key(name.capitalize())
    assert key.isascii()
    assert name_key(key) == key
