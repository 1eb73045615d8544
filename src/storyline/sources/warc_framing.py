"""Frame WARC records out of a plain or gzip-compressed file, with every step bounded.

warcio's iterator reads header lines without a length limit and inflates a record to
skip it, so a hostile file can take unbounded memory or time. Here a record header is
read line by line up to ``MAX_HEADER_BYTES``, gzip is inflated at most ``READ_CHUNK``
bytes at a time, and a record too large to read is skipped without inflating it: the
reader scans the compressed bytes for the next gzip member (WARC.gz holds one member
per record), so a gzip bomb costs a scan of its compressed size, never its expansion.
A file that is one gzip stream over all records is read as well, record by record.
"""

from __future__ import annotations

import io
import zlib
from typing import BinaryIO

__all__ = ["MAX_HEADER_BYTES", "CutShort", "FramingError", "RecordStream", "read_header"]

READ_CHUNK = 1 << 16
"""Bytes inflated or read at a time: bounds the memory any one step can take."""

MAX_HEADER_BYTES = 64 * 1024
"""WARC plus HTTP headers of real captures stay under a few kB (cookies and CSPs
included); 64 kB is generous, and a "header" without end is garbage or a bomb."""

RESYNC_PROBE = 1024
"""Compressed bytes tried at a candidate gzip header: enough for the header with its
optional fields and the first inflated bytes of a record."""

_GZIP_MAGIC = b"\x1f\x8b\x08"
_WARC_START = b"WARC/"


class FramingError(Exception):
    """The bytes at this point are not a WARC record header."""


class CutShort(FramingError):
    """The file ends inside a record."""


class RecordStream:
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
                raise FramingError(f"gzip data is corrupt ({exc})") from None
            self.pending = self.inflater.unconsumed_tail or self.inflater.unused_data
            if out:
                self.buffer += out
                return True

    def readline(self, limit: int) -> bytes:
        """One line with its newline (b"" at the end); FramingError past ``limit`` bytes."""
        start = 0
        while (cut := self.buffer.find(b"\n", start)) < 0:
            if len(self.buffer) > limit:
                raise FramingError(f"a header line runs past {limit:,} bytes")
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


def read_header(stream: RecordStream) -> bytes | None:
    """The WARC header block of the next record, or None at the end of the file."""
    line = stream.readline(MAX_HEADER_BYTES)
    blank = 0
    while line in (b"\r\n", b"\n"):  # records are followed by two blank lines
        blank += 1
        if blank > MAX_HEADER_BYTES // 2:
            raise FramingError("a run of blank lines instead of a record")
        line = stream.readline(MAX_HEADER_BYTES)
    if not line:
        return None
    if not line.startswith(_WARC_START):
        raise FramingError(f"expected a WARC/1.x version line, found {line[:40]!r}")
    lines = [line]
    size = len(line)
    while line not in (b"\r\n", b"\n"):
        line = stream.readline(MAX_HEADER_BYTES)
        size += len(line)
        if not line:
            raise CutShort
        if size > MAX_HEADER_BYTES:
            raise FramingError(f"header does not end within {MAX_HEADER_BYTES:,} bytes")
        lines.append(line)
    return b"".join(lines)
