"""Soak: the API under 32 concurrent clients for N minutes while the watcher ingests a
feed that keeps publishing; nothing may fail, memory must stay flat, nothing may be lost.

A news site on 127.0.0.1 (the crash tests' ``Publisher``: project-written articles in
German and English) publishes ``--initial`` entries, then ``--rate`` entries a second.
``storyline watch`` polls its feed every ``--interval`` seconds into a fresh database that
``storyline serve`` answers from. wrk (Debian package ``wrk``) runs 32 connections for
``--minutes`` against a mix of the story list (both orders, filters, cursors), story
JSON and pages, search, names, sources, metrics and the home page. Every
``--sample-seconds`` the resident memory of the server (all its processes) and of the
watcher is read from /proc. When wrk ends the site stops publishing and the watcher gets
``--drain-seconds`` to catch up; then every published entry must be stored exactly once.
Loopback only. Run from the repository root:

    python benchmarks/soak.py --minutes 10
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the article generator and site live with the crash tests

sys.path.insert(0, str(ROOT / "benchmarks"))

from tests.crash_support import Publisher, child_env, stream  # noqa: E402
from wrk_output import WrkSummary, parse_wrk  # noqa: E402

CLIENTS = 32
THREADS = 2  # the machine has two cores; wrk shares them with the server and the watcher

WRK_TIMEOUT = "10s"
"""A request unanswered this long counts as an error: pages answer in milliseconds, so a
10 s wait is a stall, not a slow page."""

STARTUP_SECONDS = 300.0
"""A server or watcher not up by then has failed (start-up loads lexicons: ~10 s)."""

FLAT_GROWTH = 0.10
"""Memory is flat when the last samples' median is within 10% of the median of those
right after warm-up: caches fill in the first minute, then must stop growing."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get(url: str, timeout: float = 30.0) -> Any:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return json.loads(response.read())


def rss_bytes(pid: int) -> int:
    """Resident memory of ``pid`` and all its descendants."""
    total = 0
    for child in [pid, *descendants(pid)]:
        try:
            status = Path(f"/proc/{child}/status").read_text()
        except OSError:
            continue
        match = re.search(r"VmRSS:\s+(\d+) kB", status)
        total += int(match.group(1)) * 1024 if match else 0
    return total


def descendants(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                child = int(entry.name)
                found += [child, *descendants(child)]
    return found


def stored_urls(db: Path) -> list[str]:
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
        try:
            return [r[0] for r in con.execute("SELECT url FROM articles WHERE url IS NOT NULL")]
        finally:
            con.close()
    except sqlite3.Error:
        return []


@dataclass(frozen=True, slots=True)
class Sample:
    seconds: float
    server_mb: float
    watcher_mb: float
    published: int
    stored: int


def run_wrk(base: str, script: Path, seconds: int) -> tuple[WrkSummary, str]:
    command = ["wrk", "-t", str(THREADS), "-c", str(CLIENTS), "-d", f"{seconds}s"]
    command += ["--latency", "--timeout", WRK_TIMEOUT, "-s", str(script), base + "/"]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return parse_wrk(out), out


def mix_script(base: str, folder: Path) -> Path:
    """A wrk script over a mix of reads, with ids and names taken from the live API."""
    stories = get(f"{base}/api/stories?limit=50")["items"]
    ids = [s["id"] for s in stories]
    page = get(f"{base}/api/stories?limit=5")
    sources = [s["source"] for s in get(f"{base}/api/sources")][:5]
    detail = get(f"{base}/api/stories/{ids[0]}")
    names = [n["name"] for n in detail.get("names", [])][:5] or ["Brücke"]
    words = ["bridge", "Streik", "satellite", "Hochwasser", "port", "Brücke"]
    paths = ["/", "/api/stories", "/api/stories?order=recent", "/api/stories?language=de",
             "/api/metrics", "/api/sources", "/sources"]  # fmt: skip
    if page.get("next_cursor"):
        paths.append(f"/api/stories?limit=5&cursor={page['next_cursor']}")
    paths += [f"/api/stories/{i}" for i in ids] + [f"/stories/{i}" for i in ids[:20]]
    paths += [f"/api/search?q={w}" for w in words] + [f"/search?q={w}" for w in words[:3]]
    paths += [f"/api/names/{urllib.parse.quote(n)}" for n in names]
    paths += [f"/api/sources/{s}" for s in sources]
    listed = ",\n".join(json.dumps(p) for p in paths)
    script = folder / "mix.lua"
    script.write_text(
        f"local paths = {{\n{listed}\n}}\n"
        "request = function()\n"
        '  return wrk.format("GET", paths[math.random(#paths)])\n'
        "end\n"
    )
    return script


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=30)


def wait_for(condition: Any, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"{what} within {seconds:.0f} s")
        time.sleep(0.5)


def flat(values: list[float], warm: int) -> tuple[float, bool]:
    """Growth of the last samples' median over the warm ones' median; and whether flat."""
    if len(values) < warm + 4:
        return 0.0, True
    settled = sorted(values[warm : warm + 3])[1]
    last = sorted(values[-3:])[1]
    growth = (last - settled) / settled if settled else 0.0
    return growth, growth <= FLAT_GROWTH


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--rate", type=float, default=1.0, help="entries published a second")
    parser.add_argument("--initial", type=int, default=200, help="entries published at start")
    parser.add_argument("--interval", type=float, default=5.0, help="watcher's poll interval")
    parser.add_argument("--workers", type=int, default=2, help="server processes")
    parser.add_argument("--sample-seconds", type=float, default=15.0)
    parser.add_argument("--drain-seconds", type=float, default=300.0)
    parser.add_argument("--out", type=Path, help="also write the results here as JSON")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("needs wrk (apt-get install wrk)", file=sys.stderr)
        return 2
    seconds = int(args.minutes * 60)
    total = args.initial + int(args.rate * (seconds + 120)) + 10
    folder = Path(tempfile.mkdtemp(prefix="storyline-soak-"))
    db = folder / "soak.db"
    site = Publisher(stream(total, seed=3))
    site.publish(args.initial)
    (folder / "feeds.txt").write_text(f"{site.base}/rss\n")
    env = child_env(
        STORYLINE_DB=str(db), STORYLINE_HOST_DELAY_SECONDS="0", STORYLINE_FETCH_TIMEOUT_SECONDS="10"
    )
    watch_command = [sys.executable, "-m", "storyline", "watch", str(folder / "feeds.txt")]
    watch_command += ["--interval", str(args.interval), "--allow-private-addresses"]
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    serve_command = [sys.executable, "-m", "storyline", "serve", "--port", str(port)]
    serve_command += ["--workers", str(args.workers)]
    publishing = threading.Event()
    samples: list[Sample] = []
    with (folder / "watch.log").open("wb") as wlog, (folder / "serve.log").open("wb") as slog:
        watcher = subprocess.Popen(watch_command, env=env, stdout=wlog, stderr=wlog)
        server = None
        try:
            wait_for(lambda: len(stored_urls(db)) >= 20, STARTUP_SECONDS, "no articles stored")
            server = subprocess.Popen(serve_command, env=env, stdout=slog, stderr=slog)

            def up() -> bool:
                try:
                    return bool(get(f"{base}/api/health", timeout=5))
                except OSError:
                    return False

            wait_for(up, STARTUP_SECONDS, "the server did not answer")
            script = mix_script(base, folder)
            started = time.monotonic()
            publishing.set()

            def publish() -> None:
                owed = 0.0
                while publishing.is_set():
                    time.sleep(1.0)
                    owed += args.rate
                    site.publish(int(owed))
                    owed -= int(owed)

            def sample() -> None:
                assert server is not None
                while publishing.is_set():
                    samples.append(
                        Sample(
                            round(time.monotonic() - started, 1),
                            round(rss_bytes(server.pid) / 2**20, 1),
                            round(rss_bytes(watcher.pid) / 2**20, 1),
                            site.published,
                            len(stored_urls(db)),
                        )
                    )
                    time.sleep(args.sample_seconds)

            threads = [threading.Thread(target=f, daemon=True) for f in (publish, sample)]
            for thread in threads:
                thread.start()
            load, wrk_output = run_wrk(base, script, seconds)
            publishing.clear()
            for thread in threads:
                thread.join()
            published = {str(r["url"]) for r in site.records[: site.published]}
            wait_for(
                lambda: published <= set(stored_urls(db)),
                args.drain_seconds,
                "the watcher did not store every published entry",
            )
            drained = time.monotonic() - started - seconds
        finally:
            publishing.clear()
            site.close()
            if server is not None:
                stop(server)
            stop(watcher)
    urls = stored_urls(db)
    lost = sorted(published - set(urls))
    twice = len(urls) - len(set(urls))
    warm = max(1, int(60 / args.sample_seconds))
    server_growth, server_flat = flat([s.server_mb for s in samples], warm)
    watcher_growth, watcher_flat = flat([s.watcher_mb for s in samples], warm)
    result = {
        "minutes": args.minutes,
        "clients": CLIENTS,
        "load": asdict(load),
        "errors": load.non_2xx + load.socket_errors,
        "published": len(published),
        "stored": len(set(urls)),
        "lost": len(lost),
        "stored_twice": twice,
        "drain_seconds": round(drained, 1),
        "server_memory_growth": round(server_growth, 3),
        "watcher_memory_growth": round(watcher_growth, 3),
        "memory_flat": server_flat and watcher_flat,
        "samples": [asdict(s) for s in samples],
    }
    if args.out:
        args.out.write_text(json.dumps(result, indent=2))
    print(wrk_output)
    print(
        f"{args.minutes:g} min, {CLIENTS} clients: {load.requests:,} requests "
        f"({load.requests_per_second:,.0f}/s), p50 {load.p50_ms:.1f} ms, p99 {load.p99_ms:.1f} "
        f"ms, errors {result['errors']} (non-2xx {load.non_2xx}, socket {load.socket_errors})"
    )
    print(
        f"published {len(published)}, stored {len(set(urls))}, lost {len(lost)}, stored twice "
        f"{twice}; the watcher caught up {drained:.0f} s after the load ended"
    )
    print(
        f"memory: server {server_growth:+.1%}, watcher {watcher_growth:+.1%} from the first "
        f"minute to the end ({'flat' if result['memory_flat'] else 'GROWING'})"
    )
    print("| seconds | server MB | watcher MB | published | stored |")
    print("| ---: | ---: | ---: | ---: | ---: |")
    for s in samples:
        print(f"| {s.seconds:.0f} | {s.server_mb} | {s.watcher_mb} | {s.published} | {s.stored} |")
    ok = result["errors"] == 0 and not lost and not twice and result["memory_flat"]
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
