"""Cookie, consent and login notices inside running text (all sentences written here)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from storyline.text.clean import clean_text
from storyline.text.notices import cut_notices, is_notice, sentences

NOTICES = (
    "Wir verwenden auf unserer Website Cookies und Analysedienste, um unser Angebot zu verbessern.",
    "Mit der weiteren Nutzung stimmen Sie der Verwendung von Cookies zu.",
    "Ich habe die Netiquette und die Datenschutzerklärung gelesen und akzeptiere diese.",
    "We use cookies to personalise content and ads on our website.",
    "By continuing to browse you consent to our privacy policy.",
    "Enter your email address to subscribe to our newsletter.",
    "Nous utilisons des cookies pour améliorer votre expérience sur notre site web.",
    "Utilizamos cookies propias y de terceros; al navegar usted acepta nuestra política "
    "de privacidad.",
)

PROSE = (
    "Die Stadt hat am Dienstag den Haushalt für das kommende Jahr beschlossen.",
    "Der Gemeinderat stimmte mit großer Mehrheit zu.",
    "Flooding closed the coastal road near the harbour on Monday.",
    "Engineers expect to reopen it next week, the mayor said.",
    "Le gouvernement a présenté son budget mercredi.",
)

# Reports about privacy, data and registration speak in the third person, or quote
# someone who does not address the reader: they stay.
REPORTS = (
    "The regulator fined the company for breaching privacy rules and collecting "
    "personal data without consent.",
    '"We protect the privacy of our customers and their personal data," a spokesman said.',
    "Die Datenschutzbeauftragte kritisierte, die Firma habe ohne Einwilligung "
    "personenbezogene Daten gesammelt.",
    "Hackers stole passwords and email addresses of two million users, the company said.",
    "Nach ihrer Registrierung auf den Inseln sollen die Migranten auf das Festland "
    "gebracht werden.",
)


@pytest.mark.parametrize("sentence", NOTICES)
def test_notices_recognised(sentence: str) -> None:
    assert is_notice(sentence)


@pytest.mark.parametrize("sentence", PROSE + REPORTS)
def test_notices_reports_about_privacy_kept(sentence: str) -> None:
    assert not is_notice(sentence)
    assert cut_notices(f"{PROSE[0]} {sentence} {PROSE[1]}") is None


def test_notices_banner_cut_from_a_flattened_paragraph() -> None:
    banner = " ".join(NOTICES[:2]) + " Weitere Informationen in der Datenschutzerklärung."
    line = f"{PROSE[0]} {banner} {PROSE[1]}"
    result = cut_notices(line)
    assert result is not None
    kept, cut = result
    assert kept == f"{PROSE[0]} {PROSE[1]}"
    # The short sentence next to the banner, touching one topic, goes with it.
    assert cut[-1] == "Weitere Informationen in der Datenschutzerklärung."


def test_notices_glued_sentences_are_separated() -> None:
    line = f"{PROSE[2]}{NOTICES[3]}{PROSE[3]}"
    assert sentences(line) == [PROSE[2], NOTICES[3], PROSE[3]]
    assert cut_notices(line) == (f"{PROSE[2]} {PROSE[3]}", (NOTICES[3],))


def test_notices_removed_by_clean_text() -> None:
    # (A short line with "we use cookies" is dropped whole by a line rule already.)
    text = f"{PROSE[2]} {NOTICES[4]} {PROSE[3]}\n\n{PROSE[0]}"
    cleaned = clean_text(text)
    assert cleaned.text == f"{PROSE[2]} {PROSE[3]}\n\n{PROSE[0]}"
    assert NOTICES[4] in cleaned.removed
    assert clean_text(cleaned.text).text == cleaned.text


def test_notices_a_page_of_only_a_banner_leaves_nothing() -> None:
    assert clean_text(" ".join(NOTICES[:3])).text == ""


@given(st.lists(st.sampled_from(PROSE + NOTICES), min_size=1, max_size=8))
def test_notices_cut_exactly_the_notices(chosen: list[str]) -> None:
    line = " ".join(chosen)
    result = cut_notices(line)
    prose = [s for s in chosen if s not in NOTICES]
    if result is None:
        assert prose == chosen
        return
    kept, cut = result
    assert kept == " ".join(prose)
    assert all(s in NOTICES for s in cut)
    assert cut_notices(kept) is None  # nothing left to cut: the cut is a fixed point


@given(st.lists(st.sampled_from(PROSE + REPORTS), min_size=1, max_size=8))
def test_notices_reports_never_cut(chosen: list[str]) -> None:
    assert cut_notices(" ".join(chosen)) is None


MEGABYTE = 1_000_000
PATHOLOGICAL = [
    "cookie privacy you " + "." * MEGABYTE,
    "cookie privacy you " + '."' * (MEGABYTE // 2),
    "Cookies Datenschutz Sie. " * (MEGABYTE // 25),
    "cookie privacy " + "a" * MEGABYTE,
    "cookie " * (MEGABYTE // 7),
    "cookies datenschutz sie" + "!?" * (MEGABYTE // 2) + "a",
]


@pytest.mark.parametrize("line", PATHOLOGICAL, ids=lambda t: repr(t[:24]))
def test_notices_megabyte_lines_finish(line: str) -> None:
    result = cut_notices(line)
    kept = line if result is None else result[0]
    assert len(kept) <= len(line)
    assert len(clean_text(line).text) <= len(line)
