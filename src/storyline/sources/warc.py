"""Read WARC and WARC.gz files (Common Crawl's CC-NEWS layout): one document per article.

Records are framed by ``storyline.sources.warc_framing``, which keeps every step
bounded on hostile input (gzip bombs included); a record's block is read only when its
declared length is within ``max_input_bytes``. warcio parses the HTTP part of a record
(status, headers, chunked and compressed payloads).

HTML ``response`` records become ``RawDocument(kind=HTML)`` with ``url`` and
``crawled`` fields. Pages that are not articles (errors, redirects, images, robots.txt,
home and section pages, tiny bodies) come out as :class:`SkippedRecord` with the reason;
other record types (warcinfo, request, metadata, revisit) are not pages and are passed over.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from urllib.parse import urlsplit

from warcio.bufferedreaders import BufferedReader  # type: ignore[import-untyped]
from warcio.recordloader import ArcWarcRecordLoader  # type: ignore[import-untyped]

from storyline.errors import InputError, Skipped, TooLarge
from storyline.model import DocKind, RawDocument
from storyline.sources.files import SNIFF_CHARS, decode_bytes
from storyline.sources.warc_framing import CutShort, FramingError, RecordStream, read_header

MIN_PAGE_BYTES = 512
"""An article page carries a head, markup and paragraphs; smaller bodies are error
stubs, meta-refresh redirects and empty responses."""

MAX_SECTION_PATH_CHARS = 12
"""URL paths this short without a digit are home and section pages ("/", "/en/",
"/politik/", "/news/world"); article paths carry a slug or an id."""

HTML_TYPES = ("text/html", "application/xhtml+xml")

_INDEX_FILE = re.compile(r"(?:^|/)(?:index|default|home)\.[a-z]{2,5}$", re.IGNORECASE)
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)
_LATIN1 = frozenset({"iso-8859-1", "iso8859-1", "latin1", "latin-1", "us-ascii", "ascii"})
_LOADER = ArcWarcRecordLoader(verify_http=False, arc2warc=False)


class SkippedRecord(Skipped):
    """A WARC record that is a capture but not an article page (404, image, robots.txt)."""


def iter_warc(path: str, limit: int) -> Iterator[RawDocument | InputError]:
    """Yield a RawDocument per article page in a WARC(.gz) file, or an InputError per skip."""
    try:
        with open(path, "rb") as raw:
            yield from _records(RecordStream(raw), path, limit)
    except OSError as exc:
        yield InputError(path, f"cannot read: {exc.strerror or exc}")


def _records(stream: RecordStream, path: str, limit: int) -> Iterator[RawDocument | InputError]:
    number = 0
    while True:
        number += 1
        origin = f"{path}#record-{number}"
        try:
            header = read_header(stream)
            if header is None:
                return
            is_response = _header_value(header, b"WARC-Type") == b"response"
            length = _content_length(header)
            if length is None:
                raise FramingError("its header has no Content-Length")
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
                raise CutShort
        except CutShort:
            yield InputError(origin, "record is cut short: the file ends inside it")
            return
        except FramingError as exc:
            yield InputError(origin, f"not a WARC record ({exc}); skipped to the next one")
            stream.resync()
            continue
        if is_response:
            yield _document(header, block, origin, limit)


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
    if not (len(status) == 3 and status.isdigit()):
        return "no valid HTTP status line, not a capture of a page"
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
