"""Cleaning: boilerplate kinds, agency tags, repairs, idempotency, linear time, seeds."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storyline.model import DatePrecision
from storyline.text.boilerplate_rules import RULES, Action, Rule, Scope
from storyline.text.clean import clean_text, is_boilerplate_line, is_near_repeat
from storyline.text.layout import parse_text_layout

SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"

PROSE = (
    "Die Minister teilen die Sorge über die Lage an der Grenze.",
    "Das Foto zeigt die Ministerin bei ihrer Ankunft in Wien.",
    "Er sagte, man wolle die Bilder nicht drucken lassen.",
    "Die Agentur Associated Press (AP) berichtete zuerst darüber.",
    "Wien – Der Ausbau der gemeinsamen Bahnstrecke sei wichtig, sagte die Ministerin.",
    "Mehr als zwei Jahre nach der Wahl besuchte die Ministerin das Nachbarland.",
    "Officials share concerns about the new rules, the spokesman said.",
    "Der Kredit über 2 Milliarden Euro soll den Bahnbau stärken.",
)


def _text(*paragraphs: str) -> str:
    return "\n\n".join(paragraphs)


# --- boilerplate kinds ----------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "Teilen",
        "Share",
        "Share this article",
        "Tweet",
        "Drucken",
        "E-Mail",
        "Facebook Twitter WhatsApp E-Mail",
        "Teilen | Drucken | Merken",
    ],
)
def test_clean_share_buttons_dropped(line: str) -> None:
    cleaned = clean_text(_text(PROSE[0], line, PROSE[1]))
    assert cleaned.text == _text(PROSE[0], PROSE[1])
    assert line in cleaned.removed


@pytest.mark.parametrize("prose", PROSE)
def test_clean_prose_with_boilerplate_words_kept(prose: str) -> None:
    assert clean_text(prose).text == prose
    assert not is_boilerplate_line(prose)


@pytest.mark.parametrize(
    "line",
    [
        "This article was added by the user . TheWorldNews is not responsible for the "
        "content of the platform.",
        "This article was added by the user. TheWorldNews is not responsible for the content "
        "of the platform.",
        "This story was submitted by a user.",
        "OtherNews is not responsible for the content of this website.",
        "The post Minister visits Vienna appeared first on Example News.",
    ],
)
def test_clean_aggregator_disclaimers_dropped(line: str) -> None:
    assert clean_text(_text(line, PROSE[0])).text == PROSE[0]


@pytest.mark.parametrize(
    "line",
    [
        "0a1b2c3d4e5f60718293a4b5c6d7e8f9.jpg",
        "schoigu-minsk_2022.JPEG",
        "image.png",
        "https://cdn.example.com/img/a1b2.webp?w=800&h=600",
        "animation.gif",
    ],
)
def test_clean_image_file_names_dropped(line: str) -> None:
    assert is_boilerplate_line(line)
    assert clean_text(_text(PROSE[0], line)).text == PROSE[0]


def test_clean_image_file_in_prose_kept() -> None:
    prose = "Er schickte die Datei karte.jpg an die Redaktion."
    assert clean_text(prose).text == prose


@pytest.mark.parametrize(
    "line",
    [
        "(Foto: AP)",
        "Foto: dpa",
        "Photo: Reuters",
        "Bild: picture alliance / dpa",
        "(Bild: Keystone)",
        "Fotos: Michael Kappeler/dpa",
        "© ITAR-TASS / IMAGO",
        "Copyright 2022 dpa",
        "Copyright: Reuters",
        "(c) AFP",
    ],
)
def test_clean_photo_credit_lines_dropped(line: str) -> None:
    assert is_boilerplate_line(line)
    assert clean_text(_text(PROSE[5], line, PROSE[0])).text == _text(PROSE[5], PROSE[0])


@pytest.mark.parametrize(
    "line",
    [
        "Die Ministerin bei ihrer Ankunft am Flughafen in Wien © ITAR-TASS / IMAGO",
        "Die Ministerin (l.) traf in Wien ihren Amtskollegen. (Foto: AP)",
        "Die Ministerin (l.) traf in Wien ihren Amtskollegen. Foto: Max Muster/dpa",
    ],
)
def test_clean_caption_ending_in_credit_dropped(line: str) -> None:
    # A caption ending with a credit describes an image, not the event: the whole
    # line goes, or its claims would count as something only this source reports.
    cleaned = clean_text(_text(PROSE[5], line))
    assert cleaned.text == PROSE[5]
    assert line in cleaned.removed


def test_clean_credit_glued_to_long_paragraph_cut_prose_kept() -> None:
    paragraph = " ".join(PROSE[4:6] * 4)
    assert len(paragraph) > 400
    cleaned = clean_text(f"{paragraph} © dpa")
    assert cleaned.text == paragraph
    assert "© dpa" in cleaned.removed


def test_clean_caption_between_image_and_credit_dropped() -> None:
    caption = "Die Ministerin (l.) traf in Wien ihren ungarischen Amtskollegen."
    text = _text(PROSE[0], "0a1b2c3d4e5f60718293a4b5c6d7e8f9.jpg", caption, "(Foto: AP)", PROSE[1])
    cleaned = clean_text(text)
    assert cleaned.text == _text(PROSE[0], PROSE[1])
    assert caption in cleaned.removed


def test_clean_paragraph_before_credit_without_image_kept() -> None:
    # without an image file line above, the line before a credit may be prose
    assert clean_text(_text(PROSE[0], "Foto: dpa", PROSE[1])).text == _text(PROSE[0], PROSE[1])


@pytest.mark.parametrize(
    "line",
    [
        "Lesen Sie auch: Ministerin besucht Wien",
        "Lesen Sie auch",
        "Mehr zum Thema",
        "Mehr zum Thema: Österreich und Ungarn",
        "Read more: Austria and Hungary sign a pact",
        "Читайте также: Шойгу в Минске",
        "À lire aussi » La ministre à Vienne",
        "Czytaj też: Szojgu w Mińsku",
        "Weitere Themen",
    ],
)
def test_clean_read_more_links_dropped(line: str) -> None:
    assert clean_text(_text(PROSE[0], line)).text == PROSE[0]


def test_clean_read_more_words_in_prose_kept() -> None:
    prose = "Mehr zum Thema Rente will die Regierung im Herbst vorlegen."
    assert clean_text(prose).text == prose


@pytest.mark.parametrize(
    "line",
    [
        "Melden Sie sich jetzt für unseren Newsletter an und erhalten Sie alle News.",
        "Hier können Sie den Newsletter abonnieren.",
        "Sign up for our daily newsletter to get the latest news.",
        "Jetzt abonnieren",
        "Newsletter",
        "Dieser Artikel ist nur für Abonnenten verfügbar.",
        "Already a subscriber? Log in here.",
    ],
)
def test_clean_subscription_pitches_dropped(line: str) -> None:
    assert clean_text(_text(PROSE[0], line)).text == PROSE[0]


@pytest.mark.parametrize(
    "line",
    [
        "Wir verwenden Cookies, um Ihnen das beste Nutzererlebnis zu bieten.",
        "This website uses cookies to improve your experience.",
        "Cookie-Einstellungen",
        "Alle akzeptieren",
    ],
)
def test_clean_cookie_notices_dropped(line: str) -> None:
    assert clean_text(_text(line, PROSE[0])).text == PROSE[0]


@pytest.mark.parametrize("line", ["Anzeige", "ANZEIGE", "- Anzeige -", "Advertisement", "Werbung"])
def test_clean_advertisement_labels_dropped(line: str) -> None:
    assert clean_text(_text(PROSE[0], line, PROSE[1])).text == _text(PROSE[0], PROSE[1])


@pytest.mark.parametrize(
    "line",
    [
        "Kommentare",
        "120 Kommentare",
        "Keine Kommentare (Kommentare erscheinen erst nach Freigabe)",
        "Schreib einen Kommentar",
        "Post a Comment",
        "Sie müssen sich anmelden, um Kommentare zu schreiben.",
        "Bildergalerie",
        "Video abspielen",
        "Wird geladen …",
        "Zurück zur Startseite",
    ],
)
def test_clean_comment_media_and_navigation_lines_dropped(line: str) -> None:
    assert clean_text(_text(PROSE[0], line)).text == PROSE[0]


def test_clean_comment_words_in_prose_kept() -> None:
    prose = "Keine Kommentare gab es zunächst von der Regierung in Wien."
    assert clean_text(prose).text == prose


@pytest.mark.parametrize("line", ["***", "—", "• • •", "|"])
def test_clean_separator_lines_dropped(line: str) -> None:
    assert clean_text(_text(PROSE[0], line, PROSE[1])).text == _text(PROSE[0], PROSE[1])


def test_clean_section_labels_dropped_only_at_edges() -> None:
    text = _text("Germany", PROSE[0], "Politik", PROSE[1], "Politik > Ausland")
    cleaned = clean_text(text)
    assert cleaned.text == _text(PROSE[0], "Politik", PROSE[1])
    assert is_boilerplate_line("Germany", at_edge=True)
    assert not is_boilerplate_line("Germany")


# --- agencies ---------------------------------------------------------------------------

SENTENCE = "Es gehe um neue Projekte, sagte sie."


@pytest.mark.parametrize(
    ("tag", "agencies"),
    [
        ("(dpa)", ("dpa",)),
        ("(AFP)", ("AFP",)),
        ("(dpa/AFP)", ("dpa", "AFP")),
        ("(AFP/dpa)", ("AFP", "dpa")),
        ("(Reuters)", ("Reuters",)),
        ("(AP)", ("AP",)),
        ("(KNA)", ("KNA",)),
        ("(epd)", ("epd",)),
        ("(APA)", ("APA",)),
        ("(sda)", ("sda",)),
        ("(ANSA)", ("ANSA",)),
        ("(TASS)", ("TASS",)),
        ("(Interfax)", ("Interfax",)),
        ("(afp)", ("AFP",)),
        ("(dpa/lnw)", ("dpa",)),
        ("(dpa-AFX)", ("dpa-AFX",)),
    ],
)
def test_clean_trailing_agency_tag_extracted(tag: str, agencies: tuple[str, ...]) -> None:
    cleaned = clean_text(f"{PROSE[0]}\n\n{SENTENCE} {tag}")
    assert cleaned.agencies == agencies
    assert cleaned.text == f"{PROSE[0]}\n\n{SENTENCE}"
    assert tag in cleaned.removed


@pytest.mark.parametrize(
    ("tag", "agencies"),
    [
        ("(APA, 11.9.2015)", ("APA",)),
        ("(APA/dpa, 23.8.2015)", ("APA", "dpa")),
        ("(APA/red – 8.8. 2015)", ("APA",)),
        ("(Reuters, APA, red)", ("Reuters", "APA")),
    ],
)
def test_clean_austrian_agency_tag_with_date_extracted(tag: str, agencies: tuple[str, ...]) -> None:
    cleaned = clean_text(f"{SENTENCE} {tag}")
    assert (cleaned.text, cleaned.agencies) == (SENTENCE, agencies)


def test_clean_inline_agency_tag_in_flattened_text_extracted() -> None:
    # paragraphs flattened onto one line: the tag ends one unit, a results table follows
    cleaned = clean_text(f"{SENTENCE} (APA, 18.3.2016) SV Ried – SK Rapid Wien 0:2")
    assert cleaned.text == f"{SENTENCE} SV Ried – SK Rapid Wien 0:2"
    assert cleaned.agencies == ("APA",)


@pytest.mark.parametrize(
    ("line", "agencies"),
    [
        ("Quelle: ntv.de, mau/dpa", ("dpa",)),
        ("Mit Material von dpa und AFP", ("dpa", "AFP")),
        ("(mit Material von Reuters)", ("Reuters",)),
        ("aja/PAP", ("PAP",)),
    ],
)
def test_clean_source_lines_naming_agencies_extracted(line: str, agencies: tuple[str, ...]) -> None:
    cleaned = clean_text(_text(PROSE[0], line))
    assert (cleaned.text, cleaned.agencies) == (PROSE[0], agencies)


@pytest.mark.parametrize(
    "line", ["Quelle: Statistisches Bundesamt", "und/oder", "Die Agenturen dpa/AFP melden"]
)
def test_clean_lines_without_agency_kept(line: str) -> None:
    cleaned = clean_text(line)
    assert (cleaned.text, cleaned.agencies) == (line, ())


def test_clean_trailing_agency_tag_with_glued_section_label() -> None:
    cleaned = clean_text(f"{SENTENCE} (dpa)Germany")
    assert cleaned.agencies == ("dpa",)
    assert cleaned.text == SENTENCE


@pytest.mark.parametrize(
    ("line", "expected", "agencies"),
    [
        ("Berlin (dpa) - Der Bundestag hat entschieden.", "Berlin - Der Bundestag hat entschieden.",
         ("dpa",)),
        ("MOSKAU (Reuters) - Russland hat entschieden.", "MOSKAU - Russland hat entschieden.",
         ("Reuters",)),
        ("Wien (dpa/AFP) – Die Ministerin ist in Wien.", "Wien – Die Ministerin ist in Wien.",
         ("dpa", "AFP")),
        ("MOSKAU, 23. Nov. (Reuters) - Russland hat entschieden.",
         "MOSKAU, 23. Nov. - Russland hat entschieden.", ("Reuters",)),
        ("(dpa) - Der Bundestag hat entschieden.", "Der Bundestag hat entschieden.", ("dpa",)),
    ],
)  # fmt: skip
def test_clean_dateline_agency_tag_extracted_place_kept(
    line: str, expected: str, agencies: tuple[str, ...]
) -> None:
    cleaned = clean_text(line)
    assert cleaned.text == expected
    assert cleaned.agencies == agencies


def test_clean_agency_tag_line_dropped() -> None:
    cleaned = clean_text(_text(PROSE[0], "(AFP)"))
    assert cleaned.text == PROSE[0]
    assert cleaned.agencies == ("AFP",)


@pytest.mark.parametrize(
    "prose",
    [
        "Die Agentur Associated Press (AP) berichtete zuerst darüber.",
        "Darüber berichtete zuerst die Agentur Associated Press (AP)",
        "Die Regel (a) gilt weiter, sagte er. (red)",
    ],
)
def test_clean_agency_abbreviation_in_prose_kept(prose: str) -> None:
    cleaned = clean_text(prose)
    assert cleaned.text == prose
    assert cleaned.agencies == ()


def test_clean_agencies_deduplicated_in_order() -> None:
    text = _text("Berlin (AFP) - Erster Satz.", "Zweiter Satz. (dpa)", "Dritter Satz. (AFP)")
    assert clean_text(text).agencies == ("AFP", "dpa")


# --- title repeats ----------------------------------------------------------------------

TITLE = '"Wie zu Hause": Ministerin dankt Nachbarland für Hilfe der Truppen'


def test_clean_title_repeat_dropped() -> None:
    near = '"Wie zu Hause" Ministerin dankt Nachbarland für Hilfe eigener Truppen'
    cleaned = clean_text(_text(TITLE, near, PROSE[5]), title=TITLE)
    assert cleaned.text == PROSE[5]
    assert is_near_repeat(near, TITLE)


def test_clean_lead_sharing_the_subject_kept() -> None:
    title = "Gipfel in Wien: Regierung bestätigt enge Zusammenarbeit mit Ungarn"
    lead = (
        "Bei einem Treffen in Wien hat die Außenministerin bekräftigt, dass die Regierung "
        "eine enge wirtschaftliche Zusammenarbeit mit Ungarn anstrebt."
    )
    assert clean_text(lead, title=title).text == lead


# --- repair and normalisation -----------------------------------------------------------


def test_clean_repairs_mojibake() -> None:
    broken = "BÃ¼ndnis-Gipfel: Die Ministerin sagte: â€žWir sind bereitâ€œ."
    assert clean_text(broken).text == "Bündnis-Gipfel: Die Ministerin sagte: „Wir sind bereit“."


def test_clean_leaves_good_text_alone() -> None:
    good = "„Wir sind bereit“, sagte er – und ging. Ärger über Öl, Straße, ﬁnal."
    assert clean_text(good).text == good


def test_clean_normalises_whitespace_and_unicode() -> None:
    text = "  Erste\u00a0 Zeile\t mit   Abstand  \r\n\r\n\r\n\n Cafe\u0301\u200b ist offen. \r\n"
    assert clean_text(text).text == "Erste Zeile mit Abstand\n\nCafé ist offen."


def test_clean_keeps_line_breaks_inside_a_paragraph() -> None:
    assert clean_text("Zeile eins\nZeile zwei\n\nAbsatz zwei").text == (
        "Zeile eins\nZeile zwei\n\nAbsatz zwei"
    )


def test_clean_empty_and_blank_text() -> None:
    assert clean_text("").text == ""
    assert clean_text(" \n\t\n ").text == ""


# --- rules are data ---------------------------------------------------------------------


def test_clean_rules_table_is_well_formed() -> None:
    names = [rule.name for rule in RULES]
    assert len(names) == len(set(names))
    for rule in RULES:
        assert rule.reason.strip(), rule.name
        assert re.fullmatch(r"[a-z_]+", rule.name)
        assert rule.action is Action.DROP_LINE or rule.scope in (Scope.START, Scope.END)
        assert all(hint == hint.lower() for hint in rule.hints), rule.name


# --- properties -------------------------------------------------------------------------

BOILERPLATE = (
    "Teilen",
    "Share this article",
    "This article was added by the user . TheWorldNews is not responsible for the content "
    "of the platform.",
    "0a1b2c3d4e5f60718293a4b5c6d7e8f9.jpg",
    "(Foto: AP)",
    "Foto: dpa",
    "© ITAR-TASS / IMAGO",
    "Lesen Sie auch: Mehr aus Wien",
    "Anzeige",
    "Germany",
    "Politik",
    "(dpa)",
    "(dpa/AFP)",
    "Berlin (dpa) -",
    "MOSKAU (Reuters) - ",
    "sagte er. (dpa)Germany",
    "BÃ¼ndnis",
    "â€ž",
    "Wir verwenden Cookies.",
    "***",
)
SEPARATORS = ("\n", "\n\n", " ", "", "\t", "\r\n", "\u00a0")


@st.composite
def _assembled(draw: st.DrawFn) -> str:
    pieces = draw(
        st.lists(st.sampled_from(BOILERPLATE + PROSE) | st.text(max_size=20), max_size=25)
    )
    return "".join(p + draw(st.sampled_from(SEPARATORS)) for p in pieces)


def _assert_idempotent(text: str, title: str = "") -> None:
    once = clean_text(text, title)
    assert clean_text(once.text, title).text == once.text
    assert clean_text(once.text).text == clean_text(once.text, title).text


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_clean_idempotent_on_arbitrary_text(text: str) -> None:
    _assert_idempotent(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(exclude_categories=())))
def test_clean_idempotent_with_surrogates_and_controls(text: str) -> None:
    _assert_idempotent(text)
    assert not any("\ud800" <= c <= "\udfff" for c in clean_text(text).text)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_assembled(), st.sampled_from(("", TITLE, *PROSE[:2])))
def test_clean_idempotent_on_boilerplate_and_prose(text: str, title: str) -> None:
    _assert_idempotent(text, title)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from([b for b in BOILERPLATE if not b.endswith(".jpg")] + list(PROSE)),
        max_size=20,
    ),
    st.lists(st.sampled_from(("\n", "\n\n", "\n \n")), min_size=20, max_size=20),
)
def test_clean_keeps_every_prose_line_among_boilerplate(
    pieces: list[str], separators: list[str]
) -> None:
    text = "".join(p + s for p, s in zip(pieces, separators, strict=False))
    cleaned = clean_text(text)
    for piece in pieces:
        if piece in PROSE:
            assert piece in cleaned.text


# --- linear time --------------------------------------------------------------------------

MEGABYTE = 1_000_000
PATHOLOGICAL = [
    "a" * MEGABYTE,
    "(" * MEGABYTE,
    "©" * MEGABYTE,
    "(dpa) " * (MEGABYTE // 6),
    "x. (dpa)" * (MEGABYTE // 8),
    "© a" * (MEGABYTE // 3),
    "Foto: " * (MEGABYTE // 6),
    "Teilen " * (MEGABYTE // 7),
    "Teilen | " * (MEGABYTE // 9),
    "a." * (MEGABYTE // 2) + "jp",
    ".jpg" * (MEGABYTE // 4) + " x",
    "Lesen Sie auch " * (MEGABYTE // 15),
    "Berlin " * (MEGABYTE // 7) + "(dpa) - x",
    "Ã¤" * (MEGABYTE // 2),
    "the post " * (MEGABYTE // 9),
    "(a/b/c/d/e/f/g" * (MEGABYTE // 14),
    ("Politik > " * 40 + "\n") * (MEGABYTE // 400),
    ("(dpa)" * 80 + "\n") * (MEGABYTE // 400),
    ("x " * 150 + "©" + "\n") * (MEGABYTE // 302),
]


@pytest.mark.parametrize("text", PATHOLOGICAL, ids=lambda t: repr(t[:12]))
def test_clean_pathological_megabyte_input_finishes(text: str) -> None:
    cleaned = clean_text(text)
    assert len(cleaned.text) <= len(text)
    assert isinstance(is_boilerplate_line(text), bool)


def _rule_torture_text(rule: Rule) -> str:
    """1 MB of near-miss lines built from a rule's own words and separators."""
    words = re.findall(r"[^\W\d_]+", rule.pattern.pattern) or ["x"]
    lines: list[str] = []
    size = 0
    for sep in itertools.cycle((" ", " | ", ": ", "(", "", ". ")):
        line = sep.join(itertools.islice(itertools.cycle(words), 400))[:399]
        lines.append(line)
        size += len(line) + 1
        if size >= MEGABYTE:
            return "\n".join(lines)
    raise AssertionError("unreachable")


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.name)
def test_clean_each_rule_finishes_on_megabyte_of_near_misses(rule: Rule) -> None:
    text = _rule_torture_text(rule)
    assert len(clean_text(text).text) <= len(text)


# --- the seeds ------------------------------------------------------------------------------


def _seed(prefix: str) -> str:
    found = sorted(SEEDS.glob(f"{prefix}_*.txt"))
    if not found:
        pytest.skip(f"seed {prefix} not found in {SEEDS} (needs the shared checkout)")
    return found[0].read_text(encoding="utf-8")


@pytest.mark.shared
def test_clean_seed_000_title_date_agency_and_text() -> None:
    layout = parse_text_layout(_seed("000"))
    cleaned = clean_text(layout.body, layout.title)
    assert layout.title == "Militär-Koalition: Russland bestätigt enge Zusammenarbeit mit Belarus"
    assert layout.published is not None
    assert (layout.published.year, layout.published.month) == (2022, 11)
    assert layout.precision is DatePrecision.MONTH
    assert cleaned.agencies == ("dpa",)
    for junk in ("Teilen", "© ITAR-TASS / IMAGO", "(dpa)"):
        assert junk not in cleaned.text
    assert not cleaned.text.endswith("Germany")
    assert cleaned.text.startswith("Bei einem Besuch in Minsk")
    assert "Minsk – Der Aufbau" in cleaned.text
    assert cleaned.text.endswith("sagte er.")


@pytest.mark.shared
def test_clean_seed_004_title_and_junk() -> None:
    content = _seed("004")
    layout = parse_text_layout(content)
    cleaned = clean_text(layout.body, layout.title)
    title_lines = [line.strip() for line in content.splitlines()[2:6] if line.strip()]
    assert layout.title in title_lines
    assert layout.published is None
    for junk in ("TheWorldNews", ".jpg", "(Foto: AP)", "Germany"):
        assert junk not in cleaned.text
    assert "Mehr als neun Monate nach dem Einmarsch" in cleaned.text
    assert cleaned.text.startswith("Belarus lehnt eine Beteiligung")


@pytest.mark.shared
def test_clean_seeds_idempotent() -> None:
    for prefix in ("000", "004"):
        layout = parse_text_layout(_seed(prefix))
        _assert_idempotent(layout.body, layout.title)
