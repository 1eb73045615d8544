"""Extraction benchmark: Storyline's HTML path side by side with plain trafilatura.

The data is trafilatura's own benchmark (``../shared/data/trafilatura_eval``, see its
SOURCE.md): ``evaldata.json`` maps page URLs to a file in ``eval/`` and snippets the
main text must (``with``) and must not (``without``) contain; the pages come packed
as ``pages.tar.gz`` and are unpacked to a temporary folder for the run.

Scoring is trafilatura's (tests/eval_common.py there): whitespace-normalised
substring tests; a ``with`` snippet found is a true positive, missed a false
negative; a ``without`` snippet found is a false positive, absent a true negative;
a page whose extraction fails or is empty misses all its ``with`` snippets.
Precision, recall and F1 are over all snippets of all pages.
"""

from __future__ import annotations

import json
import re
import tarfile
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import trafilatura

from storyline.errors import InputError, NotFound
from storyline.model import DocKind, Parsed, RawDocument
from storyline.sources.files import decode_bytes
from storyline.text.analyse import default_source
from storyline.text.clean import clean_text
from storyline.text.learned import learn
from storyline.text.parse import parse_document

__all__ = ["ExtractionReport", "Score", "run_extraction_eval"]

TRAFILATURA_BENCHMARK_OPTIONS: dict[str, Any] = {
    "fast": False,
    "include_comments": False,
    "include_tables": True,
    "include_formatting": False,
}
"""The options trafilatura's own benchmark runs with (tests/eval_common.py there)."""

_SPACE = re.compile(r"\s+")
_WAYBACK = re.compile(r"^https?://web\.archive\.org/web/[^/]+/(.+)$")
Progress = Callable[[int, int], None]


@dataclass(slots=True)
class Score:
    """Snippet counts of one system over the benchmark, and the time it took."""

    name: str
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    seconds: float = 0.0

    def add(self, item: dict[str, Any], result: str | None) -> None:
        tp, fp, fn, tn = count_item(item, result)
        self.tp, self.fp, self.fn, self.tn = self.tp + tp, self.fp + fp, self.fn + fn, self.tn + tn

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        denominator = 2 * self.tp + self.fp + self.fn
        return 2 * self.tp / denominator if denominator else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "system": self.name,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "tn": self.tn,
            "seconds": round(self.seconds, 1),
        }


@dataclass(slots=True)
class ExtractionReport:
    """Scores per system, pages scored, and what per-source learning found."""

    scores: list[Score]
    pages: int
    missing: int  # entries whose page file is not in the archive (skipped, as upstream)
    sources: int  # source hosts the pages were grouped into for learning
    learned_lines: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "pages": self.pages,
            "missing": self.missing,
            "sources": self.sources,
            "learned_sources": len(self.learned_lines),
            "learned_lines": sum(len(lines) for lines in self.learned_lines.values()),
            "seconds": round(self.seconds, 1),
            "systems": [s.as_dict() for s in self.scores],
        }


def norm(text: str) -> str:
    """Whitespace-normalised, as trafilatura's scorer compares."""
    return _SPACE.sub(" ", text).strip()


def count_item(item: dict[str, Any], result: str | None) -> tuple[int, int, int, int]:
    """(tp, fp, fn, tn) of one page, exactly as trafilatura's benchmark counts them."""
    if isinstance(result, str):
        found = norm(result)
        tp = sum(1 for snippet in item["with"] if norm(snippet) in found)
        fp = sum(1 for snippet in item["without"] if norm(snippet) in found)
    else:
        tp = fp = 0
    return tp, fp, len(item["with"]) - tp, len(item["without"]) - fp


def run_extraction_eval(
    folder_or_tar: Path, limit: int | None = None, progress: Progress | None = None
) -> ExtractionReport:
    """Score plain trafilatura and Storyline's HTML path on the benchmark at ``folder_or_tar``.

    ``folder_or_tar`` is the data folder (``evaldata.json`` with ``eval/`` or
    ``pages.tar.gz``) or the tarball itself with ``evaldata.json`` beside it.
    ``limit`` scores only the first pages, for a quick look.
    """
    started = time.perf_counter()
    evaldata, archive, pages_dir = _locate(folder_or_tar)
    items = list(json.loads(evaldata.read_text(encoding="utf-8")).items())
    with _pages(archive, pages_dir) as root:
        present = [(url, item) for url, item in items if (root / item["file"]).is_file()]
        missing = len(items) - len(present)
        present = present[:limit] if limit is not None else present
        systems = {
            "trafilatura (defaults)": lambda html: trafilatura.extract(html),
            "trafilatura (benchmark options)": lambda html: trafilatura.extract(
                html, **TRAFILATURA_BENCHMARK_OPTIONS
            ),
        }
        scores = {name: Score(name) for name in (*systems, "storyline", "storyline + learned")}
        parsed: list[Parsed | None] = []
        for done, (url, item) in enumerate(present, 1):
            html = (root / item["file"]).read_bytes()
            for name, run in systems.items():
                scores[name].add(item, _timed(scores[name], run, html))
            page = _timed(scores["storyline"], _parse, html, url, item["file"])
            parsed.append(page)
            scores["storyline"].add(item, _timed(scores["storyline"], _clean, page))
            if progress:
                progress(done, len(present))
    learned_score = scores["storyline + learned"]
    learned_score.seconds = scores["storyline"].seconds
    learn_started = time.perf_counter()
    keys = [_source_key(url, page) for (url, _), page in zip(present, parsed, strict=True)]
    learned = learn((key, page.text) for key, page in zip(keys, parsed, strict=True) if page)
    for (_, item), key, page in zip(present, keys, parsed, strict=True):
        text = _clean(page, learned.clean(page.text, key)[0]) if page else None
        learned_score.add(item, text)
    learned_score.seconds += time.perf_counter() - learn_started
    return ExtractionReport(
        scores=list(scores.values()),
        pages=len(present),
        missing=missing,
        sources=len(set(keys)),
        learned_lines=learned.per_source,
        seconds=time.perf_counter() - started,
    )


def _timed(score: Score, run: Callable[..., Any], *args: Any) -> Any:
    start = time.perf_counter()
    try:
        return run(*args)
    except Exception:  # as upstream: a crash on one page is a full miss, not a stop
        return None
    finally:
        score.seconds += time.perf_counter() - start


def _parse(html: bytes, url: str, file: str) -> Parsed | None:
    """Storyline's HTML path up to cleaning: decode, then extract (None if it fails)."""
    hint = {"url": url} if url.startswith(("http://", "https://")) else {}
    try:
        text = decode_bytes(html, file)
        return parse_document(RawDocument(file, DocKind.HTML, text, hint))
    except InputError:
        return None


def _clean(page: Parsed | None, text: str | None = None) -> str | None:
    """Storyline's cleaning of a parsed page (of ``text`` instead of its own, if given)."""
    if page is None:
        return None
    return clean_text(page.text if text is None else text, page.title).text


def _source_key(url: str, page: Parsed | None) -> str:
    """The site a page belongs to: its URL's host (archived pages: the original's)."""
    wayback = _WAYBACK.match(url)
    host = urlsplit(wayback.group(1) if wayback else url).hostname
    if host:
        return host.removeprefix("www.")
    return default_source(page) if page else url


def _locate(path: Path) -> tuple[Path, Path | None, Path | None]:
    """(evaldata.json, pages tarball or None, pages folder or None) for ``path``."""
    if path.is_file():
        evaldata = path.parent / "evaldata.json"
        archive: Path | None = path
        pages_dir: Path | None = None
    else:
        evaldata = path / "evaldata.json"
        pages_dir = path / "eval" if (path / "eval").is_dir() else None
        archive = path / "pages.tar.gz" if pages_dir is None else None
    if not evaldata.is_file():
        raise NotFound(f"{evaldata} not found: give the folder of trafilatura's benchmark data")
    if pages_dir is None and (archive is None or not archive.is_file()):
        raise NotFound(f"no eval/ folder or pages.tar.gz beside {evaldata}")
    return evaldata, archive, pages_dir


@contextmanager
def _pages(archive: Path | None, pages_dir: Path | None) -> Iterator[Path]:
    """The folder holding the page files, unpacking the tarball to a temporary one."""
    if pages_dir is not None:
        yield pages_dir
        return
    assert archive is not None
    with tempfile.TemporaryDirectory(prefix="storyline-eval-") as tmp:
        with tarfile.open(archive) as tar:
            tar.extractall(tmp, filter="data")  # no links or paths outside the folder
        yield Path(tmp) / "eval"
