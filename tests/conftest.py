"""Shared fixtures: small articles written for these tests, and the shared data path."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from storyline import pipeline
from storyline.config import Settings
from storyline.store.sqlite import SQLiteStore
from tests.pg_support import Cluster, fresh_database, throwaway_cluster

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


def shared_path(*parts: str) -> Path:
    """A path in ../shared, or skip the test with a clear message when it is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"needs the evaluation data at {path} (../shared beside the repository)")
    return path


# Three events, each reported twice in different words; written for these tests.
EVENTS = {
    "bridge": [
        (
            "2024-05-02",
            "Bridge over the Varna river closes after cracks found",
            "Engineers closed the Kalinov bridge over the Varna river on Thursday after "
            "inspectors found cracks in two support pillars. Mayor Petra Ilic said the "
            "crossing would stay shut for at least six weeks while repairs costing 4.2 "
            "million euros are planned. Around 18,000 vehicles use the bridge every day.",
        ),
        (
            "2024-05-03",
            "Kalinov bridge shut for weeks over damaged pillars",
            "The Kalinov bridge across the Varna will remain closed for six weeks, mayor "
            "Petra Ilic announced, after cracks were discovered in two pillars. Repairs are "
            "expected to cost 4.2 million euros; commuters face long detours as 18,000 cars "
            "a day must now cross elsewhere.",
        ),
    ],
    "launch": [
        (
            "2024-05-02",
            "Weather satellite Aster-3 reaches orbit",
            "The weather satellite Aster-3 was launched from the Solmar spaceport on "
            "Thursday and reached its planned orbit 40 minutes later, the national space "
            "agency said. Director Jonas Brekke called the launch flawless. The satellite "
            "will measure cloud cover and sea temperatures for twelve years.",
        ),
        (
            "2024-05-02",
            "Aster-3 launch succeeds at Solmar",
            "A rocket carrying the Aster-3 weather satellite lifted off from Solmar and "
            "placed it in orbit, space agency director Jonas Brekke said. The instrument "
            "is to observe clouds and ocean temperatures over a twelve-year mission.",
        ),
    ],
    "strike": [
        (
            "2024-05-03",
            "Dock workers at Port Elling walk out over pay",
            "Dock workers at Port Elling began a 48-hour strike on Friday, demanding a "
            "pay rise of nine percent. Union leader Marta Sokol said ships were already "
            "queuing outside the harbour. The port operator offered five percent.",
        ),
        (
            "2024-05-03",
            "Port Elling strike leaves ships waiting",
            "Ships queued outside Port Elling as dockers started a two-day walkout over "
            "wages. The union, led by Marta Sokol, wants nine percent more pay, while "
            "the operator has offered five percent.",
        ),
    ],
}


def write_corpus(folder: Path) -> dict[str, str]:
    """Write the test events as plain-text files; returns file name -> event."""
    folder.mkdir(parents=True, exist_ok=True)
    gold = {}
    for event, reports in EVENTS.items():
        for n, (day, title, body) in enumerate(reports):
            name = f"{event}-{n}.txt"
            (folder / name).write_text(f"date {day}\n{title}\n\n{body}\n", encoding="utf-8")
            gold[name] = event
    return gold


@pytest.fixture
def corpus(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    folder = tmp_path / "corpus"
    return folder, write_corpus(folder)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(db=str(tmp_path / "test.db"))


@pytest.fixture
def store(settings: Settings) -> Iterator[SQLiteStore]:
    db = SQLiteStore(settings.db)
    yield db
    db.close()


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    """A throw-away PostgreSQL cluster on loopback for the whole run (tests/pg_support.py)."""
    with throwaway_cluster() as cluster:
        yield cluster


@pytest.fixture
def pg_dsn(pg_cluster: Cluster) -> Iterator[str]:
    """The address of a new, empty PostgreSQL database, dropped after the test."""
    with fresh_database(pg_cluster) as dsn:
        yield dsn


@pytest.fixture(params=["sqlite", "postgres"])
def db_address(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A new database of each backend: a SQLite file, then a PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "store.db")
    return str(request.getfixturevalue("pg_dsn"))


@pytest.fixture
def restores(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Each restore of an ingest engine from the database, counted (by its start)."""
    seen: list[object] = []
    original = pipeline.Engine.restore

    def counted(self: pipeline.Engine, start: object) -> None:
        seen.append(start)
        original(self, start)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline.Engine, "restore", counted)
    return seen
