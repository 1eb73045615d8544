"""Readers for the labelled evaluation sets in ``../shared/data``.

The texts belong to their publishers: they are read at run time from wherever the
caller points, never copied into the repository. Readers are strict: a malformed
row raises instead of being skipped, because silently dropping gold items would
bias every metric computed from them.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from storyline.errors import MalformedRecord, NotFound

# SemEval-2022 Task 8 rates pairs on 1 (very similar) .. 4 (very dissimilar).
SEMEVAL_MOST_SIMILAR = 1.0
SEMEVAL_LEAST_SIMILAR = 4.0

# Original SemEval pairs are "<article id>_<article id>"; HFL's machine-translated
# augmentations carry a language suffix ("…it_…it") and are not human-written text.
_ORIGINAL_PAIR_ID = re.compile(r"\d+_\d+")

_PAIR_COLUMNS = ("pair_id", "lang1", "lang2", "text1", "text2", "Overall")


@dataclass(frozen=True, slots=True)
class GoldArticle:
    """One news-please JSON file of the giveme5w1h news_cluster set and its gold event."""

    path: Path
    record: dict[str, Any]
    event: int

    @property
    def full_text(self) -> str:
        """Title, description and body: the text a clusterer sees for this article."""
        parts = (self.record.get(key) for key in ("title", "description", "text"))
        return "\n\n".join(p.strip() for p in parts if isinstance(p, str) and p.strip())

    @property
    def published(self) -> datetime | None:
        """``date_publish`` as a naive UTC datetime, or None when absent or unreadable."""
        return _parse_date(self.record.get("date_publish"))


@dataclass(frozen=True, slots=True)
class Pair:
    """One SemEval-2022 Task 8 article pair with its human ``Overall`` rating (1..4)."""

    pair_id: str
    lang1: str
    lang2: str
    text1: str
    text2: str
    overall: float

    @property
    def similarity(self) -> float:
        """``Overall`` flipped onto 0..1 with 1 = same story, 0 = unrelated.

        ``(4 - overall) / 3`` is a decreasing affine map, so Pearson against it equals
        minus Pearson against ``Overall``: scorers where higher means "more similar"
        then show a positive correlation, as one expects.
        """
        return (SEMEVAL_LEAST_SIMILAR - self.overall) / (
            SEMEVAL_LEAST_SIMILAR - SEMEVAL_MOST_SIMILAR
        )

    @property
    def languages(self) -> str:
        """The language pair as a report key, e.g. ``"de-en"``."""
        return f"{self.lang1}-{self.lang2}"


def _parse_date(value: object) -> datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    # Mixed naive and zoned timestamps cannot be compared; bring all to naive UTC.
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed


def _read_gold_file(path: Path) -> GoldArticle:
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MalformedRecord(str(path), f"not a UTF-8 JSON file ({exc})") from exc
    if not isinstance(record, dict):
        raise MalformedRecord(str(path), "expected one JSON object per file")
    cluster = record.get("newsCluster")
    event = cluster.get("EventId") if isinstance(cluster, dict) else None
    # bool is an int subclass; a true/false label is a broken file, not event 1/0.
    if not isinstance(event, int) or isinstance(event, bool):
        raise MalformedRecord(str(path), "newsCluster.EventId (an integer) is missing")
    return GoldArticle(path=path, record=record, event=event)


def read_gold_clusters(folder: Path) -> list[GoldArticle]:
    """Read every ``*.json`` news-please file in ``folder``, oldest first.

    Articles are ordered by (``date_publish``, file name) so that replaying the list
    is a deterministic stream; articles without a readable date go last.
    """
    if not folder.is_dir():
        raise NotFound(f"{folder}: no such folder; point to giveme5w1h_news_cluster/data")
    articles = [_read_gold_file(path) for path in folder.glob("*.json")]
    if not articles:
        raise NotFound(f"{folder}: holds no *.json files; point to the data/ folder")

    def order(article: GoldArticle) -> tuple[bool, datetime, str]:
        published = article.published
        return (published is None, published or datetime.min, article.path.name)

    return sorted(articles, key=order)


def is_original_pair(pair_id: str) -> bool:
    """True for human SemEval pairs, False for HFL's machine-translated augmentations."""
    return _ORIGINAL_PAIR_ID.fullmatch(pair_id) is not None


def read_pairs(csv_path: Path, original_only: bool = True) -> list[Pair]:
    """Read a SemEval-2022 Task 8 CSV (header row; fields may span lines).

    With ``original_only`` the machine-translated augmentations are left out, so the
    figures describe pairs of real articles.
    """
    if not csv_path.is_file():
        raise NotFound(f"{csv_path}: no such file; point to a SemEval-2022 Task 8 CSV")
    pairs: list[Pair] = []
    with csv_path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in _PAIR_COLUMNS if c not in (reader.fieldnames or ())]
        if missing:
            raise MalformedRecord(str(csv_path), f"missing columns: {', '.join(missing)}")
        for row in reader:
            origin = f"{csv_path}:{reader.line_num}"
            pair_id = (row["pair_id"] or "").strip()
            if original_only and not is_original_pair(pair_id):
                continue
            try:
                overall = float(row["Overall"])
            except (TypeError, ValueError) as exc:
                raise MalformedRecord(
                    origin, f"Overall {row['Overall']!r} is not a number"
                ) from exc
            if not SEMEVAL_MOST_SIMILAR <= overall <= SEMEVAL_LEAST_SIMILAR:
                raise MalformedRecord(origin, f"Overall {overall} is outside the 1..4 scale")
            pairs.append(
                Pair(
                    pair_id=pair_id,
                    lang1=(row["lang1"] or "").strip(),
                    lang2=(row["lang2"] or "").strip(),
                    text1=row["text1"] or "",
                    text2=row["text2"] or "",
                    overall=overall,
                )
            )
    return pairs
