"""Chart geometry for the pages: numbers in, SVG coordinates out.

Pure functions; the templates draw the shapes, so every label goes through Jinja2's
autoescaping and no chart library reaches the browser.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

# Distinct source colours in the timeline (CSS classes s0..s7); more sources reuse them,
# and the legend and each bar's tooltip still name the source.
SOURCE_COLOURS = 8

# Up to this many days the timeline shows every calendar day, gaps included, so a
# follow-up ten days later reads as one; longer stories show only days with articles.
CONTINUOUS_DAYS = 62

SPARK_WIDTH = 120
SPARK_HEIGHT = 24
CHART_HEIGHT = 160
CHART_BAR = 26  # width of one day's bar: room for its "03-26" label
CHART_GAP = 12
CHART_LEFT = 28  # room for the count axis labels
CHART_BOTTOM = 34  # room for the date labels


@dataclass(frozen=True, slots=True)
class Spark:
    """A sparkline: a polyline's points and the last point, highlighted."""

    points: str
    last_x: float
    last_y: float
    width: int = SPARK_WIDTH
    height: int = SPARK_HEIGHT


@dataclass(frozen=True, slots=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    colour: int
    label: str  # tooltip: day, source and count


@dataclass(frozen=True, slots=True)
class Tick:
    x: float
    y: float
    text: str


@dataclass(frozen=True, slots=True)
class Timeline:
    width: float
    height: float
    bars: tuple[Bar, ...]
    day_ticks: tuple[Tick, ...]
    count_ticks: tuple[Tick, ...]
    baseline: float
    legend: tuple[tuple[str, int], ...]  # source, colour


def daily_counts(times: Iterable[datetime | None], end: date, days: int) -> list[int]:
    """Articles per day over the ``days`` days ending with ``end``; others are ignored."""
    start = end - timedelta(days=days - 1)
    counts = [0] * days
    for t in times:
        if t is None:
            continue
        i = (t.date() - start).days
        if 0 <= i < days:
            counts[i] += 1
    return counts


def sparkline(counts: Sequence[int]) -> Spark:
    """Points of a sparkline over ``counts``, scaled to the tallest value."""
    top = max(counts, default=0) or 1
    step = SPARK_WIDTH / max(len(counts) - 1, 1)
    pad = 2.0  # keeps the stroke and the end dot inside the box
    usable = SPARK_HEIGHT - 2 * pad
    coords = [
        (round(i * step, 1), round(pad + usable * (1 - c / top), 1)) for i, c in enumerate(counts)
    ]
    if not coords:
        coords = [(0.0, SPARK_HEIGHT - pad)]
    points = " ".join(f"{x},{y}" for x, y in coords)
    return Spark(points, coords[-1][0], coords[-1][1])


def _days(dated: Iterable[str]) -> list[str]:
    parsed = sorted({date.fromisoformat(d) for d in dated})
    if not parsed:
        return []
    span = (parsed[-1] - parsed[0]).days + 1
    if span <= CONTINUOUS_DAYS:
        return [(parsed[0] + timedelta(days=i)).isoformat() for i in range(span)]
    return [d.isoformat() for d in parsed]


def _day_key(day: str) -> str | None:
    """An ISO day, or None for 'undated' and anything else that is not a date."""
    try:
        return date.fromisoformat(day[:10]).isoformat()
    except ValueError:
        return None


def timeline(entries: Sequence[Mapping[str, object]]) -> Timeline | None:
    """Stacked bars of articles per day and source (``timeline`` of a story view)."""
    per_day: dict[str, dict[str, int]] = defaultdict(dict)
    order: list[str] = []
    for e in entries:
        source, n = str(e["source"]), int(str(e["articles"]))
        day = _day_key(str(e["date"])) or "undated"
        per_day[day][source] = per_day[day].get(source, 0) + n
        if source not in order:
            order.append(source)
    if not per_day:
        return None
    days = _days(d for d in per_day if d != "undated")
    if "undated" in per_day:
        days.append("undated")
    colour = {s: i % SOURCE_COLOURS for i, s in enumerate(order)}
    top = max(sum(v.values()) for v in per_day.values())
    plot = CHART_HEIGHT - CHART_BOTTOM - 8
    unit = plot / top
    baseline = CHART_HEIGHT - CHART_BOTTOM
    bars: list[Bar] = []
    ticks: list[Tick] = []
    label_every = max(1, len(days) // 10)  # at most ~10 date labels stay legible
    for i, day in enumerate(days):
        x = CHART_LEFT + CHART_GAP + i * (CHART_BAR + CHART_GAP)
        y: float = baseline
        for source in order:
            n = per_day.get(day, {}).get(source, 0)
            if not n:
                continue
            h = round(n * unit, 1)
            y = round(y - h, 1)
            noun = "article" if n == 1 else "articles"
            bars.append(Bar(x, y, CHART_BAR, h, colour[source], f"{day} · {source}: {n} {noun}"))
        if i % label_every == 0 or i == len(days) - 1:
            label = day[5:] if day[4:5] == "-" else day  # "03-26": the year is in the header
            ticks.append(Tick(x + CHART_BAR / 2, baseline + 14, label))
    counts = sorted({0, top} | ({round(top / 2)} if top >= 4 else set()))
    count_ticks = tuple(Tick(CHART_LEFT - 4, round(baseline - c * unit, 1), str(c)) for c in counts)
    width = CHART_LEFT + CHART_GAP + len(days) * (CHART_BAR + CHART_GAP)
    return Timeline(
        width=width,
        height=CHART_HEIGHT,
        bars=tuple(bars),
        day_ticks=tuple(ticks),
        count_ticks=count_ticks,
        baseline=baseline,
        legend=tuple((s, colour[s]) for s in order),
    )
