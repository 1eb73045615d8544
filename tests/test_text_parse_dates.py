"""Publication dates of web pages: the article's own date, not the URL's or a script's.

Each page reproduces a complaint users have about date extraction (issue 6).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from storyline.model import DatePrecision, DocKind, Parsed, RawDocument
from storyline.text.parse import parse_document

PARAGRAPHS = (
    "The city council voted on Tuesday to approve a new budget for public transport, "
    "after months of debate about fares and routes across the region.",
    "Officials said the plan would add dozens of buses and extend night services, while "
    "critics warned that the costs had been underestimated by the administration.",
    "The mayor welcomed the decision and said construction of new stops would begin next "
    "spring, pending final approval from the regional authority.",
)
URL = "https://news.example/local/2019/05/12/council-budget"


def page(head: str = "", lead: str = "", tail: str = "") -> str:
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    return f"""<!DOCTYPE html><html lang="en"><head>
<title>Council approves transport budget | Example News</title>{head}</head><body>
<nav><a href="/">Home</a> <a href="/local">Local</a></nav>
<article><h1>Council approves transport budget</h1>{lead}{body}</article>{tail}
<footer><p>© 2024 Example News</p></footer></body></html>"""


def parsed(html: str, **fields: str) -> Parsed:
    return parse_document(RawDocument("page.html", DocKind.HTML, html, fields))


def test_dates_metadata_wins_over_url_date() -> None:
    head = '<meta property="article:published_time" content="2019-05-14T08:00:00+00:00">'
    result = parsed(page(head), url=URL)
    assert result.published == datetime(2019, 5, 14, 8, 0, tzinfo=UTC)
    assert result.date_precision is DatePrecision.MINUTE


def test_dates_url_date_when_page_has_none() -> None:
    result = parsed(page(), url=URL)
    assert result.published == datetime(2019, 5, 12, tzinfo=UTC)
    assert result.date_precision is DatePrecision.DAY


@pytest.mark.parametrize(
    "script",
    [
        # app state of a JavaScript framework listing related articles
        '<script id="__NEXT_DATA__" type="application/json">{"props": {"related": '
        '[{"datePublished": "2021-02-03T09:00:00Z"}]}}</script>',
        # analytics and build stamps
        '<script>window.dataLayer = [{"buildTime": "2021-02-03T09:00:00Z"}];</script>',
        # JSON-LD that lists other pages, not this one
        '<script type="application/ld+json">{"@context": "https://schema.org", '
        '"@type": "ItemList", "itemListElement": [{"@type": "NewsArticle", '
        '"datePublished": "2021-02-03T09:00:00Z", "url": "/other"}]}</script>',
    ],
)
def test_dates_from_scripts_are_not_the_article_date(script: str) -> None:
    result = parsed(page(head=script, lead="<p>Published 4 March 2024</p>"))
    assert result.published == datetime(2024, 3, 4, tzinfo=UTC)
    assert result.date_precision is DatePrecision.DAY


def test_dates_article_json_ld_still_read() -> None:
    head = (
        '<script type="application/ld+json">{"@context": "https://schema.org", '
        '"@type": "NewsArticle", "datePublished": "2024-03-04T09:00:00Z"}</script>'
    )
    result = parsed(page(head, lead="<p>Published 4 March 2024</p>"))
    assert result.published == datetime(2024, 3, 4, 9, 0, tzinfo=UTC)
    assert result.date_precision is DatePrecision.MINUTE


def test_dates_crawl_day_when_page_has_no_date() -> None:
    result = parsed(page(), crawled="2024-05-03T06:21:09Z")
    assert result.published == datetime(2024, 5, 3, tzinfo=UTC)
    assert result.date_precision is DatePrecision.DAY


def test_dates_page_date_kept_before_crawl_and_refused_after() -> None:
    head = '<meta property="article:published_time" content="2024-05-02T14:05:00+02:00">'
    kept = parsed(page(head), crawled="2024-05-03T06:21:09Z")
    assert kept.published == datetime(2024, 5, 2, 12, 5, tzinfo=UTC)
    # Published a year after it was crawled: impossible, so the crawl day stands in.
    late = parsed(page(head), crawled="2023-05-03T06:21:09Z")
    assert (late.published, late.date_precision) == (
        datetime(2023, 5, 3, tzinfo=UTC),
        DatePrecision.DAY,
    )
