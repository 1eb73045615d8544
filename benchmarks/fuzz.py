"""Fuzz the text stages: coverage-guided with atheris, or Hypothesis where it is missing.

Each input picks one stage (date parsing, the plain-text layout, HTML extraction,
cleaning, names, quotes, facts, the whole analysis, JSON records, byte decoding, feed
parsing) and feeds it fuzzed text. A stage may refuse an input with an ``InputError``;
anything else it raises is a finding, and so are broken invariants (cleaning must be
idempotent on its own output, dates must be UTC and plausible) and single calls slower
than ``SLOW_SECONDS``. Findings are appended to ``findings.jsonl`` in ``--out`` as they
happen, one per distinct place, and the run goes on. Run from the repository root:

    pip install -e '.[fuzz]'
    python benchmarks/fuzz.py --minutes 5 --out /tmp/storyline-fuzz
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

SLOW_SECONDS = 2.0
"""A call on an input of at most MAX_LEN bytes taking this long is a finding: the
stages handle real articles ten times that size in well under a second."""

MAX_LEN = 8192
"""Largest fuzzed input in bytes: long enough for a short article with markup."""

LANGUAGES = ("de", "en", "ru", "fr")

SEEDS = [
    "date 2022-11 Schoigu besucht Minsk\n\nDer russische Verteidigungsminister Sergej "
    "Schoigu ist am Dienstag in Minsk eingetroffen, meldete Belta. „Wir stehen an Ihrer "
    'Seite", sagte er. Die Gespräche sollen 3,5 Stunden dauern. (dpa)',
    "Bridge closes after cracks found\n\nEngineers closed the Kalinov bridge on Thursday. "
    '"It will stay shut for six weeks," Mayor Petra Ilic said. Repairs cost 4.2 million '
    "euros; 18,000 vehicles a day use it.",
    "<html><head><title>Aster-3</title><meta property='article:published_time' "
    "content='2024-05-02T08:00:00Z'></head><body><article><h1>Aster-3 in orbit</h1><p>The "
    "satellite reached orbit 40 minutes after launch, director Jonas Brekke said.</p>"
    "</article></body></html>",
    '{"title": "Streik", "maintext": "Hafenarbeiter streiken seit Freitag.", '
    '"date_publish": "2024-05-03 09:00:00", "language": "de"}',
    "<rss version='2.0'><channel><item><title>T</title><link>https://a.example/1</link>"
    "<pubDate>Thu, 02 May 2024 08:00:00 GMT</pubDate></item></channel></rss>",
    "16.03.2024 09:12 Uhr",
    # A garbled date in the markup: htmldate hands it to dateparser, which compiles its
    # locales on first use (seconds, once per process): warmed up, not a finding.
    "<html><head><title>A</title><meta property='article:published_time' content='2024-0r-3"
    "</title>'></head><body><article><h1>A</h1><p>The satellite reached orbit.</p></article>",
    "Министр обороны Сергей Шойгу заявил: «Мы готовы». Об этом сообщает ТАСС.",
]


class Finding(Exception):
    """An invariant a stage broke."""


def _stages() -> list[tuple[str, Callable[[str, bytes, str], object]]]:
    from storyline.errors import InputError
    from storyline.model import DocKind, Parsed, RawDocument
    from storyline.sources.feeds import parse_feed
    from storyline.sources.files import decode_bytes
    from storyline.sources.records import record_fields
    from storyline.text.analyse import analyse
    from storyline.text.clean import clean_text
    from storyline.text.dates import EARLIEST_YEAR, parse_date
    from storyline.text.facts import find_facts
    from storyline.text.names import find_names
    from storyline.text.parse import parse_document
    from storyline.text.quotes import find_quotes
    from storyline.text.tokens import tokenize

    def dates(text: str, raw: bytes, language: str) -> object:
        when, precision = parse_date(text)
        if when is not None:
            if when.tzinfo != UTC or precision is None:
                raise Finding(f"date {when!r} is not UTC or has no precision")
            if not EARLIEST_YEAR <= when.year <= datetime.now(UTC).year + 1:
                raise Finding(f"implausible date {when!r} accepted")
        return when

    def layout(text: str, raw: bytes, language: str) -> object:
        return parse_document(RawDocument("fuzz", DocKind.TEXT, text))

    def html(text: str, raw: bytes, language: str) -> object:
        return parse_document(
            RawDocument("fuzz", DocKind.HTML, text, {"url": "https://a.example/x"})
        )

    def clean(text: str, raw: bytes, language: str) -> object:
        once = clean_text(text, text.split("\n", 1)[0])
        again = clean_text(once.text, text.split("\n", 1)[0])
        if again.text != once.text:
            raise Finding("clean_text is not idempotent on its own output")
        return once

    def names(text: str, raw: bytes, language: str) -> object:
        found = find_names(text, list(tokenize(text, language)), language)
        for mention in found:
            if not mention.key:
                raise Finding(f"a name mention without a key: {mention!r}")
        return found

    def quotes(text: str, raw: bytes, language: str) -> object:
        mentions = find_names(text, list(tokenize(text, language)), language)
        return find_quotes(text, language, mentions)

    def facts(text: str, raw: bytes, language: str) -> object:
        return find_facts(text, language)

    def whole(text: str, raw: bytes, language: str) -> object:
        title, _, body = text.partition("\n")
        return analyse(Parsed("fuzz", title, body or title, language=language))

    def records(text: str, raw: bytes, language: str) -> object:
        try:
            value = json.loads(text)
        except (ValueError, RecursionError):
            value = {"maintext": text, "date_publish": text[:40], "title": text[:80]}
        fields = record_fields(value, "fuzz")
        return parse_document(RawDocument("fuzz", DocKind.RECORD, fields=fields))

    def decode(text: str, raw: bytes, language: str) -> object:
        return decode_bytes(raw, "fuzz")

    def feed(text: str, raw: bytes, language: str) -> object:
        return parse_feed(raw, "https://a.example/rss")

    del InputError  # imported for the reader: the stages may raise it, and it is allowed
    return [
        ("dates", dates),
        ("layout", layout),
        ("html", html),
        ("clean", clean),
        ("names", names),
        ("quotes", quotes),
        ("facts", facts),
        ("analyse", whole),
        ("records", records),
        ("decode", decode),
        ("feed", feed),
    ]


class Recorder:
    """Runs one input through its stage; appends each new finding to ``findings.jsonl``."""

    def __init__(self, out: Path) -> None:
        from storyline.errors import InputError

        self.allowed: tuple[type[BaseException], ...] = (InputError,)
        self.stages = _stages()
        self.out = out
        self.seen: set[str] = set()
        self.runs = 0
        self.per_stage: dict[str, int] = {}
        self.started = time.monotonic()
        self._warm_up()

    def _warm_up(self) -> None:
        """Every stage once per language: lexicons and name lists load on first use, and
        that first call must not count as slow."""
        for _, stage in self.stages:
            for language in LANGUAGES:
                for seed in SEEDS:
                    # Seeds are not valid input for every stage.
                    with contextlib.suppress(Exception):
                        stage(seed, seed.encode(), language)

    def run(self, data: bytes) -> None:
        if not data:
            return
        name, stage = self.stages[data[0] % len(self.stages)]
        language = LANGUAGES[(data[1] if len(data) > 1 else 0) % len(LANGUAGES)]
        raw = data[2:]
        text = raw.decode("utf-8", errors="replace")
        self.runs += 1
        self.per_stage[name] = self.per_stage.get(name, 0) + 1
        started = time.perf_counter()
        problem: str | None = None
        try:
            stage(text, raw, language)
        except self.allowed:
            pass
        except Finding as exc:
            problem = f"invariant: {exc}"
        except Exception as exc:  # every other exception is what fuzzing looks for
            problem = "".join(traceback.format_exception_only(type(exc), exc)).strip()
            problem += "\n" + _where(exc)
        seconds = time.perf_counter() - started
        if problem is None and seconds > SLOW_SECONDS:
            problem = f"slow: {seconds:.1f} s for {len(raw)} bytes"
        if problem is not None:
            self._record(name, language, text, problem, seconds)
        if self.runs % 500 == 0:
            self._stats()

    def _record(self, stage: str, language: str, text: str, problem: str, seconds: float) -> None:
        key = f"{stage}|{problem.splitlines()[0][:60]}|{problem.splitlines()[-1]}"
        if key in self.seen:
            return
        self.seen.add(key)
        finding = {
            "stage": stage,
            "language": language,
            "problem": problem,
            "seconds": round(seconds, 3),
            "input": text[:MAX_LEN],
        }
        with (self.out / "findings.jsonl").open("a", encoding="utf-8") as f:
            f.write(json.dumps(finding, ensure_ascii=False) + "\n")
        print(f"finding in {stage}: {problem.splitlines()[0]}", file=sys.stderr, flush=True)

    def _stats(self) -> None:
        stats = {
            "runs": self.runs,
            "seconds": round(time.monotonic() - self.started, 1),
            "per_stage": self.per_stage,
        }
        (self.out / "stats.json").write_text(json.dumps(stats))


def _where(exc: BaseException) -> str:
    """The innermost frame of the traceback inside storyline, else the innermost one."""
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if f"{os.sep}storyline{os.sep}" in f.filename]
    frame = (ours or frames)[-1]
    return f"{Path(frame.filename).name}:{frame.lineno} in {frame.name}"


def _seed_corpus(folder: Path, stages: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for n, seed in enumerate(SEEDS):
        for stage in range(stages):
            (folder / f"seed-{n}-{stage}").write_bytes(bytes([stage, n]) + seed.encode())


def run_atheris(out: Path, seconds: int, long_inputs: bool) -> None:
    import atheris  # type: ignore[import-not-found,import-untyped,unused-ignore]

    with atheris.instrument_imports(include=["storyline"]):
        recorder = Recorder(out)
    corpus = out / "corpus"
    _seed_corpus(corpus, len(recorder.stages))
    args = [
        sys.argv[0],
        str(corpus),
        f"-max_total_time={seconds}",
        f"-max_len={MAX_LEN}",
        "-timeout=120",  # slowness is recorded as a finding instead of ending the run
        "-rss_limit_mb=4096",
        "-print_final_stats=1",
    ]
    if long_inputs:  # libFuzzer otherwise grows inputs slowly from a few hundred bytes
        args.append("-len_control=0")
    atheris.Setup(args, recorder.run)
    atheris.Fuzz()


def run_hypothesis(out: Path, seconds: int) -> None:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    recorder = Recorder(out)
    deadline = time.monotonic() + seconds
    pieces = st.sampled_from([*SEEDS, "<p>", "</p>", "„", '"', "«", "»", "\xad", "\n\n", "€"])
    texts = st.lists(st.one_of(st.text(max_size=200), pieces), max_size=40).map("".join)

    @settings(max_examples=10**9, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.integers(0, 255), st.integers(0, 255), texts)
    def one(stage: int, language: int, text: str) -> None:
        if time.monotonic() > deadline:
            raise _Done
        recorder.run(bytes([stage, language]) + text.encode("utf-8", "surrogatepass")[:MAX_LEN])

    with contextlib.suppress(_Done):
        one()
    recorder._stats()


class _Done(Exception):
    pass


def summarise(out: Path) -> dict[str, Any]:
    stats = json.loads((out / "stats.json").read_text()) if (out / "stats.json").exists() else {}
    findings_file = out / "findings.jsonl"
    findings = (
        [json.loads(line) for line in findings_file.read_text().splitlines()]
        if findings_file.exists()
        else []
    )
    return {"stats": stats, "findings": findings}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--out", type=Path, default=Path("fuzz-out"))
    parser.add_argument("--engine", choices=("atheris", "hypothesis", "auto"), default="auto")
    parser.add_argument(
        "--long", action="store_true", help=f"try inputs up to {MAX_LEN} bytes from the start"
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args, _ = parser.parse_known_args()
    args.out.mkdir(parents=True, exist_ok=True)
    seconds = max(1, int(args.minutes * 60))
    engine = args.engine
    if engine == "auto":
        try:
            import atheris  # type: ignore[import-not-found,import-untyped,unused-ignore]  # noqa: F401

            engine = "atheris"
        except ImportError:
            engine = "hypothesis"
    if args.child:
        if engine == "atheris":
            sys.argv = sys.argv[:1]
            run_atheris(args.out, seconds, args.long)
        else:
            run_hypothesis(args.out, seconds)
        return 0
    # libFuzzer ends the process when its time is up, so the fuzzing runs in a child and
    # this process reports what the child wrote.
    (args.out / "findings.jsonl").unlink(missing_ok=True)
    started = time.monotonic()
    child = [sys.executable, __file__, "--child", "--engine", engine]
    child += ["--minutes", str(args.minutes), "--out", str(args.out)]
    child += ["--long"] if args.long else []
    code = subprocess.call(child)
    result = summarise(args.out)
    stats = result["stats"]
    print(
        f"{engine}: {stats.get('runs', 0):,} inputs in {time.monotonic() - started:.0f} s "
        f"(exit {code}); per stage {stats.get('per_stage', {})}"
    )
    for finding in result["findings"]:
        first = finding["problem"].splitlines()
        print(f"- {finding['stage']} ({finding['language']}): {first[0]} [{first[-1]}]")
        print(f"  input: {finding['input'][:200]!r}")
    print(f"{len(result['findings'])} findings; details in {args.out / 'findings.jsonl'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
