"""The pure parts of the web pages: safe links, chart geometry, ranking and grouping."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from storyline.web import charts, views
from storyline.web.security import path_segment, safe_url


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        " javascript:alert(1)",
        "java\tscript:alert(1)",
        "java\nscript:alert(1)",
        "\x01javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "//evil.example/x",
        "/relative/path",
        "http:alert(1)",
        "",
        None,
        42,
    ],
)
def test_web_safe_url_refuses_everything_but_absolute_http(url: object) -> None:
    assert safe_url(url) is None


@pytest.mark.parametrize(
    "url", ["http://example.com/a?b=c", "https://example.org/news/1", "HTTPS://EXAMPLE.NET/"]
)
def test_web_safe_url_keeps_http_links(url: str) -> None:
    assert safe_url(url) == url


def test_web_path_segment_quotes_slashes_and_markup() -> None:
    assert path_segment('a/b "<x>"') == "a%2Fb%20%22%3Cx%3E%22"


def test_web_sparkline_scales_to_tallest_day() -> None:
    spark = charts.sparkline([0, 2, 4])
    xs = [float(p.split(",")[0]) for p in spark.points.split()]
    ys = [float(p.split(",")[1]) for p in spark.points.split()]
    assert xs == [0.0, charts.SPARK_WIDTH / 2, charts.SPARK_WIDTH]
    assert ys[0] > ys[1] > ys[2] == 2.0  # higher counts sit higher (smaller y)
    assert (spark.last_x, spark.last_y) == (xs[-1], ys[-1])


def test_web_sparkline_of_nothing_is_flat() -> None:
    assert charts.sparkline([0, 0, 0]).points.count(",") == 3
    assert charts.sparkline([]).points


def test_web_daily_counts_bins_by_day_and_drops_outside() -> None:
    end = date(2024, 3, 10)
    times = [
        datetime(2024, 3, 10, 9, tzinfo=UTC),
        datetime(2024, 3, 10, 23, tzinfo=UTC),
        datetime(2024, 3, 8, tzinfo=UTC),
        datetime(2024, 2, 1, tzinfo=UTC),  # before the window
        None,
    ]
    assert charts.daily_counts(times, end, 3) == [1, 0, 2]


def test_web_timeline_stacks_sources_per_day_and_keeps_gaps() -> None:
    entries = [
        {"date": "2024-03-04", "source": "a.example", "articles": 2},
        {"date": "2024-03-04", "source": "b.example", "articles": 1},
        {"date": "2024-03-07", "source": "a.example", "articles": 1},
        {"date": "undated", "source": "c.example", "articles": 1},
    ]
    chart = charts.timeline(entries)
    assert chart is not None
    assert len(chart.bars) == 4
    # 4 calendar days (gaps kept) and the undated column.
    assert [t.text for t in chart.day_ticks] == ["03-04", "03-05", "03-06", "03-07", "undated"]
    first_day = [b for b in chart.bars if b.label.startswith("2024-03-04")]
    assert sum(b.height for b in first_day) == pytest.approx(chart.baseline - 8, abs=0.5)
    assert first_day[0].y + first_day[0].height == pytest.approx(chart.baseline)
    assert first_day[1].y + first_day[1].height == pytest.approx(first_day[0].y)
    assert [s for s, _ in chart.legend] == ["a.example", "b.example", "c.example"]
    assert "a.example: 2 articles" in first_day[0].label


def test_web_timeline_of_a_long_story_shows_only_days_with_articles() -> None:
    start = date(2024, 1, 1)
    days = [start, start + timedelta(days=200)]
    chart = charts.timeline([{"date": d.isoformat(), "source": "s", "articles": 1} for d in days])
    assert chart is not None and len(chart.bars) == 2
    assert charts.timeline([]) is None


def story(id_: str, count: int, last: str | None) -> dict[str, object]:
    return {"id": id_, "article_count": count, "last_published": last}


def test_web_rank_weighs_size_by_freshness() -> None:
    now = datetime(2024, 3, 28, 12, tzinfo=UTC)
    stories = [
        story("old-big", 8, "2024-03-25T12:00:00+00:00"),  # 8 / 2**3 = 1
        story("fresh-small", 3, "2024-03-28T11:00:00+00:00"),
        story("fresh-big", 6, "2024-03-28T10:00:00+00:00"),
        story("undated", 50, None),
    ]
    assert [s["id"] for s in views.rank(stories, now)] == [
        "fresh-big",
        "fresh-small",
        "old-big",
        "undated",
    ]


def test_web_reference_time_is_now_or_the_newest_story_of_an_archive() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    archive = [story("a", 1, "2024-03-28T10:00:00+00:00"), story("b", 1, None)]
    assert views.reference_time(archive, now) == datetime(2024, 3, 28, 10, tzinfo=UTC)
    assert views.reference_time([story("c", 1, "2027-01-01T00:00:00")], now) == now
    assert views.reference_time([], now) == now


def test_web_span_and_short_time() -> None:
    assert views.span("2024-03-04T10:00:00+00:00", "2024-03-06T09:00:00+00:00") == (
        "2024-03-04 – 2024-03-06"
    )
    assert views.span("2024-03-04T10:00:00", "2024-03-04T12:00:00") == "2024-03-04"
    assert views.span(None, None) == "undated"
    assert views.short_time("2024-03-04T10:15:00+00:00") == "2024-03-04 10:15"
    assert views.short_time("2024-03") == "2024-03"
    assert views.short_time(None) == "undated"


def test_web_facts_split_into_corroborated_and_single_source() -> None:
    facts = [
        {"text": "a", "sources": ["x", "y", "z"], "corroborated": True},
        {"text": "b", "sources": ["y"], "corroborated": False},
        {"text": "c", "sources": ["x", "y"], "corroborated": True},
        {"text": "d", "sources": ["x"], "corroborated": False},
        {"text": "e", "sources": ["x"], "corroborated": False},
    ]
    assert [f["text"] for f in views.corroborated_facts(facts)] == ["a", "c"]
    single = views.single_source_facts(facts, source_count=3)
    assert [(s, [f["text"] for f in fs]) for s, fs in single] == [("x", ["d", "e"]), ("y", ["b"])]
    assert views.single_source_facts(facts, source_count=1) == []


def test_web_quotes_grouped_by_speaker_unknown_last() -> None:
    quotes = [
        {"text": "1", "speaker": None, "speaker_key": None},
        {"text": "2", "speaker": "Petra Ilic", "speaker_key": "ilic"},
        {"text": "3", "speaker": "Ilic", "speaker_key": "ilic"},
        {"text": "4", "speaker": "Jonas Brekke", "speaker_key": "brekke"},
    ]
    groups = views.quotes_by_speaker(quotes)
    assert [(label, [q["text"] for q in qs]) for label, _, qs in groups] == [
        ("Petra Ilic", ["2", "3"]),
        ("Jonas Brekke", ["4"]),
        ("Unattributed", ["1"]),
    ]


def test_web_article_rows_link_only_http() -> None:
    rows = views.article_rows(
        [{"url": "javascript:alert(1)"}, {"url": "https://a.example/x"}, {"url": None}]
    )
    assert [r["link"] for r in rows] == [None, "https://a.example/x", None]
