"""Story summaries: the headline, dates, sources and languages a reader sees.

A summary is computed from all members once (a new story) and then extended with
each batch's new members; stories that merge combine their summaries. So the cost of
keeping a summary current does not grow with the story: a story of 10,000 articles
costs what a story of ten does (recomputing a large story on every merge into it was
a quarter of a long ingest's clusterer process at 150,000 articles). The headline is
the most central title among the current headline and the new members (after a merge:
among the merged stories' headlines), measured against the story's mean title; it
changes only when a new title names the event better, so it does not flicker.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from storyline.cluster.vectors import dot, weighted
from storyline.model import Story


@dataclass(frozen=True, slots=True)
class MemberBrief:
    """What assembly needs of one member article."""

    id: str
    title: str
    title_terms: tuple[tuple[str, int], ...]
    language: str
    source: str
    published: datetime | None
    duplicate: bool


@dataclass(frozen=True, slots=True)
class Summary:
    """A story's summary and what extending it needs."""

    story: Story
    headline_id: str
    independent: tuple[str, ...]  # sources with at least one original (not a copy)


# A stored summary with its headline article: what merging and extending start from.
Part = tuple[Summary, MemberBrief]


def merge_groups(merges: Sequence[tuple[str, str]]) -> dict[str, list[str]]:
    """For each story the ``merges`` (old, new; in order) end in: itself first, then
    the stories merged into it, directly or through another."""
    into = dict(merges)

    def final(story_id: str) -> str:
        while story_id in into:
            story_id = into[story_id]
        return story_id

    groups: dict[str, list[str]] = {}
    for old, new in merges:
        for story_id in (new, old):
            group = groups.setdefault(final(story_id), [final(story_id)])
            if story_id not in group:
                group.append(story_id)
    return groups


def summarise(
    story_id: str, members: Sequence[MemberBrief], title_centroid: dict[str, float]
) -> Summary:
    """The summary of a story from all its members, oldest first."""
    if not members:
        raise ValueError(f"story {story_id} has no articles")
    central = _most_central(members, title_centroid)
    dated = [m.published for m in members if m.published is not None]
    independent = tuple(sorted({m.source for m in members if not m.duplicate}))
    story = Story(
        id=story_id,
        headline=central.title,
        first_published=min(dated) if dated else None,
        last_published=max(dated) if dated else None,
        article_count=len(members),
        source_count=len(independent) or 1,
        sources=tuple(sorted({m.source for m in members})),
        languages=tuple(sorted({m.language for m in members})),
    )
    return Summary(story, central.id, independent)


def extend(
    previous: Summary,
    headline: MemberBrief,
    added: Sequence[MemberBrief],
    title_centroid: dict[str, float],
) -> Summary:
    """``previous`` with ``added`` members; ``headline`` is its current headline article."""
    if not added:
        return previous
    old = previous.story
    central = _most_central([headline, *added], title_centroid)
    dated = [d for d in (old.first_published, old.last_published) if d is not None]
    dated += [m.published for m in added if m.published is not None]
    independent = tuple(
        sorted({*previous.independent, *(m.source for m in added if not m.duplicate)})
    )
    story = replace(
        old,
        headline=central.title,
        first_published=min(dated) if dated else None,
        last_published=max(dated) if dated else None,
        article_count=old.article_count + len(added),
        source_count=len(independent) or 1,
        sources=tuple(sorted({*old.sources, *(m.source for m in added)})),
        languages=tuple(sorted({*old.languages, *(m.language for m in added)})),
    )
    return Summary(story, central.id, independent)


def combine(story_id: str, parts: Sequence[Part], title_centroid: dict[str, float]) -> Summary:
    """The summary of stories merged into ``story_id``, from their summaries, each
    given with its headline article (the surviving story's first): what ``summarise``
    gives for all their members, except that the headline is the most central of
    their headlines."""
    if not parts:
        raise ValueError(f"story {story_id} has no summaries to combine")
    stories = [summary.story for summary, _ in parts]
    central = _most_central([head for _, head in parts], title_centroid)
    dated = [d for s in stories for d in (s.first_published, s.last_published) if d is not None]
    independent = tuple(sorted({src for summary, _ in parts for src in summary.independent}))
    story = Story(
        id=story_id,
        headline=central.title,
        first_published=min(dated) if dated else None,
        last_published=max(dated) if dated else None,
        article_count=sum(s.article_count for s in stories),
        source_count=len(independent) or 1,
        sources=tuple(sorted({src for s in stories for src in s.sources})),
        languages=tuple(sorted({lang for s in stories for lang in s.languages})),
    )
    return Summary(story, central.id, independent)


def _most_central(members: Sequence[MemberBrief], title_centroid: dict[str, float]) -> MemberBrief:
    # The title closest to the story's mean title names the event best; ties go to
    # the earlier member.
    def centrality(i: int) -> tuple[float, int]:
        m = members[i]
        return dot(weighted(m.title_terms, m.language), title_centroid), -i

    return members[max(range(len(members)), key=centrality)]
