"""One exception tree for Storyline; each message says what went wrong and what to do.

StorylineError
├── InputError          a single input item is unusable (recorded, batch goes on)
│   ├── EmptyInput
│   ├── BinaryInput
│   ├── EncodingError
│   ├── TooLarge
│   └── MalformedRecord
├── NotFound            an id or path that does not exist (HTTP 404)
├── ConfigError         a setting has a value Storyline cannot use
└── StoreError          the database refused an operation
"""

from __future__ import annotations


class StorylineError(Exception):
    """Base of every error Storyline raises on purpose."""

    status_code = 500


class InputError(StorylineError):
    """One input item cannot be ingested; the batch records it and goes on."""

    status_code = 422

    def __init__(self, origin: str, reason: str) -> None:
        super().__init__(f"{origin}: {reason}")
        self.origin = origin
        self.reason = reason


class EmptyInput(InputError):
    """The item holds no text to ingest."""


class BinaryInput(InputError):
    """The item is binary data, not text, HTML or JSON."""


class EncodingError(InputError):
    """The item's bytes could not be decoded as text."""


class TooLarge(InputError):
    """The item is larger than the configured limit."""


class MalformedRecord(InputError):
    """A JSON record is invalid or lacks the fields an article needs."""


class Skipped(InputError):
    """The item is readable but not an article (an archive's 404 page, an image)."""


class NotFound(StorylineError):
    """A story, article or path that does not exist."""

    status_code = 404


class ConfigError(StorylineError):
    """A setting has a value Storyline cannot use."""

    status_code = 400


class StoreError(StorylineError):
    """The database refused an operation."""
