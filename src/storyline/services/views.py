"""Assembled story views, made once per story version and kept in a bounded cache.

Assembling a story reads every article's text and runs name, quote and fact
extraction over it: about a second for a story of twenty articles, far too slow to
repeat for every reader. A story's row changes in the same transaction as its
articles: an article joins it (by ingest, or by a merge moving the articles of the
story it absorbs), and ``article_count`` grows; articles never leave a story that
stays. So the row is the story's version: a view is kept under (row, language), a
changed story is looked up under a new key, and the old view ages out of the cache.
"""

from __future__ import annotations

import gc
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import orjson

from storyline.assemble import assemble
from storyline.model import Article, Features, StoredArticle, Story
from storyline.store.base import Store

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

# Reads of a story's articles before a view is served uncached: each retry means an
# ingest changed the story between reading its row and its articles, and an ingest
# commits a batch every few seconds at most, so a third read is enough.
CONSISTENT_READS = 3


class LRU(Generic[K, V]):
    """At most ``entries`` values, least recently used out; safe to share between threads."""

    def __init__(self, entries: int) -> None:
        if entries < 0:
            raise ValueError(f"a cache holds zero or more entries, not {entries}")
        self.entries = entries
        self._values: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self._lock:
            value = self._values.get(key)
            if value is not None:
                self._values.move_to_end(key)
            return value

    def put(self, key: K, value: V) -> None:
        if self.entries == 0:
            return
        with self._lock:
            self._values[key] = value
            self._values.move_to_end(key)
            while len(self._values) > self.entries:
                self._values.popitem(last=False)

    def __len__(self) -> int:
        return len(self._values)


def json_bytes(data: Any) -> bytes:
    """Compact JSON in UTF-8, the form every JSON response takes. orjson writes a
    page of fifty stories in a twentieth of the time the json module takes."""
    return orjson.dumps(data)


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


@dataclass(frozen=True, slots=True)
class StoryView:
    """One assembled story: its data, its JSON and the JSON's ETag."""

    data: dict[str, Any]
    body: bytes
    etag: str

    @classmethod
    def of(cls, data: dict[str, Any]) -> StoryView:
        body = json_bytes(data)
        return cls(data, body, etag_of(body))


ViewCache = LRU[tuple[Story, str | None], StoryView]


def cached_view(
    store: Store, story_id: str, language: str | None, cache: ViewCache
) -> StoryView | None:
    """The story's view when its current version is in ``cache`` (one indexed read),
    else None; NotFound for an unknown id."""
    return cache.get((store.story(story_id), language))


def story_view(
    store: Store, story_id: str, language: str | None = None, cache: ViewCache | None = None
) -> StoryView:
    """The assembled story (a merged story's old id gives the story it joined),
    from ``cache`` when this version of it was assembled before."""
    story = store.story(story_id)
    if cache is not None and (view := cache.get((story, language))) is not None:
        return view
    articles, story, consistent = _articles_of(store, story)
    view = StoryView.of(assemble(story, articles, language))
    if cache is not None and consistent:
        cache.put((story, language), view)
    return view


def _articles_of(store: Store, story: Story) -> tuple[list[StoredArticle], Story, bool]:
    """The story's articles, the newest row read, and whether the articles belong to
    that row (False when an ingest kept changing the story while it was read: the
    view is then served but not kept)."""
    articles: list[StoredArticle] = []
    for _ in range(CONSISTENT_READS):
        articles = store.story_articles(story.id)
        again = store.story(story.id)
        # Rows only grow, so an unchanged row means no article joined in between.
        if again == story:
            return articles, story, True
        story = again
    return articles, story, False


# Two made-up reports in the languages of the demo corpus: assembling them loads what
# assembly reads lazily (lemma tables, the gazetteer, word frequencies, the lexicon).
_WARM_UP_REPORTS = {
    "en": (
        "Minister visits the port of Hamburg",
        "Transport minister Anna Berg visited the port of Hamburg on Monday. "
        '"We will help the port," Berg said, promising 150 million euros by 2026.',
    ),
    "de": (
        "Ministerin besucht den Hamburger Hafen",
        "Verkehrsministerin Anna Berg hat am Montag den Hamburger Hafen besucht. "
        "„Wir werden dem Hafen helfen“, sagte Berg und versprach 150 Millionen Euro.",
    ),
}


def warm_up() -> None:
    """Assemble a made-up story once, so that the first reader of a new server does
    not wait while assembly loads its tables (half a minute on a busy machine)."""
    source = "warm-up.invalid"
    articles = [
        StoredArticle(
            Article(
                id=f"warm-up-{language}",
                origin="warm-up",
                url=None,
                source=source,
                title=title,
                text=text,
                published=None,
                date_precision=None,
                language=language,
                agencies=(),
                authors=(),
                fingerprint="",
                features=Features(title_terms=(), body_terms=(), names=()),
            ),
            seq=seq,
            story_id="warm-up",
            duplicate_of=None,
        )
        for seq, (language, (title, text)) in enumerate(_WARM_UP_REPORTS.items())
    ]
    languages = tuple(_WARM_UP_REPORTS)
    story = Story("warm-up", articles[0].article.title, None, None, 2, 1, (source,), languages)
    for language in languages:
        assemble(story, articles, language)


def start_warm_up() -> threading.Thread:
    """Run :func:`warm_up` in the background (for a server that is starting), then
    exempt what start-up loaded from garbage collection: it stays for the life of the
    process, and walking it in every full collection (~0.1 s of CPU) is a pause that
    every request in flight waits through."""

    def run() -> None:
        warm_up()
        gc.freeze()

    thread = threading.Thread(target=run, name="storyline-warm-up", daemon=True)
    thread.start()
    return thread
