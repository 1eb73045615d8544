"""The Parquet layout the Spark job writes and ``storyline load`` reads.

An output folder holds four Parquet tables and a manifest:

- ``articles/``: one row per article, in publication order (``pos``), with its story
  and the original it copies;
- ``stories/``: one row per story: the clusterer's state (so a later ``storyline
  ingest`` continues the stories) and a summary;
- ``memberships/``: (story, article) links, with the partition that placed the article;
- ``failures/``: items that could not be ingested, and why;
- ``manifest.json``: format version, settings and counts of the run.

Dates are UTC ISO text, as in the store, so text order is time order everywhere.
"""

from __future__ import annotations

import json
from typing import Any

from storyline.model import Article
from storyline.store.base import article_from_row, features_json, to_iso

FORMAT = 1
MANIFEST = "manifest.json"
TABLES = ("articles", "stories", "memberships", "failures")

# Column order of each table; the Spark job's schemas follow these lists.
ARTICLE_COLUMNS = (
    "pos",
    "id",
    "origin",
    "url",
    "source",
    "title",
    "text",
    "published",
    "date_precision",
    "language",
    "agencies",
    "authors",
    "fingerprint",
    "features",
    "signature",
    "story_id",
    "duplicate_of",
)
STORY_COLUMNS = (
    "id",
    "state",
    "keys",
    "last_seen",
    "dormant",
    "article_count",
    "first_published",
    "languages",
    "partitions",
)
MEMBERSHIP_COLUMNS = ("story_id", "article_id", "pos", "duplicate_of", "partition")
FAILURE_COLUMNS = ("origin", "reason")


def article_row(
    pos: int, article: Article, signature: bytes, story_id: str, duplicate_of: str | None
) -> tuple[Any, ...]:
    """One ``articles`` row, in ``ARTICLE_COLUMNS`` order."""
    return (
        pos,
        article.id,
        article.origin,
        article.url,
        article.source,
        article.title,
        article.text,
        to_iso(article.published),
        article.date_precision.value if article.date_precision else None,
        article.language,
        list(article.agencies),
        list(article.authors),
        article.fingerprint,
        features_json(article.features),
        signature,
        story_id,
        duplicate_of,
    )


def article_from_parquet(row: dict[str, Any]) -> Article:
    """The article of one ``articles`` row (as pyarrow's ``to_pylist`` gives it)."""
    return article_from_row(
        {
            **row,
            "agencies": json.dumps(row["agencies"] or []),
            "authors": json.dumps(row["authors"] or [], ensure_ascii=False),
        }
    )
