"""Live updates: GET /api/events (server-sent events) announces changed stories; the
stream generator is driven with a fake clock and sleep, so no test waits."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

from fastapi.testclient import TestClient

from storyline import services
from storyline.api.routes.events import HEARTBEAT_SECONDS, event_stream
from storyline.config import Settings
from storyline.store.sqlite import SQLiteStore
from tests.api_support import AUTH, jsonl, make_app, records


def parse(text: str) -> list[dict[str, str]]:
    """Server-sent events as dicts of their fields (comments dropped)."""
    events = []
    for block in text.strip().split("\n\n"):
        fields = {}
        for line in block.split("\n"):
            if line and not line.startswith(":"):
                name, _, value = line.partition(": ")
                fields[name] = value
        if fields:
            events.append(fields)
    return events


def test_api_events_ready_then_changes_after_an_ingest(tmp_path: Path) -> None:
    with TestClient(make_app(tmp_path)) as client:
        response = client.get("/api/events", params={"wait": 0})
        assert response.headers["content-type"].startswith("text/event-stream")
        ready = parse(response.text)
        assert [e["event"] for e in ready] == ["ready"] and ready[0]["id"] == "0"
        report = client.post("/api/articles", content=jsonl(records()), headers=AUTH).json()
        # A client reconnecting where it left off hears of every changed story.
        for request in (
            {"params": {"wait": 0, "after": ready[0]["id"]}},
            {"params": {"wait": 0}, "headers": {"Last-Event-ID": ready[0]["id"]}},
        ):
            events = parse(client.get("/api/events", **request).text)  # type: ignore[arg-type]
            assert [e["event"] for e in events] == ["ready", "stories"]
            data = json.loads(events[1]["data"])
            assert set(data["stories"]) == set(report["stories"]) and data["seq"] == 6
            assert events[1]["id"] == "6"
        # Connected now: only later changes count.
        now = parse(client.get("/api/events", params={"wait": 0}).text)
        assert [e["event"] for e in now] == ["ready"] and now[0]["id"] == "6"


def test_api_events_bad_parameters(tmp_path: Path) -> None:
    with TestClient(make_app(tmp_path)) as client:
        for params in ({"after": -1}, {"after": "x"}, {"wait": -1}, {"wait": "long"}):
            response = client.get("/api/events", params=params)
            assert response.status_code == 422 and response.json()["error"]["code"]


def test_api_events_wait_is_capped_by_the_setting(tmp_path: Path) -> None:
    with TestClient(make_app(tmp_path, events_max_seconds=0.0)) as client:
        response = client.get("/api/events", params={"wait": 3600})  # returns at once
        assert [e["event"] for e in parse(response.text)] == ["ready"]


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


async def collect(stream: AsyncIterator[str]) -> list[str]:
    return [chunk async for chunk in stream]


def test_api_event_stream_announces_an_ingest_while_open(tmp_path: Path) -> None:
    settings = Settings(db=str(tmp_path / "live.db"))
    store = SQLiteStore(settings.db)
    time = FakeTime()

    async def poll(seq: int) -> tuple[int, list[str]]:
        return services.changes(store, seq)

    async def sleep(seconds: float) -> None:
        await time.sleep(seconds)
        if len(time.sleeps) == 1:  # an ingest lands while the stream waits
            services.ingest_records(store, settings, jsonl(records()[:2]))

    async def connected() -> bool:
        return False

    stream = event_stream(
        poll, 0, interval=2.0, duration=5.0, disconnected=connected, clock=time.clock, sleep=sleep
    )
    try:
        events = parse("".join(asyncio.run(collect(stream))))
    finally:
        store.close()
    assert [e["event"] for e in events] == ["ready", "stories"]
    assert json.loads(events[1]["data"])["seq"] == 2
    assert time.sleeps == [2.0, 2.0, 1.0]  # bounded by the duration


def test_api_event_stream_stops_when_the_client_goes(tmp_path: Path) -> None:
    time = FakeTime()
    polls: list[int] = []

    async def poll(seq: int) -> tuple[int, list[str]]:
        polls.append(seq)
        return seq, []

    async def gone() -> bool:
        return len(polls) >= 3

    stream = event_stream(
        poll, 7, interval=1.0, duration=1e9, disconnected=gone, clock=time.clock, sleep=time.sleep
    )
    chunks = asyncio.run(collect(stream))
    assert polls == [7, 7, 7] and len(chunks) == 1 and "id: 7" in chunks[0]


def test_api_event_stream_sends_heartbeats_when_quiet() -> None:
    time = FakeTime()

    async def poll(seq: int) -> tuple[int, list[str]]:
        return seq, []

    async def connected() -> bool:
        return False

    stream = event_stream(
        poll,
        0,
        interval=5.0,
        duration=HEARTBEAT_SECONDS * 3,
        disconnected=connected,
        clock=time.clock,
        sleep=time.sleep,
    )
    chunks = asyncio.run(collect(stream))
    assert sum(c.startswith(": heartbeat") for c in chunks) == 3
