"""Crash-test support: a generated news stream, kill-and-resume runs, and a database audit.

The articles are written here from templates (German and English reports of made-up
events, several per event), so they cost nothing to generate and carry no one's text.
:func:`audit` checks what must hold after any stop, however abrupt: the file is intact,
no article is stored twice, every article's story exists with the right count, merged
stories redirect to live ones, and the failures recorded are those of the bad items.
"""

from __future__ import annotations

import http.server
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

START = datetime(2024, 3, 1, 6, 0, tzinfo=UTC)

# Each kind of event: English and German sentences with {who}, {place}, {n} and {m}.
# An article is a headline, one to three of its kind's sentences and three to five
# naming the event's own details, in some order.
KINDS: dict[str, dict[str, list[str]]] = {
    "bridge": {
        "en": [
            "Engineers closed the {place} bridge on {day} after cracks were found in {n} pillars",
            "Mayor {who} said the crossing would stay shut for at least {m} weeks",
            "Repairs are expected to cost {n}.{m} million euros, the city council said",
            "Around {n}{m},000 vehicles cross the {place} bridge every day",
            "Commuters in {place} face long detours while inspectors examine the damage",
            "{who} promised that ferries would run every {m} minutes during the closure",
        ],
        "de": [
            "Ingenieure sperrten die Brücke von {place} am {day}, nachdem Risse in {n} Pfeilern "
            "entdeckt worden waren",
            "Bürgermeister {who} sagte, die Brücke bleibe mindestens {m} Wochen gesperrt",
            "Die Reparatur soll {n},{m} Millionen Euro kosten, teilte der Stadtrat mit",
            "Täglich fahren rund {n}{m}.000 Fahrzeuge über die Brücke von {place}",
            "Pendler in {place} müssen lange Umwege fahren, während Prüfer die Schäden untersuchen",
            "{who} versprach, dass während der Sperrung alle {m} Minuten Fähren fahren",
        ],
    },
    "strike": {
        "en": [
            "Dock workers at the port of {place} began a {n}-hour strike on {day}",
            "Union leader {who} said ships were already queuing outside the harbour",
            "The workers demand a pay rise of {m} percent, the union said",
            "The port operator in {place} offered {n} percent and called the strike reckless",
            "More than {n}{m} ships are waiting to be unloaded, according to the harbour master",
            "{who} warned that the walkout could be extended if talks fail",
        ],
        "de": [
            "Hafenarbeiter in {place} traten am {day} in einen {n}-stündigen Streik",
            "Gewerkschaftschef {who} sagte, vor dem Hafen stauten sich bereits die Schiffe",
            "Die Beschäftigten fordern {m} Prozent mehr Lohn, erklärte die Gewerkschaft",
            "Der Hafenbetreiber in {place} bot {n} Prozent an und nannte den Streik rücksichtslos",
            "Mehr als {n}{m} Schiffe warten laut Hafenmeister auf die Entladung",
            "{who} warnte, der Ausstand könne verlängert werden, falls die Gespräche scheitern",
        ],
    },
    "launch": {
        "en": [
            "The weather satellite {place}-{n} was launched on {day} and reached orbit",
            "Space agency director {who} called the launch flawless",
            "The satellite will measure cloud cover and sea temperatures for {m} years",
            "The rocket lifted off at dawn and separated from the satellite after {n}{m} minutes",
            "Scientists expect the first images from {place}-{n} within {m} weeks",
            "{who} said the mission cost {n}{m} million euros",
        ],
        "de": [
            "Der Wettersatellit {place}-{n} startete am {day} und erreichte seine Umlaufbahn",
            "Raumfahrtchef {who} nannte den Start fehlerfrei",
            "Der Satellit soll {m} Jahre lang Wolken und Meerestemperaturen messen",
            "Die Rakete hob im Morgengrauen ab und setzte den Satelliten nach {n}{m} Minuten aus",
            "Forscher erwarten die ersten Bilder von {place}-{n} innerhalb von {m} Wochen",
            "{who} sagte, die Mission habe {n}{m} Millionen Euro gekostet",
        ],
    },
    "flood": {
        "en": [
            "Heavy rain flooded large parts of {place} on {day}",
            "Emergency services evacuated {n}{m}0 residents from the old town",
            "Regional governor {who} declared a state of emergency",
            "The river rose {n} metres above its normal level within {m} hours",
            "Schools in {place} will stay closed until the water recedes",
            "{who} asked for help from the army to build sandbag walls",
        ],
        "de": [
            "Starkregen überschwemmte am {day} weite Teile von {place}",
            "Rettungskräfte brachten {n}{m}0 Bewohner aus der Altstadt in Sicherheit",
            "Regionalgouverneur {who} rief den Notstand aus",
            "Der Fluss stieg binnen {m} Stunden um {n} Meter über den normalen Pegel",
            "Die Schulen in {place} bleiben geschlossen, bis das Wasser zurückgeht",
            "{who} bat die Armee um Hilfe beim Bau von Sandsackwällen",
        ],
    },
}
DAYS = {"en": "Thursday", "de": "Donnerstag"}
TITLES = {
    "bridge": {"en": "{place} bridge closed after cracks", "de": "Brücke in {place} gesperrt"},
    "strike": {"en": "Port of {place} hit by strike", "de": "Streik im Hafen von {place}"},
    "launch": {"en": "Satellite {place}-{n} in orbit", "de": "Satellit {place}-{n} im All"},
    "flood": {"en": "Floods in {place}", "de": "Hochwasser in {place}"},
}
# 75 syllables: made-up names share few character grams, as real names of different
# people and places do.
_SYLLABLES = tuple(c + v for c in "bdfghklmnprstvwz" for v in "aeiou")


def _word(rng: random.Random, parts: int) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(parts)).capitalize()


@dataclass(frozen=True, slots=True)
class Event:
    kind: str
    who: str
    place: str
    n: int
    m: int
    day: datetime
    details: tuple[str, ...]  # made-up names only this event's reports mention


def events(count: int, seed: int = 1) -> list[Event]:
    rng = random.Random(seed)
    kinds = sorted(KINDS)
    return [
        Event(
            kinds[i % len(kinds)],
            f"{_word(rng, 2)} {_word(rng, 3)}",
            _word(rng, 3),
            rng.randint(2, 9),
            rng.randint(2, 9),
            START + timedelta(days=i * 0.5),
            tuple(_word(rng, 3) for _ in range(6)) + tuple(_word(rng, 3).lower() for _ in range(6)),
        )
        for i in range(count)
    ]


# Sentences naming an event's own details (places {0}-{5}, and made-up things {6}-{11}
# standing in for the event's own vocabulary), so that events of one kind stay apart.
DETAIL_SENTENCES = {
    "en": [
        "Witnesses near {0} and {1} described the {6} and the {7}",
        "A spokesman for {2} confirmed the {8} figures",
        "Officials from {3} and {4} are expected to discuss the {9} on Monday",
        "The {5} district was most affected by the {10}",
        "Residents of {1} said the {11} had been a warning",
    ],
    "de": [
        "Augenzeugen in {0} und {1} schilderten das {6} und die {7}",
        "Ein Sprecher von {2} bestätigte die {8}-Zahlen",
        "Vertreter von {3} und {4} wollen am Montag über das {9} beraten",
        "Am stärksten vom {10} betroffen war der Bezirk {5}",
        "Bewohner von {1} sagten, das {11} sei eine Warnung gewesen",
    ],
}


def article(event: Event, number: int, rng: random.Random) -> dict[str, Any]:
    """One news-please record reporting ``event``; ``number`` makes its URL unique."""
    language = "de" if rng.random() < 0.4 else "en"
    values = {
        "who": event.who,
        "place": event.place,
        "n": event.n,
        "m": event.m,
        "day": DAYS[language],
    }
    chosen = [
        s.format(**values) for s in rng.sample(KINDS[event.kind][language], rng.randint(1, 3))
    ]
    chosen += [
        s.format(*event.details) for s in rng.sample(DETAIL_SENTENCES[language], rng.randint(3, 5))
    ]
    rng.shuffle(chosen)
    published = event.day + timedelta(minutes=rng.randint(0, 3 * 24 * 60))
    return {
        "title": f"{event.details[0]}: " + TITLES[event.kind][language].format(**values),
        "maintext": ". ".join(chosen) + ".",
        "url": f"https://outlet{number % 23}.example/news/{number}",
        "source_domain": f"outlet{number % 23}.example",
        "date_publish": published.strftime("%Y-%m-%d %H:%M:%S"),
        "language": language,
    }


BAD_LINES = (
    "{not json",
    '{"title": "no text here"}',
    '{"maintext": 42, "title": ["a list"]}',
    "[1, 2, 3]",
)
"""Lines every stream carries a few of: each must become one recorded failure."""


def stream(count: int, seed: int = 1) -> list[dict[str, Any]]:
    """``count`` records in publication order, about 25 per event."""
    rng = random.Random(seed)
    happenings = events(max(1, count // 25), seed)
    records = [article(happenings[rng.randrange(len(happenings))], n, rng) for n in range(count)]
    return sorted(records, key=lambda r: str(r["date_publish"]))


def write_jsonl(path: Path, records: Sequence[dict[str, Any]], bad_every: int = 0) -> list[int]:
    """Write ``records`` as JSON Lines with a bad line after every ``bad_every`` of them;
    returns the line numbers of the bad lines."""
    bad = []
    with path.open("w", encoding="utf-8") as out:
        line = 0
        for number, record in enumerate(records, 1):
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            line += 1
            if bad_every and number % bad_every == 0:
                out.write(BAD_LINES[(number // bad_every) % len(BAD_LINES)] + "\n")
                line += 1
                bad.append(line)
    return bad


def storyline(*args: str) -> list[str]:
    """The command line of ``storyline`` in this interpreter (no installed script needed)."""
    return [sys.executable, "-m", "storyline", *args]


def child_env(**extra: str) -> dict[str, str]:
    """The environment of a child process: this one's, without STORYLINE_* settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("STORYLINE_")}
    env.update(extra)
    return env


def stored_count(db_path: Path) -> int:
    """Articles committed so far, read without creating or locking the database."""
    try:
        db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=0.5)
        try:
            return int(db.execute("SELECT COUNT(*) FROM articles").fetchone()[0])
        finally:
            db.close()
    except sqlite3.Error:  # not created yet, or still being migrated
        return 0


POLL_SECONDS = 0.02
"""How often a run is checked for its kill condition: a batch takes longer than this."""


@dataclass(frozen=True, slots=True)
class Run:
    """One run: its exit code (None when it was killed) and what it printed."""

    code: int | None
    output: str

    @property
    def killed(self) -> bool:
        return self.code is None


def run_until(
    command: Sequence[str], env: dict[str, str], cwd: Path, kill: Callable[[], bool]
) -> Run:
    """Run ``command`` and SIGKILL it as soon as ``kill()`` is true; then wait until the
    workers it had are gone too. Its output is kept in ``cwd/runs/`` as well."""
    logs = cwd / "runs"
    logs.mkdir(exist_ok=True)
    log_path = logs / f"{len(list(logs.iterdir())):03d}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, env=env, cwd=cwd, stdout=log, stderr=log)
        try:
            while process.poll() is None:
                if kill():
                    children = descendants(process.pid)
                    process.send_signal(signal.SIGKILL)
                    process.wait()
                    _wait_gone(children)
                    return Run(None, log_path.read_text(errors="replace"))
                time.sleep(POLL_SECONDS)
            return Run(process.returncode, log_path.read_text(errors="replace"))
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()


ORPHAN_SECONDS = 30.0
"""How long a killed process's workers may take to notice and exit."""


def descendants(pid: int) -> list[int]:
    """Processes below ``pid`` (worker pools), from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _wait_gone(pids: list[int]) -> None:
    """A crash must not leave workers behind: each ends soon after its parent."""
    deadline = time.monotonic() + ORPHAN_SECONDS
    for pid in pids:
        while Path(f"/proc/{pid}").exists() and _state(pid) != "Z":
            assert time.monotonic() < deadline, f"process {pid} outlived its killed parent"
            time.sleep(POLL_SECONDS)


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return "Z"


def after(seconds: float) -> Callable[[], bool]:
    """A kill condition: ``seconds`` from now."""
    deadline = time.monotonic() + seconds
    return lambda: time.monotonic() >= deadline


def once_stored(db_path: Path, count: int, delay: float) -> Callable[[], bool]:
    """A kill condition: ``delay`` seconds after ``count`` articles are stored, so the
    kill lands inside or between the following transactions."""
    reached: list[float] = []

    def condition() -> bool:
        if not reached and stored_count(db_path) >= count:
            reached.append(time.monotonic())
        return bool(reached) and time.monotonic() >= reached[0] + delay

    return condition


MIGRATION_TABLES = {
    "001_initial": "articles",
    "002_story_state": "story_merges",
    "003_feed_state": "feeds",
    "004_article_names": "article_names",
}
"""A table each SQLite migration creates."""


@dataclass(frozen=True, slots=True)
class Audit:
    articles: int
    urls: Counter[str]
    stories: int
    failures: Counter[str]


def audit(db_path: Path, unique_origins: bool = True) -> Audit:
    """Check the invariants that hold after any stop; raise AssertionError naming a broken
    one. With ``unique_origins`` (each origin names one item), no item may be both stored
    and recorded as failed."""
    db = sqlite3.connect(db_path)
    try:
        problems = [r[0] for r in db.execute("PRAGMA integrity_check")]
        assert problems == ["ok"], f"integrity_check: {problems[:5]}"
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        done = (
            {r[0] for r in db.execute("SELECT name FROM migrations")}
            if "migrations" in tables
            else set()
        )
        for migration, table in MIGRATION_TABLES.items():
            # A migration is one transaction: its tables exist exactly when it is recorded.
            assert (migration in done) == (table in tables), (migration, table, sorted(tables))
        if "001_initial" not in done:
            return Audit(0, Counter(), 0, Counter())
        # FTS5 compares its index with the articles table; a mismatch raises.
        db.execute("INSERT INTO articles_fts(articles_fts) VALUES ('integrity-check')")
        urls = Counter(r[0] for r in db.execute("SELECT url FROM articles WHERE url IS NOT NULL"))
        twice = [u for u, n in urls.items() if n > 1]
        assert not twice, f"articles stored more than once: {twice[:5]}"
        dangling = db.execute(
            """SELECT a.id, a.story_id FROM articles a LEFT JOIN stories s ON s.id = a.story_id
               WHERE s.id IS NULL LIMIT 5"""
        ).fetchall()
        assert not dangling, f"articles whose story does not exist: {dangling}"
        wrong = db.execute(
            """SELECT s.id, s.article_count, COUNT(a.id) FROM stories s
               LEFT JOIN articles a ON a.story_id = s.id GROUP BY s.id
               HAVING s.article_count != COUNT(a.id) LIMIT 5"""
        ).fetchall()
        assert not wrong, f"stories whose article_count is not their member count: {wrong}"
        bad_merges = db.execute(
            """SELECT m.old, m.new FROM story_merges m LEFT JOIN stories s ON s.id = m.new
               WHERE s.id IS NULL OR m.old IN (SELECT id FROM stories) LIMIT 5"""
        ).fetchall()
        assert not bad_merges, f"merged stories that do not redirect to a live one: {bad_merges}"
        copies = db.execute(
            """SELECT a.id FROM articles a LEFT JOIN articles o ON o.id = a.duplicate_of
               WHERE a.duplicate_of IS NOT NULL AND o.id IS NULL LIMIT 5"""
        ).fetchall()
        assert not copies, f"copies of articles that are not stored: {copies}"
        names = db.execute(
            """SELECT COUNT(*) FROM article_names n LEFT JOIN articles a ON a.id = n.article_id
               WHERE a.id IS NULL"""
        ).fetchone()[0]
        assert names == 0, f"{names} name rows of articles that are not stored"
        stored_origins = {r[0] for r in db.execute("SELECT origin FROM articles")}
        failures = Counter(r[0] for r in db.execute("SELECT origin FROM failures"))
        both = sorted(set(failures) & stored_origins) if unique_origins else []
        assert not both, f"items both stored and recorded as failed: {both[:5]}"
        stories = db.execute("SELECT COUNT(*) FROM stories").fetchone()[0]
        articles = db.execute("SELECT COUNT(*) FROM articles").fetchone()[0]
        return Audit(articles, urls, stories, failures)
    finally:
        db.close()


def article_page(record: dict[str, Any]) -> bytes:
    """A record as the news page a feed entry links to."""
    paragraphs = "".join(f"<p>{s.strip()}.</p>" for s in str(record["maintext"]).split(". "))
    published = str(record["date_publish"]).replace(" ", "T") + "Z"
    return (
        f'<!doctype html><html lang="{record["language"]}"><head><meta charset="utf-8">'
        f'<title>{record["title"]}</title><link rel=canonical href="{record["url"]}">'
        f'<meta property="article:published_time" content="{published}"></head><body>'
        f"<nav><a href='/'>Home</a> <a href='/world'>World</a></nav><article>"
        f"<h1>{record['title']}</h1>{paragraphs}</article><footer>Outlet</footer></body></html>"
    ).encode()


EMPTY_PAGE = b"<html><head><title>Gone</title></head><body><nav>Home</nav></body></html>"


class Publisher:
    """A news site on 127.0.0.1 whose RSS feed gains entries while a test runs.

    Entry ``n`` links to ``/news/n``. Every ``missing_every``-th page answers 404 and
    every ``empty_every``-th has no text: those entries must end as recorded failures.
    """

    def __init__(
        self, records: Sequence[dict[str, Any]], missing_every: int = 0, empty_every: int = 0
    ) -> None:
        self.records = list(records)
        self.missing_every, self.empty_every = missing_every, empty_every
        self.published = 0
        self.lock = threading.Lock()
        publisher = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                status, kind, body = publisher.answer(self.path)
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        for n, record in enumerate(self.records):
            record["url"] = f"{self.base}/news/{n}"
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def kind(self, n: int) -> str:
        if self.missing_every and n % self.missing_every == self.missing_every - 1:
            return "missing"
        if self.empty_every and n % self.empty_every == self.empty_every - 1:
            return "empty"
        return "article"

    def publish(self, count: int) -> None:
        with self.lock:
            self.published = min(len(self.records), self.published + count)

    def answer(self, path: str) -> tuple[int, str, bytes]:
        with self.lock:
            published = self.published
        if path == "/rss":
            return 200, "application/rss+xml", self.feed(published)
        if path.startswith("/news/") and path[6:].isdigit() and int(path[6:]) < published:
            n = int(path[6:])
            kind = self.kind(n)
            if kind == "article":
                return 200, "text/html; charset=utf-8", article_page(self.records[n])
            if kind == "empty":
                return 200, "text/html; charset=utf-8", EMPTY_PAGE
        return 404, "text/plain", b"not found"

    def feed(self, published: int) -> bytes:
        items = "".join(
            f"<item><title>{escape(str(r['title']))}</title><link>{r['url']}</link>"
            f"<guid>{r['url']}</guid></item>"
            for r in self.records[:published]
        )
        return f'<rss version="2.0"><channel><title>Site</title>{items}</channel></rss>'.encode()

    def urls(self, kind: str) -> set[str]:
        return {str(r["url"]) for n, r in enumerate(self.records) if self.kind(n) == kind}

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def audit_feed_state(db_path: Path) -> dict[str, str]:
    """Entry URL -> status; every entry marked stored has its article, every one marked
    failed its failure, and none has both."""
    db = sqlite3.connect(db_path)
    try:
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "feed_entries" not in tables:
            return {}
        status = {str(r[0]): str(r[1]) for r in db.execute("SELECT url, status FROM feed_entries")}
        stored = {str(r[0]) for r in db.execute("SELECT url FROM articles WHERE url IS NOT NULL")}
        failed = {str(r[0]) for r in db.execute("SELECT origin FROM failures")}
        for url, state in status.items():
            if state == "stored":
                assert url in stored, f"entry marked stored without its article: {url}"
            if state == "failed":
                assert url in failed and url not in stored, f"failed entry not recorded: {url}"
        return status
    finally:
        db.close()
