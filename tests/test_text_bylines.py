"""Bylines: names kept, job titles, reading times and update stamps dropped (issue 6)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from storyline.model import DocKind, RawDocument
from storyline.text.bylines import clean_authors
from storyline.text.parse import parse_document

PARAGRAPHS = (
    "The city council voted on Tuesday to approve a new budget for public transport, "
    "after months of debate about fares and routes across the region.",
    "Officials said the plan would add dozens of buses and extend night services, while "
    "critics warned that the costs had been underestimated by the administration.",
    "The mayor welcomed the decision and said construction of new stops would begin next "
    "spring, pending final approval from the regional authority.",
)


def page(head: str = "", byline: str = "") -> str:
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    return f"""<!DOCTYPE html><html lang="en"><head>
<title>Council approves transport budget | Example News</title>{head}</head><body>
<nav><a href="/">Home</a> <a href="/local">Local</a></nav>
<article><h1>Council approves transport budget</h1>{byline}{body}</article>
<footer><p>© 2024 Example News</p></footer></body></html>"""


def authors_of(html: str) -> tuple[str, ...]:
    return parse_document(RawDocument("page.html", DocKind.HTML, html)).authors


@pytest.mark.parametrize(
    ("head", "byline", "expected"),
    [
        ("", '<div class="byline">By Jane Doe, Senior Reporter</div>', ("Jane Doe",)),
        ('<meta name="author" content="Jane Doe, Senior Reporter">', "", ("Jane Doe",)),
        ("", '<p class="author">By Jane Doe · 4 min read</p>', ("Jane Doe",)),
        ("", '<div class="byline"><span>Jane Doe</span> | 5 Minute Read</div>', ("Jane Doe",)),
        ("", '<p class="byline">By Jane Doe Updated 3 hours ago</p>', ("Jane Doe",)),
        ('<meta name="author" content="Jane Doe, Updated">', "", ("Jane Doe",)),
        (
            "",
            '<div class="byline">Jane Doe • Reading time: 3 minutes • Updated: March 4, 2024</div>',
            ("Jane Doe",),
        ),
        ("", '<div class="author">Von Anna Beispiel, Korrespondentin in Moskau</div>', None),
        ("", '<span class="byline">BY JANE DOE</span>', ("Jane Doe",)),
        (
            '<script type="application/ld+json">{"@context": "https://schema.org", '
            '"@type": "NewsArticle", "author": {"@type": "Person", '
            '"name": "By Jane Doe, Senior Reporter"}}</script>',
            "",
            ("Jane Doe",),
        ),
    ],
)
def test_bylines_polluted_pages_give_names_only(
    head: str, byline: str, expected: tuple[str, ...] | None
) -> None:
    assert authors_of(page(head, byline)) == (expected or ("Anna Beispiel",))


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (["Jane Doe", "Staff Writer", "John Roe"], ("Jane Doe", "John Roe")),
        (["Senior Reporter Jane Doe"], ("Jane Doe",)),
        (["Jane Doe, Reporter at the Times"], ("Jane Doe",)),
        (["Updated by John Smith"], ("John Smith",)),
        (["Ein Kommentar von Anna Beispiel"], ("Anna Beispiel",)),
        (["di Mario Rossi e Luca Bianchi"], ("Mario Rossi", "Luca Bianchi")),
        (["News Desk"], ()),
        (["Online-Redaktion"], ()),
        (["Foto: Hans Meier"], ()),
        (["Lesezeit: 3 Min."], ()),
        (["Stand: 12.03.2024"], ()),
        (["Doe", "Jane Doe"], ("Jane Doe",)),
        (["Jane Doe", "jane doe"], ("Jane Doe",)),
        # names that look like the noise stay whole
        (["Luigi Di Maio"], ("Luigi Di Maio",)),
        (["Ursula von der Leyen"], ("Ursula von der Leyen",)),
        (["Jane E. Doe"], ("Jane E. Doe",)),
        (["Sky News"], ("Sky News",)),
        (["April Stand"], ("April Stand",)),
    ],
)
def test_bylines_clean_authors(names: list[str], expected: tuple[str, ...]) -> None:
    assert clean_authors(names) == expected


@given(st.lists(st.text(max_size=80), max_size=4))
def test_bylines_clean_authors_is_idempotent(names: list[str]) -> None:
    once = clean_authors(names)
    assert clean_authors(once) == once
    assert all(name == name.strip() and name for name in once)
