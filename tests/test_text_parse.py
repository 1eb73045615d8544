"""Parsing raw documents: records, web pages and plain text into Parsed fields."""

from __future__ import annotations

import importlib.util
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storyline.errors import EmptyInput, InputError, MalformedRecord
from storyline.model import DatePrecision, DocKind, Parsed, RawDocument
from storyline.text.parse import parse_document

PARAGRAPHS = [
    "Bei einem Besuch in Minsk hat Russlands Verteidigungsminister Sergej Schoigu "
    "bekräftigt, dass Moskau eine enge militärische Zusammenarbeit mit Belarus anstrebt.",
    "Der Aufbau eines gemeinsamen Verteidigungsraums sei besonders wichtig mit Blick auf "
    "die sich verschärfende Konfrontation zwischen dem Westen und Russland, sagte Schoigu "
    "am Mittwoch bei einem Treffen mit seinem Kollegen Viktor Chrenin.",
    "Es gebe bereits unter anderem eine gemeinsame Militärdoktrin und ein System der "
    "Luftverteidigung, sagte Schoigu laut der staatlichen Nachrichtenagentur Belta.",
]
FOOTER = "© 2022 Beispiel-Zeitung GmbH. Alle Rechte vorbehalten. Impressum Datenschutz"


def page(head: str = "", body: str = "", article: bool = True) -> str:
    text = "".join(f"<p>{p}</p>" for p in PARAGRAPHS) if article else ""
    return f"""<!DOCTYPE html><html lang="de"><head>
<title>Schoigu in Minsk | Beispiel-Zeitung</title>{head}</head><body>
<nav><ul><li><a href="/">Startseite</a></li><li><a href="/politik">Politik</a></li>
<li><a href="/sport">Sport</a></li><li><a href="/kultur">Kultur</a></li></ul></nav>
<article><h1>Schoigu bekräftigt enge Zusammenarbeit mit Belarus</h1>{body}{text}</article>
<footer><p>{FOOTER}</p><ul><li><a href="/impressum">Impressum</a></li></ul></footer>
</body></html>"""


FULL_HEAD = """
<meta property="og:site_name" content="Beispiel-Zeitung">
<meta property="article:published_time" content="2022-11-30T09:12:00+01:00">
<meta name="author" content="Anna Beispiel; Ben Muster">
<link rel="canonical" href="https://www.beispiel-zeitung.de/politik/schoigu-123.html">"""


def html(content: str, **fields: str) -> Parsed:
    return parse_document(RawDocument("page.html", DocKind.HTML, content, fields))


def test_parse_html_main_text_without_boilerplate() -> None:
    parsed = html(page(FULL_HEAD))
    assert parsed.title == "Schoigu bekräftigt enge Zusammenarbeit mit Belarus"
    assert all(p in parsed.text for p in PARAGRAPHS)
    assert "Rechte vorbehalten" not in parsed.text
    assert "Startseite" not in parsed.text
    assert not parsed.text.startswith(parsed.title)  # headline kept apart from the body
    assert parsed.url == "https://www.beispiel-zeitung.de/politik/schoigu-123.html"
    assert parsed.source == "Beispiel-Zeitung"
    assert parsed.authors == ("Anna Beispiel", "Ben Muster")
    assert parsed.published == datetime(2022, 11, 30, 8, 12, tzinfo=UTC)
    assert parsed.date_precision is DatePrecision.MINUTE
    assert parsed.origin == "page.html"


def test_parse_html_markup_day_only() -> None:
    head = '<meta property="article:published_time" content="2022-11-30">'
    parsed = html(page(head))
    assert parsed.published == datetime(2022, 11, 30, tzinfo=UTC)
    assert parsed.date_precision is DatePrecision.DAY


def test_parse_html_date_from_text_when_markup_has_none() -> None:
    parsed = html(page(body="<p class='date'>Veröffentlicht am 30.11.2022</p>"))
    assert parsed.published == datetime(2022, 11, 30, tzinfo=UTC)
    assert parsed.date_precision is DatePrecision.DAY


def test_parse_html_without_any_date() -> None:
    parsed = html(page())
    assert (parsed.published, parsed.date_precision) == (None, None)


def test_parse_html_url_hint_and_host_as_source() -> None:
    parsed = html(page(), url="https://www.example.org/news/1.html")
    assert parsed.url == "https://www.example.org/news/1.html"
    assert parsed.source == "example.org"


def test_parse_html_canonical_wins_over_hint() -> None:
    parsed = html(page(FULL_HEAD), url="https://example.org/?utm_source=feed")
    assert parsed.url == "https://www.beispiel-zeitung.de/politik/schoigu-123.html"


@pytest.mark.parametrize(
    "content",
    [
        "",
        "   ",
        "<html></html>",
        "<html><head><title>App</title></head><body><script>var a=1;</script></body></html>",
        '<html><body><div id="app"></div><img src="a.jpg"></body></html>',
    ],
)
def test_parse_html_without_main_text(content: str) -> None:
    with pytest.raises(EmptyInput) as caught:
        html(content)
    assert caught.value.origin == "page.html"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400))
def test_parse_html_never_raises_other_errors(content: str) -> None:
    try:
        parsed = html(content)
    except InputError as exc:
        assert exc.origin == "page.html" and exc.reason
    else:
        assert parsed.text.strip()


def record(**fields: str | None) -> Parsed:
    return parse_document(RawDocument("dump.jsonl:3", DocKind.RECORD, fields=fields))


def test_parse_record_fields() -> None:
    parsed = record(
        title=" Schoigu in Minsk ",
        text=PARAGRAPHS[0],
        description="Kurz.",
        published="2022-11-30 09:12:00",
        url="https://example.org/a.html",
        source="example.org",
        language="de",
        authors="Anna Beispiel\nBen Muster",
    )
    assert parsed == Parsed(
        origin="dump.jsonl:3",
        title="Schoigu in Minsk",
        text=PARAGRAPHS[0],
        url="https://example.org/a.html",
        source="example.org",
        published=datetime(2022, 11, 30, 9, 12, tzinfo=UTC),
        date_precision=DatePrecision.MINUTE,
        language="de",
        description="Kurz.",
        authors=("Anna Beispiel", "Ben Muster"),
    )


@pytest.mark.parametrize(
    ("published", "precision"),
    [("2022-11", DatePrecision.MONTH), ("2022-11-30", DatePrecision.DAY), (None, None)],
)
def test_parse_record_date_precision(published: str | None, precision: DatePrecision) -> None:
    assert record(text="body", published=published).date_precision is precision


def test_parse_record_minimal() -> None:
    parsed = record(text="body")
    assert (parsed.title, parsed.source, parsed.authors) == ("", None, ())


@pytest.mark.parametrize("text", [None, "", "  "])
def test_parse_record_without_text(text: str | None) -> None:
    with pytest.raises(MalformedRecord) as caught:
        record(title="t", text=text)
    assert caught.value.origin == "dump.jsonl:3"


requires_layout = pytest.mark.skipif(
    importlib.util.find_spec("storyline.text.layout") is None,
    reason="storyline.text.layout is not written yet",
)


@requires_layout
def test_parse_text_header_title_body() -> None:
    content = "date 2022-11 Schoigu in Minsk\n\n" + "\n\n".join(PARAGRAPHS) + "\n"
    parsed = parse_document(RawDocument("a.txt", DocKind.TEXT, content))
    assert parsed.title == "Schoigu in Minsk"
    assert PARAGRAPHS[0] in parsed.text and PARAGRAPHS[-1] in parsed.text
    assert parsed.published == datetime(2022, 11, 1, tzinfo=UTC)
    assert parsed.date_precision is DatePrecision.MONTH
    assert parsed.source is None  # the folder is no outlet; the pipeline decides


@requires_layout
def test_parse_text_source_and_url_hints() -> None:
    raw = RawDocument(
        "a.txt",
        DocKind.TEXT,
        "Schoigu in Minsk\n\n" + PARAGRAPHS[0],
        {"source": "dpa", "url": "https://example.org/a"},
    )
    parsed = parse_document(raw)
    assert (parsed.source, parsed.url) == ("dpa", "https://example.org/a")


@pytest.mark.parametrize("content", ["", " \n\n "])
def test_parse_text_empty(content: str) -> None:
    with pytest.raises(EmptyInput):
        parse_document(RawDocument("a.txt", DocKind.TEXT, content))


def test_text_parse_html_falls_back_to_the_feed_entry_date_and_title() -> None:
    from storyline.model import DatePrecision, DocKind, RawDocument
    from storyline.text.parse import parse_document

    body = " ".join(["Der Hafen von Varna bleibt wegen eines Streiks geschlossen."] * 8)
    html = f"<html><body><article><p>{body}</p><p>{body}</p></article></body></html>"
    raw = RawDocument(
        "feed-entry",
        DocKind.HTML,
        html,
        {
            "url": "https://news.example.com/a",
            "published": "2024-03-10T08:00:00Z",
            "title": "Streik im Hafen",
        },
    )
    parsed = parse_document(raw)
    assert parsed.title == "Streik im Hafen"
    assert parsed.published is not None and parsed.published.day == 10
    assert parsed.date_precision is DatePrecision.MINUTE
