"""Read WARC and WARC.gz files (Common Crawl's CC-NEWS layout): one document per article.

Records are framed here rather than by warcio's iterator, so every limit holds on
hostile input: a record header is read line by line up to ``MAX_HEADER_BYTES``; a
block is read only when its declared length is within ``max_input_bytes``; gzip is
inflated in steps of at most ``READ_CHUNK`` bytes. A record too large to read is not
inflated to be skipped: the reader scans the compressed bytes for the next gzip member
(WARC.gz holds one member per record), so a gzip bomb costs a scan of its compressed
size, never its expansion. warcio parses the HTTP part of a record (status, headers,
chunked and compressed payloads).

HTML ``response`` records become ``RawDocument(kind=HTML)`` with ``url`` and
``crawled`` fields. Pages that are not articles (errors, redirects, images, robots.txt,
home and section pages, tiny bodies) come out as :class:`SkippedRecord` with the reason;
other record types (warcinfo, request, metadata, revisit) are not pages and are passed over.
"""

from __future__ import annotations

import io
import re
import zlib
from collections.abc import Iterator
from typing import BinaryIO
from urllib.parse import urlsplit

from warcio.bufferedreaders import BufferedReader  # type: ignore[import-untyped]
from warcio.recordloader import ArcWarcRecordLoader  # type: ignore[import-untyped]

from storyline.errors import InputError, TooLarge
from storyline.model import DocKind, RawDocument
from storyline.sources.files import SNIFF_CHARS, decode_bytes

READ_CHUNK = 1 << 16
"""Bytes inflated or read at a time: bounds the memory any one step can take."""

MAX_HEADER_BYTES = 64 * 1024
"""WARC plus HTTP headers of real captures stay under a few kB (cookies and CSPs
included); 64 kB is generous, and a "header" without end is garbage or a bomb."""

MIN_PAGE_BYTES = 512
"""An article page carries a head, markup and paragraphs; smaller bodies are error
stubs, meta-refresh redirects and empty responses."""

MAX_SECTION_PATH_CHARS = 12
"""URL paths this short without a digit are home and section pages ("/", "/en/",
"/politik/", "/news/world"); article paths carry a slug or an id."""

RESYNC_PROBE = 1024
"""Compressed bytes tried at a candidate gzip header: enough for the header with its
optional fields and the first inflated bytes of a record."""

HTML_TYPES = ("text/html", "application/xhtml+xml")

_GZIP_MAGIC = b"\x1f\x8b\x08"
_WARC_START = b"WARC/"
_INDEX_FILE = re.compile(r"(?:^|/)(?:index|default|home)\.[a-z]{2,5}$", re.IGNORECASE)
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)
_LATIN1 = frozenset({"iso-8859-1", "iso8859-1", "latin1", "latin-1", "us-ascii", "ascii"})
_LOADER = ArcWarcRecordLoader(verify_http=False, arc2warc=False)


class SkippedRecord(InputError):
    """A WARC record that is a capture but not an article page (404, image, robots.txt)."""


class _Framing(Exception):
    """The bytes at this point are not a WARC record header."""


class _CutShort(_Framing):
    """The file ends inside a record."""


class _Stream:
    """A buffered byte stream over a plain or multi-member gzip file, bounded per step."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw = raw
        self.buffer = bytearray()
        self.pending = b""  # compressed input not yet inflated
        head = raw.read(len(_GZIP_MAGIC))
        self.gzip = head == _GZIP_MAGIC
        self.inflater: zlib._Decompress | None = None
        if self.gzip:
            self.pending = head
            self.inflater = zlib.decompressobj(wbits=31)
        else:
            self.buffer += head

    def _fill(self) -> bool:
        """Add at most READ_CHUNK bytes to the buffer; False at the end of the file."""
        if not self.gzip:
            chunk = self.raw.read(READ_CHUNK)
            self.buffer += chunk
            return bool(chunk)
        while True:
            if not self.pending:
                self.pending = self.raw.read(READ_CHUNK)
                if not self.pending:
                    return False
            assert self.inflater is not None
            if self.inflater.eof:  # one member done; the next starts in unused_data
                self.inflater = zlib.decompressobj(wbits=31)
            try:
                out = self.inflater.decompress(self.pending, READ_CHUNK)
            except zlib.error as exc:
                raise _Framing(f"gzip data is corrupt ({exc})") from None
            self.pending = self.inflater.unconsumed_tail or self.inflater.unused_data
            if out:
                self.buffer += out
                return True

    def readline(self, limit: int) -> bytes:
        """One line with its newline (b"" at the end); _Framing past ``limit`` bytes."""
        start = 0
        while (cut := self.buffer.find(b"\n", start)) < 0:
            if len(self.buffer) > limit:
                raise _Framing(f"a header line runs past {limit:,} bytes")
            start = len(self.buffer)
            if not self._fill():
                cut = len(self.buffer) - 1
                break
        line = bytes(self.buffer[: cut + 1])
        del self.buffer[: cut + 1]
        return line

    def read(self, size: int) -> bytes:
        while len(self.buffer) < size and self._fill():
            pass
        data = bytes(self.buffer[:size])
        del self.buffer[:size]
        return data

    def skip(self, size: int) -> None:
        """Pass over ``size`` bytes of a plain file; in gzip, jump to the next member."""
        if self.gzip:
            self.resync()
            return
        buffered = min(size, len(self.buffer))
        del self.buffer[:buffered]
        size -= buffered
        if self.raw.seekable():
            self.raw.seek(size, io.SEEK_CUR)
        else:
            while size > 0 and (chunk := self.raw.read(min(size, READ_CHUNK))):
                size -= len(chunk)

    def resync(self) -> None:
        """Move to the next record start without inflating what lies between."""
        self.buffer.clear()
        if not self.gzip:
            self._resync_plain()
            return
        window = self.pending
        while True:
            at = window.find(_GZIP_MAGIC)
            while at >= 0:
                probe = window[at : at + RESYNC_PROBE]
                if len(probe) < RESYNC_PROBE and (more := self.raw.read(READ_CHUNK)):
                    window += more
                    continue
                if _inflates_to_warc(probe):
                    self.pending, self.inflater = window[at:], zlib.decompressobj(wbits=31)
                    return
                at = window.find(_GZIP_MAGIC, at + 1)
            more = self.raw.read(READ_CHUNK)
            if not more:
                self.pending = b""
                return
            window = window[1 - len(_GZIP_MAGIC) :] + more  # a header may span chunks

    def _resync_plain(self) -> None:
        while self._fill():
            at = self.buffer.find(b"\n" + _WARC_START)
            if at >= 0:
                del self.buffer[: at + 1]
                return
            del self.buffer[: -len(_WARC_START)]


def _inflates_to_warc(probe: bytes) -> bool:
    try:
        return zlib.decompressobj(wbits=31).decompress(probe, 16).startswith(_WARC_START)
    except zlib.error:
        return False


def iter_warc(path: str, limit: int) -> Iterator[RawDocument | InputError]:
    """Yield a RawDocument per article page in a WARC(.gz) file, or an InputError per skip."""
    try:
        with open(path, "rb") as raw:
            yield from _records(_Stream(raw), path, limit)
    except OSError as exc:
        yield InputError(path, f"cannot read: {exc.strerror or exc}")


def _records(stream: _Stream, path: str, limit: int) -> Iterator[RawDocument | InputError]:
    number = 0
    while True:
        number += 1
        origin = f"{path}#record-{number}"
        try:
            header = _read_header(stream)
            if header is None:
                return
            is_response = _header_value(header, b"WARC-Type") == b"response"
            length = _content_length(header)
            if length is None:
                raise _Framing("its header has no Content-Length")
            if length > limit:
                stream.skip(length)
                if is_response:
                    yield TooLarge(
                        f"{origin} {_target(header)}",
                        f"record is {length:,} bytes, over the limit of {limit:,} bytes; "
                        "raise max_input_bytes (STORYLINE_MAX_INPUT_BYTES)",
                    )
                continue
            block = stream.read(length)
            if len(block) < length:
                raise _CutShort
        except _CutShort:
            yield InputError(origin, "record is cut short: the file ends inside it")
            return
        except _Framing as exc:
            yield InputError(origin, f"not a WARC record ({exc}); skipped to the next one")
            stream.resync()
            continue
        if is_response:
            yield _document(header, block, origin, limit)


def _read_header(stream: _Stream) -> bytes | None:
    """The WARC header block of the next record, or None at the end of the file."""
    line = stream.readline(MAX_HEADER_BYTES)
    blank = 0
    while line in (b"\r\n", b"\n"):  # records are followed by two blank lines
        blank += 1
        if blank > MAX_HEADER_BYTES // 2:
            raise _Framing("a run of blank lines instead of a record")
        line = stream.readline(MAX_HEADER_BYTES)
    if not line:
        return None
    if not line.startswith(_WARC_START):
        raise _Framing(f"expected a WARC/1.x version line, found {line[:40]!r}")
    lines = [line]
    size = len(line)
    while line not in (b"\r\n", b"\n"):
        line = stream.readline(MAX_HEADER_BYTES)
        size += len(line)
        if not line:
            raise _CutShort
        if size > MAX_HEADER_BYTES:
            raise _Framing(f"header does not end within {MAX_HEADER_BYTES:,} bytes")
        lines.append(line)
    return b"".join(lines)


def _header_value(header: bytes, name: bytes) -> bytes | None:
    m = re.search(rb"^" + re.escape(name) + rb"[ \t]*:[ \t]*(.*?)[ \t]*\r?$", header, re.M | re.I)
    return m.group(1) if m else None


def _content_length(header: bytes) -> int | None:
    value = _header_value(header, b"Content-Length")
    return int(value) if value is not None and value.isdigit() else None


def _target(header: bytes) -> str:
    return (_header_value(header, b"WARC-Target-URI") or b"").decode("utf-8", "replace").strip("<>")


def _document(header: bytes, block: bytes, origin: str, limit: int) -> RawDocument | InputError:
    """One response record as a page, or the reason it is skipped."""
    url = _target(header)
    named = f"{origin} {url}"
    try:
        record = _LOADER.parse_record_stream(io.BytesIO(header + block))
    except Exception as exc:  # warcio raises several types on a malformed HTTP head
        return InputError(named, f"HTTP response cannot be parsed ({exc})")
    http = record.http_headers
    if http is None or not url.startswith(("http://", "https://")):
        return SkippedRecord(named, "not an HTTP capture")
    content_type = http.get_header("Content-Type") or ""
    reason = _not_an_article(url, http.get_statuscode(), content_type)
    if reason:
        return SkippedRecord(named, reason)
    encoding = (http.get_header("Content-Encoding") or "identity").lower()
    if encoding not in ("identity", "none", *BufferedReader.get_supported_decompressors()):
        return SkippedRecord(named, f"payload compressed as {encoding!r}, which cannot be read")
    try:
        payload = record.content_stream().read(limit + 1)
    except Exception as exc:  # a broken chunked or compressed payload in one record
        return InputError(named, f"payload cannot be read ({exc})")
    if len(payload) > limit:
        return TooLarge(named, f"page is over the limit of {limit:,} bytes (max_input_bytes)")
    if len(payload) < MIN_PAGE_BYTES:
        return SkippedRecord(named, f"body of {len(payload)} bytes is too small to be an article")
    try:
        html = _decode(payload, content_type, named)
    except InputError as exc:
        return exc
    if not content_type and "<html" not in html[:SNIFF_CHARS].lower():
        return SkippedRecord(named, "no content type, and the body is not HTML")
    crawled = (_header_value(header, b"WARC-Date") or b"").decode("ascii", "replace")
    return RawDocument(origin, DocKind.HTML, html, {"url": url, "crawled": crawled or None})


def _not_an_article(url: str, status: str, content_type: str) -> str | None:
    parts = urlsplit(url)
    path = _INDEX_FILE.sub("", parts.path).strip("/")
    if path.lower() == "robots.txt":
        return "robots.txt, not a page"
    if status != "200":
        return f"HTTP status {status}, not a page"
    media = content_type.split(";", 1)[0].strip().lower()
    if media and media not in HTML_TYPES:
        return f"content type {media}, not a web page"
    has_id = any(c.isdigit() for c in path + parts.query)
    if not path and not has_id:
        return "home page, not an article"
    if len(path) <= MAX_SECTION_PATH_CHARS and not has_id:
        return f"section page /{path}, not an article"
    return None


def _decode(payload: bytes, content_type: str, origin: str) -> str:
    """Bytes to text: valid UTF-8, else the HTTP charset, else Storyline's file decoding."""
    m = _CHARSET.search(content_type)
    label = m.group(1).lower() if m else "utf-8"
    if not label.startswith("utf"):
        try:  # servers label by default: a UTF-8 page sent as Latin-1 is still UTF-8
            return payload.decode("utf-8")
        except UnicodeDecodeError:
            pass
        try:  # browsers read Latin-1 labels as windows-1252 (WHATWG Encoding)
            return payload.decode("cp1252" if label in _LATIN1 else label)
        except (LookupError, UnicodeDecodeError):
            pass  # a wrong label; the bytes and the markup decide
    return decode_bytes(payload, origin)
