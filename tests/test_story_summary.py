"""Summaries extended batch by batch agree with a summary of all members."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from storyline.stories import MemberBrief, combine, extend, merge_groups, summarise

WORDS = ("flut", "damm", "regen", "brücke", "stadt", "rettung")
SOURCES = ("a.example", "b.example", "c.example")


@st.composite
def members(draw: st.DrawFn) -> list[MemberBrief]:
    count = draw(st.integers(min_value=1, max_value=12))
    start = datetime(2026, 3, 1, tzinfo=UTC)
    out = []
    for i in range(count):
        terms = draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=4, unique=True))
        hours = draw(st.one_of(st.none(), st.integers(min_value=0, max_value=500)))
        out.append(
            MemberBrief(
                id=f"a{i}",
                title=" ".join(terms),
                title_terms=tuple((t, 1) for t in terms),
                language=draw(st.sampled_from(("de", "en"))),
                source=draw(st.sampled_from(SOURCES)),
                published=None if hours is None else start + timedelta(hours=hours),
                duplicate=i > 0 and draw(st.booleans()),
            )
        )
    return out


@settings(max_examples=200, deadline=None)
@given(members(), st.data())
def test_extending_in_batches_keeps_counts_dates_and_sources(
    all_members: list[MemberBrief], data: st.DataObject
) -> None:
    centroid = {"flut": 0.7, "damm": 0.5, "regen": 0.2}
    cut = data.draw(st.integers(min_value=1, max_value=len(all_members)))
    summary = summarise("s1", all_members[:cut], centroid)
    rest = all_members[cut:]
    while rest:
        size = data.draw(st.integers(min_value=1, max_value=len(rest)))
        head = next(m for m in all_members if m.id == summary.headline_id)
        summary = extend(summary, head, rest[:size], centroid)
        rest = rest[size:]
    whole = summarise("s1", all_members, centroid).story
    got = summary.story
    assert got.article_count == whole.article_count == len(all_members)
    assert (got.first_published, got.last_published) == (
        whole.first_published,
        whole.last_published,
    )
    assert (got.sources, got.languages, got.source_count) == (
        whole.sources,
        whole.languages,
        whole.source_count,
    )
    # The headline is a member's title, and no less central than the full choice's
    # own title would be among the members it was chosen from.
    assert got.headline in {m.title for m in all_members}


def test_a_more_central_new_title_takes_the_headline() -> None:
    centroid = {"flut": 1.0}
    first = MemberBrief("a1", "Regen", (("regen", 1),), "de", "a.example", None, False)
    summary = summarise("s1", [first], centroid)
    assert summary.story.headline == "Regen"
    better = MemberBrief("a2", "Flut", (("flut", 1),), "de", "b.example", None, False)
    summary = extend(summary, first, [better], centroid)
    assert summary.story.headline == "Flut"
    assert summary.headline_id == "a2"
    assert summary.story.source_count == 2


def test_copies_do_not_count_as_independent_sources() -> None:
    original = MemberBrief("a1", "Flut", (("flut", 1),), "de", "a.example", None, False)
    copy = MemberBrief("a2", "Flut", (("flut", 1),), "de", "b.example", None, True)
    summary = extend(summarise("s1", [original], {}), original, [copy], {})
    assert summary.story.sources == ("a.example", "b.example")
    assert summary.story.source_count == 1


@settings(max_examples=200, deadline=None)
@given(members(), st.data())
def test_combining_merged_stories_agrees_with_a_summary_of_all_members(
    all_members: list[MemberBrief], data: st.DataObject
) -> None:
    centroid = {"flut": 0.7, "damm": 0.5, "regen": 0.2}
    story_of = [data.draw(st.integers(min_value=0, max_value=2)) for _ in all_members]
    parts = []
    for n in sorted(set(story_of)):
        own = [m for m, s in zip(all_members, story_of, strict=True) if s == n]
        summary = summarise(f"s{n}", own, centroid)
        parts.append((summary, next(m for m in own if m.id == summary.headline_id)))
    got = combine("s0", parts, centroid)
    whole = summarise("s0", all_members, centroid)
    assert got.story.id == "s0"
    assert got.story.article_count == len(all_members)
    assert (got.story.first_published, got.story.last_published) == (
        whole.story.first_published,
        whole.story.last_published,
    )
    assert (got.story.sources, got.story.languages, got.story.source_count) == (
        whole.story.sources,
        whole.story.languages,
        whole.story.source_count,
    )
    assert got.independent == whole.independent
    # The headline is one of the parts' headlines, the most central of them.
    assert got.headline_id in {head.id for _, head in parts}


def test_merge_groups_follow_chains_to_the_surviving_story() -> None:
    groups = merge_groups([("b", "a"), ("c", "d"), ("a", "d"), ("e", "b")])
    assert list(groups) == ["d"]
    assert groups["d"][0] == "d"
    assert sorted(groups["d"]) == ["a", "b", "c", "d", "e"]
    assert merge_groups([]) == {}
