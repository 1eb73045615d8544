"""Proper names: precision and recall on a hand-labelled sample, seeds, keys, kinds."""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storyline.text.clean import clean_text
from storyline.text.name_lexicon import gazetteer
from storyline.text.names import NameKind, NameMention, _Text, find_names, name_keys
from storyline.text.tokens import Token, tokenize
from storyline.text.translit import name_key
from tests.conftest import shared_path

SAMPLE = json.loads(Path(__file__).with_name("data").joinpath("names_sample.json").read_text())

# Floors for the hand-labelled sample (tests/data/names_sample.json: 15 German and 11
# English paragraphs written for this test, every name mention labelled by hand).
# Measured when pinned: precision 0.984, recall 0.872, kind accuracy 0.846. A mention
# counts only when its words match the label exactly ("Sergej Schoigu", not "Schoigu").
PRECISION_FLOOR = 0.95
RECALL_FLOOR = 0.85
KIND_ACCURACY_FLOOR = 0.80

# Speed budget for the name step, warm caches, per 100 tokens (measured: ~0.4 ms).
MS_PER_100_TOKENS = 1.0


def names_in(text: str, language: str) -> list[NameMention]:
    return find_names(text, list(tokenize(text, language)), language)


def test_text_names_hand_labelled_sample_precision_and_recall() -> None:
    true_positives = false_positives = false_negatives = right_kind = 0
    for paragraph in SAMPLE["paragraphs"]:
        found = names_in(paragraph["text"], paragraph["language"])
        got = Counter(m.text for m in found)
        gold = Counter(text for text, _ in paragraph["names"])
        kinds = dict((text, kind) for text, kind in paragraph["names"])
        true_positives += sum((got & gold).values())
        false_positives += sum((got - gold).values())
        false_negatives += sum((gold - got).values())
        right_kind += sum(1 for m in found if kinds.get(m.text) == m.kind)
    precision = true_positives / (true_positives + false_positives)
    recall = true_positives / (true_positives + false_negatives)
    assert precision >= PRECISION_FLOOR, f"precision {precision:.3f}"
    assert recall >= RECALL_FLOOR, f"recall {recall:.3f}"
    assert right_kind / true_positives >= KIND_ACCURACY_FLOOR


def test_text_names_sample_is_labelled_in_order() -> None:
    for paragraph in SAMPLE["paragraphs"]:
        position = 0
        for text, kind in paragraph["names"]:
            assert kind in {k.value for k in NameKind}
            position = paragraph["text"].index(text, position) + 1


SEED_NAMES = {
    "Schoigu": NameKind.PERSON,
    "Chrenin": NameKind.PERSON,
    "Lukaschenko": NameKind.PERSON,
    "Golowtschenko": NameKind.PERSON,
    "Minsk": NameKind.PLACE,
    "Belarus": NameKind.PLACE,
    "Russland": NameKind.PLACE,
    "Ukraine": NameKind.PLACE,
    "Nato": NameKind.ORGANISATION,
    "Belta": NameKind.ORGANISATION,
}


def test_text_names_seeds_people_places_organisations() -> None:
    folder = shared_path("seeds")
    found: dict[str, set[NameKind]] = {}
    for path in sorted(folder.glob("*.txt")):
        text = clean_text(path.read_text(encoding="utf-8"), "").text
        for mention in names_in(text, "de"):
            for word in mention.text.split():
                found.setdefault(word, set()).add(mention.kind)
    for word, kind in SEED_NAMES.items():
        assert found.get(word) == {kind}, (word, found.get(word))
    assert not {"Westen", "Minister", "Verteidigungsminister", "Soldaten"} & found.keys()


def test_text_names_keys_meet_across_spellings_and_languages() -> None:
    german = names_in(
        "Verteidigungsminister Sergej Schoigu traf in Kiew ein. Russland und die Nato.", "de"
    )
    english = names_in("Defence Minister Sergei Shoigu arrived in Kyiv. Russia and NATO.", "en")
    russian = names_in("Министр обороны Сергей Шойгу прибыл в Киев. Россия и НАТО.", "ru")
    keys = [{m.key for m in mentions} for mentions in (german, english, russian)]
    assert {"shoigu", name_key("Kyiv"), name_key("Russia"), "nato"} <= keys[0] & keys[1] & keys[2]


def test_text_names_person_mentions_share_the_surname_key() -> None:
    mentions = names_in(
        "Regierungschef Roman Golowtschenko sprach in Minsk. Golowtschenkos Rede dauerte "
        "lange, sagte Golowtschenko später.",
        "de",
    )
    people = [m for m in mentions if m.kind is NameKind.PERSON]
    assert [m.text for m in people] == ["Roman Golowtschenko", "Golowtschenkos", "Golowtschenko"]
    assert {m.key for m in people} == {name_key("Golowtschenko")}


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Die russischen Truppen stehen an der Grenze.", "de"),
        ("Belarussische Soldaten üben mit russischen Einheiten.", "de"),
        ("Russian troops and Ukrainian drones were seen, German officials said.", "en"),
        ("Belarusians and Russians crossed the border, Americans said.", "en"),
    ],
)
def test_text_names_country_adjectives_are_not_names(text: str, language: str) -> None:
    assert names_in(text, language) == []


def test_text_names_german_common_nouns_are_not_names() -> None:
    text = (
        "Die gemeinsame Militärdoktrin und die Denkfabrik sorgten für Spekulationen. "
        "Das Sortiment, die Klarinette und die Vergiftung blieben Thema. "
        "Nach der Razzia warteten Zweidrittelmehrheit und Vertrauensbruch."
    )
    assert [m.text for m in names_in(text, "de")] == ["Razzia"]  # a known miss


PERSON, PLACE, ORG, OTHER = (
    NameKind.PERSON,
    NameKind.PLACE,
    NameKind.ORGANISATION,
    NameKind.OTHER,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Sie fährt heute nach Essen.", [("Essen", PLACE)]),
        ("Das Essen war kalt.", []),
        ("Bundeskanzler Olaf Scholz sprach.", [("Olaf Scholz", PERSON)]),
        ("Kanzler Scholz sprach.", [("Scholz", PERSON)]),
        ("Der Autobauer Volkswagen baut ab.", [("Volkswagen", ORG)]),
        ("Die Deutsche Bank zahlt.", [("Deutsche Bank", ORG)]),
        ("Das sagte der FSB der BBC.", [("FSB", ORG), ("BBC", ORG)]),
        ("Ein Kredit von 1,5 Milliarden US-Dollar.", []),
        ("Das Oberlandesgericht Naumburg urteilte.", [("Oberlandesgericht Naumburg", ORG)]),
        ("Alexander Van der Bellen sprach.", [("Alexander Van der Bellen", PERSON)]),
        ("Am Montag im Oktober kam Dort an.", []),
        ("Kremlin spokesman Dmitry Peskov said so.",
         [("Kremlin", OTHER), ("Dmitry Peskov", PERSON)]),
        ("The World Health Organization and the WHO met.",
         [("World Health Organization", ORG), ("WHO", ORG)]),
        ("BREAKING NEWS FROM THE CITY", []),
    ],
)  # fmt: skip
def test_text_names_cues_and_kinds(text: str, expected: list[tuple[str, NameKind]]) -> None:
    language = "en" if text.isupper() or " the " in text or "spokesman" in text else "de"
    assert [(m.text, m.kind) for m in names_in(text, language)] == expected


def test_text_names_gazetteer_joins_names_across_languages() -> None:
    places = gazetteer()
    assert places["Kiew"].name == places["Kyiv"].name == places["Київ"].name == "Kyiv"
    assert places["Russland"].name == places["Россия"].name == "Russia"
    assert places["Moskau"].name == "Moscow"
    assert places["Nato"].name == places["НАТО"].name == "NATO"
    assert "Google" not in places  # a stray GeoNames alias of Topeka
    assert names_in("Dabei blieb es.", "de") == []  # listed for Dubai, but a common word


def test_text_names_name_keys_counts_the_mentions() -> None:
    text = "Schoigu traf Chrenin in Minsk. Schoigu sagte, Minsk sei wichtig."
    tokens = list(tokenize(text, "de"))
    assert name_keys(text, tokens, "de") == Counter(
        {"shoigu": 2, name_key("Minsk"): 2, "khrenin": 1}
    )


_WORDS = st.sampled_from(
    ["Sergej", "Schoigu", "traf", "Minsk", "Russland", "Nato", "BBC", "US", "Dollar", "der",
     "die", "und", "in", "nach", "Essen", "Präsident", "Kanzler", "Bank", "AG", "von", "van",
     "de", "Mr", "said", "the", "Kyiv", "Шойгу", "Москва", "Τσίπρας", "ÖVP", "Deutsche",
     "russischen", "Oberlandesgericht", "Borussia", "Dortmund", "FC", "Bayern"]
)  # fmt: skip
_SEPARATORS = st.sampled_from([" ", " ", " ", "-", ". ", ", ", "\n", " (", ") ", ": "])


@settings(max_examples=200)
@given(st.lists(st.tuples(_WORDS, _SEPARATORS), max_size=30), st.sampled_from(["de", "en"]))
def test_text_names_offsets_point_into_the_text(
    parts: list[tuple[str, str]], language: str
) -> None:
    text = "".join(word + separator for word, separator in parts)
    mentions = names_in(text, language)
    assert mentions == names_in(text, language)  # deterministic
    for mention in mentions:
        assert text[mention.start : mention.end] == mention.text
        assert mention.key and mention.key.isascii()


@given(st.text(max_size=300), st.sampled_from(["de", "en", "ru", "xx"]))
def test_text_names_never_fail_on_arbitrary_text(text: str, language: str) -> None:
    for mention in names_in(text, language):
        assert text[mention.start : mention.end] == mention.text


_SENTENCE_ALPHABET = "aBcÄß1 \t\n-–—(['‚‘’.!?:;\"„“”«»,_\u0301"


@given(st.text(alphabet=_SENTENCE_ALPHABET, max_size=80))
def test_text_names_sentence_start_is_read_from_the_text_before_the_word(text: str) -> None:
    # The rules ask whether a word starts a sentence from the gap before it; this is
    # the definition: back over opening characters to a sentence end or the start.
    tokens = list(tokenize(text, "en"))
    doc = _Text(text, tokens, "en")
    for i, token in enumerate(tokens):
        k = token.start - 1
        while k >= 0 and text[k] in " \t\r-–—(['‚‘’":
            k -= 1
        assert doc.starts_sentence(i) == (k < 0 or text[k] in '.!?:;"„“”«»\n'), (text, i)


def test_text_names_fast_enough() -> None:
    paragraph = " ".join(p["text"] for p in SAMPLE["paragraphs"] if p["language"] == "de")
    tokens = list(tokenize(paragraph, "de"))
    find_names(paragraph, tokens, "de")  # warm the caches and the gazetteer
    best = min(_timed(paragraph, tokens) for _ in range(5))
    assert best / len(tokens) * 100 < MS_PER_100_TOKENS / 1000


def _timed(text: str, tokens: list[Token]) -> float:
    start = time.perf_counter()
    find_names(text, tokens, "de")
    return time.perf_counter() - start
