"""From parsed fields to an analysed ``Article``: clean, language, terms, names, ids."""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from pathlib import PurePath
from urllib.parse import urlsplit

from storyline.errors import EmptyInput
from storyline.model import Article, Features, Parsed
from storyline.text.clean import clean_text, normalize_text
from storyline.text.language import detect_language
from storyline.text.names import NameMention, find_names
from storyline.text.tokens import content_terms, fold_text, tokenize

# An article needs some body to be compared with others; below this many words it is
# a teaser, a caption or an extraction failure.
MIN_ARTICLE_WORDS = 10

# The opening words of a news text state the event (who, what, where): they get a
# vector of their own. 40 words cover a headline and a lead sentence.
LEAD_WORDS = 40

# Leading characters hashed into an exact-content fingerprint; whole texts are hashed.
ID_HEX_CHARS = 16


_NOT_ALNUM = re.compile(r"[\W_]+")


def fingerprint(text: str) -> str:
    """Hash of the folded words: equal for copies that differ only in case, spacing or
    punctuation."""
    # Everything but letters and digits separates words (as str.isalnum has it).
    words = _NOT_ALNUM.sub(" ", fold_text(text)).split()
    return hashlib.sha256(" ".join(words).encode()).hexdigest()


def article_id(url: str | None, content_fingerprint: str) -> str:
    """Stable id: from the URL when known, so a re-crawl is the same article."""
    key = url.strip() if url else content_fingerprint
    return hashlib.sha256(key.encode()).hexdigest()[:ID_HEX_CHARS]


def default_source(parsed: Parsed) -> str:
    """The outlet: given, else the URL's host, else the file the text came from."""
    source = _one_line(parsed.source or "")
    if source:
        return source
    if parsed.url:
        host = urlsplit(parsed.url).hostname
        if host:
            return host.removeprefix("www.")
    return PurePath(parsed.origin.rsplit(":", 1)[0]).name or parsed.origin


def _one_line(text: str) -> str:
    """Titles and source names as the body is cleaned: repaired, without control or
    invisible characters (a NUL in a record's title), on one line."""
    return " ".join(normalize_text(text).split())


def _lead(description: str | None, text: str) -> str:
    """The teaser, when the body does not already start with it: it states the event."""
    if not description:
        return ""
    lead = " ".join(description.split())
    head = " ".join(text[: len(lead) + 200].split())
    return "" if lead[:100] in head else lead


def _name_forms(mentions: list[NameMention]) -> tuple[tuple[str, str, str], ...]:
    """Per name key, its commonest written form and kind: what entity pages show."""
    forms: dict[str, Counter[tuple[str, str]]] = {}
    for m in mentions:
        forms.setdefault(m.key, Counter())[(m.text, str(m.kind))] += 1
    return tuple(
        (key, *max(counter.items(), key=lambda kv: (kv[1], kv[0]))[0])
        for key, counter in sorted(forms.items())
    )


def _counts(items: list[str]) -> tuple[tuple[str, int], ...]:
    return tuple(sorted(Counter(items).items()))


def analyse(parsed: Parsed) -> Article:
    """Clean and analyse one parsed document; raises ``EmptyInput`` if nothing is left."""
    cleaned = clean_text(parsed.text, parsed.title)
    text = cleaned.text.strip()
    title = _one_line(parsed.title)
    lead = _lead(parsed.description, text)
    compared = f"{lead}\n\n{text}" if lead else text
    language = detect_language(f"{title}\n{compared}", parsed.language)
    body_tokens = list(tokenize(compared, language))
    title_tokens = list(tokenize(title, language))
    words = sum(not t.is_number for t in body_tokens) + len(title_tokens)
    if words < MIN_ARTICLE_WORDS or not text:
        raise EmptyInput(
            parsed.origin, f"fewer than {MIN_ARTICLE_WORDS} words of text after cleaning"
        )
    mentions = find_names(title, title_tokens, language) + find_names(
        compared, body_tokens, language
    )
    names = Counter(m.key for m in mentions)
    features = Features(
        title_terms=_counts(content_terms(title_tokens, language)),
        body_terms=_counts(content_terms(body_tokens, language)),
        names=tuple(sorted(names.items())),
        numbers=tuple(sorted({t.text for t in body_tokens if t.is_number})),
        lead_terms=_counts(content_terms(title_tokens + body_tokens[:LEAD_WORDS], language)),
        name_forms=_name_forms(mentions),
    )
    content_fingerprint = fingerprint(text)
    return Article(
        id=article_id(parsed.url, content_fingerprint),
        origin=parsed.origin,
        url=parsed.url,
        source=default_source(parsed),
        title=title,
        text=text,
        published=parsed.published,
        date_precision=parsed.date_precision,
        language=language,
        agencies=cleaned.agencies,
        authors=parsed.authors,
        fingerprint=content_fingerprint,
        features=features,
        removed=cleaned.removed,
    )
