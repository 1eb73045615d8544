"""Bilingual lexicon: dictd parsing, German->English mapping, cache, degradation."""

from __future__ import annotations

import gzip
import math
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from storyline.text import lexicon
from storyline.text.lexicon import (
    DEFAULT_DICTD_DIR,
    DictEntry,
    Lexicon,
    default_cache_dir,
    parse_entry,
    read_dictd,
)

_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

# Entries in the layout of Debian's FreeDict packages, written for these tests.
DEU_ENG = [
    (
        "Regierung",
        "Regierung /reːɡˈiːrʊŋ/ <fem, n, sg>\n [pol.] government <n>Gov.,  /ɡˈoːf/ Govt.,  "
        "/ɡˈɔft/ , administration <n> [Am.]\n see: {Regierungen}, {Exilregierung}\n\n",
    ),
    ("Regierung", "Regierung /reːɡˈiːrʊŋ/ <fem, n, sg>\nregimen <n>\n   Synonym: {Herrschaft}\n"),
    (
        "Soldat",
        "Soldat /zɔldˈɑːt/ <masc, n, sg>\nsoldier <n>\n   Synonym: {Kriegsknecht}\n\n"
        " see: {Soldaten}, {Kindersoldaten}\n",
    ),
    ("Jahr", 'Jahr /jˈɑːɐ/ <neut, n, sg>\nyear <n>\n      "im Jahr 2020"  - in 2020\n'),
    (
        "Verteidigungsminister",
        "Verteidigungsminister /fɛɾtˌaɪdɪɡˌʊŋsmiːnˈɪstɜ/ <masc, n, sg>\n"
        "minister of defence <n> [Br.]\n   Synonym: {Verteidigungsministerin}\n",
    ),
    # An inflected headword is another word's lemma ("frei"): it must not add senses.
    ("Freier", "Freier /fɾˈaɪɐ/ <masc, n, sg>\nsuitor <n>, wooer <n>\n"),
]
ENG_DEU = [
    ("government", "government /ˈɡʌvənmənt/\nRegierung <fem> [pol.]\n"),
    ("the police", "the police /ðə pəlˈiːs/\ndie Polizei <fem>\n   Synonym: {the Old Bill}\n"),
]


def _b64(number: int) -> str:
    digits = ""
    while True:
        number, digit = divmod(number, 64)
        digits = _B64[digit] + digits
        if number == 0:
            return digits


def write_dictd(directory: Path, pair: str, entries: list[tuple[str, str]]) -> None:
    """A dictd dictionary as dictfmt writes it: a sorted index and a gzip'd text."""
    directory.mkdir(parents=True, exist_ok=True)
    header = ("00databaseinfo", "00-database-info\nWritten for a test.\n")
    body, rows = b"", []
    for headword, text in [header, *entries]:
        data = text.encode()
        rows.append(f"{headword.lower()}\t{_b64(len(body))}\t{_b64(len(data))}")
        body += data
    (directory / f"freedict-{pair}.index").write_text("\n".join(sorted(rows)) + "\n")
    (directory / f"freedict-{pair}.dict.dz").write_bytes(gzip.compress(body))


@pytest.fixture
def dictd(tmp_path: Path) -> Path:
    directory = tmp_path / "dictd"
    write_dictd(directory, "deu-eng", DEU_ENG)
    write_dictd(directory, "eng-deu", ENG_DEU)
    return directory


@pytest.fixture
def tiny(dictd: Path, tmp_path: Path) -> Lexicon:
    return Lexicon(dictd_dir=dictd, cache_dir=tmp_path / "cache")


def test_text_lexicon_parse_entry_drops_tags_notes_and_abbreviations() -> None:
    entry = parse_entry(DEU_ENG[0][1])
    assert entry == DictEntry("Regierung", (("government", "administration"),))


def test_text_lexicon_parse_entry_reads_numbered_senses() -> None:
    text = "abaisser /abɛse/ <v>\n1. cry down, cut up\n2. abase\n3. decrease, lower\n"
    entry = parse_entry(text)
    assert entry is not None
    assert entry.translations == (("cry down", "cut up"), ("abase",), ("decrease", "lower"))


def test_text_lexicon_parse_entry_skips_glosses_after_the_translation() -> None:
    # pol-eng follows the English line with a Polish definition: not a translation.
    text = "walczyć /ˈvalʧ̑ɨʨ̑/ <v>\nfight, struggle\ntoczyć walkę, uczestniczyć w walce\n"
    assert parse_entry(text) == DictEntry("walczyć", (("fight", "struggle"),))


def test_text_lexicon_read_dictd_skips_the_database_header(dictd: Path) -> None:
    entries = list(read_dictd(dictd / "freedict-deu-eng.index", dictd / "freedict-deu-eng.dict.dz"))
    assert len(entries) == len(DEU_ENG)
    assert {e.headword for e in entries} == {h for h, _ in DEU_ENG}


def test_text_lexicon_maps_german_lemmas_to_english(tiny: Lexicon) -> None:
    assert tiny.translate("regierung", "de") == ("government",)
    assert tiny.translate("soldat", "de") == ("soldier",)
    # English lemmas come from tokens.lemma, which spells "defence" the American way.
    assert set(tiny.translate("verteidigungsminister", "de")) == {"minister", "defense"}
    # Only the reverse dictionary knows "die Polizei"; "the Old Bill" is a synonym note.
    assert tiny.translate("polizei", "de") == ("police",)
    # "year" is an English stop word, so "Jahr" carries no topic in the shared space.
    assert tiny.translate("jahr", "de") == ()
    assert "frei" not in tiny.table("de")
    assert tiny.translate("merkel", "de") == ("merkel",)


def test_text_lexicon_shared_terms_keeps_names_and_merges_counts(tiny: Lexicon) -> None:
    counts = [("jahr", 3), ("merkel", 2), ("regierung", 2), ("soldat", 1), ("soldier", 1)]
    assert tiny.shared_terms(counts, "de") == [("government", 2), ("merkel", 2), ("soldier", 2)]
    assert tiny.shared_terms(counts, "en") == counts


def test_text_lexicon_shared_vector_is_unit_length(tiny: Lexicon) -> None:
    vector = {"regierung": 0.6, "verteidigungsminister": 0.8}
    shared = tiny.shared_vector(vector, "de")
    assert set(shared) == {"government", "minister", "defense"}
    assert math.isclose(math.sqrt(sum(w * w for w in shared.values())), 1.0)
    assert tiny.shared_vector(vector, "en") == vector


def test_text_lexicon_lists_languages_and_inverts_reverse_only_pairs(
    dictd: Path, tmp_path: Path
) -> None:
    write_dictd(dictd, "eng-rus", [("corner", "corner /kɔːnər/\nугол\n")])
    found = Lexicon(dictd_dir=dictd, cache_dir=tmp_path / "cache")
    assert found.languages() == frozenset({"de", "en", "ru"})
    assert found.translate("угол", "ru") == ("corner",)
    assert "de (deu-eng + eng-deu)" in found.status()


def test_text_lexicon_degrades_without_dictionaries(tmp_path: Path) -> None:
    empty = Lexicon(dictd_dir=tmp_path / "nothing", cache_dir=tmp_path / "cache")
    counts = [("regierung", 2), ("soldat", 1)]
    assert empty.shared_terms(counts, "de") == counts
    assert empty.shared_vector({"regierung": 1.0}, "de") == {"regierung": 1.0}
    assert empty.languages() == frozenset()
    assert "apt-get install dict-freedict-deu-eng dict-freedict-eng-deu" in empty.status()
    assert not (tmp_path / "cache").exists()


def test_text_lexicon_cache_is_reused(
    tiny: Lexicon, dictd: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tiny.table("de")
    assert tiny.cache_path("de").is_file()

    def no_build(*args: object) -> None:
        raise AssertionError("a valid cache must not be rebuilt")

    monkeypatch.setattr(lexicon, "build_table", no_build)
    again = Lexicon(dictd_dir=dictd, cache_dir=tmp_path / "cache")
    assert again.translate("regierung", "de") == ("government",)


def test_text_lexicon_cache_rebuilds_when_the_dictionary_changes(
    tiny: Lexicon, dictd: Path, tmp_path: Path
) -> None:
    assert tiny.translate("krieg", "de") == ("krieg",)
    write_dictd(dictd, "deu-eng", [*DEU_ENG, ("Krieg", "Krieg /kɾˈiːk/ <masc, n, sg>\nwar <n>\n")])
    again = Lexicon(dictd_dir=dictd, cache_dir=tmp_path / "cache")
    assert again.translate("krieg", "de") == ("war",)


def test_text_lexicon_cache_rebuilds_when_damaged(
    tiny: Lexicon, dictd: Path, tmp_path: Path
) -> None:
    tiny.table("de")
    tiny.cache_path("de").write_bytes(b"not gzip")
    again = Lexicon(dictd_dir=dictd, cache_dir=tmp_path / "cache")
    assert again.translate("soldat", "de") == ("soldier",)


def test_text_lexicon_damaged_dictionary_passes_terms_through(dictd: Path, tmp_path: Path) -> None:
    (dictd / "freedict-deu-eng.dict.dz").write_bytes(b"\x1f\x8b not really gzip")
    broken = Lexicon(dictd_dir=dictd, cache_dir=tmp_path / "cache")
    assert broken.shared_terms([("soldat", 1)], "de") == [("soldat", 1)]


@given(st.lists(st.tuples(st.sampled_from(["merkel", "kiew", "2024", "xq"]), st.integers(1, 9))))
def test_text_lexicon_untranslated_terms_pass_through(counts: list[tuple[str, int]]) -> None:
    empty = Lexicon(dictd_dir=Path("/nonexistent/dictd"), cache_dir=Path("/nonexistent/cache"))
    assert empty.shared_terms(counts, "de") == counts


def test_text_lexicon_command_reports_status(
    dictd: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("STORYLINE_DICTD_DIR", str(dictd))
    monkeypatch.setenv("STORYLINE_LEXICON_DIR", str(tmp_path / "env-cache"))
    lexicon.default_lexicon.cache_clear()
    try:
        assert lexicon.main(["build"]) == 0
        assert (tmp_path / "env-cache" / "lexicon-de.tsv.gz").is_file()
        assert lexicon.available_languages() == frozenset({"de", "en"})
        assert lexicon.shared_terms([("soldat", 1)], "de") == [("soldier", 1)]
        assert lexicon.main(["bogus"]) == 2
    finally:
        lexicon.default_lexicon.cache_clear()
    out = capsys.readouterr().out
    assert "de: " in out
    assert "de (deu-eng + eng-deu, cached)" in out


@pytest.fixture(scope="module")
def debian() -> Lexicon:
    """The installed Debian dictionaries; the first run builds the cache (~30 s)."""
    if not (DEFAULT_DICTD_DIR / "freedict-deu-eng.index").is_file():
        pytest.skip(
            "needs Debian's German-English FreeDict dictionaries: "
            "apt-get install dict-freedict-deu-eng dict-freedict-eng-deu"
        )
    return Lexicon(dictd_dir=DEFAULT_DICTD_DIR, cache_dir=default_cache_dir())


def test_text_lexicon_debian_german_english(debian: Lexicon) -> None:
    assert "government" in debian.translate("regierung", "de")
    assert "soldier" in debian.translate("soldat", "de")
    assert {"minister"} < set(debian.translate("verteidigungsminister", "de"))
    assert {"defence", "defense"} & set(debian.translate("verteidigungsminister", "de"))
    assert debian.translate("polizei", "de") == ("police",)
    assert debian.translate("moskau", "de") == ("moscow",)
    assert debian.translate("schoigu", "de") == ("schoigu",)
    assert debian.translate("jahr", "de") == ()
