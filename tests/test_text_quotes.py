"""Quotes and speakers: hand-checked gold set, seeds, quotation marks, cues, properties."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storyline.text.quotes import Quote, find_quotes
from storyline.text.translit import name_key, transliterate
from tests.conftest import shared_path

GOLD: dict[str, Any] = json.loads(
    Path(__file__).with_name("data").joinpath("extraction_gold.json").read_text(encoding="utf-8")
)

# Floors for tests/data/extraction_gold.json (20 short German and English stories
# written for these tests; every quote labelled by hand with its speaker and outlet).
# A quote counts as found when its span overlaps a gold quote by at least half of the
# longer of the two, and as attributed when the speaker's name key matches too (a gold
# speaker of null means the text names no one: "a spokesman", "officials").
# Measured when pinned, all 92 quotes: precision 0.930, recall 0.870, via 78/80.
# Stories 15-18 were written after the rules were tuned and first scored precision
# 0.714, recall 0.625 (16 quotes) before the general fixes they showed up; stories
# 19-20 ("blind") were written last and scored once, untuned: precision 1.000,
# recall 0.667 (9 quotes; the misses are names the name step does not find or kind).
ATTRIBUTION_PRECISION_FLOOR = 0.85
ATTRIBUTION_RECALL_FLOOR = 0.80
VIA_ACCURACY_FLOOR = 0.90
MIN_OVERLAP = 0.5

# Time budget for 1 MB of pathological input (measured: ~2 s for quotation marks).
MAX_SECONDS_PER_MB = 15.0


def _keys(name: str | None) -> set[str | None]:
    # Acronyms (BBC, AP) are keyed by their letters, other names by ``name_key``.
    return {name_key(name), transliterate(name)} if name else {None}


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def score(stories: list[dict[str, Any]]) -> dict[str, float]:
    """Precision and recall of attribution (quote found and speaker right), and via."""
    tp = fp = fn = via_right = 0
    for story in stories:
        text = story["text"]
        found = find_quotes(text, story["language"])
        used: set[int] = set()
        for gold in story["quotes"]:
            start = text.index(gold["text"])
            span = (start, start + len(gold["text"]))
            hit = next(
                (
                    i
                    for i, q in enumerate(found)
                    if i not in used
                    and _overlap(span, (q.start, q.end))
                    >= MIN_OVERLAP * max(span[1] - span[0], q.end - q.start)
                ),
                None,
            )
            if hit is not None:
                used.add(hit)
            if hit is not None and found[hit].speaker_key in _keys(gold["speaker"]):
                tp += 1
                via = found[hit].via
                via_right += (via is None and gold["via"] is None) or (
                    via is not None
                    and gold["via"] is not None
                    and name_key(via) == name_key(gold["via"])
                )
            else:
                fn += 1
                fp += hit is not None  # found, but given to the wrong speaker
        fp += len(found) - len(used)
    return {
        "precision": tp / (tp + fp),
        "recall": tp / (tp + fn),
        "via": via_right / tp,
        "gold": tp + fn,
    }


def test_text_quotes_gold_attribution_precision_and_recall() -> None:
    stories = GOLD["stories"]
    result = score(stories)
    blind = score([s for s in stories if s.get("blind")])
    print(
        f"\nquote attribution on {result['gold']:.0f} gold quotes: precision "
        f"{result['precision']:.3f} recall {result['recall']:.3f} via {result['via']:.3f}; "
        f"blind stories ({blind['gold']:.0f} quotes): precision {blind['precision']:.3f} "
        f"recall {blind['recall']:.3f}"
    )
    assert result["precision"] >= ATTRIBUTION_PRECISION_FLOOR, result
    assert result["recall"] >= ATTRIBUTION_RECALL_FLOOR, result
    assert result["via"] >= VIA_ACCURACY_FLOOR, result


def test_text_quotes_gold_set_is_large_enough_and_consistent() -> None:
    stories = GOLD["stories"]
    assert len(stories) >= 10
    assert {s["language"] for s in stories} == {"de", "en"}
    assert sum(len(s["quotes"]) for s in stories) >= 30
    for story in stories:
        for quote in story["quotes"]:
            assert story["text"].count(quote["text"]) >= 1, quote["text"]


# --- the seeds ------------------------------------------------------------------------------


def _seed(name: str) -> str:
    return (shared_path("seeds") / name).read_text(encoding="utf-8")


def test_text_quotes_seeds_schoigu_via_belta() -> None:
    quotes = find_quotes(_seed("004_b7a3a0e63cbd0805.txt"), "de")
    quote = next(q for q in quotes if "Sie fühlen sich hier wirklich wie zu Hause" in q.text)
    assert quote.direct
    assert quote.speaker_key == name_key("Schoigu")
    assert quote.via == "Belta"


def test_text_quotes_seeds_indirect_speech_and_agency() -> None:
    quotes = find_quotes(_seed("000_a856c86a23118d21.txt"), "de")
    by_start = {q.text.split()[0]: q for q in quotes}
    loan = next(q for q in quotes if "1,5 Milliarden US-Dollar" in q.text)
    assert loan.speaker_key == name_key("Golowtschenko")
    assert loan.via == "Belta"
    assert by_start["Der"].speaker_key == name_key("Schoigu")  # "Der Aufbau … sei …, sagte Schoigu"
    assert not by_start["Der"].text.startswith("Minsk")  # the dateline is not speech
    # "Es gehe … Projekte, sagte er": er is Golowtschenko, the last person named
    assert quotes[-1].speaker_key == name_key("Golowtschenko")
    assert all(not q.direct for q in quotes)


# --- quotation marks, cues and speakers -----------------------------------------------------

CASES = [
    # (language, text, quote, speaker, via)
    ("de", "„Wir sind bereit“, sagte Anna Roth.", "Wir sind bereit", "Roth", None),
    ("de", "»Das ist zu wenig«, so Roth.", "Das ist zu wenig", "Roth", None),
    ("de", "«Wir bleiben hier», erklärte Jonas Brekke.", "Wir bleiben hier", "Brekke", None),
    ("de", "Roth sagte: „Er hat ‚nein‘ gesagt.“", "Er hat ‚nein‘ gesagt.", "Roth", None),
    ("de", "Roth sagte: ‚Wir kommen wieder.‘", "Wir kommen wieder.", "Roth", None),
    ("en", '"We are not done," Marta Sokol said.', "We are not done", "Sokol", None),
    ("en", "“We are not done,” said Marta Sokol.", "We are not done", "Sokol", None),
    ("en", "'We will be back,' Marta Sokol told Reuters.", "We will be back", "Sokol", "Reuters"),
    ("en", 'Marta Sokol said: "The strike goes on."', "The strike goes on.", "Sokol", None),
    (
        "de",
        "„Wir fühlen uns wie zu Hause“, wurde Pavel Orlov von der staatlichen "
        "Nachrichtenagentur Belta zitiert.",
        "Wir fühlen uns wie zu Hause",
        "Orlov",
        "Belta",
    ),
    (
        "de",
        "Der Regierungschef Ivan Petrow sagte der staatlichen Nachrichtenagentur Belta "
        "zufolge, dass das Land einen Kredit erhalten werde.",
        "das Land einen Kredit erhalten werde",
        "Petrow",
        "Belta",
    ),
    (
        "de",
        "Die Lage sei ernst, sagte Verteidigungsminister Pavel Orlov am Mittwoch in Minsk.",
        "Die Lage sei ernst",
        "Orlov",
        None,
    ),
    (
        "de",
        "Orlov warf der Regierung vor, die Armee zu schwächen.",
        "die Armee zu schwächen",
        "Orlov",
        None,
    ),
    (
        "de",
        "Laut Orlov sind derzeit 400 Soldaten im Einsatz.",
        "sind derzeit 400 Soldaten im Einsatz",
        "Orlov",
        None,
    ),
    (
        "de",
        "Nach Angaben von Minister Orlov wurden 20 Brücken beschädigt.",
        "wurden 20 Brücken beschädigt",
        "Orlov",
        None,
    ),
    (
        "en",
        "Minister Carla Ruiz said the army had sent 1,500 soldiers to the region.",
        "the army had sent 1,500 soldiers to the region",
        "Ruiz",
        None,
    ),
    (
        "en",
        "According to Carla Ruiz, the bridge will reopen in June.",
        "the bridge will reopen in June",
        "Ruiz",
        None,
    ),
    (
        "en",
        "The bridge will reopen in June, Carla Ruiz told the BBC.",
        "The bridge will reopen in June",
        "Ruiz",
        "BBC",
    ),
]


@pytest.mark.parametrize(("language", "text", "said", "speaker", "via"), CASES)
def test_text_quotes_marks_cues_and_speakers(
    language: str, text: str, said: str, speaker: str, via: str | None
) -> None:
    quotes = find_quotes(text, language)
    quote = next((q for q in quotes if q.text == said), None)
    assert quote is not None, [q.text for q in quotes]
    assert quote.speaker_key == name_key(speaker)
    assert quote.via == via


def test_text_quotes_interrupted_quote_has_one_speaker() -> None:
    quotes = find_quotes('"We are ready," Carla Ruiz said, "and we will not wait."', "en")
    assert [q.text for q in quotes] == ["We are ready", "and we will not wait."]
    assert {q.speaker_key for q in quotes} == {name_key("Ruiz")}


def test_text_quotes_titles_resolve_to_the_last_matching_person() -> None:
    text = (
        "Verteidigungsminister Pavel Orlov traf seinen Kollegen Ivan Petrow. "
        "„Wir stehen zusammen“, sagte der Minister. Der 68-Jährige betonte, dass nichts "
        "geplant sei."
    )
    quotes = find_quotes(text, "de")
    assert quotes[0].speaker_key == name_key("Orlov")  # the minister, not the colleague
    assert quotes[1].speaker_key == name_key("Petrow")  # "der 68-Jährige": the last person


def test_text_quotes_pronoun_after_an_unnamed_speaker() -> None:
    text = (
        "Union leader Marta Sokol called a strike. A spokesman for the operator said the "
        'demand was too high. "We remain open to talks," he said.'
    )
    quotes = find_quotes(text, "en")
    assert quotes[-1].text == "We remain open to talks"
    assert quotes[-1].speaker_key is None  # the spokesman, not Sokol
    assert quotes[-1].speaker is not None


def test_text_quotes_subjunctive_carries_reported_speech_on() -> None:
    text = (
        "Die Sperrung werde sechs Wochen dauern, sagte Bürgermeisterin Petra Ilić. "
        "Die Reparatur koste 4,2 Millionen Euro."
    )
    quotes = find_quotes(text, "de")
    assert [q.speaker_key for q in quotes] == [name_key("Ilić")] * 2
    assert quotes[1].text == "Die Reparatur koste 4,2 Millionen Euro"


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("de", "Der sogenannte „Friedensplan“ wurde abgelehnt."),
        ("de", "Er gilt als „letzter Diktator Europas“."),
        ("de", "Die Denkfabrik „Wind of Change Research Group“ veröffentlichte den Brief."),
        ("en", "We don't know, and it's not the '90s any more."),
        ("en", "Rock 'n' roll is back, the critics' choice says."),
        ("en", "The so-called 'peace plan' failed."),
        ("de", "Der Zug kam an, sagte das Treffen ab und fuhr weiter."),
    ],
)
def test_text_quotes_scare_quotes_titles_and_apostrophes_are_not_quotes(
    language: str, text: str
) -> None:
    assert find_quotes(text, language) == []


def test_text_quotes_given_names_are_used() -> None:
    text = "„Wir sind zu allem bereit“, sagte Anna Roth."
    assert find_quotes(text, "de", names=[]) == [
        Quote("Wir sind zu allem bereit", None, None, None, 1, 25, True)
    ]


# --- properties ------------------------------------------------------------------------------

PIECES = st.sampled_from(
    [
        "„", "“", "”", '"', "'", "‚", "‘", "’", "«", "»", ", ", ". ", ": ", "\n", "\n\n",
        "sagte", "said", "so", "laut", "zufolge", "according to", "told", "er", "he",
        "der Minister", "the minister", "Schoigu", "Anna Roth", "Belta", "Reuters", "Wir",
        "sind", "bereit", "dass", "that", "sei", "wurde", "zitiert", "von der", "Agentur",
        "warf", "vor", " ", "-", "(", ")", "1,5", "Milliarden",
    ]
)  # fmt: skip
TEXTS = st.one_of(st.text(max_size=400), st.lists(PIECES, max_size=80).map("".join))


@settings(max_examples=300, deadline=None)
@given(TEXTS, st.sampled_from(["de", "en", "fr"]))
def test_text_quotes_never_crash_and_offsets_point_into_the_text(text: str, language: str) -> None:
    quotes = find_quotes(text, language)
    for q in quotes:
        assert 0 <= q.start < q.end <= len(text)
        assert text[q.start : q.end] == q.text
        assert q.speaker_key is None or q.speaker is not None
    assert find_quotes(text, language) == quotes  # deterministic


@pytest.mark.parametrize(
    "unit",
    ["„\"«»‚‘'“”", '"a" ', "„Wir ", "„Ja“, sagte er. ", "'", "a, sagte ", "» «"],
)
def test_text_quotes_bounded_time_on_a_megabyte_of_quotation_marks(unit: str) -> None:
    text = (unit * (1_000_000 // len(unit) + 1))[:1_000_000]
    started = time.perf_counter()
    quotes = find_quotes(text, "de", names=[])
    elapsed = time.perf_counter() - started
    assert elapsed < MAX_SECONDS_PER_MB, f"{elapsed:.1f} s"
    assert all(text[q.start : q.end] == q.text for q in quotes)
