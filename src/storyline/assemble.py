"""Story assembly: what a reader sees of one story.

Headline, extractive summary, timeline, sources with first and last publication,
languages, names, quotes by speaker, and facts: every statement and quantity with the
independent sources that report it. Pure: it works on the stored articles it is given.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from storyline.cluster.vectors import add_into, dot, normalised
from storyline.model import Article, StoredArticle, Story
from storyline.present import published_text
from storyline.statements import Sentence, align, sentences
from storyline.text.facts import Fact, find_facts
from storyline.text.names import NameMention, find_names
from storyline.text.quotes import Quote, find_quotes
from storyline.text.tokens import fold, tokenize

# Sentences in the summary: a short paragraph a reader takes in at a glance.
SUMMARY_SENTENCES = 3

# A candidate summary sentence this similar to one already chosen repeats it.
SUMMARY_REDUNDANT = 0.5

# Articles analysed for statements, quotes and facts, earliest first: bounds the work
# for a story of thousands of articles, whose first reports carry the facts.
MAX_ARTICLES = 60

# Articles whose analysis a process keeps (tens of kB each): a story page is assembled
# again whenever its story gains an article, and all its other articles were analysed
# the time before. Enough for the pages of the largest stories a server shows.
ANALYSED_ARTICLES = 1024


@dataclass(frozen=True, slots=True)
class Analysis:
    """What assembly reads from one article: names in the title and text, the
    statements' sentences, quotes and facts. Shared between calls: never changed."""

    names: tuple[NameMention, ...]
    sentences: tuple[Sentence, ...]
    quotes: tuple[Quote, ...]
    facts: tuple[Fact, ...]


def analysis(article: Article, independent: str) -> Analysis:
    """The article's analysis, kept for the next assembly of a story that holds it."""
    return _analysed(article.id, independent, article.language, article.title, article.text)


@lru_cache(maxsize=ANALYSED_ARTICLES)
def _analysed(article_id: str, independent: str, language: str, title: str, text: str) -> Analysis:
    # Keyed by the texts, not the id alone: one process may read several databases.
    # One name search serves the names, the quotes' speakers and the sentences' anchors.
    whole = f"{title}\n{text}"
    mentions = find_names(whole, list(tokenize(whole, language)), language)
    shift = len(title) + 1
    body = [
        replace(m, start=m.start - shift, end=m.end - shift) for m in mentions if m.start >= shift
    ]
    return Analysis(
        tuple(mentions),
        tuple(sentences(article_id, independent, text, language, body)),
        tuple(find_quotes(text, language, body)),
        tuple(find_facts(text, language)),
    )


@dataclass(frozen=True, slots=True)
class Member:
    stored: StoredArticle
    independent: str  # the source that counts for corroboration (a copy's original's)


def _members(articles: Sequence[StoredArticle]) -> list[Member]:
    source_of = {s.article.id: s.article.source for s in articles}
    return [
        Member(
            s,
            source_of.get(s.duplicate_of, s.article.source) if s.duplicate_of else s.article.source,
        )
        for s in articles
    ]


def assemble(
    story: Story, articles: Sequence[StoredArticle], language: str | None = None
) -> dict[str, Any]:
    """The story as plain data (what ``storyline show --json`` prints)."""
    members = _members(articles)
    originals = [m for m in members if m.stored.duplicate_of is None][:MAX_ARTICLES]
    found = {m.stored.article.id: analysis(m.stored.article, m.independent) for m in originals}
    all_sentences = [s for m in originals for s in found[m.stored.article.id].sentences]
    statements = align(all_sentences)
    return {
        "id": story.id,
        "headline": headline(story, members, language),
        "first_published": _iso(story.first_published),
        "last_published": _iso(story.last_published),
        "article_count": story.article_count,
        "source_count": story.source_count,
        "languages": list(story.languages),
        "sources": sources(members),
        "summary": summary(all_sentences, language),
        "timeline": timeline(members),
        "names": names(originals, found),
        "quotes": quotes(originals, found),
        "facts": [
            {
                "text": s.text,
                "value": None,
                "unit": None,
                "kind": "statement",
                "sources": list(s.sources),
                "corroborated": s.corroborated,
            }
            for s in statements
        ]
        + quantities(originals, found),
        "articles": [_article(m) for m in members],
    }


def _iso(value: Any) -> str | None:
    return value.isoformat() if value else None


def headline(story: Story, members: Sequence[Member], language: str | None) -> str:
    """The most central title, in ``language`` when a member is written in it."""
    if not language:
        return story.headline
    titles = [m.stored.article for m in members if m.stored.article.language == language]
    if not titles:
        return story.headline
    vectors = [normalised(Counter(t.lemma for t in tokenize(a.title, a.language))) for a in titles]
    total: dict[str, float] = {}
    for v in vectors:
        add_into(total, v)
    best = max(range(len(titles)), key=lambda i: (dot(vectors[i], total), -i))
    return titles[best].title


def summary(all_sentences: Sequence[Sentence], language: str | None) -> str:
    """Central, non-redundant sentences across sources (maximal marginal relevance)."""
    pool = [s for s in all_sentences if language is None or s.vector] or list(all_sentences)
    centre: dict[str, float] = {}
    for s in pool:
        add_into(centre, s.vector)
    ranked = sorted(pool, key=lambda s: (-dot(s.vector, centre), s.article_id, s.start))
    chosen: list[Sentence] = []
    for s in ranked:
        if all(dot(s.vector, c.vector) < SUMMARY_REDUNDANT for c in chosen):
            chosen.append(s)
        if len(chosen) == SUMMARY_SENTENCES:
            break
    return " ".join(s.text for s in chosen)


def sources(members: Sequence[Member]) -> list[dict[str, Any]]:
    by_source: dict[str, list[StoredArticle]] = defaultdict(list)
    for m in members:
        by_source[m.stored.article.source].append(m.stored)
    dated = [m.stored.article.published for m in members if m.stored.article.published]
    first_of_story = min(dated) if dated else None
    out = []
    for source, items in by_source.items():
        times = [s.article.published for s in items if s.article.published]
        out.append(
            {
                "source": source,
                "articles": len(items),
                "first_published": _iso(min(times)) if times else None,
                "last_published": _iso(max(times)) if times else None,
                "first_reported": bool(times) and min(times) == first_of_story,
                "copies": sum(1 for s in items if s.duplicate_of),
            }
        )
    out.sort(key=lambda d: (d["first_published"] is None, d["first_published"] or "", d["source"]))
    return out


def timeline(members: Sequence[Member]) -> list[dict[str, Any]]:
    """Articles per day and source, oldest first."""
    counts: Counter[tuple[str, str]] = Counter()
    for m in members:
        a = m.stored.article
        day = a.published.date().isoformat() if a.published else "undated"
        counts[(day, a.source)] += 1
    return [
        {"date": day, "source": source, "articles": n}
        for (day, source), n in sorted(
            counts.items(), key=lambda kv: (kv[0][0] == "undated", kv[0])
        )
    ]


Found = dict[str, Analysis]


def names(originals: Sequence[Member], found: Found) -> list[dict[str, Any]]:
    forms: dict[str, Counter[str]] = defaultdict(Counter)
    kinds: dict[str, Counter[str]] = defaultdict(Counter)
    first: dict[str, str] = {}
    for m in originals:
        a = m.stored.article
        for mention in found[a.id].names:
            forms[mention.key][mention.text] += 1
            kinds[mention.key][str(mention.kind)] += 1
            first.setdefault(mention.key, a.id)
    ranked = sorted(forms, key=lambda key: (-sum(forms[key].values()), key))
    return [
        {
            "name": forms[key].most_common(1)[0][0],
            "key": key,
            "kind": kinds[key].most_common(1)[0][0],
            "count": sum(forms[key].values()),
            "first_article": first[key],
        }
        for key in ranked
    ]


def quotes(originals: Sequence[Member], found: Found) -> list[dict[str, Any]]:
    grouped: dict[str, dict[str, Any]] = {}
    for m in originals:
        a = m.stored.article
        for q in found[a.id].quotes:
            key = " ".join(fold(q.text).split())
            entry = grouped.setdefault(
                key,
                {
                    "text": q.text,
                    "speaker": q.speaker,
                    "speaker_key": q.speaker_key,
                    "via": q.via,
                    "direct": q.direct,
                    "sources": [],
                    "articles": [],
                },
            )
            if m.independent not in entry["sources"]:
                entry["sources"].append(m.independent)
            entry["articles"].append(a.id)
    out = list(grouped.values())
    out.sort(key=lambda q: (q["speaker_key"] or "~", -len(q["sources"])))
    return out


def quantities(originals: Sequence[Member], found: Found) -> list[dict[str, Any]]:
    """Numbers with units, grouped by value and unit across sources."""
    grouped: dict[tuple[str, float, str], dict[str, Any]] = {}
    for m in originals:
        a = m.stored.article
        for f in found[a.id].facts:
            if f.value is None or f.kind in {"date", "time"}:
                continue
            key = (f.kind, round(f.value, 6), f.unit or "")
            entry = grouped.setdefault(
                key,
                {"text": f.text, "value": f.value, "unit": f.unit, "kind": f.kind, "sources": []},
            )
            if m.independent not in entry["sources"]:
                entry["sources"].append(m.independent)
    out = list(grouped.values())
    for entry in out:
        entry["sources"].sort()
        entry["corroborated"] = len(entry["sources"]) >= 2
    return out


def _article(m: Member) -> dict[str, Any]:
    a = m.stored.article
    return {
        "id": a.id,
        "title": a.title,
        "url": a.url,
        "source": a.source,
        "language": a.language,
        "published": published_text(a.published, a.date_precision),
        "agencies": list(a.agencies),
        "duplicate_of": m.stored.duplicate_of,
    }
