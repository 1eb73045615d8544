"""Story assembly: the summary a reader sees, computed from the story's articles."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from storyline.cluster.vectors import dot, weighted
from storyline.model import Story


@dataclass(frozen=True, slots=True)
class MemberBrief:
    """What assembly needs of one member article."""

    title: str
    title_terms: tuple[tuple[str, int], ...]
    language: str
    source: str
    published: datetime | None
    duplicate: bool


def summarise(
    story_id: str, members: Sequence[MemberBrief], title_centroid: dict[str, float]
) -> Story:
    """Headline (the most central title), dates, sources and languages of a story."""
    if not members:
        raise ValueError(f"story {story_id} has no articles")

    # The title closest to the story's mean title names the event best; ties go to
    # the earliest article.
    def centrality(i: int) -> tuple[float, int]:
        m = members[i]
        return dot(weighted(m.title_terms, m.language), title_centroid), -i

    central = members[max(range(len(members)), key=centrality)]
    dated = [m.published for m in members if m.published is not None]
    independent = {m.source for m in members if not m.duplicate}
    return Story(
        id=story_id,
        headline=central.title,
        first_published=min(dated) if dated else None,
        last_published=max(dated) if dated else None,
        article_count=len(members),
        source_count=len(independent) or 1,
        sources=tuple(sorted({m.source for m in members})),
        languages=tuple(sorted({m.language for m in members})),
    )
