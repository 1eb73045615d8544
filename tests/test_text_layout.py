"""The plain text layout: date header, title line, near-repeat, body."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storyline.model import DatePrecision
from storyline.text.layout import TextLayout, parse_text_layout

TITLE = "Gipfel in Wien: Regierung bestätigt enge Zusammenarbeit mit Ungarn"
BODY = "Beim Treffen in Wien wurde die Zusammenarbeit bekräftigt.\n\nZweiter Absatz."


def test_layout_month_header_with_title_on_same_line() -> None:
    layout = parse_text_layout(f" date 2022-11 {TITLE}\n\n{BODY}")
    assert layout == TextLayout(TITLE, BODY, datetime(2022, 11, 1, tzinfo=UTC), DatePrecision.MONTH)


def test_layout_month_header_never_invents_a_day() -> None:
    layout = parse_text_layout(f"date 2022-11\n{TITLE}\n{BODY}")
    assert layout.precision is DatePrecision.MONTH
    assert layout.published == datetime(2022, 11, 1, tzinfo=UTC)
    assert layout.published.tzinfo is not None


def test_layout_day_header_alone_on_first_line() -> None:
    layout = parse_text_layout(f"date 2022-11-23\n\n{TITLE}\n\n{BODY}")
    assert layout.title == TITLE
    assert layout.body == BODY
    assert layout.published == datetime(2022, 11, 23, tzinfo=UTC)
    assert layout.precision is DatePrecision.DAY


def test_layout_year_header() -> None:
    layout = parse_text_layout(f"date 2022 {TITLE}\n{BODY}")
    assert layout.published == datetime(2022, 1, 1, tzinfo=UTC)
    assert layout.precision is DatePrecision.YEAR
    assert layout.title == TITLE


def test_layout_invalid_header_date_is_dropped_not_guessed() -> None:
    layout = parse_text_layout(f"date 2022-13-45 {TITLE}\n{BODY}")
    assert layout.published is None
    assert layout.precision is None
    assert layout.title == TITLE


@pytest.mark.parametrize("header", ["0001-01-01", "1899-12-31", "9999-12-31"])
def test_layout_placeholder_header_date_is_dropped(header: str) -> None:
    layout = parse_text_layout(f"date {header} {TITLE}\n{BODY}")
    assert (layout.published, layout.precision, layout.title) == (None, None, TITLE)


def test_layout_without_header() -> None:
    layout = parse_text_layout(f"{TITLE}\n\n{BODY}\n")
    assert layout == TextLayout(TITLE, BODY, None, None)


def test_layout_title_starting_with_date_word_is_not_a_header() -> None:
    layout = parse_text_layout("Date night in Vienna: what changed\n\nBody text.")
    assert layout.title == "Date night in Vienna: what changed"
    assert layout.published is None


def test_layout_skips_leading_section_label_and_disclaimer() -> None:
    content = (
        "Germany\nThis article was added by the user . TheWorldNews is not responsible for "
        f"the content of the platform.\n\n{TITLE}\n\n{BODY}"
    )
    layout = parse_text_layout(content)
    assert layout.title == TITLE
    assert layout.body == BODY


def test_layout_drops_near_repeat_of_title() -> None:
    title = '"Wie zu Hause": Ministerin dankt Nachbarland für Hilfe der Truppen'
    near = '"Wie zu Hause" Ministerin dankt Nachbarland für Hilfe eigener Truppen'
    layout = parse_text_layout(f"{title}\n\n{near}\n\n{BODY}")
    assert layout.title == title
    assert layout.body == BODY


def test_layout_keeps_lead_that_differs_from_title() -> None:
    layout = parse_text_layout(f"{TITLE}\n{BODY}")
    assert layout.body == BODY


def test_layout_long_first_line_is_body_not_title() -> None:
    paragraph = "Ein sehr langer Absatz ohne Überschrift. " * 10
    layout = parse_text_layout(f"{paragraph}\n\nZweiter Absatz.")
    assert layout.title == ""
    assert layout.body.startswith(paragraph.strip())


def test_layout_empty_and_header_only() -> None:
    assert parse_text_layout("") == TextLayout("", "")
    assert parse_text_layout("\n  \n") == TextLayout("", "")
    layout = parse_text_layout("date 2021-05")
    assert (layout.title, layout.body, layout.precision) == ("", "", DatePrecision.MONTH)


def test_layout_windows_line_endings_and_bom() -> None:
    layout = parse_text_layout(f"\ufeffdate 2022-11-23\r\n{TITLE}\r\n\r\nAbsatz.\r\n")
    assert layout.title == TITLE
    assert layout.body == "Absatz."


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_layout_never_raises(content: str) -> None:
    layout = parse_text_layout(content)
    assert "\n" not in layout.title
    assert (layout.published is None) == (layout.precision is None)


def test_layout_header_then_boilerplate_then_title() -> None:
    layout = parse_text_layout(f"date 2022-11-23\nPolitik\nTeilen\n\n{TITLE}\n{BODY}")
    assert layout.title == TITLE
    assert layout.body == BODY


def test_layout_pathological_megabyte_input_finishes() -> None:
    for content in ("date 2022 " + "a(" * 500_000, "Teilen\n" * 140_000, "(dpa) " * 160_000):
        layout = parse_text_layout(content)
        assert len(layout.body) <= len(content)


def test_text_layout_kicker_above_the_headline_is_not_the_title() -> None:
    layout = parse_text_layout(
        "date 2024-03-20\nRecht\nGericht stärkt Rechte von Ticketkäufern\n\nDer Text folgt hier."
    )
    assert layout.title == "Gericht stärkt Rechte von Ticketkäufern"
    single = parse_text_layout("Hamburg\n\nEin Text, der nur eine Zeile Titel hat und weitergeht.")
    assert single.title == "Hamburg"  # no headline right below: the short line is the title
