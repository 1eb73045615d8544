"""Load test: story list, story JSON, story page and home page under 32 clients while
an ingest runs.

Serves DB with ``storyline serve --workers N`` on a free loopback port, asks the JSON
of each of the ``--stories`` largest stories once (timing its first, uncached
assembly), warms every process's cache, starts ``storyline ingest EXTRA`` into the
same database and waits for its first write. Then wrk (Debian package ``wrk``) runs
``--seconds`` each against: the story list, the largest story's JSON and page, the
JSON and pages of the ``--stories`` largest stories in random order, and the home
page, first with clients asking as fast as they are answered, then paced (each
client waits ``PACED_DELAY_MS`` between requests, ~220 requests a second in all).
Before and after each run it reads /api/metrics, so the table shows how many
articles the ingest stored meanwhile. Loopback only. Run from the repository root:
``python benchmarks/load.py --db load.db --extra more.jsonl``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from wrk_output import parse_wrk

CLIENTS = 32
THREADS = 2  # the machine has two cores; wrk shares them with the server

# A worker process that has not built its application by then has failed.
STARTUP_SECONDS = 300.0

# An uncached story is assembled from its articles' texts, ~1 s for a large story on
# a busy machine; minutes mean something is wrong.
COLD_TIMEOUT_SECONDS = 300.0

# Seconds of full-speed requests for every page of the runs before they start.
WARM_UP_SECONDS = 20

# Items the load-time ingest prepares before it writes them: small, so that it writes
# throughout the runs instead of once after preparing the whole file (the default
# chunk is 5,000 items, minutes of work on a busy machine).
INGEST_CHUNK = 300

# What each client waits between a response and its next request in the paced runs:
# 32 clients then ask ~220 times a second (fewer as responses slow), the load the
# target names, and the latencies show what a reader waits at that load rather than
# the queue that full-speed clients build.
PACED_DELAY_MS = 140

# How long the runs wait for the ingest's first write (it restores the clusterer from
# the database and prepares its first chunk first).
FIRST_WRITE_SECONDS = 600.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get(url: str, timeout: float = 30.0) -> Any:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        body = response.read()
    return json.loads(body) if response.headers.get_content_type() == "application/json" else body


def wait_until_up(log: Path, workers: int, url: str) -> None:
    """Until every worker process logged its start-up and the server answers."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        started = log.read_text(errors="replace").count("Application startup complete")
        if started >= workers:
            try:
                get(url, timeout=5)
                return
            except OSError:
                pass
        time.sleep(0.5)
    raise SystemExit(f"server did not start within {STARTUP_SECONDS:.0f} s; see {log}")


@dataclass(frozen=True, slots=True)
class Result:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    non_2xx: int
    socket_errors: int
    ingested: int  # articles the ingest stored during the run
    cpu_ms: float  # server CPU time per request (all its processes)
    load: float  # the machine's load average over the last minute, at the end


# This interpreter's storyline, whether or not its environment is on PATH.
STORYLINE = [sys.executable, "-m", "storyline"]


def cpu_seconds(pid: int) -> float:
    """CPU time used so far by process ``pid`` and its children (the server's workers)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pids = [pid]
    for task in Path(f"/proc/{pid}/task").iterdir():
        pids += [int(p) for p in (task / "children").read_text().split()]
    for p in pids:
        fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return total


def wrk(base: str, script: Path, seconds: int, server: int) -> Result:
    before = get(f"{base}/api/metrics")["articles"]
    command = ["wrk", "-t", str(THREADS), "-c", str(CLIENTS), "-d", f"{seconds}s", "--latency"]
    command += ["-s", str(script), base + "/"]
    cpu_before = cpu_seconds(server)
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    cpu = cpu_seconds(server) - cpu_before
    after = get(f"{base}/api/metrics")["articles"]
    summary = parse_wrk(out)
    return Result(
        requests_per_second=summary.requests_per_second,
        p50_ms=summary.p50_ms,
        p99_ms=summary.p99_ms,
        non_2xx=summary.non_2xx,
        socket_errors=summary.socket_errors,
        ingested=after - before,
        cpu_ms=1000 * cpu / max(summary.requests, 1),
        load=os.getloadavg()[0],
    )


def script(folder: Path, name: str, paths: list[str], delay_ms: int | None) -> Path:
    """A wrk script asking for ``paths`` in random order, each client waiting
    ``delay_ms`` between a response and its next request (none: at once)."""
    listed = ",\n".join(json.dumps(p) for p in paths)
    text = (
        f"local paths = {{\n{listed}\n}}\n"
        "request = function()\n"
        '  return wrk.format("GET", paths[math.random(#paths)])\n'
        "end\n"
    )
    if delay_ms is not None:
        text += f"delay = function()\n  return {delay_ms}\nend\n"
    target = folder / f"{name}.lua"
    target.write_text(text)
    return target


def cold_assembly(base: str, ids: list[str]) -> list[float]:
    """Seconds each story's JSON takes the first time (assembled, then cached)."""
    times = []
    for story_id in ids:
        started = time.perf_counter()
        get(f"{base}/api/stories/{story_id}", timeout=COLD_TIMEOUT_SECONDS)
        times.append(time.perf_counter() - started)
    return times


def wait_for_first_write(base: str, before: int, ingest: subprocess.Popen[bytes]) -> float:
    """Seconds until the ingest stored its first articles."""
    started = time.monotonic()
    while time.monotonic() - started < FIRST_WRITE_SECONDS:
        if get(f"{base}/api/metrics")["articles"] > before:
            return time.monotonic() - started
        if ingest.poll() is not None:
            raise SystemExit(f"the ingest ended (exit code {ingest.returncode}) before writing")
        time.sleep(1.0)
    raise SystemExit(f"the ingest wrote nothing within {FIRST_WRITE_SECONDS:.0f} s")


def stop(process: subprocess.Popen[bytes]) -> None:
    """Ask politely, then insist: a server may wait for idle keep-alive connections."""
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=15)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", required=True)
    parser.add_argument("--extra", required=True, help="JSONL ingested while the load runs")
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--workers", type=int, default=2, help="server processes")
    parser.add_argument("--stories", type=int, default=50, help="stories in the spread runs")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("needs wrk (apt-get install wrk)", file=sys.stderr)
        return 2
    if not 1 <= args.stories <= 200:
        parser.error(f"--stories must be between 1 and 200 (one list page), not {args.stories}")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    folder = Path(tempfile.mkdtemp(prefix="storyline-load-"))
    log = folder / "serve.log"
    command = [*STORYLINE, "serve", "--port", str(port), "--db", args.db]
    with log.open("wb") as sink:
        server = subprocess.Popen(
            [*command, "--workers", str(args.workers)], stdout=sink, stderr=sink
        )
    ingest = None
    try:
        wait_until_up(log, args.workers, f"{base}/api/health")
        counts = get(f"{base}/api/metrics")
        largest = get(f"{base}/api/stories?limit={args.stories}")["items"]
        ids = [s["id"] for s in largest]
        sizes = [s["article_count"] for s in largest]
        cold = cold_assembly(base, ids)
        top = ids[0]
        spread_json = [f"/api/stories/{i}" for i in ids]
        spread_pages = [f"/stories/{i}" for i in ids]
        # Full-speed clients spread over every server process, so each caches them.
        warm_up = script(folder, "warm-up", ["/", *spread_json, *spread_pages], None)
        wrk(base, warm_up, WARM_UP_SECONDS, server.pid)
        ingest = subprocess.Popen(
            [*STORYLINE, "ingest", args.extra, "--db", args.db, "--json"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "STORYLINE_CHUNK_SIZE": str(INGEST_CHUNK)},
        )
        waited = wait_for_first_write(base, counts["articles"], ingest)
        targets = {
            "story list `/api/stories`": ["/api/stories"],
            "story JSON, largest story": [f"/api/stories/{top}"],
            "story page, largest story": [f"/stories/{top}"],
            f"story JSON, {len(ids)} stories at random": spread_json,
            f"story page, {len(ids)} stories at random": spread_pages,
            "home page `/`": ["/"],
        }
        paced = {"story list `/api/stories`", *list(targets)[3:]}
        runs: list[tuple[str, list[str], int | None]]
        runs = [(name, paths, None) for name, paths in targets.items()]
        runs += [(name, targets[name], PACED_DELAY_MS) for name in targets if name in paced]
        rows: list[tuple[str, int | None, Result]] = []
        for n, (name, paths, delay_ms) in enumerate(runs):
            wrk_script = script(folder, f"run{n}", paths, delay_ms)
            rows.append((name, delay_ms, wrk(base, wrk_script, args.seconds, server.pid)))
            if ingest.poll() is not None:
                print(f"note: the ingest ended during '{name}'", file=sys.stderr)
        still_ingesting = ingest.poll() is None
    finally:
        for process in (ingest, server):
            if process is not None:
                stop(process)
        shutil.rmtree(folder, ignore_errors=True)
    print(
        f"database: {counts['articles']:,} articles, {counts['stories']:,} stories; "
        f"{args.workers} server processes, {CLIENTS} clients, {args.seconds} s per run; "
        f"ingest still running at the end: {still_ingesting} (its first write came "
        f"{waited:.0f} s after its start)"
    )
    print(
        f"first (uncached) story JSON of the {len(ids)} largest stories "
        f"({min(sizes)}-{max(sizes)} articles): median {statistics.median(cold):.2f} s, "
        f"max {max(cold):.2f} s"
    )
    print()
    print(
        "| route | clients wait | req/s | p50 ms | p99 ms | non-2xx | socket errors "
        "| ingested meanwhile | server CPU ms/request | load average |"
    )
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, delay_ms, r in rows:
        wait = f"{delay_ms} ms" if delay_ms is not None else "no"
        print(
            f"| {name} | {wait} | {r.requests_per_second:.0f} | {r.p50_ms:.1f} | "
            f"{r.p99_ms:.1f} | {r.non_2xx} | {r.socket_errors} | {r.ingested} | "
            f"{r.cpu_ms:.2f} | {r.load:.1f} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
