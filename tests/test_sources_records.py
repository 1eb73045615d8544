"""Mapping JSON article objects: news-please keys, generic keys, bad values."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from storyline.errors import MalformedRecord
from storyline.sources.records import FIELD_KEYS, record_fields

DOCS = Path(__file__).resolve().parents[1] / "docs" / "input-formats.md"

NEWS_PLEASE = {
    "authors": ["Anna Beispiel", "Ben  Muster"],
    "date_download": "2022-12-01 10:00:00",
    "date_modify": "2022-11-30 12:00:00",
    "date_publish": "2022-11-30 09:12:00",
    "description": "Russland will enger mit Belarus zusammenarbeiten.",
    "filename": "x.json",
    "image_url": "https://example.org/a.jpg",
    "language": "de",
    "localpath": None,
    "maintext": "Bei einem Besuch in Minsk hat Schoigu die Zusammenarbeit bekräftigt.",
    "source_domain": "example.org",
    "title": "Schoigu in Minsk",
    "title_page": None,
    "title_rss": None,
    "url": "https://example.org/a.html",
}


def test_records_news_please() -> None:
    fields = record_fields(NEWS_PLEASE, "a.json")
    assert fields == {
        "title": "Schoigu in Minsk",
        "text": NEWS_PLEASE["maintext"],
        "description": NEWS_PLEASE["description"],
        "published": "2022-11-30 09:12:00",
        "url": "https://example.org/a.html",
        "source": "example.org",
        "language": "de",
        "authors": "Anna Beispiel\nBen Muster",
    }


def test_records_news_please_old_text_key() -> None:
    fields = record_fields({"title": "t", "text": "body"}, "a")
    assert fields["text"] == "body"


@pytest.mark.parametrize(
    ("missing", "expected"),
    [
        (("date_publish",), "2022-11-30 12:00:00"),
        (("date_publish", "date_modify"), "2022-12-01 10:00:00"),
    ],
)
def test_records_date_fallbacks(missing: tuple[str, ...], expected: str) -> None:
    record = {k: v for k, v in NEWS_PLEASE.items() if k not in missing}
    assert record_fields(record, "a")["published"] == expected


def test_records_unreadable_date_falls_back() -> None:
    record = dict(NEWS_PLEASE, date_publish="sometime last week")
    assert record_fields(record, "a")["published"] == "2022-11-30 12:00:00"


def test_records_generic_keys() -> None:
    record = {
        "headline": "Schoigu in Minsk",
        "body": "Bei einem Besuch in Minsk …",
        "summary": "Kurz.",
        "pubDate": "Wed, 30 Nov 2022 09:12:00 +0100",
        "link": "https://example.org/a.html",
        "publisher": "Beispiel-Zeitung",
        "lang": "de",
        "author": "Anna Beispiel",
    }
    assert record_fields(record, "a") == {
        "title": "Schoigu in Minsk",
        "text": "Bei einem Besuch in Minsk …",
        "description": "Kurz.",
        "published": "Wed, 30 Nov 2022 09:12:00 +0100",
        "url": "https://example.org/a.html",
        "source": "Beispiel-Zeitung",
        "language": "de",
        "authors": "Anna Beispiel",
    }


def test_records_newsapi_shape() -> None:
    record = {
        "source": {"id": None, "name": "Beispiel-Zeitung"},
        "title": "t",
        "content": "c",
        "publishedAt": "2022-11-30T08:12:00Z",
    }
    fields = record_fields(record, "a")
    assert fields["source"] == "Beispiel-Zeitung"
    assert fields["published"] == "2022-11-30T08:12:00Z"


@pytest.mark.parametrize("key", ["body", "content", "article", "articleBody"])
def test_records_generic_text_keys(key: str) -> None:
    assert record_fields({key: "Body text"}, "a")["text"] == "Body text"


@pytest.mark.parametrize("key", ["published", "published_at", "date", "datePublished"])
def test_records_generic_date_keys(key: str) -> None:
    assert record_fields({"text": "b", key: "2024-03-16"}, "a")["published"] == "2024-03-16"


def test_records_news_please_key_wins_over_generic() -> None:
    fields = record_fields({"maintext": "news-please", "body": "generic"}, "a")
    assert fields["text"] == "news-please"


def test_records_text_as_paragraph_list() -> None:
    fields = record_fields({"text": ["First.", 3, " ", "Second."]}, "a")
    assert fields["text"] == "First.\n\nSecond."


def test_records_epoch_number_date() -> None:
    assert record_fields({"text": "b", "date": 1710580320}, "a")["published"] == "1710580320"


@pytest.mark.parametrize(
    "bad",
    [
        {"title": 42},
        {"title": None},
        {"title": ["a"]},
        {"date_publish": math.nan},
        {"date_publish": True},
        {"date_publish": {"$date": "2022"}},
        {"url": 7},
        {"authors": 5},
        {"authors": [None, 3]},
        {"language": {"code": "de"}},
        {"source_domain": None},
    ],
)
def test_records_bad_fields_are_ignored(bad: dict[str, object]) -> None:
    fields = record_fields({"maintext": "Body", **bad}, "a")
    assert fields["text"] == "Body"
    assert all(fields[k] is None for k in fields if k != "text")


@pytest.mark.parametrize(
    "record",
    [
        {"title": "no text"},
        {"title": "t", "maintext": None},
        {"title": "t", "maintext": {"html": "<p>x</p>"}},
        {"title": "t", "text": 12},
        {"title": "t", "text": "   "},
        {"title": "t", "text": math.nan},
        {"title": "t", "text": []},
    ],
)
def test_records_without_text_are_malformed(record: dict[str, object]) -> None:
    with pytest.raises(MalformedRecord) as caught:
        record_fields(record, "dump.jsonl:3")
    assert caught.value.origin == "dump.jsonl:3"
    assert caught.value.reason.startswith("record has no article text")
    assert "maintext" in caught.value.reason


@pytest.mark.parametrize("value", [[1, 2], "text", 3, None, True])
def test_records_non_object(value: object) -> None:
    with pytest.raises(MalformedRecord, match="expected a JSON object"):
        record_fields(value, "a")


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=10,
)


@given(
    st.dictionaries(
        st.sampled_from(sorted({k for ks in FIELD_KEYS.values() for k in ks})), JSON_VALUES
    )
)
def test_records_any_values_map_or_refuse(record: dict[str, object]) -> None:
    try:
        fields = record_fields(record, "a")
    except MalformedRecord:
        return
    assert fields["text"]
    assert all(value is None or (isinstance(value, str) and value) for value in fields.values())


def test_records_docs_list_every_key_in_order() -> None:
    table = {}
    for row in re.findall(r"^\| `(\w+)`\s*\|(.*)\|$", DOCS.read_text(), flags=re.MULTILINE):
        table[row[0]] = tuple(re.findall(r"`(\w+)`", row[1]))
    for field, keys in FIELD_KEYS.items():
        assert table.get(field) == keys, f"docs/input-formats.md: keys for {field!r}"
