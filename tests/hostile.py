"""Hostile inputs: a seeded generator of files and feeds that try to break ingestion.

:func:`write_corpus` writes more than a thousand files to a folder: binary data under
text names, truncated and deeply nested HTML, HTML bombs (elements, attributes, one
huge text), invalid UTF-8 and mixed encodings, mojibake, a 100 MB text (sparse), JSON
of every wrong type, records with missing fields, NaN and impossible dates, and WARC
archives with compression bombs and lying headers. :func:`feeds` yields hostile feed
documents: entity expansion (billion laughs, quadratic blowup), external entities,
oversized and broken feeds. :data:`json_values` is a Hypothesis strategy for arbitrary
JSON values as a record parser meets them. Every document here is written for the tests.
"""

from __future__ import annotations

import codecs
import gzip
import itertools
import json
import random
import zlib
from collections.abc import Iterator
from pathlib import Path

from hypothesis import strategies as st

SEED = 20240503

TITLE = "Kalinov bridge closes after cracks found"
BODY = [
    "Engineers closed the Kalinov bridge over the Varna river on Thursday after inspectors "
    "found cracks in two support pillars.",
    "Mayor Petra Ilic said the crossing would stay shut for at least six weeks while repairs "
    "costing 4.2 million euros are planned.",
    "Around 18,000 vehicles use the bridge every day; the city has set up detours.",
]
GERMAN = (
    "Die Brücke über die Varna bleibt gesperrt. Bürgermeisterin Petra Ilić sagte am "
    "Donnerstag, die Reparatur koste 4,2 Millionen Euro. Täglich überqueren rund 18.000 "
    "Fahrzeuge den Fluss – für Pendler heißt das: Umwege über Süd."
)
RUSSIAN = (
    "Мост через реку Варна закрыт после обнаружения трещин. Мэр Петра Илич заявила, что "
    "ремонт обойдётся в 4,2 миллиона евро. Ежедневно по мосту проезжают 18 000 машин."
)

SPARSE_BYTES = 100 * 1024 * 1024
"""The "100 MB text": written sparse, so it costs no disk, and must be refused unread."""


def page(title: str = TITLE, body: list[str] | None = None, head: str = "") -> str:
    paragraphs = "".join(f"<p>{p}</p>" for p in body or BODY)
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f'<meta property="article:published_time" content="2024-05-02T14:05:00Z">{head}'
        f"</head><body><nav><a href='/'>Home</a></nav><article><h1>{title}</h1>{paragraphs}"
        "</article><footer>© 2024 Varna Courier</footer></body></html>"
    )


def record(**changes: object) -> dict[str, object]:
    base: dict[str, object] = {
        "title": TITLE,
        "maintext": " ".join(BODY),
        "url": f"https://courier.example/bridge-{next(_NUMBERS)}",  # each its own article
        "date_publish": "2024-05-02 14:05:00",
        "language": "en",
        "source_domain": "courier.example",
    }
    base.update(changes)
    return {k: v for k, v in base.items() if v is not _MISSING}


_MISSING = object()
_NUMBERS = itertools.count()


def deflate_bomb(megabytes: int, wrapper: str = "gzip") -> bytes:
    """A stream that inflates to ``megabytes`` MB of zeros, about 1 kB per MB.

    After a full flush deflate starts afresh, so the compressed block of one megabyte of
    zeros repeats byte for byte; the trailer is left out, since no reader gets that far."""
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = deflate.compress(bytes(1 << 20)) + deflate.flush(zlib.Z_FULL_FLUSH)
    header = {"gzip": b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff", "deflate": b"\x78\xda"}
    return header[wrapper] + block * megabytes


def _warc_record(url: str, http: bytes, length: int | None = None) -> bytes:
    declared = len(http) if length is None else length
    head = (
        f"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: {url}\r\n"
        f"WARC-Date: 2024-05-03T06:21:09Z\r\n"
        f"WARC-Record-ID: <urn:crc:{zlib.crc32(url.encode())}>\r\n"
        f"Content-Type: application/http; msgtype=response\r\nContent-Length: {declared}\r\n\r\n"
    )
    return head.encode() + http + b"\r\n\r\n"


def _http(body: bytes, *headers: str) -> bytes:
    headers = headers or ("Content-Type: text/html", "Content-Encoding: gzip")
    lines = ["HTTP/1.1 200 OK", *headers, f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def _gzip_member(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=1)


def _warcs(rng: random.Random) -> Iterator[tuple[str, bytes]]:
    good = _warc_record(
        "https://courier.example/local/2024/05/02/bridge-closed",
        _http(page().encode(), "Content-Type: text/html; charset=utf-8"),
    )
    bombs = {
        "gzip": deflate_bomb(1_000),
        "deflate": deflate_bomb(1_000, "deflate"),
    }
    for n, (encoding, bomb) in enumerate(bombs.items()):
        record = _warc_record(
            f"https://bomb.example/news/article-{n}",
            _http(bomb, "Content-Type: text/html", f"Content-Encoding: {encoding}"),
        )
        yield f"payload-bomb-{encoding}.warc", record + good
        yield f"payload-bomb-{encoding}.warc.gz", _gzip_member(record) + _gzip_member(good)
    # A WARC.gz member that inflates to a gigabyte: its header declares either the truth
    # or a small length (the reader must not trust it).
    for declared in (1_000 << 20, 700):
        header = _warc_record("https://bomb.example/news/member-1", b"", length=declared)
        deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
        head = deflate.compress(header[:-4]) + deflate.flush(zlib.Z_FULL_FLUSH)
        member = deflate_bomb(0) + head + deflate_bomb(1_000)[10:]
        yield f"member-bomb-{declared}.warc.gz", member + _gzip_member(good)
    html = page().encode()
    chunked = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/html\r\n\r\n"
    noise = rng.randbytes(900)
    lies = [
        ("length-too-long", _warc_record("https://a.example/x-1", b"HTTP/1.1 200", length=10**12)),
        ("length-negative", _warc_record("https://a.example/x-2", b"abc", length=-3)),
        (
            "length-text",
            _warc_record("https://a.example/x-3", b"abc").replace(b": 3\r", b": lots\r"),
        ),
        ("header-endless", b"WARC/1.0\r\nWARC-Type: response\r\nX: " + b"a" * 200_000),
        ("blank-lines", b"\r\n" * 100_000),
        ("not-warc", b"HTTP/1.1 200 OK\r\n\r\n" + html),
        ("bad-http", _warc_record("https://a.example/x-4", b"NOT HTTP AT ALL\r\n\r\n" + html)),
        ("chunked-broken", _warc_record("https://a.example/x-5", chunked + b"ZZZZ\r\n" + html)),
        ("brotli", _warc_record("https://a.example/x-6", _http(noise, "Content-Encoding: br"))),
        ("gzip-corrupt", _warc_record("https://a.example/x-7", _http(b"\x1f\x8b\x08" + noise))),
        (
            "image",
            _warc_record(
                "https://a.example/i-8.png", _http(bytes(2000), "Content-Type: image/png")
            ),
        ),
        ("cut-short", good[: len(good) // 2]),
        ("gzip-cut", _gzip_member(good)[:-30]),
        ("gzip-garbage", _gzip_member(good) + rng.randbytes(5000) + _gzip_member(good)),
    ]
    for name, data in lies:
        yield f"{name}.warc" + (".gz" if name.startswith("gzip") else ""), data


def _binary(rng: random.Random) -> Iterator[tuple[str, bytes]]:
    magics = [
        b"\x89PNG\r\n\x1a\n",
        b"\xff\xd8\xff\xe0",
        b"%PDF-1.7\n",
        b"\x7fELF\x02\x01\x01",
        b"PK\x03\x04",
        b"\x1f\x8b\x08\x00",
        b"7z\xbc\xaf\x27\x1c",
        b"SQLite format 3\x00",
        b"\xfe\xff",
        b"\xff\xfe\x00\x00",
    ]
    suffixes = ["txt", "html", "json", "jsonl", "md", "bin", "xml.txt", "page"]
    for n in range(100):
        size = rng.choice([1, 7, 100, 4096, 65_536, 300_000])
        data = rng.choice([b"", *magics]) + rng.randbytes(size)
        yield f"binary-{n}.{suffixes[n % len(suffixes)]}", data
    yield "gzip-bomb.html", deflate_bomb(2_000)
    yield "zip-like.json", b"PK\x03\x04" + deflate_bomb(500)[10:]
    yield "nul-padded.txt", ("\n".join(BODY)).encode() + bytes(50_000)


def _truncated(rng: random.Random) -> Iterator[tuple[str, bytes]]:
    html = page(head="<script>var x = '<p>not text</p>';</script>" + "<meta name=x content=y>" * 20)
    data = html.encode()
    for n in range(150):
        cut = 1 + (len(data) - 2) * n // 150
        yield f"truncated-{n}.html", data[:cut]
    record_line = json.dumps(record()).encode()
    for n in range(20):
        yield f"truncated-{n}.json", record_line[: 1 + len(record_line) * n // 20]


def _nested() -> Iterator[tuple[str, bytes]]:
    for depth in (100, 1_000, 10_000, 100_000, 1_000_000):
        for tag in ("div", "b", "table", "span", "li", "font", "a"):
            closing = f"</{tag}>" * depth if depth <= 10_000 else ""
            body = f"<{tag}>" * depth + "".join(f"<p>{p}</p>" for p in BODY) + closing
            yield f"nested-{tag}-{depth}.html", page(body=[body]).encode()
    yield "nested-json.json", b"[" * 200_000 + b"]" * 200_000
    yield "nested-json-object.json", b'{"a":' * 100_000 + b"1" + b"}" * 100_000
    yield (
        "nested-jsonld.html",
        page(
            head='<script type="application/ld+json">' + "[" * 300_000 + "]" * 300_000 + "</script>"
        ).encode(),
    )


def _bombs() -> Iterator[tuple[str, bytes]]:
    p = "".join(f"<p>{p}</p>" for p in BODY)
    for count in (1_000, 29_000, 31_000, 100_000, 1_000_000):
        yield f"bomb-elements-{count}.html", page(body=[p + "<p>x</p>" * count]).encode()
    for count in (100, 1_900, 2_100, 20_000, 200_000):
        attrs = " ".join(f"a{i}='v'" for i in range(count))
        yield (
            f"bomb-attributes-{count}.html",
            page(body=[f"<p {attrs}>{BODY[0]}</p>", *BODY]).encode(),
        )
    yield (
        "bomb-attribute-value.html",
        page(body=[f"<p title='{'x' * 5_000_000}'>{BODY[0]}</p>"]).encode(),
    )
    yield "bomb-text-node.html", page(body=[" ".join(BODY) * 6_000]).encode()
    yield "bomb-scripts.html", page(head="<script>1</script>" * 50_000).encode()
    yield "bomb-comment.html", page(head="<!--" + "-" * 3_000_000).encode()
    yield "bomb-entities.html", page(body=["&amp;&#x1F600;&#99999999;&bogus;" * 100_000]).encode()
    yield "bomb-unclosed-script.html", page(head="<script>" * 29_000).encode()
    yield "bomb-lt.html", page(body=["<a<a<a" * 500_000]).encode()


def _encodings(rng: random.Random) -> Iterator[tuple[str, bytes]]:
    texts = {"en": f"{TITLE}\n\n" + "\n\n".join(BODY), "de": GERMAN, "ru": RUSSIAN}
    codecs_ = ["cp1252", "cp1251", "koi8_r", "iso8859_2", "utf-16-le", "utf-16-be",
               "utf-32-le", "mac_roman", "cp437", "shift_jis", "utf-7"]  # fmt: skip
    n = 0
    for language, text in texts.items():
        for codec in codecs_:
            try:
                data = text.encode(codec)
            except UnicodeEncodeError:
                data = text.encode(codec, errors="replace")
            for suffix in ("txt", "html", "json"):
                body = data if suffix != "json" else b'{"maintext": "' + data + b'"}'
                yield f"encoding-{language}-{codec}-{n}.{suffix}", body
                n += 1
    utf8 = texts["de"].encode()
    for k in range(40):  # random byte flips in valid UTF-8
        flipped = bytearray(utf8)
        for _ in range(rng.choice([1, 3, 30, 300])):
            flipped[rng.randrange(len(flipped))] = rng.randrange(128, 256)
        yield f"flipped-{k}.txt", bytes(flipped)
    specials = {
        "overlong": b"Title\n\n" + b"\xc0\xaf\xe0\x80\xaf" * 50 + utf8,
        "surrogates": b"Title\n\n" + b"\xed\xa0\x80\xed\xbf\xbf" * 50 + utf8,
        "mixed": utf8 + texts["de"].encode("cp1252", "replace") + texts["ru"].encode("koi8_r"),
        "bom-mismatch-16": codecs.BOM_UTF16_LE + utf8,
        "bom-mismatch-32": codecs.BOM_UTF32_BE + utf8,
        "bom-utf8-twice": codecs.BOM_UTF8 * 2 + utf8,
        "declared-wrong": b'<meta charset="koi8-r">' + page().encode("utf-16-le"),
        "declared-bogus": b'<meta charset="x-bogus">' + GERMAN.encode("cp1252", "replace"),
        "controls": ("\x01\x02\x1b[31m" * 200 + texts["en"]).encode(),
        "bidi": ("\u202e\u2066" * 100 + texts["en"] + "\u200b" * 1000).encode(),
        "private-use": ("\ue000\U000f0000" * 500 + texts["en"]).encode(),
    }  # fmt: skip
    for name, data in specials.items():
        for suffix in ("txt", "html"):
            yield f"special-{name}.{suffix}", data


def _mojibake() -> Iterator[tuple[str, bytes]]:
    texts = [GERMAN, RUSSIAN, f"{TITLE}\n\n" + "\n\n".join(BODY) + " Café – “quoted” € 5"]
    steps = [("utf-8", "cp1252"), ("utf-8", "latin-1"), ("cp1251", "cp1252"), ("utf-8", "cp1251"),
             ("utf-8", "koi8_r"), ("utf-8", "mac_roman")]  # fmt: skip
    for n, text in enumerate(texts):
        for encode, decode in steps:
            once = text.encode(encode, "replace").decode(decode, "replace")
            twice = once.encode(encode, "replace").decode(decode, "replace")
            for k, broken in enumerate((once, twice)):
                name = f"mojibake-{n}-{encode}-{decode}-{k}"
                yield f"{name}.txt", f"Brücke\n\n{broken}".encode()
                yield (
                    f"{name}.jsonl",
                    json.dumps(record(maintext=broken, title=broken[:60])).encode(),
                )
                yield f"{name}.html", page(body=[broken]).encode()


def _records() -> Iterator[tuple[str, bytes]]:
    wrong = [None, 0, -1, 1.5, True, False, [], {}, [1, 2], {"a": 1}, "", " ", "\u0000",
             10**400, -(10**30), "x" * 200_000, ["para one", 7, None, "para two"],
             {"name": ["nested"]}]  # fmt: skip
    keys = ["title", "maintext", "url", "date_publish", "language", "source_domain",
            "authors", "description"]  # fmt: skip
    n = 0
    for key in keys:
        for value in wrong:
            yield f"type-{key}-{n}.json", json.dumps(record(**{key: value})).encode()
            n += 1
    for key in ("maintext", "date_publish", "title"):
        for literal in ("NaN", "Infinity", "-Infinity", "1e400", "-0"):
            line = json.dumps(record(**{key: "PLACEHOLDER"})).replace('"PLACEHOLDER"', literal)
            yield f"literal-{key}-{literal}.jsonl", line.encode()
    shapes = ['"just a string"', "42", "null", "true", "[]", "{}", '{"articles": 5}',
              '{"articles": [1, "two", null]}', '[{"maintext": "x"}, 3]', '{"": ""}',
              "[" + ",".join(["{}"] * 10_000) + "]", '{"maintext": {"$gt": ""}}',
              '{"__proto__": {"maintext": "x"}}', "\ufeff{}",
              '{"maintext": "a", "maintext": 5}']  # fmt: skip
    for k, shape in enumerate(shapes):
        yield f"shape-{k}.json", shape.encode()
        yield f"shape-{k}.jsonl", (shape + "\n" + shape).encode()


def _missing() -> Iterator[tuple[str, bytes]]:
    keys = ["title", "maintext", "url", "date_publish", "language", "source_domain"]
    for k in range(1 << len(keys)):
        gone = {key: _MISSING for i, key in enumerate(keys) if k >> i & 1}
        yield f"missing-{k}.jsonl", json.dumps(record(**gone)).encode()


def _dates() -> Iterator[tuple[str, bytes]]:
    values: list[object] = [
        "0000-00-00", "0000-01-01", "0001-01-01", "9999-12-31", "9999-12-31T23:59:59-12:00",
        "10000-01-01", "2024-02-30", "2024-13-01", "2024-00-10", "2024-05-02T25:61:61",
        "2024-05-02T10:00:00+99:99", "1899-12-31", "2100-01-01", "-2024-05-02", "NaN",
        "Infinity", "null", "yesterday", "2024-05-02" * 20, "\u0662\u0660\u0662\u0664-05-02",
        "Thu, 31 Dec 9999 23:59:59 GMT", "Mon, 00 Jan 0000 00:00:00 +0000",
        0, -1, 1e20, -1e20, 253402300800, 253402300800000, -62135596800, 2**63, 2**64 + 1,
        0.5, 1714644300.999, 99999999999999999999, "1714644300", "0x1F",
    ]  # fmt: skip
    for n, value in enumerate(values):
        yield f"date-{n}.json", json.dumps(record(date_publish=value)).encode()
        if isinstance(value, str) and len(value) < 60:
            yield f"date-{n}.txt", (f"date {value} {TITLE}\n\n" + "\n\n".join(BODY)).encode()
            meta = f'<meta property="article:published_time" content="{value}">'
            yield (
                f"date-{n}.html",
                page(head=meta)
                .replace(
                    '<meta property="article:published_time" content="2024-05-02T14:05:00Z">', ""
                )
                .encode(),
            )


def _huge(folder: Path) -> Iterator[str]:
    """Files too big to hold in a list: written straight to ``folder``."""
    sparse = folder / "huge-sparse.txt"
    with sparse.open("wb") as f:
        f.write(f"{TITLE}\n\n".encode())
        f.truncate(SPARSE_BYTES)
    yield sparse.name
    line = folder / "huge-line.jsonl"
    with line.open("wb") as f:
        f.write(json.dumps(record()).encode() + b"\n" + b'{"maintext": "')
        chunk = ("word " * 200_000).encode()
        for _ in range(SPARSE_BYTES // len(chunk)):
            f.write(chunk)
        f.write(b'"}\n' + json.dumps(record(url="https://courier.example/after")).encode())
    yield line.name
    under = folder / "huge-under-byte-limit.txt"
    under.write_bytes((f"{TITLE}\n\n" + " ".join(BODY) * 25_000).encode()[:9_900_000])
    yield under.name
    long_record = folder / "huge-record.jsonl"
    long_record.write_text(json.dumps(record(maintext=" ".join(BODY) * 2_500)))
    yield long_record.name


def write_corpus(folder: Path, seed: int = SEED) -> list[str]:
    """Write the hostile files into ``folder``; their names, in order."""
    global _NUMBERS
    _NUMBERS = itertools.count()  # the same URLs on every call
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    names: list[str] = []
    parts = [_binary(rng), _truncated(rng), _nested(), _bombs(), _encodings(rng), _mojibake(),
             _records(), _missing(), _dates(), _warcs(rng)]  # fmt: skip
    for part in parts:
        for name, data in part:
            (folder / name).write_bytes(data)
            names.append(name)
    names.extend(_huge(folder))
    assert len(names) == len(set(names)), "two hostile inputs under one name"
    return names


BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">'.encode()
        for i in range(1, 10)
    )
    + b"]>"
)


def _rss(items: str, prolog: str = "") -> bytes:
    return f'{prolog}<rss version="2.0"><channel><title>N</title>{items}</channel></rss>'.encode()


def _item(n: int, title: str = "", extra: str = "") -> str:
    title = title or f"T{n}"
    return f"<item><title>{title}</title><link>https://a.example/{n}</link>{extra}</item>"


def feeds(seed: int = SEED) -> Iterator[tuple[str, bytes]]:
    """Hostile feed documents, by name."""
    rng = random.Random(seed)
    laughs = BILLION_LAUGHS.decode()
    yield "billion-laughs", _rss(_item(1, "&lol9;"), laughs)
    atom = '<feed xmlns="http://www.w3.org/2005/Atom"><title>&lol9;</title>'
    atom += '<entry><title>&lol9;</title><link href="https://a.example/2"/></entry></feed>'
    yield "billion-laughs-atom", (laughs + atom).encode()
    quadratic = f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "{"A" * 50_000}">]>'
    yield "quadratic", _rss(_item(3, "&a;" * 5_000), quadratic)
    targets = ["file:///etc/passwd", "file:///dev/zero", "http://127.0.0.1:9/x",
               "http://169.254.169.254/latest/"]  # fmt: skip
    for target in targets:
        external = f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "{target}">]>'
        yield f"xxe-{target}", _rss(_item(4, "&x;", "<description>&x;</description>"), external)
        parameter = f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY % p SYSTEM "{target}"> %p;]>'
        yield f"xxe-parameter-{target}", _rss(_item(5), parameter)
        include = f'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="{target}"/>'
        yield f"xinclude-{target}", _rss(_item(6, include))
    yield "entries-over-limit", _rss("".join(_item(n) for n in range(6_000)))
    yield "nested", _rss("<item>" * 100_000 + "</item>" * 100_000)
    attributes = " ".join(f"a{i}='v'" for i in range(50_000))
    yield "attributes", _rss(f"<item {attributes}><link>https://a.example/7</link></item>")
    yield "huge-title", _rss(_item(8, "x" * 5_000_000))
    links = "<item><link>javascript:alert(1)</link></item><item><link>file:///etc/passwd</link>"
    yield "links-not-web", _rss(links + "</item>")
    yield "empty", b""
    yield "html", page().encode()
    yield "json", json.dumps(record()).encode()
    yield "utf16", _rss(_item(9)).decode().encode("utf-16")
    declared = '<?xml version="1.0" encoding="koi8-r"?>'
    yield "declared-wrong", declared.encode() + _rss(_item(10)).decode().encode("utf-16-le")
    document = _rss("".join(_item(n) for n in range(20)))
    for n in range(40):
        yield f"truncated-{n}", document[: len(document) * n // 40]
    for n in range(30):
        yield f"random-{n}", rng.randbytes(rng.choice([10, 1_000, 100_000]))
    for n in range(20):
        flipped = bytearray(document)
        for _ in range(20):
            flipped[rng.randrange(len(flipped))] = rng.randrange(256)
        yield f"flipped-{n}", bytes(flipped)


# JSON values as a record reader meets them: any nesting, numbers of every kind.
RECORD_KEYS = ["title", "maintext", "text", "date_publish", "url", "language", "source_domain",
               "authors", "articles", "x"]  # fmt: skip
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=300),
    lambda children: (
        st.lists(children, max_size=5)
        | st.dictionaries(st.sampled_from(RECORD_KEYS), children, max_size=8)
    ),
    max_leaves=20,
)
