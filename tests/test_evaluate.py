"""Metrics on hand-built label lists, their invariants, and the dataset readers."""

from __future__ import annotations

import json
import math
from collections.abc import Hashable, Sequence
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from storyline.errors import MalformedRecord, NotFound
from storyline.evaluate import (
    ClusterScores,
    Pair,
    cluster_scores,
    is_original_pair,
    pair_report,
    pearson,
    read_gold_clusters,
    read_pairs,
)

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"

SCORE_KEYS = {
    "bcubed_precision",
    "bcubed_recall",
    "bcubed_f1",
    "pairwise_precision",
    "pairwise_recall",
    "pairwise_f1",
    "ari",
    "stories",
    "articles",
}
UNIT_SCORES = SCORE_KEYS - {"ari", "stories", "articles"}


def _approx(scores: ClusterScores, **expected: float) -> None:
    for key, value in expected.items():
        assert getattr(scores, key) == pytest.approx(value), key


# --- cluster_scores on cases worked out by hand ------------------------------------


def test_evaluate_perfect_clustering_scores_one() -> None:
    scores = cluster_scores(["a", "a", "b", "c", "c", "c"], [7, 7, 3, 9, 9, 9])
    assert set(scores.as_dict()) == SCORE_KEYS
    for key in UNIT_SCORES | {"ari"}:
        assert scores.as_dict()[key] == pytest.approx(1.0), key
    assert (scores.stories, scores.articles) == (3, 6)


def test_evaluate_one_big_cluster() -> None:
    # Each item shares its cluster with 2 of 4 right items: P = 1/2, R = 1.
    # Pairs: 2 right of 6 predicted, both gold pairs found. ARI: no better than chance.
    scores = cluster_scores(["a", "a", "b", "b"], [0, 0, 0, 0])
    _approx(
        scores,
        bcubed_precision=0.5,
        bcubed_recall=1.0,
        bcubed_f1=2 / 3,
        pairwise_precision=1 / 3,
        pairwise_recall=1.0,
        pairwise_f1=0.5,
        ari=0.0,
    )
    assert scores.stories == 1


def test_evaluate_all_singletons() -> None:
    # No predicted pairs: pairwise precision is vacuously 1, recall 0.
    scores = cluster_scores(["a", "a", "b", "b"], [0, 1, 2, 3])
    _approx(
        scores,
        bcubed_precision=1.0,
        bcubed_recall=0.5,
        bcubed_f1=2 / 3,
        pairwise_precision=1.0,
        pairwise_recall=0.0,
        pairwise_f1=0.0,
        ari=0.0,
    )
    assert scores.stories == 4


def test_evaluate_worked_example() -> None:
    # gold a a a b b / predicted 1 1 2 2 2; cells (a,1)=2, (a,2)=1, (b,2)=2.
    # BCubed P = (2*2/2 + 1*1/3 + 2*2/3) / 5 = 11/15; R = (2*2/3 + 1*1/3 + 2*2/2) / 5 = 11/15.
    # Pairs: together 1+1 = 2 of 4 predicted and 4 gold. ARI: index 2, expected
    # 4*4/10 = 1.6, max 4 -> (2 - 1.6) / (4 - 1.6) = 1/6.
    scores = cluster_scores(["a", "a", "a", "b", "b"], [1, 1, 2, 2, 2])
    _approx(
        scores,
        bcubed_precision=11 / 15,
        bcubed_recall=11 / 15,
        bcubed_f1=11 / 15,
        pairwise_precision=0.5,
        pairwise_recall=0.5,
        pairwise_f1=0.5,
        ari=1 / 6,
    )
    assert (scores.stories, scores.articles) == (2, 5)


def test_evaluate_singletons_gold_and_predicted_is_perfect() -> None:
    scores = cluster_scores([1, 2, 3], ["x", "y", "z"])
    for key in UNIT_SCORES | {"ari"}:
        assert scores.as_dict()[key] == pytest.approx(1.0), key


def test_evaluate_unsortable_labels_are_fine() -> None:
    scores = cluster_scores([1, "1", (1,), None], [None, "a", 2.5, (3, "x")])
    assert scores.bcubed_f1 == pytest.approx(1.0)


def test_evaluate_rejects_bad_lengths() -> None:
    with pytest.raises(ValueError, match="2 gold labels but 1 predicted"):
        cluster_scores([1, 2], [1])
    with pytest.raises(ValueError, match="no articles"):
        cluster_scores([], [])


# --- invariants -------------------------------------------------------------------

_labels = st.lists(st.integers(0, 6), min_size=1, max_size=40)


@st.composite
def _clusterings(draw: st.DrawFn) -> tuple[list[int], list[int]]:
    gold = draw(_labels)
    predicted = draw(st.lists(st.integers(0, 6), min_size=len(gold), max_size=len(gold)))
    return gold, predicted


@given(_clusterings())
def test_evaluate_scores_are_bounded(case: tuple[list[int], list[int]]) -> None:
    scores = cluster_scores(*case)
    for key in UNIT_SCORES:
        assert 0.0 <= scores.as_dict()[key] <= 1.0 + 1e-12, key
    assert -0.5 - 1e-12 <= scores.ari <= 1.0 + 1e-12
    assert scores.stories == len(set(case[1]))
    assert scores.articles == len(case[0])


@given(_clusterings(), st.permutations(range(7)))
def test_evaluate_renaming_labels_changes_nothing(
    case: tuple[list[int], list[int]], permutation: Sequence[int]
) -> None:
    gold, predicted = case
    renamed: list[Hashable] = [f"story-{permutation[x]}" for x in predicted]
    assert cluster_scores(gold, renamed) == cluster_scores(gold, predicted)


@given(_clusterings())
def test_evaluate_swapping_gold_and_predicted_swaps_precision_and_recall(
    case: tuple[list[int], list[int]],
) -> None:
    gold, predicted = case
    forward, backward = cluster_scores(gold, predicted), cluster_scores(predicted, gold)
    assert forward.bcubed_precision == pytest.approx(backward.bcubed_recall)
    assert forward.pairwise_precision == pytest.approx(backward.pairwise_recall)
    assert forward.bcubed_f1 == pytest.approx(backward.bcubed_f1)
    assert forward.ari == pytest.approx(backward.ari)


@given(_labels, st.permutations(range(7)))
def test_evaluate_relabelled_gold_is_perfect(gold: list[int], permutation: Sequence[int]) -> None:
    scores = cluster_scores(gold, [permutation[x] for x in gold])
    for key in UNIT_SCORES | {"ari"}:
        assert scores.as_dict()[key] == pytest.approx(1.0), key


@given(_clusterings())
def test_evaluate_ari_equals_sklearn(case: tuple[list[int], list[int]]) -> None:
    metrics = pytest.importorskip("sklearn.metrics")
    expected = metrics.adjusted_rand_score(*case)
    assert cluster_scores(*case).ari == pytest.approx(expected, abs=1e-12)


# --- pearson and pair_report -------------------------------------------------------


def test_evaluate_pearson_known_values() -> None:
    assert pearson([1, 2, 3], [2, 4, 6]) == pytest.approx(1.0)
    assert pearson([1, 2, 3], [3, 2, 1]) == pytest.approx(-1.0)
    assert pearson([1, 2, 3, 4], [1, 3, 2, 4]) == pytest.approx(0.8)


def test_evaluate_pearson_undefined_is_nan_without_warning() -> None:
    # Tests run with warnings as errors, so a scipy warning here would fail.
    assert math.isnan(pearson([1, 1, 1], [1, 2, 3]))
    assert math.isnan(pearson([1, 2, 3], [5, 5, 5]))
    assert math.isnan(pearson([1], [2]))
    assert math.isnan(pearson([], []))
    assert math.isnan(pearson([1, math.nan, 3], [1, 2, 3]))


def test_evaluate_pearson_nearly_constant_input_does_not_warn() -> None:
    value = pearson([1e9, 1e9 + 1e-4, 1e9, 1e9 + 2e-4], [1, 2, 3, 4])
    assert -1.0 <= value <= 1.0


def test_evaluate_pearson_rejects_bad_lengths() -> None:
    with pytest.raises(ValueError, match="3 x values but 2 y values"):
        pearson([1, 2, 3], [1, 2])


def _pair(languages: str, overall: float, pair_id: str = "1_2") -> Pair:
    lang1, lang2 = languages.split("-")
    return Pair(pair_id, lang1, lang2, "a", "b", overall)


def test_evaluate_pair_similarity_flips_the_semeval_scale() -> None:
    assert _pair("de-de", 1.0).similarity == pytest.approx(1.0)
    assert _pair("de-de", 4.0).similarity == pytest.approx(0.0)
    assert _pair("de-de", 2.5).similarity == pytest.approx(0.5)


def test_evaluate_pair_report_overall_and_per_language() -> None:
    pairs = [
        _pair("de-de", 1.0),
        _pair("de-de", 4.0),
        _pair("de-de", 2.5),
        _pair("de-en", 1.0),
        _pair("de-en", 3.0),
        _pair("en-en", 2.0),
    ]
    # A scorer that agrees with the humans on de-de and is inverted on de-en.
    scores = [0.9, 0.1, 0.5, 0.2, 0.8, 0.7]
    report = pair_report(pairs, scores)
    assert list(report.by_language) == ["de-de", "de-en", "en-en"]
    assert report.by_language["de-de"].pearson == pytest.approx(1.0)
    assert report.by_language["de-de"].pairs == 3
    assert report.by_language["de-en"].pearson == pytest.approx(-1.0)
    assert math.isnan(report.by_language["en-en"].pearson)
    assert report.overall.pairs == 6
    expected = pearson([p.similarity for p in pairs], scores)
    assert report.overall.pearson == pytest.approx(expected)
    as_dict = report.as_dict()
    assert as_dict["by_language"]["en-en"] == {"pearson": None, "pairs": 1}  # type: ignore[index]
    json.dumps(as_dict)


def test_evaluate_pair_report_rejects_bad_lengths() -> None:
    with pytest.raises(ValueError, match="1 pairs but 2 scores"):
        pair_report([_pair("de-de", 1.0)], [0.1, 0.2])


# --- readers -----------------------------------------------------------------------


def _write_article(folder: Path, name: str, date: str | None, event: object) -> None:
    record = {
        "title": f"Title {name}",
        "description": None,
        "text": f"Body of {name}.",
        "date_publish": date,
        "url": f"https://example.org/{name}",
        "source_domain": "example.org",
        "language": "en",
        "newsCluster": {"EventId": event, "Event": "something"},
    }
    (folder / f"{name}.json").write_text(json.dumps(record), encoding="utf-8")


def test_evaluate_read_gold_clusters_orders_by_date_then_name(tmp_path: Path) -> None:
    _write_article(tmp_path, "b", "2017-12-30T00:00:00", 2)
    _write_article(tmp_path, "a", "2017-12-30T00:00:00", 1)
    _write_article(tmp_path, "c", "2016-11-01 08:00:00", 1)
    _write_article(tmp_path, "d", None, 3)
    _write_article(tmp_path, "e", "2017-12-30T00:30:00+02:00", 2)  # 2017-12-29 22:30 UTC
    (tmp_path / "notes.txt").write_text("not an article", encoding="utf-8")

    articles = read_gold_clusters(tmp_path)

    assert [a.path.name for a in articles] == ["c.json", "e.json", "a.json", "b.json", "d.json"]
    assert [a.event for a in articles] == [1, 2, 1, 2, 3]
    assert articles[0].record["url"] == "https://example.org/c"
    assert articles[0].full_text == "Title c\n\nBody of c."
    assert articles[1].published is not None and articles[1].published.hour == 22
    assert articles[-1].published is None


def test_evaluate_read_gold_clusters_rejects_missing_event(tmp_path: Path) -> None:
    _write_article(tmp_path, "a", "2017-12-30T00:00:00", None)
    with pytest.raises(MalformedRecord, match="EventId"):
        read_gold_clusters(tmp_path)


def test_evaluate_read_gold_clusters_rejects_broken_json(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(MalformedRecord, match="JSON"):
        read_gold_clusters(tmp_path)


def test_evaluate_read_gold_clusters_needs_a_folder_with_files(tmp_path: Path) -> None:
    with pytest.raises(NotFound):
        read_gold_clusters(tmp_path / "absent")
    with pytest.raises(NotFound, match=r"no \*\.json"):
        read_gold_clusters(tmp_path)


_CSV = (
    "Unnamed: 0,pair_id,lang1,lang2,text1,text2,Geography,Entities,Time,Narrative,"
    "Overall,Style,Tone\n"
    '0,1484039360_1484180228,de,en,"Titel\nZweite Zeile, mit Komma","Title",1,1,1,1,1.5,1,1\n'
    '1,1484039360it_1484180228it,it,it,"Titolo","Titolo due",1,1,1,1,2.0,1,1\n'
    '2,11_22,en,en,"A ""quoted"" word","B",4,4,4,4,4.0,4,4\n'
)


def test_evaluate_read_pairs_keeps_original_pairs(tmp_path: Path) -> None:
    path = tmp_path / "pairs.csv"
    path.write_text(_CSV, encoding="utf-8")

    pairs = read_pairs(path)

    assert [p.pair_id for p in pairs] == ["1484039360_1484180228", "11_22"]
    first = pairs[0]
    assert (first.lang1, first.lang2, first.languages) == ("de", "en", "de-en")
    assert first.text1 == "Titel\nZweite Zeile, mit Komma"
    assert first.overall == pytest.approx(1.5)
    assert first.similarity == pytest.approx(2.5 / 3)
    assert pairs[1].text1 == 'A "quoted" word'
    assert len(read_pairs(path, original_only=False)) == 3


def test_evaluate_is_original_pair() -> None:
    assert is_original_pair("1484039360_1484180228")
    assert not is_original_pair("1484039360it_1484180228it")
    assert not is_original_pair("1484039360_1484180228_3")


def test_evaluate_read_pairs_rejects_bad_rows(tmp_path: Path) -> None:
    path = tmp_path / "pairs.csv"
    path.write_text(_CSV.replace(",4.0,4,4", ",n/a,4,4"), encoding="utf-8")
    with pytest.raises(MalformedRecord, match="not a number"):
        read_pairs(path)
    path.write_text(_CSV.replace(",4.0,4,4", ",5.0,4,4"), encoding="utf-8")
    with pytest.raises(MalformedRecord, match=r"1\.\.4"):
        read_pairs(path)
    path.write_text("pair_id,text1\n1_2,x\n", encoding="utf-8")
    with pytest.raises(MalformedRecord, match="missing columns: lang1, lang2, text2, Overall"):
        read_pairs(path)
    with pytest.raises(NotFound):
        read_pairs(tmp_path / "absent.csv")


# --- the shared evaluation data (skipped when ../shared/data is absent) -------------

GIVEME = SHARED_DATA / "giveme5w1h_news_cluster" / "data"
SEMEVAL = SHARED_DATA / "semeval2022_task8_hfl_sample" / "training_set.csv"


@pytest.mark.shared
@pytest.mark.skipif(not GIVEME.is_dir(), reason=f"evaluation data not found at {GIVEME}")
def test_evaluate_reads_the_giveme5w1h_set() -> None:
    articles = read_gold_clusters(GIVEME)
    assert len(articles) >= 100
    dates = [a.published for a in articles]
    assert all(d is not None for d in dates)
    assert dates == sorted(dates)  # type: ignore[type-var]
    assert all(a.full_text for a in articles)


@pytest.mark.shared
@pytest.mark.skipif(not SEMEVAL.is_file(), reason=f"evaluation data not found at {SEMEVAL}")
def test_evaluate_reads_the_semeval_sample() -> None:
    pairs = read_pairs(SEMEVAL)
    assert len(pairs) >= 100
    assert all(is_original_pair(p.pair_id) for p in pairs)
    assert {"de-de", "de-en", "en-en"} <= {p.languages for p in pairs}
    assert len(read_pairs(SEMEVAL, original_only=False)) > len(pairs)
