"""Read articles from files, folders, globs and stdin: one RawDocument per item.

Nothing here raises for a bad item. Each unusable item comes out of
:func:`iter_documents` as an :class:`InputError`, in input order, and the batch goes
on. Sizes are checked before reading, so an oversized file is never loaded; JSON
Lines are streamed line by line, so a large dump is limited per article, not as a
whole. ``docs/input-formats.md`` describes the formats for users.
"""

from __future__ import annotations

import codecs
import glob
import json
import os
import re
import stat
import sys
from collections.abc import Iterator, Sequence
from enum import Enum
from typing import BinaryIO

from charset_normalizer import from_bytes

from storyline.config import Settings
from storyline.errors import (
    BinaryInput,
    EmptyInput,
    EncodingError,
    InputError,
    MalformedRecord,
    TooLarge,
)
from storyline.model import DocKind, RawDocument
from storyline.sources.records import json_type, record_fields

Item = RawDocument | InputError


class _Format(Enum):
    TEXT = "text"
    HTML = "html"
    JSON = "json"
    JSONL = "jsonl"
    SNIFF = "sniff"  # unknown extension: decide from the content


SUFFIX_FORMATS: dict[str, _Format] = {
    ".txt": _Format.TEXT,
    ".text": _Format.TEXT,
    ".md": _Format.TEXT,
    ".html": _Format.HTML,
    ".htm": _Format.HTML,
    ".xhtml": _Format.HTML,
    ".json": _Format.JSON,
    ".jsonl": _Format.JSONL,
    ".ndjson": _Format.JSONL,
}

_ASSETS = (".css", ".js", ".mjs", ".map", ".woff", ".woff2", ".ttf", ".otf", ".eot", ".ico")
_MEDIA = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg", ".bmp", ".tif", ".tiff", ".avif")
_AV = (".mp3", ".mp4", ".m4a", ".webm", ".ogg", ".wav", ".avi", ".mov")
_ARCHIVES = (".zip", ".gz", ".tgz", ".bz2", ".xz", ".zst", ".7z", ".rar", ".tar", ".warc")
_OFFICE = (".pdf", ".doc", ".docx", ".odt", ".xls", ".xlsx", ".ppt", ".pptx")
_DATA = (".csv", ".tsv", ".parquet", ".sqlite", ".db", ".pyc", ".exe", ".dll", ".so")
_FEEDS = (".xml", ".rss", ".atom", ".opml")
FOLDER_SKIPS = frozenset(_ASSETS + _MEDIA + _AV + _ARCHIVES + _OFFICE + _DATA + _FEEDS)
"""Suffixes skipped when walking a folder: page assets, media, archives, tables and
feeds are not articles (feeds and archives have sources of their own). Any other
file is read, since crawls save pages as .php, .asp or "spiegel.de"."""

WARC_SUFFIXES = (".warc", ".warc.gz")
"""Web archives, read record by record by ``storyline.sources.warc``."""

SNIFF_CHARS = 4096
"""A page's ``<html`` comes after at most a doctype, comments or a server warning."""

BINARY_CONTROL_SHARE = 0.05
"""Text holds almost no control bytes; compressed or random data holds ~10% (27 of
256 byte values), so half of that separates the two with room on both sides."""

BINARY_NUL_SHARE = 0.01
"""Real pages carry stray NUL padding (one in 10,000 bytes seen); binary formats pad
and count with zeros far above one byte in a hundred."""

UTF16_NUL_SHARE = 0.1
"""UTF-16 without a byte-order mark: Latin text has a NUL in nearly every other byte,
Cyrillic still in ~1 of 5 (spaces, digits); binary data spreads NULs over both."""

UTF8_MAX_BAD_SHARE = 0.05
"""Bad UTF-8 sequences per good non-ASCII character still read as UTF-8: a truncated
or spliced file breaks a handful, a file in another encoding breaks nearly all."""

CHARSET_MAX_CHAOS = 0.1
"""Confidence floor for charset detection: at most 10% of the decoded characters may
look out of place (charset-normalizer's "chaos"); worse guesses produce mojibake."""

LIKELY_CHARSETS = (
    "cp1252",
    "cp1250",
    "cp1251",
    "koi8_r",
    "iso8859_2",
    "iso8859_5",
    "iso8859_7",
    "iso8859_9",
    "iso8859_15",
    "cp1253",
    "cp1254",
    "cp1255",
    "cp1256",
    "cp874",
    "mac_roman",
    "shift_jis",
    "euc_jp",
    "iso2022_jp",
    "gb18030",
    "big5",
    "euc_kr",
)
"""Legacy encodings still seen on news sites, most common first (ties go to the
earlier one). Detection among exotic code pages turns short texts into nonsense."""

READ_CHUNK = 1 << 16
"""Bytes read at a time when streaming JSON Lines."""

_CONTROL_BYTES = bytes(b for b in range(32) if chr(b) not in "\t\n\r\f\v") + b"\x7f"
_CONTROL_CHARS: dict[int, None] = dict.fromkeys(_CONTROL_BYTES)
_DECLARED_CHARSET = re.compile(
    rb"""<(?:meta|\?xml)[^>]*?(?:charset|encoding)\s*=\s*["']?([A-Za-z0-9._:-]+)""",
    re.IGNORECASE,
)
_BOMS = (  # UTF-32 first: its little-endian mark begins with UTF-16's.
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def iter_documents(
    inputs: Sequence[str], settings: Settings, stdin: BinaryIO | None = None
) -> Iterator[Item]:
    """Yield a RawDocument per article, or an InputError per unusable item.

    ``inputs`` are files, folders (recursive, sorted, hidden names skipped), glob
    patterns and ``-`` for stdin. A file reached twice is read once.
    """
    seen: set[str] = set()
    limit = settings.max_input_bytes
    most = settings.max_records_per_file
    for name in inputs:
        if name == "-":
            stream = stdin if stdin is not None else sys.stdin.buffer
            yield from _at_most(_from_stdin(stream, limit), "stdin", most)
            continue
        for path in _expand(name):
            if isinstance(path, InputError):
                yield path
                continue
            key = os.path.realpath(path)
            if key not in seen:
                seen.add(key)
                yield from _at_most(_from_path(path, limit), path, most)


def _at_most(items: Iterator[Item], origin: str, most: int) -> Iterator[Item]:
    """The first ``most`` items of one input; then one error for the rest, unread."""
    for count, item in enumerate(items, 1):
        if count > most:
            yield TooLarge(
                origin,
                f"holds more than {most:,} records; the rest was not read: split it, or "
                "raise max_records_per_file (STORYLINE_MAX_RECORDS_PER_FILE)",
            )
            return
        yield item


def decode_bytes(data: bytes, origin: str) -> str:
    """Decode one item's bytes to text, or raise Binary-/EncodingError saying why.

    Tried in order: a byte-order mark (UTF-8/16/32), UTF-16 without a mark,
    UTF-8, UTF-8 with a few broken sequences, a charset declared in markup, and
    charset-normalizer detection above a confidence floor.
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return _checked_text(data.decode(codec), origin)
            except UnicodeDecodeError as exc:
                raise EncodingError(
                    origin,
                    f"starts with a {codec.upper()} byte-order mark but is not valid "
                    f"{codec.upper()} ({exc.reason} at byte {exc.start}); re-save it as UTF-8",
                ) from None
    data = data.removeprefix(codecs.BOM_UTF8)
    if b"\x00" in data:
        utf16 = _utf16_without_bom(data)
        if utf16 is not None:
            return _checked_text(_decode_or_binary(data, utf16, origin), origin)
        if data.count(0) > BINARY_NUL_SHARE * len(data):
            raise BinaryInput(
                origin, "holds NUL bytes, so it is binary data, not text, HTML or JSON"
            )
        # A stray run of NULs (CMS padding) in a text: drop it. No text encoding we
        # read uses a zero byte inside a character, so nothing else is touched.
        data = data.replace(b"\x00", b"")
    _refuse_control_bytes(data, origin)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        utf8_error = f"not UTF-8 ({exc.reason} at byte {exc.start})"
    mostly = _mostly_utf8(data)
    if mostly is not None:
        return mostly
    declared = _declared_charset(data)
    if declared is not None:
        return declared
    return _detected_charset(data, origin, utf8_error)


def _expand(name: str) -> Iterator[str | InputError]:
    """A named input -> the file paths it stands for, or an error for nothing found."""
    if os.path.isdir(name):
        found = False
        for path in _walk(name):
            found = True
            yield path
        if not found:
            yield InputError(
                name, "folder holds no files to read (hidden files and assets skipped)"
            )
    elif os.path.lexists(name) or not glob.has_magic(name):
        yield name  # a missing plain path is reported when it is opened
    else:
        matches = sorted(glob.glob(name, recursive=True))
        if not matches:
            yield InputError(name, "no file matches this pattern")
        for match in matches:
            yield from _walk(match) if os.path.isdir(match) else (match,)


def _walk(folder: str) -> Iterator[str]:
    """Files under ``folder`` in tree order; hidden names and FOLDER_SKIPS left out."""
    found: list[str] = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for file in files:
            suffix = os.path.splitext(file)[1].lower()
            is_warc = file.lower().endswith(WARC_SUFFIXES)
            if not file.startswith(".") and (suffix not in FOLDER_SKIPS or is_warc):
                found.append(os.path.join(root, file))
    yield from sorted(found, key=lambda path: os.path.relpath(path, folder).split(os.sep))


def _from_path(path: str, limit: int) -> Iterator[Item]:
    try:
        info = os.stat(path)
    except FileNotFoundError:
        yield InputError(path, "no such file or directory")
        return
    except OSError as exc:
        yield InputError(path, f"cannot read: {exc.strerror or exc}")
        return
    if not stat.S_ISREG(info.st_mode):
        yield InputError(path, "not a regular file; give a file, a folder or a glob")
        return
    if info.st_size == 0:
        yield EmptyInput(path, "file is empty")
        return
    if path.lower().endswith(WARC_SUFFIXES):
        from storyline.sources.warc import iter_warc  # here: warc imports this module

        yield from iter_warc(path, limit)  # records are limited one by one, not the file
        return
    fmt = SUFFIX_FORMATS.get(os.path.splitext(path)[1].lower(), _Format.SNIFF)
    try:
        with open(path, "rb") as stream:
            if fmt is _Format.JSONL:
                yield from _stream_jsonl(stream, path, limit, stream.read(READ_CHUNK))
            elif info.st_size <= limit:
                # Read limit + 1 so a file that grew since stat() is still caught.
                yield from _from_bytes(stream.read(limit + 1), path, fmt, limit)
            elif fmt is _Format.SNIFF and _starts_jsonl(head := stream.read(READ_CHUNK)):
                yield from _stream_jsonl(stream, path, limit, head)
            else:
                what = f"file is {info.st_size:,} bytes,"
                if fmt is _Format.JSON:
                    hint = " or save it as JSON Lines (.jsonl), read one article at a time"
                    yield TooLarge(path, _too_large_reason(what, limit, hint))
                else:
                    yield TooLarge(path, _too_large_reason(what, limit))
    except OSError as exc:
        yield InputError(path, f"cannot read: {exc.strerror or exc}")


def _from_stdin(stream: BinaryIO, limit: int) -> Iterator[Item]:
    data = _read_at_most(stream, limit + 1)
    if len(data) <= limit:
        yield from _from_bytes(data, "stdin", _Format.SNIFF, limit)
    elif _starts_jsonl(data):
        yield from _stream_jsonl(stream, "stdin", limit, data)
    else:
        yield TooLarge("stdin", _too_large_reason("input is", limit))


def _from_bytes(data: bytes, origin: str, fmt: _Format, limit: int) -> Iterator[Item]:
    if len(data) > limit:
        yield TooLarge(origin, _too_large_reason("input is", limit))
        return
    try:
        text = decode_bytes(data, origin)
    except InputError as exc:
        yield exc
        return
    if not text.strip():
        yield EmptyInput(origin, "holds only whitespace")
        return
    if fmt is _Format.SNIFF:
        fmt = _sniff(text)
    if fmt is _Format.TEXT:
        yield RawDocument(origin, DocKind.TEXT, content=text)
    elif fmt is _Format.HTML:
        yield RawDocument(origin, DocKind.HTML, content=text)
    elif fmt is _Format.JSONL:
        yield from _from_jsonl_text(text, origin)
    else:
        yield from _from_json_text(text, origin)


def _sniff(text: str) -> _Format:
    head = text[:SNIFF_CHARS].lstrip()
    if head.startswith("<") or "<html" in head.lower():
        return _Format.HTML
    # "[Update] Minister visits Minsk" is text; a JSON array of articles opens "[{".
    if head.startswith("{") or (head.startswith("[") and head[1:].lstrip()[:1] in ("{", "]")):
        return _Format.JSON
    return _Format.TEXT


def _from_json_text(text: str, origin: str) -> Iterator[Item]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        first = text.lstrip().split("\n", 1)[0]
        if exc.msg == "Extra data" and _json_object(first) is not None:
            yield from _from_jsonl_text(text, origin)  # JSON Lines saved as .json
        else:
            yield MalformedRecord(
                origin,
                f"invalid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}; "
                "fix the file or check it with a JSON validator",
            )
        return
    except RecursionError:
        yield MalformedRecord(origin, "JSON nested too deeply to be an article")
        return
    if isinstance(value, dict) and "articles" in value:
        value = value["articles"]
        if not isinstance(value, list):
            yield MalformedRecord(origin, '"articles" must be an array of article objects')
            return
    if isinstance(value, dict):
        yield _record(value, origin)
    elif isinstance(value, list):
        if not value:
            yield EmptyInput(origin, "JSON array holds no articles")
        for index, item in enumerate(value):
            yield _record(item, f"{origin}[{index}]")
    else:
        yield MalformedRecord(
            origin,
            "expected a JSON object, an array of objects, or an object with an "
            f'"articles" array; found {json_type(value)}',
        )


def _from_jsonl_text(text: str, origin: str) -> Iterator[Item]:
    # Split on "\n" only: str.splitlines() also breaks at U+2028 and other
    # separators that may stand unescaped inside JSON strings.
    empty = True
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            empty = False
            yield _record_from_line(line, f"{origin}:{number}")
    if empty:
        yield EmptyInput(origin, "holds no JSON lines")


def _stream_jsonl(stream: BinaryIO, origin: str, limit: int, head: bytes) -> Iterator[Item]:
    """JSON Lines read line by line, so the size limit applies to each article."""
    if head.startswith(tuple(bom for bom, _ in _BOMS)) or b"\x00" in head:
        # UTF-16/32 lines do not end at a b"\n" byte, and binary data has no lines:
        # read it whole, where the decoder tells the two apart.
        yield from _from_bytes(head + _read_at_most(stream, limit), origin, _Format.JSONL, limit)
        return
    try:
        _refuse_control_bytes(head, origin)
    except BinaryInput as exc:
        yield exc  # one error for a binary file, not one per "line"
        return
    empty = True
    for number, line in _iter_lines(stream, limit, head.removeprefix(codecs.BOM_UTF8)):
        line_origin = f"{origin}:{number}"
        if line is None:
            empty = False
            yield TooLarge(line_origin, _too_large_reason("line is", limit))
        elif line.strip():
            empty = False
            try:
                text = line.decode("utf-8")
            except UnicodeDecodeError:
                try:
                    text = decode_bytes(line, line_origin)
                except InputError as exc:
                    yield exc
                    continue
            yield _record_from_line(text, line_origin)
    if empty:
        yield EmptyInput(origin, "holds no JSON lines")


def _iter_lines(stream: BinaryIO, limit: int, head: bytes) -> Iterator[tuple[int, bytes | None]]:
    """(line number, bytes) per line; ``None`` for a line over ``limit``, never held whole."""
    buffer = bytearray(head)
    start = 0
    number = 0
    oversized = False
    while True:
        cut = buffer.find(b"\n", start)
        if cut >= 0:
            number += 1
            too_long = oversized or cut - start > limit
            yield number, None if too_long else bytes(buffer[start:cut])
            start, oversized = cut + 1, False
            continue
        del buffer[:start]
        start = 0
        if len(buffer) > limit:
            oversized = True
            buffer.clear()  # keep reading to the line's end without holding it
        chunk = stream.read(READ_CHUNK)
        if not chunk:
            break
        buffer += chunk
    if buffer or oversized:
        yield number + 1, None if oversized or len(buffer) > limit else bytes(buffer)


def _record_from_line(line: str, origin: str) -> Item:
    try:
        value = json.loads(line)
    except json.JSONDecodeError as exc:
        return MalformedRecord(
            origin,
            f"invalid JSON: {exc.msg} at column {exc.colno}; "
            "each line must hold one complete JSON object",
        )
    except RecursionError:
        return MalformedRecord(origin, "JSON nested too deeply to be an article")
    return _record(value, origin)


def _record(value: object, origin: str) -> Item:
    try:
        return RawDocument(origin, DocKind.RECORD, fields=record_fields(value, origin))
    except MalformedRecord as exc:
        return exc


def _json_object(line: str) -> dict[str, object] | None:
    try:
        value = json.loads(line)
    except (json.JSONDecodeError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def _starts_jsonl(head: bytes) -> bool:
    """Whether the first line of ``head`` is a complete JSON object."""
    first = head.removeprefix(codecs.BOM_UTF8).lstrip().split(b"\n", 1)[0]
    if not first.startswith(b"{"):
        return False
    try:
        return _json_object(first.decode("utf-8")) is not None
    except UnicodeDecodeError:
        return False


def _read_at_most(stream: BinaryIO, size: int) -> bytes:
    """Up to ``size`` bytes; loops because pipes may return short reads."""
    parts: list[bytes] = []
    remaining = size
    while remaining > 0:
        chunk = stream.read(min(remaining, READ_CHUNK))
        if not chunk:
            break
        parts.append(chunk)
        remaining -= len(chunk)
    return b"".join(parts)


def _refuse_control_bytes(data: bytes, origin: str) -> None:
    control = len(data) - len(data.translate(None, _CONTROL_BYTES))
    if control > BINARY_CONTROL_SHARE * len(data):
        raise BinaryInput(origin, _binary_reason(control / len(data)))


def _utf16_without_bom(data: bytes) -> str | None:
    even, odd = data[0::2].count(0), data[1::2].count(0)
    half = max(1, len(data) // 2)
    if odd >= UTF16_NUL_SHARE * half and even * 10 < odd:
        return "utf-16-le"
    if even >= UTF16_NUL_SHARE * half and odd * 10 < even:
        return "utf-16-be"
    return None


def _decode_or_binary(data: bytes, codec: str, origin: str) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        raise BinaryInput(
            origin, "holds NUL bytes, so it is binary data, not text, HTML or JSON"
        ) from None


def _checked_text(text: str, origin: str) -> str:
    """Refuse decoded text that is mostly control characters (binary read as UTF-16)."""
    control = len(text) - len(text.translate(_CONTROL_CHARS))
    if control > BINARY_CONTROL_SHARE * max(1, len(text)):
        raise BinaryInput(origin, _binary_reason(control / len(text)))
    return text


def _mostly_utf8(data: bytes) -> str | None:
    text = data.decode("utf-8", errors="replace")
    replaced = text.count("\ufffd")
    good = len(text) - len(text.encode("ascii", errors="ignore")) - replaced
    bad = replaced - data.count("\ufffd".encode())
    # One bad sequence is always allowed: a file cut at a size limit ends mid-character.
    return text if good > 0 and bad <= max(1.0, UTF8_MAX_BAD_SHARE * good) else None


def _declared_charset(data: bytes) -> str | None:
    match = _DECLARED_CHARSET.search(data[:SNIFF_CHARS])
    if match is None:
        return None
    name = match.group(1).decode("ascii").lower()
    # Browsers read pages labelled Latin-1 as windows-1252 (WHATWG Encoding); so do we.
    if name in {"iso-8859-1", "iso8859-1", "latin1", "latin-1", "us-ascii", "ascii"}:
        name = "cp1252"
    try:
        # A page labelled UTF-16 that reached this point has no NUL bytes, so the
        # label is wrong; the other Unicode labels failed as UTF-8 already.
        if codecs.lookup(name).name.startswith(("utf-", "utf_")):
            return None
        return data.decode(name)
    except (LookupError, ValueError):  # unknown label, or bytes that do not fit it
        return None


def _detected_charset(data: bytes, origin: str, utf8_error: str) -> str:
    candidates = list(from_bytes(data, cp_isolation=list(LIKELY_CHARSETS)))
    if candidates:
        best = min(
            candidates,
            key=lambda m: (m.chaos, -m.coherence, _preference(m.could_be_from_charset)),
        )
        if best.chaos <= CHARSET_MAX_CHAOS:
            encoding = min(best.could_be_from_charset, key=lambda name: _preference([name]))
            return data.decode(encoding)
        guess = f"the best guess, {best.encoding}, leaves {best.chaos:.0%} of it garbled"
    else:
        guess = "no common encoding fits"
    raise EncodingError(
        origin, f"cannot decode: {utf8_error}, and {guess}; re-save the file as UTF-8"
    )


def _preference(names: list[str]) -> int:
    ranks = [LIKELY_CHARSETS.index(n) for n in names if n in LIKELY_CHARSETS]
    return min(ranks, default=len(LIKELY_CHARSETS))


def _binary_reason(share: float) -> str:
    return (
        f"{share:.0%} of its bytes are control characters, so it is binary data, "
        "not text, HTML or JSON"
    )


def _too_large_reason(what: str, limit: int, hint: str = " or split the input") -> str:
    return (
        f"{what} over the limit of {limit:,} bytes; raise max_input_bytes "
        f"(STORYLINE_MAX_INPUT_BYTES){hint}"
    )
