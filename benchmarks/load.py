"""Load test: story list and story page under 32 clients while an ingest runs.

Serves DB with ``storyline serve`` on a free loopback port, starts an ingest of
EXTRA (JSONL) into the same database, and runs wrk (Debian package ``wrk``) against
``/api/stories``, one story's ``/api/stories/{id}`` and its page ``/stories/{id}``.
Loopback only; every run is bounded by ``--seconds``. Run from the repository root:
``python benchmarks/load.py --db load.db --extra more.jsonl``.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

CLIENTS = 32
THREADS = 2  # the machine has two cores; wrk shares them with the server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until_up(url: str, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"server did not answer at {url}")


def wrk(url: str, seconds: int) -> dict[str, float]:
    out = subprocess.run(
        ["wrk", "-t", str(THREADS), "-c", str(CLIENTS), "-d", f"{seconds}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    result = {"requests_per_second": rate}
    for label in ("50%", "99%"):
        match = re.search(rf"{label}\s+([\d.]+)(us|ms|s)", out)
        if match:
            value, unit = float(match.group(1)), match.group(2)
            result[f"p{label[:-1]}_ms"] = (
                value / 1000 if unit == "us" else value * (1000 if unit == "s" else 1)
            )
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    result["errors"] = float(errors.group(1)) if errors else 0.0
    return result


def stop(process: subprocess.Popen[bytes]) -> None:
    """Ask politely, then insist: a server may wait for idle keep-alive connections."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", required=True)
    parser.add_argument("--extra", required=True, help="JSONL ingested while the load runs")
    parser.add_argument("--seconds", type=int, default=30)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("needs wrk (apt-get install wrk)", file=sys.stderr)
        return 2
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        ["storyline", "serve", "--host", "127.0.0.1", "--port", str(port), "--db", args.db],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    ingest = None
    try:
        wait_until_up(f"{base}/api/health")
        with urllib.request.urlopen(f"{base}/api/stories?limit=1", timeout=10) as r:
            story_id = json.load(r)["items"][0]["id"]
        ingest = subprocess.Popen(
            ["storyline", "ingest", args.extra, "--db", args.db, "--json"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        rows = {
            "story list (/api/stories)": wrk(f"{base}/api/stories", args.seconds),
            "story detail (/api/stories/{id})": wrk(f"{base}/api/stories/{story_id}", args.seconds),
            "story page (/stories/{id})": wrk(f"{base}/stories/{story_id}", args.seconds),
        }
    finally:
        for process in (ingest, server):
            if process is not None:
                stop(process)
    print(f"| route | req/s | p50 ms | p99 ms | non-2xx | ({CLIENTS} clients, ingest running)")
    print("| --- | --- | --- | --- | --- |")
    for name, r in rows.items():
        print(
            f"| {name} | {r['requests_per_second']:.0f} | {r.get('p50_ms', float('nan')):.1f} | "
            f"{r.get('p99_ms', float('nan')):.1f} | {r['errors']:.0f} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
