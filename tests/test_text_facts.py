"""Facts: amounts, counts, ages, dates — gold set, seeds, number formats, properties."""

from __future__ import annotations

import itertools
import json
import math
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storyline.text.facts import Fact, find_facts
from storyline.text.quantities import parse_number
from tests.conftest import shared_path

GOLD: dict[str, Any] = json.loads(
    Path(__file__).with_name("data").joinpath("extraction_gold.json").read_text(encoding="utf-8")
)

# Floors for tests/data/extraction_gold.json (20 short German and English stories
# written for these tests; every quantity and date labelled by hand). A fact counts
# when its span overlaps the gold span and its value, unit (and, for dates, the normal
# form where the gold gives one) are right. Measured when pinned, all 128 facts:
# precision 1.000, recall 0.984. Stories 15-18, written after the rules were tuned,
# first scored precision 0.926, recall 0.893 (28 facts); stories 19-20 ("blind"),
# written last and scored once, untuned: precision 1.000, recall 1.000 (12 facts).
FACT_PRECISION_FLOOR = 0.95
FACT_RECALL_FLOOR = 0.93

# Time budget for 1 MB of pathological input (measured: 2-6 s before the scans were
# anchored, well under 2 s since).
MAX_SECONDS_PER_MB = 15.0


def _same(fact: Fact, gold: dict[str, Any]) -> bool:
    if fact.unit != gold["unit"]:
        return False
    if gold["normal"] is not None and fact.normal != gold["normal"]:
        return False
    if gold["value"] is None or fact.value is None:
        return gold["value"] is None and fact.value is None
    return math.isclose(fact.value, gold["value"], rel_tol=1e-9)


def score(stories: list[dict[str, Any]]) -> dict[str, float]:
    tp = fp = fn = 0
    for story in stories:
        text = story["text"]
        found = find_facts(text, story["language"])
        used: set[int] = set()
        for gold in story["facts"]:
            start = text.index(gold["text"])
            hit = next(
                (
                    i
                    for i, f in enumerate(found)
                    if i not in used
                    and min(f.end, start + len(gold["text"])) > max(f.start, start)
                    and _same(f, gold)
                ),
                None,
            )
            if hit is None:
                fn += 1
            else:
                used.add(hit)
                tp += 1
        fp += len(found) - len(used)
    return {"precision": tp / (tp + fp), "recall": tp / (tp + fn), "gold": tp + fn}


def test_text_facts_gold_precision_and_recall() -> None:
    stories = GOLD["stories"]
    result = score(stories)
    blind = score([s for s in stories if s.get("blind")])
    print(
        f"\nfact extraction on {result['gold']:.0f} gold facts: precision "
        f"{result['precision']:.3f} recall {result['recall']:.3f}; blind stories "
        f"({blind['gold']:.0f} facts): precision {blind['precision']:.3f} "
        f"recall {blind['recall']:.3f}"
    )
    assert result["precision"] >= FACT_PRECISION_FLOOR, result
    assert result["recall"] >= FACT_RECALL_FLOOR, result


def test_text_facts_gold_set_is_large_enough_and_consistent() -> None:
    stories = GOLD["stories"]
    assert sum(len(s["facts"]) for s in stories) >= 30
    for story in stories:
        for fact in story["facts"]:
            assert fact["text"] in story["text"], fact


# --- the seeds ------------------------------------------------------------------------------


def test_text_facts_seeds_loan_soldiers_and_age() -> None:
    folder = shared_path("seeds")
    first = find_facts((folder / "000_a856c86a23118d21.txt").read_text(encoding="utf-8"), "de")
    loan = next(f for f in first if f.text == "1,5 Milliarden US-Dollar")
    assert (loan.kind, loan.value, loan.unit) == ("money", 1.5e9, "USD")
    euro = next(f for f in first if f.text == "1,52 Milliarden Euro")
    assert (euro.kind, euro.value, euro.unit) == ("money", 1.52e9, "EUR")
    soldiers = next(f for f in first if f.text == "Tausenden Soldaten")
    assert (soldiers.kind, soldiers.value, soldiers.approximate) == ("count", 1000, True)
    assert any(f.normal == "wednesday" and f.text == "am Mittwoch" for f in first)
    second = find_facts((folder / "004_b7a3a0e63cbd0805.txt").read_text(encoding="utf-8"), "de")
    age = next(f for f in second if f.kind == "age")
    assert (age.text, age.value, age.unit) == ("68-Jährige", 68, "year")
    assert any(f.normal == "XXXX-10" and f.text == "im Oktober" for f in second)


# --- examples --------------------------------------------------------------------------------

EXAMPLES = [
    # (language, text, fact text, kind, value, unit)
    ("de", "Kredit: 1,5 Milliarden US-Dollar", "1,5 Milliarden US-Dollar", "money", 1.5e9, "USD"),
    ("en", "a deal worth $3.4 billion", "$3.4 billion", "money", 3.4e9, "USD"),
    ("en", "a fee of £18.5m", "£18.5m", "money", 18.5e6, "GBP"),
    ("de", "Kosten von 4,2 Millionen Euro", "4,2 Millionen Euro", "money", 4.2e6, "EUR"),
    ("de", "rund 3 Mio. € Schaden", "3 Mio. €", "money", 3e6, "EUR"),
    ("en", "a loan of EUR 5 million", "EUR 5 million", "money", 5e6, "EUR"),
    ("de", "500 Millionen Rubel", "500 Millionen Rubel", "money", 5e8, "RUB"),
    ("de", "10 Franken", "10 Franken", "money", 10, "CHF"),
    ("de", "Täglich fahren 18.000 Fahrzeuge", "18.000 Fahrzeuge", "count", 18000, "fahrzeug"),
    ("en", "Around 18,000 vehicles use it", "18,000 vehicles", "count", 18000, "vehicle"),
    ("en", "a rise of 9 percent", "9 percent", "percent", 9, "percent"),
    ("de", "neun Prozent mehr Lohn", "neun Prozent", "percent", 9, "percent"),
    ("de", "um 2,5 Prozentpunkte", "2,5 Prozentpunkte", "percent", 2.5, "percentage point"),
    ("en", "up 5% on the year", "5%", "percent", 5, "percent"),
    ("de", "Der 68-Jährige schwieg.", "68-Jährige", "age", 68, "year"),
    ("en", "a 36-year-old resident", "36-year-old", "age", 36, "year"),
    ("en", "Michael Neu, 67, was arrested", "67", "age", 67, "year"),
    ("de", "im Alter von 81 Jahren", "im Alter von 81 Jahren", "age", 81, "year"),
    ("de", "Das Feuer zerstörte 3.700 Hektar Wald.", "3.700 Hektar", "area", 3700, "hectare"),
    ("en", "about 230 km west of the capital", "230 km", "distance", 230, "km"),
    ("de", "Es war minus 5 Grad kalt.", "minus 5 Grad", "temperature", -5, "celsius"),
    ("en", "It hit 35 degrees Celsius.", "35 degrees Celsius", "temperature", 35, "celsius"),
    ("de", "Zwei Dörfer wurden geräumt.", "Zwei Dörfer", "count", 2, "dorf"),
    ("en", "a 48-hour strike", "48-hour", "duration", 48, "hour"),
    ("de", "eine zweitägige Konferenz", "zweitägig", "duration", 2, "day"),
    ("de", "seit zwölf Jahren", "zwölf Jahren", "duration", 12, "year"),
    ("de", "zwischen 3 und 4 Millionen Euro", "3", "money", 3e6, "EUR"),
    ("en", "a magnitude 6.1 earthquake", "6.1", "quantity", 6.1, "magnitude"),
    ("de", "dreihundert Menschen", "dreihundert Menschen", "count", 300, "people"),
    ("en", "twenty-five people", "twenty-five people", "count", 25, "people"),
]  # fmt: skip


@pytest.mark.parametrize(("language", "text", "span", "kind", "value", "unit"), EXAMPLES)
def test_text_facts_amounts_counts_ages_measures(
    language: str, text: str, span: str, kind: str, value: float, unit: str
) -> None:
    facts = find_facts(text, language)
    fact = next((f for f in facts if f.text == span), None)
    assert fact is not None, [(f.text, f.value, f.unit) for f in facts]
    assert (fact.kind, fact.unit) == (kind, unit)
    assert fact.value is not None and math.isclose(fact.value, value)


DATES = [
    ("de", "Das Treffen fand am Mittwoch statt.", "am Mittwoch", "wednesday"),
    ("de", "Er informierte bereits im Oktober darüber.", "im Oktober", "XXXX-10"),
    ("de", "Sie tagt vom 3. bis 5. März 2024.", "vom 3. bis 5. März 2024", "2024-03-03/2024-03-05"),
    ("de", "vom 3. März bis 5. April", "vom 3. März bis 5. April", "XXXX-03-03/XXXX-04-05"),
    ("en", "The fair runs March 3-5.", "March 3-5", "XXXX-03-03/XXXX-03-05"),
    ("en", "It runs 3-5 March 2024.", "3-5 March 2024", "2024-03-03/2024-03-05"),
    ("en", "It opened on March 3, 2024.", "on March 3, 2024", "2024-03-03"),
    ("de", "Am 30.11.2022 kam er.", "Am 30.11.2022", "2022-11-30"),
    ("de", "für 2023 geplant", "2023", "2023"),
    ("en", "In 2023, sales rose.", "2023", "2023"),
    ("de", "im Februar 2023", "im Februar 2023", "2023-02"),
    ("de", "um 14.30 Uhr", "14.30 Uhr", "14:30"),
    ("en", "at 2 p.m. on Friday", "2 p.m.", "14:00"),
    ("en", "police said Wednesday", "Wednesday", "wednesday"),
]  # fmt: skip


@pytest.mark.parametrize(("language", "text", "span", "normal"), DATES)
def test_text_facts_dates_ranges_and_times(
    language: str, text: str, span: str, normal: str
) -> None:
    facts = find_facts(text, language)
    fact = next((f for f in facts if f.text == span), None)
    assert fact is not None, [(f.text, f.normal) for f in facts]
    assert fact.normal == normal
    assert fact.kind in {"date", "time"}
    assert fact.value is None


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "The Aster-3 rocket, the G7 and COVID-19."),
        ("de", "Platz 3 ging an Team B."),
        ("en", "August Diehl starred. You may go."),
        ("en", "One of them said no."),
        ("de", "Er war ein Mann, der eine Frau traf."),
    ],
)
def test_text_facts_identifiers_names_and_articles_are_not_facts(language: str, text: str) -> None:
    assert find_facts(text, language) == []


def test_text_facts_approximate_and_ranges() -> None:
    facts = find_facts("Mehr als neun Monate später kamen rund 200 Menschen.", "de")
    assert [(f.text, f.approximate) for f in facts] == [
        ("neun Monate", True),
        ("200 Menschen", True),
    ]
    shares = find_facts("between 3 and 4 percent", "en")
    assert [(f.value, f.unit) for f in shares] == [(3, "percent"), (4, "percent")]


@pytest.mark.parametrize(
    ("digits", "language", "value"),
    [
        ("1,5", "de", 1.5),
        ("18.000", "de", 18000),
        ("1.234.567,89", "de", 1234567.89),
        ("1.5", "en", 1.5),
        ("18,000", "en", 18000),
        ("1,234,567.89", "en", 1234567.89),
        ("1.500", "de", 1500),
        ("1,5", "en", 1.5),
        ("18\u202f000", "de", 18000),
    ],
)
def test_text_facts_number_formats(digits: str, language: str, value: float) -> None:
    assert math.isclose(parse_number(digits, language), value)


# --- properties ------------------------------------------------------------------------------

PIECES = st.sampled_from(
    [
        "1", "5", "18", "1,5", "18.000", "3.4", "1,234", "2024", ".", ",", "-", " ", "$",
        "€", "£", "%", "Milliarden", "million", "bn", "m", "Euro", "US-Dollar", "Prozent",
        "percent", "Hektar", "km", "Grad", "minus", "am", "Mittwoch", "März", "March",
        "vom", "bis", "Jährige", "-year-old", "neun", "twelve", "Tausende", "thousands of",
        "Soldaten", "people", "rund", "Uhr", "p.m.", "\n",
    ]
)  # fmt: skip
TEXTS = st.one_of(st.text(max_size=300), st.lists(PIECES, max_size=60).map("".join))


@settings(max_examples=300, deadline=None)
@given(TEXTS, st.sampled_from(["de", "en", "fr"]))
def test_text_facts_never_crash_offsets_point_into_the_text(text: str, language: str) -> None:
    facts = find_facts(text, language)
    for fact in facts:
        assert 0 <= fact.start < fact.end <= len(text)
        assert text[fact.start : fact.end] == fact.text
        assert fact.value is None or math.isfinite(fact.value)
    for a, b in itertools.pairwise(facts):
        assert a.end <= b.start  # in text order, never overlapping
    assert find_facts(text, language) == facts  # deterministic


@pytest.mark.parametrize(
    "unit", ["„\"«»‚‘'“”", "1.000,5 ", "9", "vom 3. bis ", "$1 bn ", "a, ", "Tausende "]
)
def test_text_facts_bounded_time_on_a_megabyte(unit: str) -> None:
    text = (unit * (1_000_000 // len(unit) + 1))[:1_000_000]
    started = time.perf_counter()
    facts = find_facts(text, "de")
    elapsed = time.perf_counter() - started
    assert elapsed < MAX_SECONDS_PER_MB, f"{elapsed:.1f} s"
    assert all(text[f.start : f.end] == f.text for f in facts)
