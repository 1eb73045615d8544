"""Reading inputs: formats, folders, globs, stdin, and one error per bad item."""

from __future__ import annotations

import io
import json
import os
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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
from storyline.sources.files import decode_bytes, iter_documents

GERMAN = "Schoigu bekräftigt in Minsk die Zusammenarbeit. Größere Übungen folgen."
RECORD = {"title": "Schoigu in Minsk", "maintext": GERMAN, "date_publish": "2022-11-30"}


def read(*inputs: str | Path, limit: int = 10_000_000) -> list[RawDocument | InputError]:
    return list(iter_documents([str(i) for i in inputs], Settings(max_input_bytes=limit)))


def only(items: list[RawDocument | InputError]) -> RawDocument | InputError:
    assert len(items) == 1, items
    return items[0]


def write(path: Path, data: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("a.txt", DocKind.TEXT),
        ("a.text", DocKind.TEXT),
        ("a.md", DocKind.TEXT),
        ("a.html", DocKind.HTML),
        ("a.HTM", DocKind.HTML),
        ("a.xhtml", DocKind.HTML),
    ],
)
def test_files_kind_by_extension(tmp_path: Path, name: str, kind: DocKind) -> None:
    doc = only(read(write(tmp_path / name, f"<p>{GERMAN}</p>")))
    assert isinstance(doc, RawDocument)
    assert doc.kind is kind
    assert doc.origin == str(tmp_path / name)
    assert GERMAN in doc.content


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        ("<!DOCTYPE html><html><body><p>x</p></body></html>", DocKind.HTML),
        ("PHP Warning: something\n<html><body><p>x</p></body></html>", DocKind.HTML),
        (json.dumps(RECORD), DocKind.RECORD),
        ("[Update] Schoigu in Minsk\n\n" + GERMAN, DocKind.TEXT),
        ("date 2022-11 Schoigu in Minsk\n\n" + GERMAN, DocKind.TEXT),
    ],
)
def test_files_sniff_unknown_extension(tmp_path: Path, content: str, kind: DocKind) -> None:
    doc = only(read(write(tmp_path / "article", content)))
    assert isinstance(doc, RawDocument) and doc.kind is kind


def test_files_sniff_jsonl_without_extension(tmp_path: Path) -> None:
    lines = "\n".join(json.dumps(RECORD) for _ in range(3))
    items = read(write(tmp_path / "dump.dat", lines))
    assert [i.origin for i in items] == [f"{tmp_path / 'dump.dat'}:{n}" for n in (1, 2, 3)]


def test_files_json_shapes(tmp_path: Path) -> None:
    one = write(tmp_path / "one.json", json.dumps(RECORD))
    many = write(tmp_path / "many.json", json.dumps([RECORD, RECORD]))
    wrapped = write(tmp_path / "wrapped.json", json.dumps({"articles": [RECORD]}))
    items = read(one, many, wrapped)
    assert all(isinstance(i, RawDocument) and i.kind is DocKind.RECORD for i in items)
    assert [i.origin for i in items] == [
        str(one),
        f"{many}[0]",
        f"{many}[1]",
        f"{wrapped}[0]",
    ]
    first = items[0]
    assert isinstance(first, RawDocument)
    assert first.fields["title"] == "Schoigu in Minsk"
    assert first.fields["text"] == GERMAN


def test_files_json_lines_saved_as_json(tmp_path: Path) -> None:
    path = write(tmp_path / "dump.json", f"{json.dumps(RECORD)}\n{json.dumps(RECORD)}\n")
    assert [i.origin for i in read(path)] == [f"{path}:1", f"{path}:2"]


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ('{"title": "x", "maintext": ', "invalid JSON"),
        ('"just a string"', "found a string"),
        ('{"articles": "none"}', '"articles" must be an array'),
        ('{"title": "no text here"}', "no article text"),
        ("[" * 100_000, "JSON"),
    ],
)
def test_files_json_malformed(tmp_path: Path, content: str, needle: str) -> None:
    error = only(read(write(tmp_path / "bad.json", content)))
    assert isinstance(error, MalformedRecord)
    assert needle in error.reason


def test_files_json_empty_array(tmp_path: Path) -> None:
    assert isinstance(only(read(write(tmp_path / "none.json", "[]"))), EmptyInput)


def test_files_jsonl_invalid_line_among_valid(tmp_path: Path) -> None:
    lines = [json.dumps(RECORD), '{"title": "broken", ', "", json.dumps(RECORD), "[1, 2]"]
    path = write(tmp_path / "dump.jsonl", "\n".join(lines) + "\n")
    items = read(path)
    assert [type(i) for i in items] == [RawDocument, MalformedRecord, RawDocument, MalformedRecord]
    assert [i.origin for i in items] == [f"{path}:{n}" for n in (1, 2, 4, 5)]
    broken = items[1]
    assert isinstance(broken, MalformedRecord)
    assert broken.reason.startswith("invalid JSON:") and "column" in broken.reason
    assert str(broken).startswith(f"{path}:2: ")


def test_files_jsonl_line_over_limit_is_skipped_alone(tmp_path: Path) -> None:
    big = dict(RECORD, maintext="x" * 5000)
    lines = [json.dumps(RECORD), json.dumps(big), json.dumps(RECORD)]
    path = write(tmp_path / "dump.ndjson", "\r\n".join(lines))
    items = read(path, limit=1000)
    assert [type(i) for i in items] == [RawDocument, TooLarge, RawDocument]
    assert items[1].origin == f"{path}:2"


def test_files_jsonl_only_blank_lines(tmp_path: Path) -> None:
    assert isinstance(only(read(write(tmp_path / "blank.jsonl", "\n  \n"))), EmptyInput)


def test_files_empty_file(tmp_path: Path) -> None:
    error = only(read(write(tmp_path / "empty.txt", b"")))
    assert isinstance(error, EmptyInput) and error.reason == "file is empty"


def test_files_whitespace_file(tmp_path: Path) -> None:
    assert isinstance(only(read(write(tmp_path / "blank.txt", " \n\t\n"))), EmptyInput)


def test_files_stray_nul_bytes_in_a_page_are_dropped(tmp_path: Path) -> None:
    padding = "\x00" * 10
    page = f"<html><body><img src='a.gif'>{padding}<p>{GERMAN * 30}</p></body></html>"
    doc = only(read(write(tmp_path / "page.html", page)))
    assert isinstance(doc, RawDocument) and "\x00" not in doc.content and GERMAN in doc.content


def test_files_binary_with_nul_bytes(tmp_path: Path) -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8
    error = only(read(write(tmp_path / "photo.txt", png)))
    assert isinstance(error, BinaryInput) and "binary" in error.reason


def test_files_binary_by_control_characters(tmp_path: Path) -> None:
    data = bytes(b % 32 for b in range(200)) + b"mostly control bytes"
    data = data.replace(b"\x00", b"\x01")
    error = only(read(write(tmp_path / "blob.jsonl", data)))
    assert isinstance(error, BinaryInput) and "control characters" in error.reason


def test_files_latin1(tmp_path: Path) -> None:
    doc = only(read(write(tmp_path / "latin1.txt", GERMAN.encode("latin-1"))))
    assert isinstance(doc, RawDocument) and doc.content == GERMAN


def test_files_cp1252_prefers_western_over_central_european(tmp_path: Path) -> None:
    text = "L’été dernier, le ministre a déclaré « non » à la réforme."
    doc = only(read(write(tmp_path / "fr.txt", text.encode("cp1252"))))
    assert isinstance(doc, RawDocument) and doc.content == text


def test_files_cyrillic_cp1251(tmp_path: Path) -> None:
    text = "Министр обороны России Сергей Шойгу посетил Минск и встретился с коллегой."
    doc = only(read(write(tmp_path / "ru.txt", text.encode("cp1251"))))
    assert isinstance(doc, RawDocument) and doc.content == text


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-8-sig"])
def test_files_unicode_encodings(tmp_path: Path, codec: str) -> None:
    doc = only(read(write(tmp_path / "u.txt", GERMAN.encode(codec))))
    assert isinstance(doc, RawDocument) and doc.content == GERMAN


def test_files_utf8_with_one_broken_sequence(tmp_path: Path) -> None:
    data = GERMAN.encode() + "Müll".encode()[:2]  # cut through the ü
    doc = only(read(write(tmp_path / "cut.txt", data)))
    assert isinstance(doc, RawDocument) and doc.content.startswith(GERMAN)


def test_files_html_declared_charset(tmp_path: Path) -> None:
    page = f'<html><head><meta charset="iso-8859-1"></head><body><p>{GERMAN}</p></body></html>'
    doc = only(read(write(tmp_path / "p.html", page.encode("latin-1"))))
    assert isinstance(doc, RawDocument) and GERMAN in doc.content


def test_files_undecodable(tmp_path: Path) -> None:
    error = only(read(write(tmp_path / "noise.txt", bytes(range(128, 256)) * 3)))
    assert isinstance(error, EncodingError)
    assert "not UTF-8" in error.reason and "UTF-8" in error.reason.split(";")[-1]


def test_files_too_large_is_never_read(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with open(path, "wb") as handle:  # sparse: 50 MB on paper, nothing on disk
        handle.truncate(50 * 1024 * 1024)
    started = time.perf_counter()
    error = only(read(path, limit=1000))
    assert time.perf_counter() - started < 1
    assert isinstance(error, TooLarge)
    assert "52,428,800 bytes" in error.reason and "max_input_bytes" in error.reason


def test_files_missing_path(tmp_path: Path) -> None:
    error = only(read(tmp_path / "nope.txt"))
    assert type(error) is InputError and error.reason == "no such file or directory"


def test_files_folder_recursion_sorted_skipping_hidden(tmp_path: Path) -> None:
    root = tmp_path / "in"
    files = ["b.txt", "a/z.html", "a/c.md", "a-b/y.txt", "noext", "x.de.emden-21", "p.php"]
    skipped = [".hidden.txt", ".git/x.txt", "s.css", "a/logo.png", "feed.xml"]
    for rel in files + skipped:
        write(root / rel, f"<p>{GERMAN}</p>")
    origins = [i.origin for i in read(root)]
    expected = ["a/c.md", "a/z.html", "a-b/y.txt", "b.txt", "noext", "p.php", "x.de.emden-21"]
    assert origins == [str(root / rel) for rel in expected]


def test_files_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "nothing").mkdir()
    error = only(read(tmp_path / "nothing"))
    assert isinstance(error, InputError) and "no files to read" in error.reason


def test_files_glob(tmp_path: Path) -> None:
    for name in ["b.txt", "a.txt", "c.html"]:
        write(tmp_path / name, GERMAN)
    origins = [i.origin for i in read(tmp_path / "*.txt")]
    assert origins == [str(tmp_path / "a.txt"), str(tmp_path / "b.txt")]


def test_files_glob_without_match(tmp_path: Path) -> None:
    error = only(read(tmp_path / "*.nothing"))
    assert isinstance(error, InputError) and error.reason == "no file matches this pattern"


def test_files_same_file_read_once(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", GERMAN)
    assert len(read(path, tmp_path, tmp_path / "*.txt")) == 1


def test_files_bad_item_does_not_stop_batch(tmp_path: Path) -> None:
    good = write(tmp_path / "good.txt", GERMAN)
    items = read(tmp_path / "missing.txt", write(tmp_path / "e.txt", b""), good)
    assert [type(i) for i in items] == [InputError, EmptyInput, RawDocument]


def stdin_items(data: bytes, limit: int = 10_000_000) -> list[RawDocument | InputError]:
    return list(iter_documents(["-"], Settings(max_input_bytes=limit), io.BytesIO(data)))


def test_files_stdin_text() -> None:
    doc = only(stdin_items(GERMAN.encode()))
    assert isinstance(doc, RawDocument)
    assert (doc.origin, doc.kind, doc.content) == ("stdin", DocKind.TEXT, GERMAN)


def test_files_stdin_jsonl() -> None:
    data = f"{json.dumps(RECORD)}\nnot json\n{json.dumps(RECORD)}\n".encode()
    items = stdin_items(data)
    assert [i.origin for i in items] == ["stdin:1", "stdin:2", "stdin:3"]
    assert isinstance(items[1], MalformedRecord)


def test_files_stdin_too_large() -> None:
    error = only(stdin_items(b"x" * 5000, limit=1000))
    assert isinstance(error, TooLarge) and error.origin == "stdin"


def test_files_stdin_large_jsonl_streams() -> None:
    data = "\n".join(json.dumps(RECORD) for _ in range(40)).encode()
    assert len(data) > 1000
    items = stdin_items(data, limit=1000)
    assert len(items) == 40 and all(isinstance(i, RawDocument) for i in items)


def test_files_stdin_empty() -> None:
    assert isinstance(only(stdin_items(b"")), EmptyInput)


@settings(max_examples=200)
@given(st.binary(max_size=2000))
def test_files_stdin_never_raises(data: bytes) -> None:
    for item in stdin_items(data, limit=1500):
        assert isinstance(item, RawDocument | InputError)
        if isinstance(item, InputError):
            assert item.reason and "\n" not in item.reason


@given(st.text(st.characters(exclude_categories=("Cc", "Cs")) | st.sampled_from("\t\n")))
def test_files_decode_utf8_round_trips(text: str) -> None:
    # A leading U+FEFF encodes to the UTF-8 byte-order mark, which is read as a mark.
    assert decode_bytes(text.encode(), "x") == text.removeprefix("\ufeff")


def test_files_permission_denied(tmp_path: Path) -> None:
    path = write(tmp_path / "secret.txt", GERMAN)
    path.chmod(0)
    try:
        if os.access(path, os.R_OK):  # running as root: permissions do not apply
            pytest.skip("file permissions are not enforced for this user")
        error = only(read(path))
        assert type(error) is InputError and "permission denied" in error.reason.lower()
    finally:
        path.chmod(0o644)
