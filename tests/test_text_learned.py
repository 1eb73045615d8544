"""Learned per-source boilerplate: template lines found from the corpus, prose kept."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from storyline.text.learned import MIN_ARTICLES, learn, line_key

NAV = "Startseite › Lokales › Bamberg und Umgebung"
PITCH = "Jeden Morgen die wichtigsten Nachrichten aus der Region: Jetzt den Frühstarter bestellen!"
FOOTER = "© 2024 Fränkischer Bote – Ihre Zeitung für Oberfranken"
BACKGROUND = "Russland hatte die Ukraine im Februar 2022 angegriffen."
WORDS = ("Rathaus", "Brücke", "Haushalt", "Feuerwehr", "Schule", "Verein", "Konzert", "Markt")


def article(n: int, *extra: str) -> str:
    topic = WORDS[n % len(WORDS)]
    body = [
        f"Der Stadtrat hat am Dienstag über {topic} Nummer {n} beraten und vieles beschlossen.",
        f"Bürgermeisterin Anna Beispiel sagte, {topic} {n} sei für die Stadt besonders wichtig.",
        f"Die Entscheidung über {topic} fällt nach Angaben der Verwaltung im Herbst {2000 + n}.",
    ]
    return "\n".join(
        [NAV, *body[:2], PITCH, body[2], *extra, f"{FOOTER[:2]}{2000 + n}{FOOTER[6:]}"]
    )


def corpus(count: int = 20) -> list[tuple[str, str]]:
    pairs = [("frankenbote.example", article(n)) for n in range(count)]
    pairs[3] = ("frankenbote.example", article(3, BACKGROUND))
    # another outlet with the same kind of line in too few articles to learn from
    pairs += [
        ("other.example", f"{PITCH}\nEigener Bericht Nummer {n} über den Markt.") for n in range(3)
    ]
    return pairs


def test_learned_template_lines_per_source() -> None:
    learned = learn(corpus())
    lines = {line_key(line): n for line, n in learned.per_source["frankenbote.example"]}
    assert lines == {line_key(NAV): 20, line_key(PITCH): 20, line_key(FOOTER): 20}
    assert "other.example" not in learned.per_source
    assert learned.articles == {"frankenbote.example": 20, "other.example": 3}
    assert "frankenbote.example: 3 lines learned from 20 articles" in learned.report()


def test_learned_clean_removes_template_keeps_prose() -> None:
    learned = learn(corpus())
    text = article(99, BACKGROUND)
    cleaned, removed = learned.clean(text, "frankenbote.example")
    assert NAV not in cleaned and PITCH not in cleaned and "Fränkischer Bote" not in cleaned
    assert "Stadtrat" in cleaned and BACKGROUND in cleaned
    assert removed == (NAV, PITCH, f"{FOOTER[:2]}2099{FOOTER[6:]}")
    assert learned.clean(cleaned, "frankenbote.example") == (cleaned, ())
    # other sources are untouched
    assert learned.clean(text, "other.example") == (text, ())


def test_learned_needs_enough_distinct_articles() -> None:
    # the same article crawled many times is one article, not a template
    copies = [("copies.example", article(1))] * 30
    assert learn(copies).per_source == {}
    few = [("few.example", article(n)) for n in range(MIN_ARTICLES - 1)]
    assert learn(few).per_source == {}


def test_learned_never_takes_agency_lines() -> None:
    # a source republishing wire copy names the agencies on every article: metadata
    credit = "Mit Material von dpa und AFP"
    pairs = [("wire.example", article(n, credit)) for n in range(10)]
    learned = learn(pairs)
    assert credit not in dict(learned.per_source["wire.example"])
    assert NAV in dict(learned.per_source["wire.example"])


def test_learned_paragraph_breaks_collapse() -> None:
    texts = [
        "\n\n".join(
            [
                NAV,
                f"Absatz über {w}, den Stadtrat, die Verwaltung und die Menschen, die hier leben.",
                PITCH,
                f"Schluss: {w} bleibt ein Thema für die nächste Sitzung.",
            ]
        )
        for w in WORDS
    ]
    learned = learn(("s", text) for text in texts)
    cleaned, _ = learned.clean(texts[0], "s")
    assert cleaned == "\n\n".join(texts[0].split("\n\n")[1::2])


def test_learned_refuses_to_gut_an_article() -> None:
    learned = learn(corpus())
    stub = f"{NAV}\n{PITCH}\nKurz."
    assert learned.clean(stub, "frankenbote.example") == (stub, ())


def test_learned_line_key_equalises_numbers_and_case() -> None:
    assert line_key("© 2023  Example  Verlag GmbH") == line_key("© 2024 example verlag gmbh")
    assert (
        line_key("Ja.") is None
        and line_key("x" * 500) is None
        and line_key("1234567890123") is None
    )


@given(
    st.lists(
        st.sampled_from([NAV, PITCH, FOOTER, BACKGROUND, "", "Ein Satz.", "Noch ein Satz hier."]),
        max_size=12,
    )
)
def test_learned_clean_is_idempotent(lines: list[str]) -> None:
    learned = learn(corpus())
    once, _ = learned.clean("\n".join(lines), "frankenbote.example")
    assert learned.clean(once, "frankenbote.example") == (once, ())
