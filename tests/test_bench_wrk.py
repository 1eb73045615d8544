"""The load and soak benchmarks read wrk's summary through one parser."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from wrk_output import parse_wrk

# The end of a `wrk --latency` run, as wrk 4 prints it.
OUTPUT = """Running 10s test @ http://127.0.0.1:8765/
  2 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     8.10ms    3.20ms  41.00ms   80.00%
  Latency Distribution
     50%  750.00us
     75%    9.00ms
     90%   12.00ms
     99%    1.20s
  51520 requests in 10.00s, 80.00MB read
  Socket errors: connect 0, read 2, write 1, timeout 4
  Non-2xx or 3xx responses: 3
Requests/sec:   5152.00
Transfer/sec:      8.00MB
"""


def test_wrk_summary_reads_counts_rates_and_latencies_in_any_unit() -> None:
    summary = parse_wrk(OUTPUT)
    assert summary.requests == 51520
    assert summary.requests_per_second == 5152.0
    assert summary.p50_ms == pytest.approx(0.75)
    assert summary.p99_ms == pytest.approx(1200.0)
    assert summary.non_2xx == 3
    assert summary.socket_errors == 7


def test_wrk_summary_of_a_clean_run_has_no_errors() -> None:
    clean = "\n".join(
        line for line in OUTPUT.splitlines() if "errors" not in line and "Non-2xx" not in line
    )
    summary = parse_wrk(clean)
    assert (summary.non_2xx, summary.socket_errors) == (0, 0)


def test_wrk_summary_refuses_output_without_one() -> None:
    with pytest.raises(SystemExit, match="cannot read wrk's output"):
        parse_wrk("unable to connect to 127.0.0.1:8765 Connection refused")
