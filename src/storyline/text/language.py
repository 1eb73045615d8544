"""Language identification on a prefix of the text (py3langid)."""

from __future__ import annotations

import py3langid

# Identification is stable after a few hundred characters and costs time linear
# in the input, so only a prefix is classified.
LANGUAGE_PREFIX_CHARS = 1200

# Below this many letters the identifier guesses; such texts are marked unknown.
MIN_LETTERS_FOR_LANGUAGE = 20

UNKNOWN_LANGUAGE = "und"


def detect_language(text: str, hint: str | None = None) -> str:
    """ISO 639-1 code of ``text``; a two-letter ``hint`` from the source wins."""
    if hint:
        code = hint.strip().lower().replace("_", "-").split("-")[0]
        if len(code) == 2 and code.isalpha():
            return code
    prefix = text[:LANGUAGE_PREFIX_CHARS]
    if sum(ch.isalpha() for ch in prefix) < MIN_LETTERS_FOR_LANGUAGE:
        return UNKNOWN_LANGUAGE
    code, _score = py3langid.classify(prefix)
    return str(code)
